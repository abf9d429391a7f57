// The rule that blocks or delays an update once it is needed (entry-works.ts needsUpdate), with
// the policy context judgePolicies builds: an offline device waits for the device, a stopped
// rollout blocks, a suspension without an end blocks, one with an end moves the start to it;
// a ScheduledUpdate is not held by its group's suspension. One table, one row per rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { Reason } from '../../controller/model/plan.ts';
import { needsUpdate } from '../../controller/plan/entry-works.ts';
import type { PolicyContext } from '../../controller/plan/group-context.ts';
import { at, day, device, iso } from './fixtures.ts';
import { contextUnder, judged, scheduledCtx, work } from './phase-fixtures.ts';

const now = at('2026-11-21T12:00:00Z');
const phase: Reason = { code: 'Deferred', message: 'eligible under General' };
const suspend = (until?: number): UpdatePolicySpec => ({ suspend: { by: 'ana', reason: 'incident 4711', ...(until === undefined ? {} : { until: new Date(until).toISOString() }) } });
const stopped = { stoppedAt: now - day, reason: '3 of 10 failed' };

interface Row {
  readonly name: string;
  readonly spec?: UpdatePolicySpec;
  readonly offline?: boolean;
  readonly stop?: boolean;
  readonly scheduled?: boolean;
  /** When the rule wants it to start (default: now). */
  readonly startAt?: number;
  readonly status: 'blocked' | 'scheduled';
  readonly code: string;
  readonly t0?: number;
  readonly t0Code?: string;
  readonly message?: RegExp;
}

const rows: Row[] = [
  { name: 'nothing in the way: needed from now', status: 'scheduled', code: 'Deferred', t0: now },
  { name: 'later phase date: t0 is that date, and why', startAt: now + 2 * day, status: 'scheduled', code: 'Deferred', t0: now + 2 * day, t0Code: 'Deferred' },
  { name: 'offline device: blocked until it is back', offline: true, status: 'blocked', code: 'DeviceOffline', message: /offline; 1\.1 is installed once it is back online/ },
  { name: 'offline wins over a suspension', offline: true, spec: suspend(), status: 'blocked', code: 'DeviceOffline' },
  { name: 'stopped rollout of the type: blocked, naming the stop', stop: true, status: 'blocked', code: 'RolloutStopped', message: /firmware under p stopped on 2026-11-20 12:00 UTC: 3 of 10 failed/ },
  { name: 'a stop wins over a suspension', stop: true, spec: suspend(), status: 'blocked', code: 'RolloutStopped' },
  { name: 'suspended without an end: blocked, naming who and why', spec: suspend(), status: 'blocked', code: 'Suspended', message: /^p is suspended by ana: incident 4711$/ },
  { name: 'suspended until a later time: starts then', spec: suspend(now + 3 * day), status: 'scheduled', code: 'Suspended', t0: now + 3 * day, t0Code: 'Suspended', message: /\(until 2026-11-24 12:00 UTC\)/ },
  { name: 'suspension ending before the phase date: the phase decides', spec: suspend(now + day), startAt: now + 2 * day, status: 'scheduled', code: 'Deferred', t0: now + 2 * day, t0Code: 'Deferred' },
  { name: 'suspension already over (until ≤ now): not suspended', spec: suspend(now - day), status: 'scheduled', code: 'Deferred', t0: now },
  { name: 'a ScheduledUpdate is not held by the suspension', spec: suspend(), scheduled: true, status: 'scheduled', code: 'Deferred', t0: now },
  { name: 'nor by a stopped rollout', stop: true, scheduled: true, status: 'scheduled', code: 'Deferred', t0: now },
];

for (const r of rows) {
  test(`needsUpdate: ${r.name}`, () => {
    const ctx = contextUnder(r.spec ?? {}, now);
    if (r.stop) ctx.policy!.stopped.set('firmware', stopped);
    const d = device('d1', r.offline ? { healthStatus: 'offline' } : {});
    const w = work(ctx, d, r.scheduled ? { source: 'scheduled', su: scheduledCtx('asked') } : {});
    const out = needsUpdate(w, d, r.startAt ?? now, phase, now);
    assert.is(out, w, 'the work itself is decided');
    assert.is(w.status, r.status);
    assert.is(w.reason.code, r.code);
    assert.is(w.needs, r.status === 'scheduled');
    if (r.t0 !== undefined) assert.is(iso(w.t0), iso(r.t0));
    assert.is(w.t0Reason?.code, r.status === 'scheduled' ? r.t0Code : undefined);
    if (r.message) assert.match(w.reason.message, r.message);
  });
}

test('judgePolicies: a suspension is in force until its end, and names who and why', () => {
  const table: [UpdatePolicySpec, PolicyContext['suspension']][] = [
    [{}, undefined],
    [suspend(), { by: 'ana', reason: 'incident 4711', until: undefined }],
    [suspend(now + day), { by: 'ana', reason: 'incident 4711', until: now + day }],
    [suspend(now), undefined],
    [{ suspend: { by: 'ana', reason: 'typo', until: 'tomorrow' } }, { by: 'ana', reason: 'typo', until: undefined }],
  ];
  for (const [spec, want] of table) assert.equal(judged(spec, now).policies.get('default/p')!.suspension, want, JSON.stringify(spec));
});

test.run();
