import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OperationMemory, deviceState, planProblems, tallyByGroup } from '../../controller/cli/demo-tally.ts';
import type { DevicePlan, EntryState, PlanEntry, ReasonCode } from '../../controller/model/plan.ts';
import type { LedgerEntry } from '../../controller/model/state.ts';

function entry(state: EntryState, code: ReasonCode = 'UpToDate', failure?: PlanEntry['failure']): PlanEntry {
  return {
    softwareType: 'firmware', scheduledUpdate: undefined, state, currentVersion: '1.0', desiredVersion: state === 'upToDate' ? undefined : '1.1',
    earliestStart: undefined, rule: { code: 'FirmwarePhase', text: 'firmware: General phase' }, reason: { code, message: `because ${code}` },
    clamp: undefined, failure, refused: undefined,
  };
}

// [behaviour, entry states of one device, the device's state]
const deviceCases: [string, PlanEntry[], ReturnType<typeof deviceState>][] = [
  ['every software type up to date: up to date', [entry('upToDate'), entry('upToDate')], 'upToDate'],
  ['one updated, one up to date: updated', [entry('succeeded', 'Succeeded'), entry('upToDate')], 'updated'],
  ['an update waiting for its phase makes the device wait', [entry('upToDate'), entry('scheduled', 'Deferred')], 'waiting'],
  ['pending (may start now) is waiting too', [entry('pending', 'ConcurrencyLimit')], 'waiting'],
  ['an update in flight beats one waiting', [entry('scheduled', 'Deferred'), entry('inProgress', 'InProgress')], 'updating'],
  ['a failure beats everything', [entry('inProgress', 'InProgress'), entry('failed', 'Failed'), entry('blocked', 'Downgrade')], 'failed'],
  ['a refusal (unknown firmware, downgrade) is refused', [entry('upToDate'), entry('blocked', 'UnknownFirmware')], 'refused'],
  ['blocked for another reason (offline, suspended) is on hold', [entry('blocked', 'DeviceOffline')], 'onHold'],
  ['a refusal beats an update in flight', [entry('inProgress', 'InProgress'), entry('blocked', 'NotComparable')], 'refused'],
];
for (const [name, entries, expected] of deviceCases) {
  test(`deviceState: ${name}`, () => {
    assert.is(deviceState(entries), expected);
  });
}

test('tallyByGroup counts each device once, whatever number of software types it reports', () => {
  const devices: DevicePlan[] = [
    { deviceId: 'a', group: 'default/paris', policy: undefined, wave: 1, entries: [entry('upToDate'), entry('upToDate'), entry('upToDate'), entry('upToDate')] },
    { deviceId: 'b', group: 'default/paris', policy: undefined, wave: 1, entries: [entry('upToDate'), entry('failed', 'Failed')] },
    { deviceId: 'c', group: undefined, policy: undefined, wave: undefined, entries: [entry('scheduled', 'Deferred')] },
  ];
  const t = tallyByGroup(devices);
  assert.equal(t.get('default/paris'), { failed: 1, refused: 0, updating: 0, onHold: 0, waiting: 0, updated: 0, upToDate: 1 });
  assert.is(t.get(undefined)?.waiting, 1);
});

test('planProblems lists failures first with the error, then refusals with their reason', () => {
  const devices: DevicePlan[] = [
    { deviceId: 'r', group: 'default/a', policy: undefined, wave: 1, entries: [entry('blocked', 'UnknownFirmware')] },
    { deviceId: 'f', group: 'default/b', policy: undefined, wave: 1, entries: [entry('failed', 'Failed', { code: 'DownloadFailed', message: 'no download', time: 1 })] },
  ];
  const problems = planProblems(devices);
  assert.equal(problems.map((p) => [p.deviceId, p.state, p.detail]), [
    ['f', 'failed', 'DownloadFailed no download'],
    ['r', 'refused', 'UnknownFirmware: because UnknownFirmware'],
  ]);
});

function ledger(deviceId: string, state: LedgerEntry['state'], extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    deviceId, softwareType: 'teamsClient', version: '2.0', operationId: `op-${deviceId}`, owner: 'default/ScheduledUpdate/teams-nyc',
    requestedAt: 1000, state, endedAt: state === 'succeeded' || state === 'failed' ? 2000 : undefined, error: undefined, fromVersion: '1.0', ...extra,
  };
}

test('a ScheduledUpdate keeps its tally after the ledger forgets its operations', () => {
  const memory = new OperationMemory();
  memory.observe([ledger('a', 'inProgress'), ledger('b', 'inProgress'), ledger('c', 'queued')]);
  assert.equal(memory.devicesOf('default/ScheduledUpdate/teams-nyc'), { updated: 0, updating: 3, failed: 0 });
  memory.observe([ledger('a', 'succeeded'), ledger('b', 'failed'), ledger('c', 'succeeded')]);
  const completed = memory.devicesOf('default/ScheduledUpdate/teams-nyc');
  assert.equal(completed, { updated: 2, updating: 0, failed: 1 });
  // Two weeks later the controller prunes the ended entries: the tally stays what it was.
  memory.observe([]);
  memory.observe([ledger('z', 'inProgress', { owner: 'default/UpdatePolicy/general' })]);
  assert.equal(memory.devicesOf('default/ScheduledUpdate/teams-nyc'), completed);
  assert.equal(memory.totals(), { started: 4, succeeded: 2, failed: 1, inFlight: 1 });
});

test('an operation is counted once from its intent (no id yet) to its end', () => {
  const memory = new OperationMemory();
  memory.observe([ledger('a', 'starting', { operationId: undefined })]);
  memory.observe([ledger('a', 'queued')]);
  memory.observe([ledger('a', 'succeeded')]);
  assert.equal(memory.totals(), { started: 1, succeeded: 1, failed: 0, inFlight: 0 });
});

test('a device counts once per ScheduledUpdate, by the worst of its software types; a later retry replaces an earlier failure', () => {
  const memory = new OperationMemory();
  memory.observe([
    ledger('a', 'succeeded'),
    ledger('a', 'failed', { softwareType: 'firmware', operationId: 'op-a2' }),
    ledger('b', 'failed', { operationId: 'op-b1' }),
    ledger('b', 'succeeded', { operationId: 'op-b2', requestedAt: 5000, endedAt: 6000 }),
    ledger('c', 'cancelled', { endedAt: 2000 }),
  ]);
  assert.equal(memory.devicesOf('default/ScheduledUpdate/teams-nyc'), { updated: 1, updating: 0, failed: 2 });
});

test.run();
