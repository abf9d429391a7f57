// Requests a rollout costs, through the whole reconcile against the emulator over loopback HTTP
// on a manual clock (issue 17): one policy wants firmware and the Teams app at the newest
// version on every device at once. The Graph requests the emulator counted must stay within what
// the safety rules need: the device list, one health read per device, per update the read of
// the device's operations before its POST and the POST, and per updated device the read that
// sees its last update end and the health read that sees the new version. A device's second
// update is not preceded by a health read, and the read that saw its first update end is the
// read before the second. Before, every update also cost a read of the accepted operation, a
// second operations read and a health read.
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
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';
import type { DeviceView } from '../../controller/fleet/emulator/control.ts';

const logger = silentLogger();
const minute = 60_000;
const start = Date.parse('2027-01-11T03:00:00Z');
const types = ['firmware', 'teamsClient'] as const;
const deviceTypes = ['ipPhone', 'teamsRoom', 'collaborationBar', 'teamsPanel', 'teamsDisplay', 'touchConsole', 'sip', 'lowCostPhone', 'surfaceHub', 'unknown'];

const policy = `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: converge
spec:
  software:
    firmware: { mode: automatic, phase: Test }
    teamsClient: { mode: automatic, phase: Test }
  maintenanceWindows:
    - { name: always, days: [Mon, Tue, Wed, Thu, Fri, Sat, Sun], start: "00:00", duration: 24h }
  rollout:
    waves: [{ percent: 100 }]
    maxConcurrent: 1000
    skipDevicesInUse: false
`;
const group = `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: everything
spec:
  policyRef: { name: converge }
  selector:
    deviceTypes: [${deviceTypes.join(', ')}]
  timeZone: UTC
`;

/** (device, type) pairs behind on a device that is not offline (firmware only where it is known). */
function behind(devices: readonly DeviceView[]): { deviceId: string; type: string }[] {
  return devices.flatMap((d) => d.healthStatus === 'offline' ? [] : types.flatMap((type) => {
    if (type === 'firmware' && d.unknownFirmware) return [];
    const s = d.software[type];
    return s?.availableVersion && s.availableVersion !== s.currentVersion ? [{ deviceId: d.id, type }] : [];
  }));
}

test('a rollout to every device costs the safety rules\' requests and no more, each update posted once', async () => {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices: 80, seed: 11, rateLimit: 0, failureRate: 0, durationJitter: 0, epoch: start } });
  const control = conn.emulator!.control;
  const dir = await mkdtemp(join(tmpdir(), 'fw-converge-requests-'));
  try {
    await writeFile(join(dir, 'policy.yaml'), policy);
    await writeFile(join(dir, 'group.yaml'), group);
    const all = control.devices({ limit: 80 });
    const targets = behind(all);
    const updatedDevices = new Set(targets.map((t) => t.deviceId)).size;
    assert.ok(targets.length > updatedDevices, 'some devices need both updates (the case that matters)');
    const source = new DirSource({ dir, replaceStatus, logger });
    const fleetView = new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: 24 * 60 * minute, listIntervalMs: 24 * 60 * minute, chunk: 5000 });
    const reconcile = createReconciler({
      sync: (signal) => source.sync(signal),
      parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
      fleet: conn.fleet,
      fleetView,
      stateStore: new MemoryStateStore(),
      engine: createEngine({ statusDetail: 'summary' }),
      statusWriter: source,
      clock,
      logger,
      isStopping: () => false,
      // Longer than an emulated update (5 minutes): each operation is polled once, after it ended.
      pollIntervalMs: 10 * minute,
    });
    const before = control.stats().graphRequests;
    const signal = new AbortController().signal;
    for (let n = 1; n <= 12; n++) {
      const outcome = await reconcile({ reconcileId: n, signal });
      clock.set(Math.max(clock.now() + minute, outcome.kind === 'waiting' ? Math.min(outcome.until, clock.now() + 60 * minute) : clock.now() + 60 * minute));
    }
    assert.equal(behind(control.devices({ limit: 80 })), [], 'converged');
    const posts = control.actionLog({ action: 'updateSoftware' });
    assert.is(posts.length, targets.length, 'one POST per update behind');
    assert.is(new Set(posts.map((p) => `${p.deviceId}|${p.softwareType}`)).size, targets.length, 'never twice for the same update');
    const listPages = Math.ceil(all.length / 50);
    const allowed = listPages + all.length + 2 * targets.length + 2 * updatedDevices;
    const sent = control.stats().graphRequests - before;
    assert.ok(sent <= allowed, `${sent} Graph requests for ${all.length} devices and ${targets.length} updates on ${updatedDevices} devices; the safety rules need ${allowed}`);
  } finally {
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
