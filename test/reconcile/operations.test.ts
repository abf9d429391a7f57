// Starting and following operations against the emulator over loopback HTTP: the safety
// rules (one in flight per device, intent before POST, adoption after a restart, no downgrade).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../controller/fleet/index.ts';
import { followOperations, startOperations, type LedgerPort, type StartRequest } from '../../controller/reconcile/operations.ts';
import type { LedgerEntry } from '../../controller/state/state.ts';
import type { DeviceView } from '../../controller/fleet/emulator/control.ts';

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

test('an intent whose POST never happened is dropped, so the next plan can decide again', async () => {
  const { conn, clock, request } = await setup();
  try {
    const crashed = memoryLedger([
      { deviceId: request.deviceId, softwareType: 'firmware', version: request.version, operationId: undefined, owner: request.owner, requestedAt: clock.now(), state: 'starting', endedAt: undefined, error: undefined, fromVersion: request.currentVersion },
    ]);
    await followOperations({ fleet: conn.fleet, ledger: crashed, now: () => clock.now(), logger });
    assert.is(crashed.entries().length, 0);
    assert.is(posts(conn, request.deviceId).length, 0);
  } finally {
    await conn.close();
  }
});

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

test.run();
