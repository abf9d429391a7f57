import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Rollout, UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import { scheduledRefusals } from '../../controller/plan/plan-entries.ts';
import { at, day, device, entries, entry, group, hour, iso, op, plan, policy, release, scheduled, software, type Scenario } from './fixtures.ts';

// Saturday noon: inside the default weekend window everywhere.
const now = at('2026-11-21T12:00:00Z');
const releases = [release('Bar', 'firmware', '1.1', now - 40 * day), release('Bar', 'firmware', '1.2', now - 10 * day)];
const fleet = (n: number, tags = ['site-paris']) => Array.from({ length: n }, (_, i) => device(`d${String(i + 1).padStart(2, '0')}`, { tags }));
const onOld = (ids: string[]) => ids.map((id) => software(id, { firmware: ['1.0', '1.2'] }));
// A policy without waves rolls out 1% / 10% / 50% / the rest (rollout-defaults.ts); the cases
// about concurrency, stops and order ask for one wave explicitly.
const oneWave: Rollout = { waves: [{ percent: 100 }] };
const base = (n: number, spec: UpdatePolicySpec = {}, extra: Partial<Scenario> = {}): Scenario => {
  const devices = fleet(n);
  return {
    now,
    groups: [group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, timeZone: 'Europe/Paris' })],
    policies: [policy('p', spec)],
    devices,
    software: onOld(devices.map((d) => d.id)),
    releases,
    ...extra,
  };
};

const Basics = suite('plan basics');
Basics('an eligible device inside its window starts now, with rule and reason', () => {
  const p = plan(base(1));
  assert.equal(p.actions.map((a) => [a.deviceId, a.softwareType, a.version, a.owner]), [['d01', 'firmware', '1.1', 'default/UpdatePolicy/p']]);
  const e = entry(p, 'd01', 'firmware');
  assert.is(e.state, 'pending');
  assert.is(e.reason.code, 'Starting');
  assert.is(e.rule.code, 'FirmwarePhase');
  assert.is(e.earliestStart, now);
});
Basics('outside the window: scheduled for the local opening', () => {
  const p = plan(base(1, {}, { now: at('2026-11-24T12:00:00Z') }));
  const e = entry(p, 'd01', 'firmware');
  assert.is(e.state, 'scheduled');
  assert.is(e.reason.code, 'OutsideWindow');
  assert.is(iso(e.earliestStart), '2026-11-24T19:00:00Z');
  assert.match(e.reason.message, /2026-11-24 20:00 Europe\/Paris/);
  assert.is(p.actions.length, 0);
  assert.is(iso(p.nextActionTime), '2026-11-24T19:00:00Z');
});
Basics('deferred by the phase, then placed in a window', () => {
  const p = plan(base(1, { software: { firmware: { phase: 'Final' } } }));
  const e = entry(p, 'd01', 'firmware');
  assert.is(e.state, 'scheduled');
  assert.is(e.reason.code, 'Deferred');
  assert.is(e.desiredVersion, '1.1');
  // 1.1 first seen 40 days ago, Final 90 days: eligible in 50 days, a Sunday noon, inside the weekend window.
  assert.is(iso(e.earliestStart), '2027-01-10T12:00:00Z');
});
Basics('a freeze pushes the start past its last day', () => {
  const p = plan(base(1, { freezes: [{ name: 'weekend-event', start: '2026-11-21', end: '2026-11-22', reason: 'all-hands' }] }));
  const e = entry(p, 'd01', 'firmware');
  assert.is(e.reason.code, 'Frozen');
  assert.match(e.reason.message, /weekend-event .*all-hands/);
  assert.is(iso(e.earliestStart), '2026-11-22T23:00:00Z');
});
Basics('offline devices are blocked with the reason', () => {
  const s = base(1);
  s.devices = [device('d01', { tags: ['site-paris'], healthStatus: 'offline' })];
  const e = entry(plan(s), 'd01', 'firmware');
  assert.is(e.state, 'blocked');
  assert.is(e.reason.code, 'DeviceOffline');
});
Basics('unknown firmware is blocked and counted as a refusal', () => {
  const s = base(1);
  s.software = [software('d01', { firmware: ['0.9', null, 'unknown'] })];
  const e = entry(plan(s), 'd01', 'firmware');
  assert.is(e.state, 'blocked');
  assert.is(e.reason.code, 'UnknownFirmware');
});
Basics('a software type reported with no version at all is absent (a Windows room has no firmware)', () => {
  const s = base(1);
  s.software = [software('d01', { firmware: [null, null, 'unknown'], teamsClient: ['5.0', null] })];
  const p = plan(s);
  assert.equal(entries(p).map((e) => e.softwareType), ['teamsClient']);
});
Basics('the release calendar learns what is offered now', () => {
  const p = plan(base(1, {}, { releases: [] }));
  assert.equal(p.releases.map((r) => [r.version, r.firstSeen]), [['1.2', now]]);
  assert.is(entry(p, 'd01', 'firmware').reason.code, 'Deferred', 'first seen now: General waits 30 days');
});
Basics('devices in no group are unmanaged and get no entries', () => {
  const s = base(1);
  s.devices.push(device('zz', { tags: ['site-lisbon'] }));
  const p = plan(s);
  assert.equal(p.unmanaged, ['zz']);
  assert.not.ok(entries(p).some((e) => e.deviceId === 'zz'));
});

