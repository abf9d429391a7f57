// A crash between saving an update's intent and its POST, replayed through the whole reconcile
// against the emulator over loopback HTTP: the state the crashed controller left holds a
// 'starting' firmware intent beside a finished Teams app update whose operation is on the
// device. The new controller must not credit the firmware with the Teams operation, and must
// update the firmware later, exactly once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { startOperations } from '../../controller/reconcile/operations.ts';
import { followOperations } from '../../controller/reconcile/follow-operations.ts';
import { intentResolveMs, type LedgerPort } from '../../controller/reconcile/ledger-entries.ts';
import type { ControllerState, LedgerEntry } from '../../controller/model/state.ts';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';

const logger = silentLogger();
const hour = 3_600_000;

test('after a crash between intent and POST, the firmware is not credited with the Teams update and is updated later exactly once', async () => {
  const clock = new ManualClock(Date.parse('2027-01-11T00:00:00Z'));
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  // Short operations: the Teams update ends seconds before the firmware intent is saved.
  const conn = await createFleet(options, {
    logger, clock, emulator: { devices: 60, seed: 7, rateLimit: 0, failureRate: 0, durationJitter: 0, queuedMs: 5_000, inProgressMs: 10_000 },
  });
  const dir = await mkdtemp(join(tmpdir(), 'fw-crash-'));
  const source = new DirSource({ dir, replaceStatus, logger });
  try {
    const control = conn.emulator!.control;
    const device = control.devices({ limit: 60 }).find(
      (d) => d.healthStatus !== 'offline' && !d.unknownFirmware && d.software.firmware?.availableVersion && d.software.teamsClient?.availableVersion,
    );
    if (!device) throw new Error('no online device with a firmware and a Teams app update in the generated fleet');
    const firmware = device.software.firmware!;
    const teamsApp = device.software.teamsClient!;

    // Before the crash: the Teams app was updated (and the update followed to its end)...
    let ledger: readonly LedgerEntry[] = [];
    const port: LedgerPort = { entries: () => ledger, commit: async (next) => void (ledger = next) };
    const deps = { fleet: conn.fleet, ledger: port, now: () => clock.now(), logger };
    const [teams] = await startOperations(
      [{ deviceId: device.id, softwareType: 'teamsClient', version: teamsApp.availableVersion!, owner: 'default/ScheduledUpdate/teams-now', currentVersion: teamsApp.currentVersion }],
      deps,
    );
    assert.is(teams?.result, 'started');
    const teamsOpId = teams?.result === 'started' ? teams.operationId : '';
    clock.advance(20_000);
    await followOperations(deps);
    assert.is(ledger[0]?.state, 'succeeded');
    // ...then the firmware intent was saved, and the controller died before its POST.
    const intent: LedgerEntry = {
      deviceId: device.id, softwareType: 'firmware', version: firmware.availableVersion!, operationId: undefined, owner: 'default/ScheduledUpdate/firmware-now',
      requestedAt: clock.now(), state: 'starting', endedAt: undefined, error: undefined, fromVersion: firmware.currentVersion,
    };
    const left: ControllerState = { version: 1, releases: [], ledger: [...ledger, intent], rollouts: {} };

    await writeFile(join(dir, 'firmware-now.yaml'), [
      'apiVersion: firmwarden.dev/v1alpha1',
      'kind: ScheduledUpdate',
      'metadata:',
      '  name: firmware-now',
      'spec:',
      '  targets:',
      `    deviceIds: [${JSON.stringify(device.id)}]`,
      '  software:',
      `    - type: firmware`,
      `      version: ${JSON.stringify(firmware.availableVersion)}`,
      '',
    ].join('\n'));
    const stateStore = new MemoryStateStore(left);
    const reconcile = createReconciler({
      sync: (signal) => source.sync(signal),
      parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
      fleet: conn.fleet,
      fleetView: new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: 4 * hour, listIntervalMs: 24 * hour, chunk: 5000 }),
      stateStore,
      engine: createEngine(),
      statusWriter: source,
      clock,
      logger,
      isStopping: () => false,
      pollIntervalMs: 60_000,
    });

    const signal = new AbortController().signal;
    const firmwareEntry = async () => (await stateStore.load()).ledger.find((e) => e.softwareType === 'firmware');
    await reconcile({ reconcileId: 1, signal });
    assert.is.not((await firmwareEntry())?.operationId, teamsOpId, 'the firmware intent took the Teams update');
    assert.is.not((await firmwareEntry())?.state, 'succeeded');

    // The new controller runs on; the intent resolves, the firmware update starts and ends.
    const until = clock.now() + intentResolveMs + hour;
    for (let n = 2; clock.now() < until; n++) {
      const outcome = await reconcile({ reconcileId: n, signal });
      clock.set(Math.max(clock.now() + 60_000, outcome.kind === 'waiting' ? Math.min(outcome.until, clock.now() + hour) : clock.now() + hour));
    }
    const firmwarePosts = control.actionLog({ deviceId: device.id, action: 'updateSoftware' }).filter((p) => p.softwareType === 'firmware');
    assert.equal(firmwarePosts.map((p) => [p.status, p.targetVersion]), [[202, firmware.availableVersion]]);
    const done = await firmwareEntry();
    assert.is(done?.state, 'succeeded');
    assert.is(done?.operationId, firmwarePosts[0]?.operationId);
    assert.is.not(done?.operationId, teamsOpId);
    assert.is(control.device(device.id)?.software.firmware?.currentVersion, firmware.availableVersion);
  } finally {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
