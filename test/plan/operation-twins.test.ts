// A device with an operation record or a ScheduledUpdate takes the walk's shortcuts for the
// software types it has no operation of and no ScheduledUpdate asks for (collect-entries.ts):
// a settled decision's shared entry (up to date, manual, refused) and the shared blocked entry
// (offline, stopped rollout); its updates that may go stay works (a suspended policy's row:
// blocked by the work). Rows have no update that may go: the twins' waves differ, and so would
// their entries. Each row plans two twin devices in one group, one with an old operation, or a
// ScheduledUpdate, on teamsClient only, and asks that their firmware entries be the same, key
// for key, and be what the row expects; the teamsClient entry of the second twin is its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { Plan, PlanEntry } from '../../controller/model/plan.ts';
import { buildPlan } from '../../controller/plan/build-plan.ts';
import { sameValue } from '../../controller/plan/device-plans.ts';
import { at, day, device, group, op, policy, release, scheduled, software } from './fixtures.ts';

const now = at('2026-11-21T12:00:00Z');

interface Row {
  readonly name: string;
  readonly spec?: UpdatePolicySpec;
  /** Installed and offered firmware, and its freshness when not derived. */
  readonly firmware: [string | null, string | null, ('unknown' | 'latest' | 'updateAvailable')?];
  readonly offline?: boolean;
  readonly stopped?: boolean;
  readonly state: PlanEntry['state'];
  readonly code: string;
}

const rows: Row[] = [
  { name: 'up to date', firmware: ['1.1', '1.1'], state: 'upToDate', code: 'UpToDate' },
  { name: 'manual firmware with an offer', spec: { software: { firmware: { mode: 'manual' } } }, firmware: ['1.0', '1.1'], state: 'upToDate', code: 'ManualOnly' },
  { name: 'unknown firmware', firmware: ['0.9', null, 'unknown'], state: 'blocked', code: 'UnknownFirmware' },
  { name: 'an update, device offline', firmware: ['1.0', '1.1'], offline: true, state: 'blocked', code: 'DeviceOffline' },
  { name: 'an update, rollout stopped', firmware: ['1.0', '1.1'], stopped: true, state: 'blocked', code: 'RolloutStopped' },
  { name: 'an update of a suspended policy (still a work)', spec: { suspend: { by: 'ana', reason: 'incident 4711' } }, firmware: ['1.0', '1.1'], state: 'blocked', code: 'Suspended' },
];

/** What the second twin has: an old operation on teamsClient, or a ScheduledUpdate asking for teamsClient only (a downgrade it refuses). */
type Beside = 'operation' | 'scheduled';

function planOf(row: Row, beside: Beside = 'operation'): Plan {
  const twins = ['plain', 'withOp'].map((id) => device(id, { model: 'Bar', tags: ['paris'], ...(row.offline ? { healthStatus: 'offline' as const } : {}) }));
  return buildPlan({
    now,
    groups: [group('rooms', { policyRef: { name: 'p' }, selector: { tags: ['paris'] } })],
    policies: [policy('p', { ...row.spec })],
    scheduledUpdates: beside === 'scheduled' ? [scheduled('teams', { targets: { deviceIds: ['withOp'] }, software: [{ type: 'teamsClient', version: '1.0' }] })] : [],
    devices: twins,
    software: new Map(twins.map((d) => [d.id, software(d.id, { firmware: row.firmware, teamsClient: ['2.0', '2.0'] })])),
    operations: beside === 'operation' ? [op('withOp', 'teamsClient', '2.0', { startedAt: now - 30 * day })] : [],
    releases: [release('Bar', 'firmware', '1.1', now - 200 * day)],
    ...(row.stopped ? { rollouts: { 'default/p|firmware': { stoppedAt: now - day, reason: '3 of 10 failed' } } } : {}),
  });
}

const entryOf = (plan: Plan, id: string, type: string) => plan.devices.find((d) => d.deviceId === id)!.entries.find((e) => e.softwareType === type)!;

for (const [row, beside] of rows.flatMap((r) => (['operation', 'scheduled'] as const).map((b) => [r, b] as const))) {
  test(`${row.name}: the twin with ${beside === 'operation' ? 'an operation' : 'a ScheduledUpdate'} on another type gets the same firmware entry`, () => {
    const plan = planOf(row, beside);
    const plain = entryOf(plan, 'plain', 'firmware');
    const withOp = entryOf(plan, 'withOp', 'firmware');
    assert.is(withOp.state, row.state);
    assert.is(withOp.reason.code, row.code);
    assert.equal(Object.keys(withOp), Object.keys(plain));
    assert.ok(sameValue(withOp, plain), `${JSON.stringify(withOp)}\n${JSON.stringify(plain)}`);
  });
}

test('the type with the operation record is still decided by it', () => {
  const plan = planOf(rows[0]!);
  assert.is(entryOf(plan, 'withOp', 'teamsClient').reason.code, 'Succeeded');
  assert.is(entryOf(plan, 'plain', 'teamsClient').reason.code, 'ManualOnly');
});

test('the type a ScheduledUpdate asks for is still decided with it', () => {
  const plan = planOf(rows[0]!, 'scheduled');
  assert.is(entryOf(plan, 'withOp', 'teamsClient').scheduledUpdate, 'default/teams');
  assert.is(entryOf(plan, 'withOp', 'teamsClient').reason.code, 'Downgrade');
  assert.is(entryOf(plan, 'plain', 'teamsClient').scheduledUpdate, undefined);
});

test.run();