const Ops = suite('plan and operations');
Ops('an operation in flight: inProgress, nothing new starts on the device', () => {
  const p = plan(base(1, {}, { operations: [op('d01', 'firmware', '1.1', { active: true, startedAt: now - hour })] }));
  assert.is(entry(p, 'd01', 'firmware').state, 'inProgress');
  assert.is(p.actions.length, 0);
});
Ops('an active operation started by someone else blocks every software type of the device; the first that would start shows it in progress', () => {
  const s = base(1, { software: { teamsClient: { mode: 'automatic', phase: 'Test' } } }, { operations: [op('d01', undefined, undefined, { active: true, owner: undefined })] });
  s.software = [software('d01', { firmware: ['1.0', '1.2'], teamsClient: ['5.0', '5.1'] })];
  const p = plan(s);
  assert.is(p.actions.length, 0);
  // The API does not say which software the operation updates: one entry carries it, not both.
  assert.is(entry(p, 'd01', 'teamsClient').state, 'inProgress');
  assert.match(entry(p, 'd01', 'teamsClient').reason.message, /an update firmwarden did not start is running on the device/);
  assert.is(entry(p, 'd01', 'firmware').reason.code, 'DeviceBusy');
});
Ops('two software types due at once: one update per device, the other waits', () => {
  const s = base(1, { software: { teamsClient: { mode: 'automatic', phase: 'Test' } } });
  s.software = [software('d01', { firmware: ['1.0', '1.2'], teamsClient: ['5.0', '5.1'] })];
  const p = plan(s);
  assert.is(p.actions.length, 1);
  assert.is(p.actions[0]!.softwareType, 'teamsClient');
  assert.is(entry(p, 'd01', 'firmware').reason.code, 'DeviceBusy');
});
Ops('a succeeded update the device does not report yet is not started again', () => {
  const p = plan(base(1, {}, { operations: [op('d01', 'firmware', '1.1', { startedAt: now - 2 * hour })] }));
  assert.is(entry(p, 'd01', 'firmware').state, 'succeeded');
  assert.is(p.actions.length, 0);
});
Ops('after success the device reports the version: succeeded, then the next version when due', () => {
  const s = base(1, {}, { operations: [op('d01', 'firmware', '1.1', { startedAt: now - 2 * hour })] });
  s.software = [software('d01', { firmware: ['1.1', '1.2'] })];
  const e = entry(plan(s), 'd01', 'firmware');
  assert.is(e.state, 'scheduled');
  assert.is(e.desiredVersion, '1.2');
});
Ops('a failed update is not retried; resume after it forgives it', () => {
  const failed = op('d01', 'firmware', '1.1', { startedAt: now - 3 * hour, endedAt: now - 2 * hour, outcome: 'failed', errorCode: 'E42', errorMessage: 'disk full' });
  const p = plan(base(1, {}, { operations: [failed] }));
  const e = entry(p, 'd01', 'firmware');
  assert.is(e.state, 'failed');
  assert.equal(e.failure, { code: 'E42', message: 'disk full', time: now - 2 * hour });
  assert.is(p.actions.length, 0);
  const resumed = plan(base(1, { resume: { after: new Date(now - hour).toISOString(), by: 'ana' } }, { operations: [failed] }));
  assert.is(resumed.actions.length, 1);
});

