// The adapter's narrow reads against the emulator: one device by id, the device with a unique
// id, the operations of many devices through $batch, and progress while health is read.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { FleetError, type DeviceOperation } from '../../../controller/model/fleet.ts';
import { silentLogger } from '../../../controller/log/logger.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { createFleet, type FleetConnection } from '../../../controller/config/fleet-connection.ts';
import { parseFleetOptions } from '../../../controller/config/fleet-options.ts';
import { drive } from './drive.ts';

const start = Date.parse('2026-03-02T10:00:00Z');

async function withEmulator(
  options: Parameters<typeof startEmulator>[0],
  run: (emulator: EmulatorHandle, connection: FleetConnection, clock: ManualClock) => Promise<void>,
): Promise<void> {
  const clock = new ManualClock(start);
  const emulator = await startEmulator({ clock, devices: 120, seed: 11, rateLimit: 0, ...options });
  try {
    const { options: fleetOptions } = parseFleetOptions(
      ['--graph-url', emulator.graphBaseUrl, '--tenant', emulator.tenant, '--client-id', emulator.clientId, '--client-secret', emulator.clientSecret, '--fleet-timeout', '2'],
      {},
    );
    const connection = await createFleet(fleetOptions, { logger: silentLogger(), clock, pacingClock: clock });
    try {
      await run(emulator, connection, clock);
    } finally {
      await connection.close();
    }
  } finally {
    await emulator.close();
  }
}

const lookups = suite('one device, one unique id, many devices\' operations');

lookups('getDevice returns the device as the list shows it, and undefined for an id the service does not know', async () => {
  for (const wrapSingleEntities of [false, true]) {
    await withEmulator({ quirks: { wrapSingleEntities } }, async (_emulator, { fleet }, clock) => {
      const listed = await drive(clock, fleet.listDevices());
      const wanted = listed[37]!;
      const got = await drive(clock, fleet.getDevice(wanted.id));
      assert.equal(got, wanted, `wrapped: ${wrapSingleEntities}`);
      assert.is(await drive(clock, fleet.getDevice('00000000-0000-4000-8000-00000000dead')), undefined);
      assert.is(await drive(clock, fleet.getDevice('not an id/at all')), undefined);
    });
  }
});

lookups('listDevices({ uniqueId }) asks the service for that device alone', async () => {
  await withEmulator({}, async (emulator, { fleet }, clock) => {
    const listed = await drive(clock, fleet.listDevices());
    const wanted = listed[81]!;
    emulator.control.resetLog();
    const found = await drive(clock, fleet.listDevices({ uniqueId: wanted.uniqueId }));
    assert.equal(found, [wanted]);
    assert.is(emulator.control.stats().graphRequests, 1, 'one filtered page');
    assert.equal(await drive(clock, fleet.listDevices({ uniqueId: "no-such-unique-id-'quoted'" })), []);
  });
});

lookups('readOperations: every device answered, through $batch, the same operations as listOperations', async () => {
  await withEmulator({}, async (emulator, { fleet }, clock) => {
    const listed = await drive(clock, fleet.listDevices());
    const withUpdate = emulator.control.devices({ limit: 1000 }).filter((d) => d.software.teamsClient?.availableVersion).slice(0, 3);
    for (const d of withUpdate) await drive(clock, fleet.startUpdate({ deviceId: d.id, softwareType: 'teamsClient', version: d.software.teamsClient!.availableVersion! }));
    const ids = [...withUpdate.map((d) => d.id), ...listed.slice(0, 30).map((d) => d.id)];
    const unique = [...new Set(ids)];
    emulator.control.resetLog();
    const result = await drive(clock, fleet.readOperations(ids));
    const stats = emulator.control.stats();
    assert.is(result.size, unique.length);
    // At the default 30 requests/s a $batch holds what a third of the pacer's window does: 10 (pacer.ts, Spread).
    assert.is(stats.batches, Math.ceil(unique.length / 10), 'read through $batch');
    assert.is(stats.graphRequests, unique.length, 'one inner request per device');
    for (const id of unique) {
      const ops = result.get(id);
      assert.ok(Array.isArray(ops), `${id}: ${ops instanceof FleetError ? ops.message : 'no answer'}`);
      assert.equal(ops as DeviceOperation[], await drive(clock, fleet.listOperations(id)));
    }
    for (const d of withUpdate) assert.ok((result.get(d.id) as DeviceOperation[]).some((o) => o.operationType === 'softwareUpdate' && o.state === 'queued'));
  });
});

lookups('readSoftware reports progress as answers arrive, ending at the total', async () => {
  await withEmulator({}, async (_emulator, { fleet }, clock) => {
    const ids = (await drive(clock, fleet.listDevices())).slice(0, 45).map((d) => d.id);
    const seen: [number, number][] = [];
    await drive(clock, fleet.readSoftware(ids, undefined, (done, total) => seen.push([done, total])));
    assert.is(seen.length, 45);
    assert.equal(seen.at(-1), [45, 45]);
    assert.ok(seen.every(([done], i) => done === i + 1 && seen[i]![1] === 45));
  });
});

lookups.run();
