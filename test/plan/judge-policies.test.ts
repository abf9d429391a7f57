// The failure threshold as judgePolicies applies it: finished operations of the policy, per
// software type, since spec.resume; a stop stays remembered until a person resumes. Table:
// operations → stopped or not, and the words.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SoftwareType } from '../../controller/model/fleet.ts';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { OperationRecord } from '../../controller/model/plan.ts';
import type { RolloutMemory } from '../../controller/model/state.ts';
import { judgePolicies } from '../../controller/plan/judge-policies.ts';
import { OperationBook } from '../../controller/plan/operation-book.ts';
import { at, day, hour, op, policy } from './fixtures.ts';

const now = at('2026-11-21T12:00:00Z');
const threshold = (percent: number, minCompleted?: number): UpdatePolicySpec => ({ rollout: { failureThreshold: { percent, ...(minCompleted === undefined ? {} : { minCompleted }) } } });
/** `n` finished firmware updates of policy p, the first `failed` of them failed, ending an hour apart before now. */
const finished = (n: number, failed: number, options: { type?: SoftwareType; owner?: string } = {}): OperationRecord[] =>
  Array.from({ length: n }, (_, i) => op(`d${i}`, options.type ?? 'firmware', '1.1', {
    owner: options.owner ?? 'default/UpdatePolicy/p', startedAt: now - (i + 2) * hour, endedAt: now - (i + 1) * hour, outcome: i < failed ? 'failed' : 'succeeded',
  }));
const remembered: RolloutMemory = { stoppedAt: now - 2 * day, reason: 'remembered stop' };

interface Row {
  readonly name: string;
  readonly spec: UpdatePolicySpec;
  readonly operations: OperationRecord[];
  readonly memory?: RolloutMemory;
  /** The stop of each type, by its reason (undefined: not stopped). */
  readonly firmware: RegExp | undefined;
  readonly teamsClient?: RegExp;
  readonly tally: [completed: number, failed: number];
}

const rows: Row[] = [
  { name: 'under the threshold', spec: threshold(15, 10), operations: finished(10, 1), firmware: undefined, tally: [10, 1] },
  { name: 'over the threshold', spec: threshold(15, 10), operations: finished(10, 2), firmware: /^2 of 10 finished updates failed \(20%\), more than the threshold of 15%; set spec\.resume to go on$/, tally: [10, 2] },
  { name: 'exactly the threshold does not stop', spec: threshold(20, 10), operations: finished(10, 2), firmware: undefined, tally: [10, 2] },
  { name: 'too few finished (default minCompleted 5)', spec: threshold(15), operations: finished(4, 4), firmware: undefined, tally: [4, 4] },
  { name: 'too few finished (minCompleted 10)', spec: threshold(15, 10), operations: finished(9, 9), firmware: undefined, tally: [9, 9] },
  { name: 'no threshold: failures never stop', spec: {}, operations: finished(10, 10), firmware: undefined, tally: [10, 10] },
  { name: 'each type is judged on its own', spec: threshold(15, 5), operations: finished(5, 5, { type: 'teamsClient' }), firmware: undefined, teamsClient: /^5 of 5 finished updates failed/, tally: [0, 0] },
  { name: 'operations of another owner do not count', spec: threshold(15, 5), operations: finished(5, 5, { owner: 'default/ScheduledUpdate/s' }), firmware: undefined, tally: [0, 0] },
  { name: 'a remembered stop stays', spec: threshold(15, 5), operations: [], memory: remembered, firmware: /^remembered stop$/, tally: [0, 0] },
  { name: 'spec.resume after the stop forgives it and the failures before it', spec: { ...threshold(15, 5), resume: { after: new Date(now).toISOString(), by: 'ana' } }, operations: finished(5, 5), memory: remembered, firmware: undefined, tally: [0, 0] },
  { name: 'failures after spec.resume count again', spec: { ...threshold(15, 5), resume: { after: new Date(now - day).toISOString(), by: 'ana' } }, operations: finished(5, 5), memory: remembered, firmware: /^5 of 5 finished updates failed/, tally: [5, 5] },
];

for (const r of rows) {
  test(`failure threshold: ${r.name}`, () => {
    const memory = r.memory ? { 'default/p|firmware': r.memory } : undefined;
    const j = judgePolicies([policy('p', r.spec)], new OperationBook(r.operations), memory, undefined, now);
    const ctx = j.policies.get('default/p')!;
    for (const [type, want] of [['firmware', r.firmware], ['teamsClient', r.teamsClient]] as const) {
      const stop = ctx.stopped.get(type);
      if (want) {
        assert.match(stop?.reason ?? '(not stopped)', want, type);
        assert.is(j.rollouts[`default/p|${type}`], stop, 'the stop is what the plan remembers');
      } else {
        assert.is(stop, undefined, type);
        assert.is(j.rollouts[`default/p|${type}`], undefined);
      }
    }
    if (r.firmware && !r.memory) assert.is(ctx.stopped.get('firmware')!.stoppedAt, now, 'stopped by this plan');
    assert.equal(j.tallies.get('default/p|firmware'), { completed: r.tally[0], failed: r.tally[1] });
  });
}

test.run();
