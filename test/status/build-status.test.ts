import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceGroup, DeviceGroupStatus, ScheduledUpdateStatus, UpdatePolicy, UpdatePolicyStatus } from '../../controller/model/manifests.generated.ts';
import type { Plan } from '../../controller/model/plan.ts';
import { buildStatuses, statusKey } from '../../controller/status/build-status.ts';
import type { StatusSubject } from '../../controller/status/status-subject.ts';
import { mergeConditions } from '../../controller/status/conditions.ts';
import { at, day, device, group, hour, op, plan, policy, release, scheduled, software, type Scenario } from '../plan/fixtures.ts';

const now = at('2026-11-21T12:00:00Z');
const releases = [release('Bar', 'firmware', '1.1', now - 40 * day), release('Bar', 'firmware', '1.2', now - 10 * day)];

function scenario(policySpec: UpdatePolicy['spec'] = {}, extra: Partial<Scenario> = {}): Scenario {
  const devices = Array.from({ length: 4 }, (_, i) => device(`d${i + 1}`, { tags: ['site-paris'] }));
  return {
    now,
    groups: [group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, timeZone: 'Europe/Paris' })],
    policies: [policy('p', policySpec)],
    devices,
    software: devices.map((d) => software(d.id, { firmware: ['1.0', '1.2'] })),
    releases,
    ...extra,
  };
}

function subjects(s: Scenario, previous: Map<string, unknown> = new Map()): StatusSubject[] {
  const out: StatusSubject[] = [];
  for (const g of s.groups ?? []) out.push({ kind: 'DeviceGroup', metadata: g.metadata, previous: previous.get(statusKey('DeviceGroup', g.metadata)) as DeviceGroupStatus | undefined, valid: true, problems: [] });
  for (const p of s.policies ?? []) out.push({ kind: 'UpdatePolicy', metadata: p.metadata, previous: previous.get(statusKey('UpdatePolicy', p.metadata)) as UpdatePolicyStatus | undefined, valid: true, problems: [], policy: p });
  for (const su of s.scheduledUpdates ?? []) out.push({ kind: 'ScheduledUpdate', metadata: su.metadata, previous: previous.get(statusKey('ScheduledUpdate', su.metadata)) as ScheduledUpdateStatus | undefined, valid: true, problems: [] });
  return out;
}

function statuses(s: Scenario, previous?: Map<string, unknown>): { plan: Plan; group: DeviceGroupStatus; policy: UpdatePolicyStatus; all: Map<string, unknown> } {
  const p = plan(s);
  const all = buildStatuses(p, subjects(s, previous), { now: s.now, deviceName: (id) => `SN-${id}` });
  return {
    plan: p,
    group: all.get('default/DeviceGroup/paris') as DeviceGroupStatus,
    policy: all.get('default/UpdatePolicy/p') as UpdatePolicyStatus,
    all: all as Map<string, unknown>,
  };
}
const cond = (status: { conditions?: unknown }, type: string) => (status.conditions as { type: string; status: string; reason: string; message?: string; lastTransitionTime: string }[]).find((c) => c.type === type)!;

const Conditions = suite('mergeConditions');
Conditions('keeps lastTransitionTime while the status is unchanged, sets it when it changes', () => {
  const first = mergeConditions(undefined, [{ type: 'Ready', status: 'False', reason: 'Progressing', message: 'a' }], now, 3);
  assert.is(first[0]!.lastTransitionTime, '2026-11-21T12:00:00Z');
  assert.is(first[0]!.observedGeneration, 3);
  const same = mergeConditions(first, [{ type: 'Ready', status: 'False', reason: 'UpdatesFailed', message: 'b' }], now + hour, 3);
  assert.is(same[0]!.lastTransitionTime, '2026-11-21T12:00:00Z');
  assert.is(same[0]!.reason, 'UpdatesFailed');
  const flipped = mergeConditions(same, [{ type: 'Ready', status: 'True', reason: 'UpToDate', message: 'c' }], now + 2 * hour, 4);
  assert.is(flipped[0]!.lastTransitionTime, '2026-11-21T14:00:00Z');
});
Conditions('ordered Ready, Reconciling, Stalled', () => {
  const c = mergeConditions(undefined, [{ type: 'Stalled', status: 'False', reason: 'x', message: '' }, { type: 'Ready', status: 'True', reason: 'y', message: '' }, { type: 'Reconciling', status: 'False', reason: 'z', message: '' }], now, undefined);
  assert.equal(c.map((x) => x.type), ['Ready', 'Reconciling', 'Stalled']);
  assert.is('observedGeneration' in c[0]!, false);
});