Ops("a failed update's message reads as one sentence when Graph's own message ends with a full stop", () => {
  const failed = op('d01', 'firmware', '1.1', { startedAt: now - 3 * hour, endedAt: now - 2 * hour, outcome: 'failed', errorCode: 'DownloadFailed', errorMessage: 'The device could not download the software package. ' });
  const e = entry(plan(base(1, {}, { operations: [failed] })), 'd01', 'firmware');
  assert.is(e.reason.message, 'the update to 1.1 failed: The device could not download the software package; it is not retried until a newer version is eligible or spec.resume forgives it');
  assert.is(e.failure?.message, 'The device could not download the software package. ', 'the failure keeps Graph\'s message as it came');
});

const Pace = suite('waves, bake time and concurrency');
const waves: UpdatePolicySpec = { rollout: { waves: [{ name: 'canary', count: 2 }], bakeTime: '24h', maxConcurrent: 10 } };
Pace('only the first wave starts; the next waits for it', () => {
  const p = plan(base(6, waves));
  assert.is(p.actions.length, 2);
  assert.ok(p.actions.every((a) => a.wave === 1));
  const waiting = entries(p).filter((e) => e.wave === 2);
  assert.is(waiting.length, 4);
  assert.ok(waiting.every((e) => e.state === 'scheduled' && e.reason.code === 'WaitingForWave' && e.earliestStart === undefined));
  assert.match(waiting[0]!.reason.message, /wave 2 \(the rest\) starts after wave 1 \(canary\) has finished: 2 devices/);
});
Pace('wave 1 finished: the next bakes, then starts', () => {
  const first = plan(base(6, waves));
  const ids = first.actions.map((a) => a.deviceId);
  const ended = now - 2 * hour;
  const s = base(6, waves, { operations: ids.map((id) => op(id, 'firmware', '1.1', { startedAt: ended - hour, endedAt: ended })) });
  s.software = s.software.map((x) => (ids.includes(x.deviceId) ? software(x.deviceId, { firmware: ['1.1', '1.2'] }) : x));
  const baking = plan(s);
  assert.is(baking.actions.length, 0);
  const e = entries(baking).find((x) => x.wave === 2)!;
  assert.is(e.reason.code, 'Baking');
  assert.is(e.earliestStart, ended + 24 * hour);
  assert.equal(baking.groups[0]!.rollouts[0]!.state, 'Baking');
  const later = plan({ ...s, now: ended + 25 * hour });
  assert.is(later.actions.length, 4);
});
Pace('a failed device of wave 1 counts as finished; an offline one does not hold the rollout', () => {
  const first = plan(base(6, waves));
  const [a, b] = first.actions.map((x) => x.deviceId);
  const s = base(6, waves, { operations: [op(a!, 'firmware', '1.1', { startedAt: now - 30 * hour, endedAt: now - 26 * hour, outcome: 'failed' })] });
  s.devices = s.devices.map((d) => (d.id === b ? { ...d, healthStatus: 'offline' as const } : d));
  const p = plan(s);
  assert.is(p.actions.length, 4);
});
Pace('maxConcurrent counts operations already in flight', () => {
  const s = base(10, { rollout: { ...oneWave, maxConcurrent: 3 } });
  assert.is(plan(s).actions.length, 3);
  const busy = plan({ ...s, operations: [op('zz-other', 'firmware', '1.1', { active: true })].concat([op('d01', 'firmware', '1.1', { active: true }), op('d02', 'firmware', '1.1', { active: true })]) });
  assert.is(busy.actions.length, 1);
  const limited = entries(busy).filter((e) => e.reason.code === 'ConcurrencyLimit');
  assert.is(limited.length, 7);
  assert.match(limited[0]!.reason.message, /maxConcurrent 3/);
});
Pace('default maxConcurrent is 50', () => assert.is(plan(base(60, { rollout: oneWave })).actions.length, 50));
Pace('a policy without waves starts with 1% of the group, then 10%, 50% and the rest, a week of bake apart', () => {
  const p = plan(base(200));
  assert.is(p.actions.length, 2, '1% of 200');
  assert.equal(p.groups[0]!.rollouts.map((r) => r.waves), [4]);
  const waiting = entries(p).filter((e) => e.reason.code === 'WaitingForWave');
  assert.is(waiting.length, 198);
  assert.ok(waiting.some((e) => /^wave 2 \(next 10%\) starts after wave 1 \(first 1%\) has finished/.test(e.reason.message)));
  assert.ok(waiting.some((e) => /^wave 4 \(the rest\) starts after wave 1 \(first 1%\) has finished/.test(e.reason.message)));
  // Wave 1 done a day ago: wave 2 (20 devices) bakes until seven days after its last operation ended.
  const firstWave = p.actions.map((a) => a.deviceId);
  const done = plan({ ...base(200), operations: firstWave.map((id) => op(id, 'firmware', '1.1', { startedAt: now - day - hour, endedAt: now - day, outcome: 'succeeded' })), software: onOld(fleet(200).map((d) => d.id)).map((sw) => (firstWave.includes(sw.deviceId) ? software(sw.deviceId, { firmware: ['1.1', '1.2'] }) : sw)) });
  const baking = entries(done).filter((e) => e.reason.code === 'Baking');
  assert.is(baking.length, 20);
  // Baked on Friday 27 at noon UTC, then the weekend window from 20:00 in Paris.
  assert.is(iso(baking[0]!.earliestStart), '2026-11-27T19:00:00Z');
});
Pace('listed waves keep the 24h bake; an empty list is one wave', () => {
  assert.is(plan(base(200, { rollout: { waves: [] } })).actions.length, 50);
  const listed: UpdatePolicySpec = { rollout: { waves: [{ count: 1 }] } };
  const first = plan(base(4, listed)).actions.map((a) => a.deviceId);
  assert.is(first.length, 1);
  const p = plan(base(4, listed, {
    operations: [op(first[0]!, 'firmware', '1.1', { startedAt: now - 2 * hour, endedAt: now - hour, outcome: 'succeeded' })],
    software: onOld(fleet(4).map((d) => d.id)).map((sw) => (sw.deviceId === first[0] ? software(sw.deviceId, { firmware: ['1.1', '1.2'] }) : sw)),
  }));
  const baking = entries(p).filter((e) => e.reason.code === 'Baking');
  assert.ok(baking.length > 0);
  assert.is(iso(baking[0]!.earliestStart), iso(now + 23 * hour));
});

