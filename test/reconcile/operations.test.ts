// Starting and following operations against the emulator over loopback HTTP: the safety
// rules (one in flight per device, intent before POST, adoption after a restart, no downgrade).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../controller/config/fleet-connection.ts';
import { startOperations } from '../../controller/reconcile/operations.ts';
import type { StartRequest } from '../../controller/model/engine.ts';
import { followOperations } from '../../controller/reconcile/follow-operations.ts';
import { intentClockSkewMs, intentResolveMs, timedOutCode, type LedgerPort } from '../../controller/reconcile/ledger-entries.ts';
import { defaultOperationTimeoutMs } from '../../controller/policy/operation-timeout.ts';
import type { LedgerEntry } from '../../controller/model/state.ts';
import type { DeviceView } from '../../controller/fleet/emulator/control.ts';
import { getToken, graph } from '../fleet/emulator/emulator-client.ts';
import { SoftwareTypes } from '../../controller/model/fleet.ts';

const logger = silentLogger();

async function setup(): Promise<{ conn: FleetConnection; clock: ManualClock; device: DeviceView; request: StartRequest }> {
  const clock = new ManualClock(Date.parse('2027-01-11T00:00:00Z'));
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices: 60, seed: 7, rateLimit: 0, failureRate: 0, durationJitter: 0 } });
  const device = conn.emulator!.control
    .devices({ limit: 60 })
    .find((d) => !d.unknownFirmware && d.software.firmware?.availableVersion);
  if (!device) throw new Error('no device with a firmware update in the generated fleet');
  const fw = device.software.firmware!;
  return {
    conn,
    clock,
    device,
    request: { deviceId: device.id, softwareType: 'firmware', version: fw.availableVersion!, owner: 'default/UpdatePolicy/general', currentVersion: fw.currentVersion },
  };
}

function memoryLedger(initial: LedgerEntry[] = []): LedgerPort & { saves: number } {
  let entries: readonly LedgerEntry[] = initial;
  const port = {
    saves: 0,
    entries: () => entries,
    commit: async (next: readonly LedgerEntry[]) => {
      entries = next;
      port.saves++;
    },
  };
  return port;
}

const posts = (conn: FleetConnection, deviceId: string) => conn.emulator!.control.actionLog({ deviceId, action: 'updateSoftware' });