const Group = suite('DeviceGroup and UpdatePolicy status');
Group('counts, conditions and rollouts while updates start', () => {
  const { group: g, policy: p } = statuses(scenario());
  // The default rollout: four devices make three waves (1% and 10% round up to one device each,
  // 50% is the last two); the first wave starts, the others wait for it.
  assert.equal(g.updates, { upToDate: 0, pending: 1, scheduled: 3, inProgress: 0, succeeded: 0, failed: 0, blocked: 0 });
  assert.is(g.rollouts?.[0]?.waves, 3);
  assert.is(g.devices, 4);
  assert.is(g.phase, 'General');
  assert.is(cond(g, 'Ready').status, 'False');
  assert.is(cond(g, 'Ready').reason, 'Progressing');
  assert.is(cond(g, 'Reconciling').status, 'True');
  assert.is(cond(g, 'Stalled').status, 'False');
  assert.is(g.rollouts?.[0]?.state, 'Progressing');
  assert.is(g.rollouts?.[0]?.version, '1.1');
  assert.is(g.nextWindow?.name, 'weekend (default)');
  assert.equal(p.groups, ['paris']);
  assert.is(p.suspended, false);
  assert.is(p.devices, 4);
});
Group('everything up to date for now: Ready True, next action time given', () => {
  const s = scenario();
  s.software = s.devices.map((d) => software(d.id, { firmware: ['1.1', '1.2'] }));
  const { group: g, policy: p } = statuses(s);
  assert.is(g.updates?.scheduled, 4);
  assert.is(cond(g, 'Ready').status, 'True');
  assert.is(cond(g, 'Ready').reason, 'UpToDateForNow');
  assert.is(cond(g, 'Reconciling').reason, 'Waiting');
  assert.is(g.nextActionTime, '2026-12-11T19:00:00Z', 'eligible on a Friday noon, the window opens at 20:00 Paris');
  const r = p.releases?.find((x) => x.version === '1.2');
  assert.equal(r, { softwareType: 'firmware', model: 'Bar', version: '1.2', firstSeenTime: '2026-11-11T12:00:00Z', eligibleTime: '2026-12-11T12:00:00Z' });
});
Group('failing devices with their error; refusals; at most 50 listed', () => {
  const s = scenario();
  s.devices = Array.from({ length: 60 }, (_, i) => device(`d${String(i).padStart(2, '0')}`, { tags: ['site-paris'] }));
  s.software = s.devices.map((d, i) => software(d.id, { firmware: i === 59 ? ['0.9', null, 'unknown'] : ['1.0', '1.2'] }));
  s.operations = s.devices.slice(0, 55).map((d) => op(d.id, 'firmware', '1.1', { outcome: 'failed', startedAt: now - 2 * hour, endedAt: now - hour, errorCode: 'E1', errorMessage: 'boom' }));
  const { group: g } = statuses(s);
  assert.is(g.updates?.failed, 55);
  assert.is(g.failing?.length, 50);
  assert.equal(g.failing?.[0], { deviceId: 'd00', name: 'SN-d00', softwareType: 'firmware', version: '1.1', errorCode: 'E1', message: 'boom', time: '2026-11-21T11:00:00Z' });
  assert.is(cond(g, 'Ready').reason, 'UpdatesFailed');
  assert.equal(g.refusals?.map((r) => [r.deviceId, r.reason]), [['d59', 'UnknownFirmware']]);
});
Group('a stopped rollout is Stalled with FailureThresholdExceeded', () => {
  const s = scenario({ rollout: { failureThreshold: { percent: 10, minCompleted: 2 } } }, { operations: [op('d1', 'firmware', '1.1', { outcome: 'failed' }), op('d2', 'firmware', '1.1', { outcome: 'failed' })] });
  const { group: g, policy: p } = statuses(s);
  for (const st of [g, p]) {
    assert.is(cond(st, 'Stalled').status, 'True');
    assert.is(cond(st, 'Stalled').reason, 'FailureThresholdExceeded');
    assert.is(cond(st, 'Ready').status, 'False');
  }
  assert.is(p.rollouts?.[0]?.state, 'Stopped');
  assert.ok(p.rollouts?.[0]?.stoppedTime);
});
Group('suspended: Stalled naming who and why; with until still Ready, reason Suspended', () => {
  const { policy: p } = statuses(scenario({ suspend: { by: 'ana', reason: 'incident' } }));
  assert.is(p.suspended, true);
  assert.is(cond(p, 'Stalled').reason, 'Suspended');
  assert.match(cond(p, 'Stalled').message ?? '', /suspended by ana: incident/);
  const { policy: q } = statuses(scenario({ suspend: { by: 'ana', reason: 'incident', until: '2026-11-22T00:00:00Z' } }));
  assert.is(cond(q, 'Stalled').status, 'False');
  assert.is(cond(q, 'Ready').status, 'True');
  assert.is(cond(q, 'Ready').reason, 'Suspended');
  assert.match(cond(q, 'Ready').message ?? '', /until 2026-11-22T00:00:00Z/);
});
Group('a group naming a missing policy is Stalled with PolicyNotFound', () => {
  const s = scenario();
  s.groups = [group('paris', { policyRef: { name: 'nope' }, selector: { tags: ['site-paris'] } })];
  const { group: g } = statuses(s);
  assert.is(cond(g, 'Stalled').reason, 'PolicyNotFound');
});
Group('conflicts are listed in the groups that matched', () => {
  const s = scenario();
  s.groups!.push(group('vip', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, priority: 5 }));
  const { all } = statuses(s);
  const paris = all.get('default/DeviceGroup/paris') as DeviceGroupStatus;
  const vip = all.get('default/DeviceGroup/vip') as DeviceGroupStatus;
  assert.is(paris.conflicts?.length, 4);
  assert.equal(vip.conflicts?.[0], { deviceId: 'd1', groups: ['paris', 'vip'], chosen: 'vip', reason: 'vip has the highest priority (5; paris 0)' });
  assert.is(paris.devices, 0);
});
Group('stable: the next reconcile with nothing changed writes the same status', () => {
  const s = scenario();
  s.software = s.devices.map((d) => software(d.id, { firmware: ['1.1', '1.2'] }));
  const first = statuses(s);
  const second = statuses({ ...s, now: now + 10 * 60_000 }, first.all);
  assert.is(JSON.stringify([...second.all]), JSON.stringify([...first.all]));
});
Group('an invalid manifest: Stalled with InvalidManifest and the findings', () => {
  const p = plan(scenario());
  const meta = { name: 'broken', generation: 2 };
  const all = buildStatuses(p, [{ kind: 'UpdatePolicy', metadata: meta, previous: undefined, valid: false, problems: ['file.yaml:3:5 spec.rollout.maxConcurrent must be >= 1'] }], { now });
  const st = all.get('default/UpdatePolicy/broken') as UpdatePolicyStatus;
  assert.is(cond(st, 'Stalled').status, 'True');
  assert.is(cond(st, 'Stalled').reason, 'InvalidManifest');
  assert.match(cond(st, 'Stalled').message ?? '', /maxConcurrent/);
  assert.is(st.observedGeneration, 2);
});