const Stop = suite('failure threshold, resume and suspend');
const threshold: UpdatePolicySpec = { rollout: { ...oneWave, failureThreshold: { percent: 15, minCompleted: 4 } } };
const failures = (ids: string[], outcome: 'failed' | 'succeeded') => ids.map((id) => op(id, 'firmware', '1.1', { startedAt: now - 5 * hour, endedAt: now - 4 * hour, outcome }));
Stop('too many failures stop the rollout: blocked, Stopped, remembered', () => {
  const p = plan(base(8, threshold, { operations: [...failures(['d01', 'd02'], 'failed'), ...failures(['d03', 'd04'], 'succeeded')] }));
  assert.is(p.actions.length, 0);
  const e = entry(p, 'd05', 'firmware');
  assert.is(e.state, 'blocked');
  assert.is(e.reason.code, 'RolloutStopped');
  assert.match(e.reason.message, /2 of 4 finished updates failed \(50%\)/);
  assert.equal(Object.keys(p.rollouts), ['default/p|firmware']);
  assert.is(p.policies[0]!.rollouts.find((r) => r.softwareType === 'firmware')!.state, 'Stopped');
});
Stop('the stop holds without failures in view, until resume', () => {
  const memory = { 'default/p|firmware': { stoppedAt: now - hour, reason: 'too many' } };
  assert.is(plan(base(3, threshold, { rollouts: memory })).actions.length, 0);
  const resumed = plan(base(3, { ...threshold, resume: { after: new Date(now - 30 * 60_000).toISOString(), by: 'ana', reason: 'fixed' } }, { rollouts: memory }));
  assert.is(resumed.actions.length, 3);
  assert.equal(resumed.rollouts, {});
});
Stop('suspend: nothing new starts, naming who and why', () => {
  const p = plan(base(2, { suspend: { by: 'ana@example.com', reason: 'incident 4711' } }));
  assert.is(p.actions.length, 0);
  const e = entry(p, 'd01', 'firmware');
  assert.is(e.reason.code, 'Suspended');
  assert.match(e.reason.message, /suspended by ana@example.com: incident 4711/);
  assert.is(p.policies[0]!.suspended?.by, 'ana@example.com');
});
Stop('suspend until: scheduled for when it ends (then the window)', () => {
  const until = now + 3 * hour;
  const e = entry(plan(base(1, { suspend: { by: 'ana', reason: 'x', until: new Date(until).toISOString() } })), 'd01', 'firmware');
  assert.is(e.state, 'scheduled');
  assert.is(e.earliestStart, until);
  assert.is(e.reason.code, 'Suspended');
});
Stop('suspend over: back to normal', () => {
  assert.is(plan(base(1, { suspend: { by: 'ana', reason: 'x', until: new Date(now - hour).toISOString() } })).actions.length, 1);
});

