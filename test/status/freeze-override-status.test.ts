// A ScheduledUpdate that passes a freeze with spec.freezeOverride says so in its status, and the
// record stays after the freeze is over (break glass leaves a trace).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ScheduledUpdateStatus } from '../../controller/model/manifests.generated.ts';
import type { ScheduledSummary } from '../../controller/model/plan.ts';
import { buildStatuses, statusKey } from '../../controller/status/build-status.ts';
import { freezeOverrideStatus } from '../../controller/status/freeze-override-status.ts';
import { at, day, device, group, plan, policy, release, scheduled, software } from '../plan/fixtures.ts';

const Status = suite('status.freezeOverride');
const frozenAt = at('2027-12-22T12:00:00Z');
function statusAt(now: number, previous?: ScheduledUpdateStatus): ScheduledUpdateStatus {
  const su = scheduled('hotfix', { targets: { deviceIds: ['d1'] }, software: [{ type: 'firmware', version: '1.1' }], freezeOverride: { reason: 'CVE-2027-0001 fix' } });
  const p = plan({
    now,
    groups: [group('paris', { policyRef: { name: 'p' }, selector: {}, timeZone: 'Europe/Paris' })],
    policies: [policy('p', { software: { firmware: { mode: 'manual' } }, freezes: [{ name: 'year-end', start: '2027-12-20', end: '2027-12-31', reason: 'change freeze' }] })],
    scheduledUpdates: [su],
    devices: [device('d1')],
    software: [software('d1', { firmware: ['1.0', '1.1'] })],
    releases: [release('Bar', 'firmware', '1.1', now - 60 * day)],
  });
  const all = buildStatuses(p, [{ kind: 'ScheduledUpdate', metadata: su.metadata, previous, valid: true, problems: [] }], { now });
  return all.get(statusKey('ScheduledUpdate', su.metadata)) as ScheduledUpdateStatus;
}
Status('the freeze passed, the reason and when are written while it passes', () => {
  assert.equal(statusAt(frozenAt).freezeOverride, {
    reason: 'CVE-2027-0001 fix',
    freezes: ['UpdatePolicy p: the freeze year-end (2027-12-20 to 2027-12-31: change freeze)'],
    firstTime: '2027-12-22T12:00:00Z',
  });
});
Status('after the freeze the record is kept as it was', () => {
  const first = statusAt(frozenAt);
  const later = statusAt(frozenAt + 30 * day, first);
  assert.equal(later.freezeOverride, first.freezeOverride);
});
Status('merging never drops a freeze, keeps the first reason and time, and lists at most 20', () => {
  const nineteen = Array.from({ length: 19 }, (_, i) => `f${i}`) as NonNullable<ScheduledUpdateStatus['freezeOverride']>['freezes'];
  const previous: ScheduledUpdateStatus = { freezeOverride: { reason: 'first', freezes: nineteen, firstTime: '2027-01-01T00:00:00Z' } };
  const base: ScheduledSummary = { key: 'default/x', name: 'x', scheduledTime: undefined, deviceIds: [], records: [], nextActionTime: undefined, completionTime: undefined };
  const summary: ScheduledSummary = { ...base, freezeOverride: { reason: 'second', freezes: ['f3', 'new-1', 'new-2'] } };
  const merged = freezeOverrideStatus(summary, previous, frozenAt)!;
  assert.is(merged.reason, 'first');
  assert.is(merged.firstTime, '2027-01-01T00:00:00Z');
  assert.equal(merged.freezes.slice(-2), ['f18', 'new-1']);
  assert.is(merged.freezes.length, 20);
  assert.is(freezeOverrideStatus(base, undefined, frozenAt), undefined, 'nothing passed, nothing written');
});

Status.run();