const Scheduled = suite('ScheduledUpdate status');
Scheduled('scheduled time, counts, clamps, completion', () => {
  const su = scheduled('fw', { targets: { groupRef: { name: 'paris' } }, software: [{ type: 'firmware', version: '1.2' }], at: '2027-03-01T10:00', timeZone: 'Europe/Paris' });
  const s = scenario({ software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [su] });
  const all = buildStatuses(plan(s), subjects(s), { now });
  const st = all.get('default/ScheduledUpdate/fw') as ScheduledUpdateStatus;
  assert.is(st.scheduledTime, '2027-03-01T09:00:00Z');
  assert.is(st.devices, 4);
  assert.is(st.updates?.scheduled, 4);
  assert.is(st.clamps?.length, 4);
  assert.is(st.clamps?.[0]?.effectiveTime, '2026-12-11T12:00:00Z');
  assert.is(st.nextActionTime, '2026-12-11T12:00:00Z');
  assert.is(st.completionTime, undefined);
  const done = scenario({ software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [su] });
  done.software = done.devices.map((d) => software(d.id, { firmware: ['1.2', null] }));
  const st2 = buildStatuses(plan({ ...done, now: at('2027-03-02T00:00:00Z') }), subjects(done), { now: at('2027-03-02T00:00:00Z') }).get('default/ScheduledUpdate/fw') as ScheduledUpdateStatus;
  assert.is(st2.completionTime, '2027-03-02T00:00:00Z');
  assert.is(cond(st2, 'Ready').reason, 'Completed');
});
Scheduled('no device matches: Stalled NoTargets', () => {
  const s = scenario({}, { scheduledUpdates: [scheduled('none', { targets: { deviceIds: ['ghost'] }, software: [{ type: 'firmware' }] })] });
  const st = buildStatuses(plan(s), subjects(s), { now }).get('default/ScheduledUpdate/none') as ScheduledUpdateStatus;
  assert.is(cond(st, 'Stalled').reason, 'NoTargets');
});

void ({} as DeviceGroup);
Conditions.run();
Group.run();
Scheduled.run();
