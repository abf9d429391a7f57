import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { OperationRecord } from '../../controller/model/plan.ts';
import { activeSuspension, judgeFailures } from '../../controller/policy/rollout-health.ts';
import { op, policy } from '../plan/fixtures.ts';

const hour = 3_600_000;
const now = Date.parse('2026-11-22T08:00:00Z');
const finished = (ok: number, failed: number, endedAt = now - hour): OperationRecord[] => [
  ...Array.from({ length: ok }, (_, i) => op(`ok${i}`, 'firmware', '1.2', { endedAt, outcome: 'succeeded' })),
  ...Array.from({ length: failed }, (_, i) => op(`ko${i}`, 'firmware', '1.2', { endedAt, outcome: 'failed' })),
];
const threshold = (percent: number, minCompleted?: number) => policy('p', { rollout: { failureThreshold: minCompleted === undefined ? { percent } : { percent, minCompleted } } });

const Judge = suite('judgeFailures');
const cases: [string, ReturnType<typeof threshold>, OperationRecord[], boolean][] = [
  ['under the threshold', threshold(15, 5), finished(9, 1), false],
  ['over the threshold', threshold(15, 5), finished(8, 2), true],
  ['exactly at the threshold is not over it', threshold(20, 5), finished(8, 2), false],
  ['too few finished to judge (default minCompleted 5)', threshold(10), finished(2, 2), false],
  ['minCompleted reached', threshold(10, 3), finished(1, 2), true],
  ['operations of another software type do not count', threshold(10, 3), finished(0, 5).map((r) => ({ ...r, softwareType: 'teamsClient' as const })), false],
  ['active operations do not count', threshold(10, 3), finished(0, 5).map((r) => ({ ...r, active: true, endedAt: undefined, outcome: undefined })), false],
  ['no threshold: never stops', policy('p', {}), finished(0, 10), false],
];
for (const [what, p, records, stopped] of cases) {
  Judge(what, () => assert.is(judgeFailures(p, 'firmware', records, undefined, now).stopped !== undefined, stopped));
}
Judge('a stop stays until a person resumes', () => {
  const memory = { stoppedAt: now - 2 * hour, reason: 'too many' };
  assert.equal(judgeFailures(threshold(15), 'firmware', finished(10, 0), memory, now).stopped, memory);
  const oldResume = policy('p', { rollout: { failureThreshold: { percent: 15 } }, resume: { after: new Date(now - 3 * hour).toISOString(), by: 'ana' } });
  assert.equal(judgeFailures(oldResume, 'firmware', finished(10, 0), memory, now).stopped, memory, 'a resume older than the stop does not lift it');
});
Judge('resume forgives failures that ended before it', () => {
  const memory = { stoppedAt: now - 2 * hour, reason: 'too many' };
  const resumed = policy('p', { rollout: { failureThreshold: { percent: 15, minCompleted: 3 } }, resume: { after: new Date(now - hour).toISOString(), by: 'ana' } });
  const records = [...finished(2, 5, now - 90 * 60_000), ...finished(3, 0, now - 10 * 60_000)];
  const j = judgeFailures(resumed, 'firmware', records, memory, now);
  assert.is(j.stopped, undefined);
  assert.is(j.completed, 3);
  assert.is(j.failed, 0);
});
Judge('after a resume, new failures stop it again', () => {
  const resumed = policy('p', { rollout: { failureThreshold: { percent: 15, minCompleted: 3 } }, resume: { after: new Date(now - hour).toISOString(), by: 'ana' } });
  const j = judgeFailures(resumed, 'firmware', finished(1, 3, now - 10 * 60_000), { stoppedAt: now - 2 * hour, reason: 'x' }, now);
  assert.is(j.stopped?.stoppedAt, now);
  assert.match(j.stopped?.reason ?? '', /3 of 4 finished updates failed \(75%\), more than the threshold of 15%/);
});

const Suspend = suite('activeSuspension');
Suspend('in force without until, with until in the future; over once until has passed', () => {
  const s = (until?: string) => policy('p', { suspend: until === undefined ? { by: 'ana', reason: 'incident' } : { by: 'ana', reason: 'incident', until } });
  assert.equal(activeSuspension(s(), now), { by: 'ana', reason: 'incident', until: undefined });
  assert.is(activeSuspension(s(new Date(now + hour).toISOString()), now)?.until, now + hour);
  assert.is(activeSuspension(s(new Date(now - hour).toISOString()), now), undefined);
  assert.is(activeSuspension(policy('p', {}), now), undefined);
});

Judge.run();
Suspend.run();