test('starts one update, saving the intent before the POST and the operation id after', async () => {
  const { conn, clock, request } = await setup();
  try {
    const ledger = memoryLedger();
    const [outcome] = await startOperations([request], { fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.is(outcome?.result, 'started');
    assert.is(ledger.saves, 2);
    assert.is(ledger.entries()[0]?.operationId, outcome?.result === 'started' ? outcome.operationId : 'x');
    assert.is(posts(conn, request.deviceId).length, 1);
  } finally {
    await conn.close();
  }
});

test('a second request for a device with an update in flight is not posted', async () => {
  const { conn, clock, request } = await setup();
  try {
    const ledger = memoryLedger();
    await startOperations([request], { fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    const outcomes = await startOperations([request, { ...request, softwareType: 'teamsClient', version: '99.0' }], {
      fleet: conn.fleet, ledger, now: () => clock.now(), logger,
    });
    assert.equal(outcomes.map((o) => o.result), ['busy', 'busy']);
    assert.is(posts(conn, request.deviceId).length, 1);
  } finally {
    await conn.close();
  }
});

test('after a restart with the ledger lost, the queued operation is adopted from the device, not posted again', async () => {
  const { conn, clock, request } = await setup();
  try {
    await startOperations([request], { fleet: conn.fleet, ledger: memoryLedger(), now: () => clock.now(), logger });
    const fresh = memoryLedger();
    const [outcome] = await startOperations([request], { fleet: conn.fleet, ledger: fresh, now: () => clock.now(), logger });
    assert.is(outcome?.result, 'adopted');
    assert.is(fresh.entries().length, 1);
    assert.is(posts(conn, request.deviceId).length, 1);
  } finally {
    await conn.close();
  }
});

test('a crash between saving the intent and the answer: the created operation is found and followed', async () => {
  const { conn, clock, request } = await setup();
  try {
    // The POST went out (simulated by a direct start) but the controller died before recording it.
    const other = memoryLedger();
    await startOperations([request], { fleet: conn.fleet, ledger: other, now: () => clock.now(), logger });
    const opId = other.entries()[0]!.operationId;
    const crashed = memoryLedger([{ ...other.entries()[0]!, operationId: undefined, state: 'starting' }]);
    await followOperations({ fleet: conn.fleet, ledger: crashed, now: () => clock.now(), logger });
    assert.is(crashed.entries()[0]?.operationId, opId);
    assert.is(posts(conn, request.deviceId).length, 1);
  } finally {
    await conn.close();
  }
});

test('an intent whose POST never happened waits a bounded time, then is dropped so the next plan can decide again', async () => {
  const { conn, clock, request } = await setup();
  try {
    const crashed = memoryLedger([intentOf(request, clock.now())]);
    await followOperations({ fleet: conn.fleet, ledger: crashed, now: () => clock.now(), logger });
    assert.is(crashed.entries()[0]?.state, 'starting', 'still in doubt: the POST may have been received');
    clock.advance(intentResolveMs);
    await followOperations({ fleet: conn.fleet, ledger: crashed, now: () => clock.now(), logger });
    assert.is(crashed.entries().length, 0);
    assert.is(posts(conn, request.deviceId).length, 0);
  } finally {
    await conn.close();
  }
});

test('a POST the service refuses leaves no intent behind, so the device is not held for the wait', async () => {
  const { conn, clock, request } = await setup();
  try {
    const device = conn.emulator!.control.devices({ limit: 60 }).find((d) => SoftwareTypes.some((t) => d.software[t] === undefined));
    const unsupported = SoftwareTypes.find((t) => device?.software[t] === undefined);
    if (!device || !unsupported) throw new Error('every generated device supports every software type; pick another seed');
    const ledger = memoryLedger();
    const [outcome] = await startOperations([{ ...request, deviceId: device.id, softwareType: unsupported, currentVersion: null, version: '1.0' }], {
      fleet: conn.fleet, ledger, now: () => clock.now(), logger,
    });
    assert.is(outcome?.result, 'error');
    assert.equal(posts(conn, device.id).map((p) => p.status), [400]);
    assert.equal(ledger.entries(), []);
  } finally {
    await conn.close();
  }
});

/** A 'starting' ledger entry: the intent was saved, the POST's answer never recorded. */
function intentOf(request: StartRequest, requestedAt: number): LedgerEntry {
  return {
    deviceId: request.deviceId, softwareType: request.softwareType, version: request.version, operationId: undefined, owner: request.owner,
    requestedAt, state: 'starting', endedAt: undefined, error: undefined, fromVersion: request.currentVersion,
  };
}

/** Starts a restart on the device through the emulator's Graph surface; returns the operation id. */
async function postRestart(conn: FleetConnection, deviceId: string): Promise<string> {
  const answer = await graph(conn.emulator!, await getToken(conn.emulator!), `/teamwork/devices/${deviceId}/restart`, { method: 'POST' });
  assert.is(answer.status, 202);
  return answer.headers.get('location')!.split('/').at(-1)!;
}

// Resolving a 'starting' entry after a crash between saving the intent and the POST's answer.
// The intent is saved at `intentAt`; one operation (or none) exists on the device, created
// `opOffset` ms after the intent (negative: before); the ledger is read `followAfter` ms after
// the intent. Operations here run 5 minutes (60 s queued, 4 min in progress).
const resolutionCases: {
  name: string;
  op: 'softwareUpdate' | 'deviceRestart' | 'none';
  opOffset: number;
  /** Another ledger entry (of the Teams app) already owns the operation. */
  ownedByTeams?: boolean;
  followAfter: number;
  expect: 'adopted' | 'starting' | 'dropped';
}[] = [
  { name: 'an ended operation another ledger entry owns (the Teams app update) is not adopted by the firmware intent', op: 'softwareUpdate', opOffset: -10_000, ownedByTeams: true, followAfter: 10 * 60_000, expect: 'starting' },
  { name: 'an active operation another ledger entry owns is not adopted either', op: 'softwareUpdate', opOffset: -10_000, ownedByTeams: true, followAfter: 30_000, expect: 'starting' },
  { name: 'an ended operation created before the intent, beyond the clock skew, is not adopted', op: 'softwareUpdate', opOffset: -(intentClockSkewMs + 5_000), followAfter: 10 * 60_000, expect: 'starting' },
  { name: 'an operation of another kind (a restart) created after the intent is not adopted', op: 'deviceRestart', opOffset: 2_000, followAfter: 10 * 60_000, expect: 'starting' },
  { name: 'an ended operation created within the clock skew before the intent is adopted', op: 'softwareUpdate', opOffset: -(intentClockSkewMs - 2_000), followAfter: 10 * 60_000, expect: 'adopted' },
  { name: 'an ended operation created after the intent is adopted', op: 'softwareUpdate', opOffset: 2_000, followAfter: 10 * 60_000, expect: 'adopted' },
  { name: 'an active operation nobody owns is adopted, whenever it was created', op: 'softwareUpdate', opOffset: -60_000, followAfter: 30_000, expect: 'adopted' },
  { name: 'no operation yet: the intent waits for the next pass', op: 'none', opOffset: 0, followAfter: 60_000, expect: 'starting' },
  { name: 'no operation within the bounded wait: the intent is dropped', op: 'none', opOffset: 0, followAfter: intentResolveMs, expect: 'dropped' },
];

for (const c of resolutionCases) {
  test(`resolving an intent: ${c.name}`, async () => {
    const { conn, clock, request } = await setup();
    try {
      const intentAt = clock.now() + 2 * 60 * 60_000;
      clock.set(intentAt + c.opOffset);
      let opId: string | undefined;
      if (c.op === 'softwareUpdate') opId = (await conn.fleet.startUpdate({ deviceId: request.deviceId, softwareType: 'firmware', version: request.version })).operation.id;
      if (c.op === 'deviceRestart') opId = await postRestart(conn, request.deviceId);
      const teams: LedgerEntry[] = c.ownedByTeams
        ? [{ ...intentOf({ ...request, softwareType: 'teamsClient', version: '99.0' }, intentAt + c.opOffset), operationId: opId, state: 'succeeded', endedAt: intentAt }]
        : [];
      const ledger = memoryLedger([...teams, intentOf(request, intentAt)]);
      clock.set(intentAt + c.followAfter);
      await followOperations({ fleet: conn.fleet, ledger, now: () => clock.now(), logger });
      const firmware = ledger.entries().filter((e) => e.softwareType === 'firmware');
      if (c.expect === 'dropped') assert.equal(firmware, []);
      else if (c.expect === 'starting') assert.equal(firmware.map((e) => [e.state, e.operationId]), [['starting', undefined]]);
      else assert.equal(firmware.map((e) => e.operationId), [opId]);
      // The other entry is left exactly as it was.
      assert.equal(ledger.entries().filter((e) => e.softwareType === 'teamsClient'), teams);
    } finally {
      await conn.close();
    }
  });
}

test('a downgrade or an unprovable version is refused without any request', async () => {
  const { conn, clock, request } = await setup();
  try {
    const ledger = memoryLedger();
    const outcomes = await startOperations(
      [
        { ...request, version: '0.0.1' },
        { ...request, version: request.currentVersion! },
        { ...request, version: 'beta-7' },
      ],
      { fleet: conn.fleet, ledger, now: () => clock.now(), logger },
    );
    assert.equal(outcomes.map((o) => (o.result === 'refused' ? o.reason : o.result)), ['Downgrade', 'AlreadyInstalled', 'NotComparable']);
    assert.is(posts(conn, request.deviceId).length, 0);
  } finally {
    await conn.close();
  }
});

test('following: the operation ends, the device is reported and its version changed', async () => {
  const { conn, clock, request } = await setup();
  try {
    const ledger = memoryLedger();
    await startOperations([request], { fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.equal(await followOperations({ fleet: conn.fleet, ledger, now: () => clock.now(), logger }), []);
    conn.emulator!.control.advance(60 * 60_000);
    const ended = await followOperations({ fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.equal(ended, [request.deviceId]);
    assert.is(ledger.entries()[0]?.state, 'succeeded');
    assert.is(conn.emulator!.control.device(request.deviceId)?.software.firmware?.currentVersion, request.version);
  } finally {
    await conn.close();
  }
});

test('an operation still active at its timeout is recorded as failed (TimedOut), and its device as ended', async () => {
  const { conn, clock, request } = await setup();
  try {
    conn.emulator!.control.setFaults({ stuckOperationRate: 1 });
    const ledger = memoryLedger();
    await startOperations([{ ...request, timeoutMs: 60 * 60_000 }], { fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    clock.advance(60 * 60_000 - 1);
    assert.equal(await followOperations({ fleet: conn.fleet, ledger, now: () => clock.now(), logger }), []);
    assert.is(ledger.entries()[0]?.state, 'inProgress');
    clock.advance(1);
    assert.equal(await followOperations({ fleet: conn.fleet, ledger, now: () => clock.now(), logger }), [request.deviceId]);
    const entry = ledger.entries()[0]!;
    assert.equal([entry.state, entry.error?.code, entry.endedAt], ['failed', timedOutCode, clock.now()]);
    assert.match(entry.error?.message ?? '', 'still inProgress 1h after it was requested');
    // A timed-out entry is no longer followed: the ledger is left alone from now on.
    const saves = ledger.saves;
    clock.advance(60 * 60_000);
    await followOperations({ fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.is(ledger.saves, saves);
  } finally {
    await conn.close();
  }
});

test('an entry written before timeouts existed times out after the default 4 hours', async () => {
  const { conn, clock, request } = await setup();
  try {
    conn.emulator!.control.setFaults({ stuckOperationRate: 1 });
    const ledger = memoryLedger();
    await startOperations([request], { fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.is(ledger.entries()[0]?.timeoutMs, undefined);
    clock.advance(defaultOperationTimeoutMs - 1);
    await followOperations({ fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.is(ledger.entries()[0]?.state, 'inProgress');
    clock.advance(1);
    await followOperations({ fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.is(ledger.entries()[0]?.error?.code, timedOutCode);
  } finally {
    await conn.close();
  }
});

test('after a timeout, no second update is posted while the operation is still active on the device', async () => {
  const { conn, clock, request } = await setup();
  try {
    const control = conn.emulator!.control;
    control.setFaults({ stuckOperationRate: 1 });
    const ledger = memoryLedger();
    await startOperations([{ ...request, timeoutMs: 60 * 60_000 }], { fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    control.setFaults({ stuckOperationRate: 0 });
    const stuckId = ledger.entries()[0]!.operationId!;
    clock.advance(60 * 60_000);
    await followOperations({ fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.is(ledger.entries()[0]?.state, 'failed');
    // The same update again (as after spec.resume) and another software type: both wait, neither
    // takes the stuck operation as its own.
    const outcomes = await startOperations([request], { fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    const other = await startOperations([{ ...request, softwareType: 'teamsClient', version: '99.0', currentVersion: null }], { fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.equal([...outcomes, ...other].map((o) => o.result), ['busy', 'busy']);
    assert.match(outcomes[0]?.result === 'busy' ? outcomes[0].reason : '', `operation ${stuckId}) is still inProgress`);
    assert.is(posts(conn, request.deviceId).length, 1);
    assert.is(ledger.entries().length, 1);
    // Once it has ended, the device can be updated again.
    assert.ok(control.cancelOperation(request.deviceId, stuckId));
    const [again] = await startOperations([request], { fleet: conn.fleet, ledger, now: () => clock.now(), logger });
    assert.is(again?.result, 'started');
    assert.is(posts(conn, request.deviceId).length, 2);
  } finally {
    await conn.close();
  }
});

test.run();