const Scheduled = suite('ScheduledUpdates in the plan');
Scheduled('at a New York time, latest resolved per device, regardless of the policy mode', () => {
  const s = base(2, {}, { scheduledUpdates: [scheduled('tc', { targets: { groupRef: { name: 'paris' } }, software: [{ type: 'teamsClient' }], at: '2026-11-28T21:00', timeZone: 'America/New_York' })] });
  s.software = [software('d01', { firmware: ['1.1', '1.2'], teamsClient: ['5.0', '5.2'] }), software('d02', { firmware: ['1.1', '1.2'], teamsClient: ['5.2', null] })];
  const p = plan(s);
  const e = entry(p, 'd01', 'teamsClient');
  assert.is(e.state, 'scheduled');
  assert.is(e.scheduledUpdate, 'default/tc');
  assert.is(e.desiredVersion, '5.2');
  assert.is(iso(e.earliestStart), '2026-11-29T02:00:00Z');
  assert.is(e.rule.code, 'ScheduledUpdate');
  assert.is(entry(p, 'd02', 'teamsClient').state, 'upToDate');
  assert.equal(p.scheduledUpdates[0]!.deviceIds, ['d01', 'd02']);
});
Scheduled('firmware later than the phase allows is clamped, and the clamp reported', () => {
  const s = base(1, { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [scheduled('fw', { targets: { deviceIds: ['SN-d01'] }, software: [{ type: 'firmware', version: '1.2' }], at: '2027-03-01T10:00', timeZone: 'Europe/Paris' })] });
  const p = plan(s);
  const e = entry(p, 'd01', 'firmware');
  assert.is(e.earliestStart, now + 20 * day);
  assert.ok(e.clamp);
  assert.is(e.clamp!.reason, 'the General phase installs firmware at most 30 days after its release');
  assert.is(iso(e.clamp!.requestedTime), '2027-03-01T09:00:00Z');
  assert.is(p.clamps.length, 1);
});
Scheduled('the only way for unknown firmware; a downgrade is still refused', () => {
  const s = base(2, {}, { scheduledUpdates: [scheduled('fix', { targets: { deviceIds: ['d01', 'd02'] }, software: [{ type: 'firmware', version: '1.1' }] })] });
  s.software = [software('d01', { firmware: ['0.9', null, 'unknown'] }), software('d02', { firmware: ['1.2', null] })];
  const p = plan(s);
  assert.equal(p.actions.map((a) => [a.deviceId, a.version, a.owner]), [['d01', '1.1', 'default/ScheduledUpdate/fix']]);
  const refused = entry(p, 'd02', 'firmware');
  assert.is(refused.state, 'blocked');
  assert.is(refused.reason.code, 'Downgrade');
});
Scheduled('respectMaintenanceWindows waits for the policy window', () => {
  const s = base(1, {}, { now: at('2026-11-24T12:00:00Z'), scheduledUpdates: [scheduled('w', { targets: { deviceIds: ['d01'] }, software: [{ type: 'firmware' }], respectMaintenanceWindows: true })] });
  const e = entry(plan(s), 'd01', 'firmware');
  assert.is(e.scheduledUpdate, 'default/w');
  assert.is(iso(e.earliestStart), '2026-11-24T19:00:00Z');
});
Scheduled('done once its own operation ended; completion is kept', () => {
  const su = scheduled('now', { targets: { deviceIds: ['d01'] }, software: [{ type: 'firmware', version: '1.2' }] });
  const s = base(1, { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [su], operations: [op('d01', 'firmware', '1.2', { owner: 'default/ScheduledUpdate/now', startedAt: now - 2 * hour })] });
  const p = plan(s);
  assert.is(entry(p, 'd01', 'firmware').state, 'succeeded');
  assert.is(p.scheduledUpdates[0]!.completionTime, now);
  const inert = plan({ ...s, operations: [], scheduledUpdates: [{ ...su, status: { completionTime: new Date(now - day).toISOString() } }] });
  assert.is(inert.actions.length, 0);
});
Scheduled('a ScheduledUpdate for a device in no group', () => {
  const s = base(1, {}, { scheduledUpdates: [scheduled('lone', { targets: { deviceIds: ['lone'] }, software: [{ type: 'firmware' }] })] });
  s.devices.push(device('lone', { tags: [] }));
  s.software.push(software('lone', { firmware: ['1.0', '1.2'], teamsClient: ['1', '2'] }));
  const p = plan(s);
  assert.ok(p.actions.some((a) => a.deviceId === 'lone' && a.version === '1.2'));
  assert.equal(entries(p).filter((e) => e.deviceId === 'lone').map((e) => e.softwareType), ['firmware']);
});

