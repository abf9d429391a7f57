// The adapter against the emulator, end to end: token, paging, health through $batch, updates
// with 202/409, following operations to the end, faults and documented quirks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { FleetError, type DeviceSoftware, type SoftwareType } from '../../../controller/model/fleet.ts';
import { silentLogger } from '../../../controller/log/logger.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { createGraphFleet, waitForOperation } from '../../../controller/fleet/index.ts';
import { createFleet, type FleetConnection } from '../../../controller/config/fleet-connection.ts';
import { parseFleetOptions } from '../../../controller/config/fleet-options.ts';
import { Secret } from '../../../controller/config/secret.ts';
import { drive } from './drive.ts';

const start = Date.parse('2026-03-02T10:00:00Z');

async function withEmulator(
  options: Parameters<typeof startEmulator>[0],
  run: (emulator: EmulatorHandle, connection: FleetConnection, clock: ManualClock) => Promise<void>,
): Promise<void> {
  const clock = new ManualClock(start);
  const emulator = await startEmulator({ clock, devices: 120, seed: 7, rateLimit: 0, ...options });
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

/** A device whose `softwareType` has an update available, from the emulator's own view. */
function deviceWithUpdate(emulator: EmulatorHandle, softwareType: SoftwareType): { id: string; to: string; from: string | null } {
  for (const d of emulator.control.devices({ limit: 1000 })) {
    const s = d.software[softwareType];
    if (s?.availableVersion) return { id: d.id, to: s.availableVersion, from: s.currentVersion };
  }
  throw new Error(`no device with a ${softwareType} update`);
}

const contract = suite('contract with the emulator');

contract('lists every device through the pages, and one type through $filter', async () => {
  await withEmulator({}, async (emulator, { fleet }, clock) => {
    const devices = await drive(clock, fleet.listDevices());
    const expected = emulator.control.devices({ limit: 1000 });
    assert.is(devices.length, 120);
    assert.equal(devices.map((d) => d.id).sort(), expected.map((d) => d.id).sort());
    const sample = devices.find((d) => d.id === expected[5]?.id);
    assert.is(sample?.model, expected[5]?.model);
    assert.is(sample?.deviceType, expected[5]?.deviceType);
    const type = expected[0]?.deviceType ?? 'teamsRoom';
    const ofType = await drive(clock, fleet.listDevices({ deviceTypes: [type] }));
    assert.equal(ofType.map((d) => d.id).sort(), expected.filter((d) => d.deviceType === type).map((d) => d.id).sort());
    assert.ok(ofType.length < devices.length);
  });
});

contract('reads the software of every device through $batch, matching the emulator', async () => {
  await withEmulator({}, async (emulator, { fleet }, clock) => {
    const ids = emulator.control.devices({ limit: 1000 }).map((d) => d.id);
    const result = await drive(clock, fleet.readSoftware(ids));
    assert.is(result.size, ids.length);
    for (const id of ids) {
      const software = result.get(id);
      assert.not.ok(software instanceof FleetError, id);
      const view = emulator.control.device(id);
      for (const [type, status] of Object.entries(view?.software ?? {})) {
        assert.is((software as DeviceSoftware).software[type as SoftwareType]?.currentVersion, status?.currentVersion ?? null, `${id} ${type}`);
      }
    }
    const stats = emulator.control.stats();
    // At 30 requests a second the pacer hands out 20, then the 10 left in the window.
    assert.ok(stats.batches >= Math.ceil(ids.length / 20) && stats.batches <= 2 * Math.ceil(ids.length / 20), `${stats.batches} batches`);
    assert.is(stats.graphRequests, ids.length, 'one request per device, no retries');
  });
});

contract('update: 202, a repeat adopts the queued operation through 409, followed to success; never a second accepted POST', async () => {
  await withEmulator({}, async (emulator, { fleet }, clock) => {
    const target = deviceWithUpdate(emulator, 'teamsClient');
    emulator.control.setFailureRate('*', 0);
    const request = { deviceId: target.id, softwareType: 'teamsClient' as const, version: target.to };
    const started = await drive(clock, fleet.startUpdate(request));
    assert.is(started.outcome, 'started');
    assert.is(started.operation.state, 'queued');
    const again = await drive(clock, fleet.startUpdate(request));
    assert.is(again.outcome, 'adopted');
    assert.is(again.operation.id, started.operation.id);
    const done = await drive(clock, waitForOperation(fleet, target.id, started.operation.id, { clock }));
    assert.is(done.state, 'succeeded');
    const software = (await drive(clock, fleet.readSoftware([target.id]))).get(target.id) as DeviceSoftware;
    assert.is(software.software.teamsClient?.currentVersion, target.to);
    const actions = emulator.control.actionLog({ deviceId: target.id, action: 'updateSoftware' });
    assert.equal(actions.map((a) => a.status), [202, 409]);
  });
});

contract('a POST lost in a hung connection: operations checked before the one re-send, one operation in the end', async () => {
  await withEmulator({}, async (emulator, { fleet }, clock) => {
    const target = deviceWithUpdate(emulator, 'firmware');
    emulator.control.setFaults({ hangNext: 1 });
    const started = await drive(clock, fleet.startUpdate({ deviceId: target.id, softwareType: 'firmware', version: target.to }));
    assert.is(started.operation.state, 'queued');
    const actions = emulator.control.actionLog({ deviceId: target.id, action: 'updateSoftware' });
    assert.equal(actions.map((a) => a.status), [0, 202]);
    assert.is(emulator.control.operations(target.id).filter((o) => o.operationType === 'softwareUpdate').length, 1);
  });
});

contract('many updates through $batch: each device gets exactly one accepted POST', async () => {
  await withEmulator({}, async (emulator, { fleet }, clock) => {
    const targets = emulator.control.devices({ limit: 1000 }).filter((d) => d.software.teamsClient?.availableVersion).slice(0, 30);
    const requests = targets.map((d) => ({ deviceId: d.id, softwareType: 'teamsClient' as const, version: d.software.teamsClient?.availableVersion as string }));
    emulator.control.setFaults({ batchThrottleNext: 4 });
    const results = await drive(clock, fleet.startUpdates(requests));
    assert.ok(results.every((r) => !(r instanceof FleetError)), JSON.stringify(results.filter((r) => r instanceof FleetError).map((r) => (r as Error).message)));
    for (const t of targets) {
      assert.is(emulator.control.actionLog({ deviceId: t.id, action: 'updateSoftware' }).filter((a) => a.status === 202).length, 1, t.id);
    }
    const again = await drive(clock, fleet.startUpdates(requests));
    assert.ok(again.every((r) => !(r instanceof FleetError) && r.outcome === 'adopted'));
    for (const t of targets) assert.is(emulator.control.actionLog({ deviceId: t.id, action: 'updateSoftware' }).filter((a) => a.status === 202).length, 1);
  });
});

contract('429s outer and inner, 5xx: reads complete and every Retry-After is honoured', async () => {
  await withEmulator({}, async (emulator, { fleet }, clock) => {
    emulator.control.setFaults({ throttleNext: 3, retryAfterSeconds: 4, batchThrottleNext: 6 });
    const before = clock.now();
    const devices = await drive(clock, fleet.listDevices());
    assert.is(devices.length, 120);
    assert.ok(clock.now() - before >= 12_000, `waited ${clock.now() - before} ms for three 4 s Retry-Afters`);
    const result = await drive(clock, fleet.readSoftware(devices.map((d) => d.id)));
    assert.ok([...result.values()].every((v) => !(v instanceof FleetError)));
    emulator.control.setFaults({ serverErrorNext: 3 });
    assert.is((await drive(clock, fleet.listDevices())).length, 120);
    assert.ok(fleet.stats().throttled >= 9);
  });
});

contract('documented quirks: PascalCase, wrapped entities, absolute links, reversed batches, other status spellings', async () => {
  for (const statusSpelling of ['PascalCase', 'succeeded', 'Succeeded'] as const) {
    await withEmulator(
      { quirks: { pascalCaseEnums: true, wrapSingleEntities: true, absoluteNextLinks: true, reverseBatchResponses: true, errorOnSuccess: true, odataCount: true, strictTop: true, statusSpelling } },
      async (emulator, { fleet }, clock) => {
        const devices = await drive(clock, fleet.listDevices());
        assert.is(devices.length, 120);
        assert.ok(devices.every((d) => d.deviceType !== 'unknown' || emulator.control.device(d.id)?.deviceType === 'unknown'));
        const software = await drive(clock, fleet.readSoftware(devices.slice(0, 25).map((d) => d.id)));
        assert.ok([...software.values()].every((v) => !(v instanceof FleetError)));
        emulator.control.setFailureRate('*', 0);
        const target = deviceWithUpdate(emulator, 'teamsClient');
        const started = await drive(clock, fleet.startUpdate({ deviceId: target.id, softwareType: 'teamsClient', version: target.to }));
        assert.is(started.operation.state, 'queued', statusSpelling);
        const done = await drive(clock, waitForOperation(fleet, target.id, started.operation.id, { clock }));
        assert.is(done.state, 'succeeded');
        assert.is(done.error, null);
      },
    );
  }
});

contract('SIP analog devices that break the list (A1): listed type by type, only those left out', async () => {
  await withEmulator({ quirks: { sipAnalog: 'listError' } }, async (emulator, { fleet }, clock) => {
    const all = emulator.control.devices({ limit: 1000 });
    assert.ok(all.some((d) => d.deviceType === 'sipAnalog'), 'the fleet has SIP analog devices');
    const devices = await drive(clock, fleet.listDevices());
    assert.equal(devices.map((d) => d.id).sort(), all.filter((d) => d.deviceType !== 'sipAnalog').map((d) => d.id).sort());
  });
});

contract('tokens are cached, and renewed before they expire (no 401 on the way)', async () => {
  await withEmulator({ tokenLifetimeSeconds: 600 }, async (emulator, { fleet }, clock) => {
    await drive(clock, fleet.listDevices());
    await drive(clock, fleet.listDevices());
    assert.is(emulator.control.stats().tokenRequests, 1);
    clock.advance(301_000); // past the renewal point (5 minutes before expiry), not past expiry
    await drive(clock, fleet.listDevices());
    assert.is(emulator.control.stats().tokenRequests, 2);
    assert.is(emulator.control.stats().byStatus['401'], undefined);
  });
});

contract('the read-only app gets a terminal 403 on updateSoftware', async () => {
  await withEmulator({}, async (emulator, _connection, clock) => {
    const readOnly = createGraphFleet(
      {
        graphUrl: emulator.graphBaseUrl, loginUrl: emulator.loginBaseUrl, rate: 1000, timeoutMs: 2000,
        auth: { kind: 'secret', tenant: emulator.tenant, clientId: emulator.readOnlyClientId, clientSecret: new Secret(emulator.readOnlyClientSecret) },
      },
      { logger: silentLogger(), clock, pacingClock: clock },
    );
    const target = deviceWithUpdate(emulator, 'teamsClient');
    assert.is((await drive(clock, readOnly.listDevices())).length, 120);
    const error = await drive(clock, readOnly.startUpdate({ deviceId: target.id, softwareType: 'teamsClient', version: target.to })).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof FleetError && error.status === 403 && !error.retryable);
  });
});

contract('createFleet starts an in-process emulator when the options say so', async () => {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions([], {}, { fallback: 'emulator' });
  const connection = await createFleet(options, { logger: silentLogger(), clock, pacingClock: clock, emulator: { devices: 40, rateLimit: 0 } });
  try {
    assert.is(connection.target, 'emulator');
    assert.ok(connection.emulator);
    assert.is((await drive(clock, connection.fleet.listDevices())).length, 40);
  } finally {
    await connection.close();
  }
});

contract.run();
