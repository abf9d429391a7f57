// An automatic update blocked before anything could change it — the device is offline, or its
// policy's rollout of the type is stopped — gets its entry straight from the walk when the
// device has no operation and no ScheduledUpdate (collect-entries.ts blockedEntry), and from a
// work frozen later otherwise. Both must be the same entry, key for key. Each row plans two
// twin devices in one group, one of them with an old operation on firmware to an older version
// (which sends its firmware down the work path, where the operation is read and passed over),
// and compares their firmware entries.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { PlanEntry } from '../../controller/model/plan.ts';
import { buildPlan } from '../../controller/plan/build-plan.ts';
import { sameValue } from '../../controller/plan/device-plans.ts';
import { at, day, device, group, op, policy, release, software } from './fixtures.ts';

const now = at('2026-11-21T12:00:00Z');
const suspended: UpdatePolicySpec = { suspend: { by: 'ana', reason: 'incident 4711' } };

interface Row {
  readonly name: string;
  readonly offline: boolean;
  readonly stopped: boolean;
  readonly spec?: UpdatePolicySpec;
  readonly code: string;
}

const rows: Row[] = [
  { name: 'offline device', offline: true, stopped: false, code: 'DeviceOffline' },
  { name: 'stopped rollout', offline: false, stopped: true, code: 'RolloutStopped' },
  { name: 'offline device under a stopped rollout: offline first', offline: true, stopped: true, code: 'DeviceOffline' },
  { name: 'stopped rollout of a suspended policy: the stop first', offline: false, stopped: true, spec: suspended, code: 'RolloutStopped' },
  { name: 'offline device of a suspended policy', offline: true, stopped: false, spec: suspended, code: 'DeviceOffline' },
];

function firmwareEntries(row: Row): { walked: PlanEntry; worked: PlanEntry } {
  const twins = ['walked', 'worked'].map((id) => device(id, { model: 'Bar', tags: ['paris'], ...(row.offline ? { healthStatus: 'offline' as const } : {}) }));
  const plan = buildPlan({
    now,
    groups: [group('rooms', { policyRef: { name: 'p' }, selector: { tags: ['paris'] } })],
    policies: [policy('p', { ...row.spec })],
    scheduledUpdates: [],
    devices: twins,
    software: new Map(twins.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'], teamsClient: ['2.0', '2.0'] })])),
    operations: [op('worked', 'firmware', '1.0', { startedAt: now - 30 * day })],
    releases: [release('Bar', 'firmware', '1.1', now - 200 * day)],
    ...(row.stopped ? { rollouts: { 'default/p|firmware': { stoppedAt: now - day, reason: '3 of 10 failed' } } } : {}),
  });
  const firmware = (id: string) => plan.devices.find((d) => d.deviceId === id)!.entries.find((e) => e.softwareType === 'firmware')!;
  return { walked: firmware('walked'), worked: firmware('worked') };
}

for (const row of rows) {
  test(`${row.name}: the walk's entry is the work's`, () => {
    const { walked, worked } = firmwareEntries(row);
    assert.is(worked.state, 'blocked');
    assert.is(worked.reason.code, row.code);
    assert.equal(Object.keys(walked), Object.keys(worked));
    assert.ok(sameValue(walked, worked), `${JSON.stringify(walked)}\n${JSON.stringify(worked)}`);
  });
}

test.run();