const Order = suite('deterministic order');
Order('entries and actions sorted by group, device, software type whatever the input order', () => {
  const s = base(5, { software: { teamsClient: { mode: 'automatic', phase: 'Test' } } });
  s.groups!.push(group('aaa', { policyRef: { name: 'p' }, selector: { tags: ['site-nyc'] }, timeZone: 'America/New_York' }));
  s.devices.push(device('n1', { tags: ['site-nyc'] }));
  s.software = [...s.devices.map((d) => software(d.id, { teamsClient: ['5.0', '5.1'], firmware: ['1.0', '1.2'] }))];
  const a = plan(s);
  const b = plan({ ...s, devices: [...s.devices].reverse(), software: [...s.software].reverse(), groups: [...s.groups!].reverse() });
  assert.is(JSON.stringify(a), JSON.stringify(b));
  assert.equal(entries(a).slice(0, 2).map((e) => [e.group, e.deviceId, e.softwareType]), [['default/aaa', 'n1', 'teamsClient'], ['default/aaa', 'n1', 'firmware']]);
});
Order('actions in group, device, software type order, whether or not the device had operations', () => {
  const s = base(4, { rollout: oneWave });
  s.groups!.push(group('aaa', { policyRef: { name: 'p' }, selector: { tags: ['site-nyc'] }, timeZone: 'America/New_York' }));
  s.devices.push(device('n1', { tags: ['site-nyc'] }));
  s.software.push(software('n1', { firmware: ['1.0', '1.2'] }));
  // d03 has an old operation (another path through the plan than devices without any).
  s.operations = [op('d03', 'teamsClient', '5.0', { startedAt: now - 30 * day })];
  const p = plan(s);
  assert.equal(p.actions.map((a) => `${a.group}/${a.deviceId}`), ['default/aaa/n1', 'default/paris/d01', 'default/paris/d02', 'default/paris/d03', 'default/paris/d04']);
});

// A refused ScheduledUpdate must show whatever else decides the entry: the automatic rule
// planning its own update, refusing the device itself, or nothing to do (manual firmware).
const Refused = suite('a refused ScheduledUpdate is never hidden by another rule');
interface RefusalCase {
  readonly name: string;
  /** What the device runs and is offered ([current, available, freshness]). */
  readonly firmware: [string | null, string | null, ('unknown' | 'latest' | 'updateAvailable')?];
  readonly asks: string;
  readonly automatic: boolean;
  /** The entry's state and reason code (what decides the device). */
  readonly entry: [state: string, code: string];
  readonly refused: string;
}
const refusalCases: readonly RefusalCase[] = [
  { name: 'a downgrade beside an automatic update planned for later', firmware: ['1.1', '1.2'], asks: '1.0', automatic: true, entry: ['scheduled', 'Deferred'], refused: 'Downgrade' },
  { name: 'a downgrade beside an automatic update starting now', firmware: ['1.0', '1.2'], asks: '0.9', automatic: true, entry: ['pending', 'Starting'], refused: 'Downgrade' },
  { name: 'a downgrade with no automatic rule', firmware: ['1.1', '1.2'], asks: '1.0', automatic: false, entry: ['blocked', 'Downgrade'], refused: 'Downgrade' },
  { name: 'versions not comparable beside an automatic update', firmware: ['1.1', '1.2'], asks: '1.3-rc', automatic: true, entry: ['scheduled', 'Deferred'], refused: 'NotComparable' },
  { name: 'versions not comparable with no automatic rule', firmware: ['1.1', '1.2'], asks: '1.3-rc', automatic: false, entry: ['blocked', 'NotComparable'], refused: 'NotComparable' },
  { name: 'an unreported installed version beside the automatic rule refusing it too', firmware: [null, '1.2'], asks: '1.2', automatic: true, entry: ['blocked', 'NotComparable'], refused: 'UnknownVersion' },
  { name: 'an unreported installed version with no automatic rule', firmware: [null, '1.2'], asks: '1.2', automatic: false, entry: ['blocked', 'UnknownVersion'], refused: 'UnknownVersion' },
  { name: 'a downgrade of a device on unknown firmware the automatic rule leaves alone', firmware: ['1.1', null, 'unknown'], asks: '1.0', automatic: true, entry: ['blocked', 'UnknownFirmware'], refused: 'Downgrade' },
];
for (const c of refusalCases) {
  Refused(c.name, () => {
    const s = base(1, c.automatic ? {} : { software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [scheduled('fix', { targets: { deviceIds: ['d01'] }, software: [{ type: 'firmware', version: c.asks }] })] });
    s.software = [software('d01', { firmware: c.firmware })];
    const p = plan(s);
    const e = entry(p, 'd01', 'firmware');
    assert.equal([e.state, e.reason.code], c.entry, e.reason.message);
    assert.equal(scheduledRefusals(e).map((r) => [r.scheduledUpdate, r.version, r.reason.code]), [['default/fix', c.asks, c.refused]]);
    assert.ok(p.actions.every((a) => a.scheduledUpdate === undefined), 'a refused request never becomes an action');
    // The ScheduledUpdate's own view agrees, whatever decided the device's entry.
    const record = p.scheduledUpdates[0]!.records[0]!.entries[0]!;
    assert.equal([record.state, record.reason.code], ['blocked', c.refused]);
  });
}
Refused('two ScheduledUpdates on one device: the one that starts decides, the refused one stays on the entry', () => {
  const s = base(1, { software: { firmware: { mode: 'manual' } } }, {
    scheduledUpdates: [
      scheduled('back', { targets: { deviceIds: ['d01'] }, software: [{ type: 'firmware', version: '0.9' }] }),
      scheduled('up', { targets: { deviceIds: ['d01'] }, software: [{ type: 'firmware', version: '1.2' }] }),
    ],
  });
  const e = entry(plan(s), 'd01', 'firmware');
  assert.is(e.scheduledUpdate, 'default/up');
  assert.is(e.state, 'pending');
  assert.equal(scheduledRefusals(e).map((r) => [r.scheduledUpdate, r.reason.code]), [['default/back', 'Downgrade']]);
});
Refused('an entry nothing refused carries no refusal', () => {
  const e = entry(plan(base(1)), 'd01', 'firmware');
  assert.is(e.refused, undefined);
  assert.equal(scheduledRefusals(e), []);
});

Basics.run();
Ops.run();
Pace.run();
Stop.run();
Scheduled.run();
Order.run();
Refused.run();
