// The whole reconcile against the emulator over loopback HTTP on a manual clock: the real
// reconciler over a folder of manifests (folderReconciler), and the converge benchmark's fleet
// and manifests (bench/support/converge-fleet.ts), the set-up the reconcile tests about a
// rollout to every device share, so that they and the benchmark ask the same.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, type Clock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../controller/config/fleet-connection.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import type { StateStore } from '../../controller/model/state.ts';
import { convergeManifests } from '../../bench/support/converge-fleet.ts';

const logger = silentLogger();
export const minute = 60_000;
export const convergeStart = Date.parse('2027-01-11T03:00:00Z');

/** An emulated fleet of `devices` devices on a manual clock at convergeStart, and a temp folder holding the converge manifests. */
export async function openConvergeFleet(devices: number, seed: number, dirPrefix: string) {
  const clock = new ManualClock(convergeStart);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices, seed, rateLimit: 0, failureRate: 0, durationJitter: 0, epoch: convergeStart } });
  const dir = await mkdtemp(join(tmpdir(), dirPrefix));
  for (const [name, text] of Object.entries(convergeManifests())) await writeFile(join(dir, name), text);
  return { clock, conn, control: conn.emulator!.control, dir };
}

/**
 * The real reconciler over the manifests in `dir` (their statuses written back in place), the
 * emulated fleet of `conn` seen through a FleetView that trusts a listing for `maxAgeMs`, and
 * the real engine; and the folder's source, for the caller to close.
 */
export function folderReconciler(o: { conn: FleetConnection; clock: Clock; dir: string; stateStore: StateStore; maxAgeMs: number }) {
  const { conn, clock, dir, stateStore } = o;
  const source = new DirSource({ dir, replaceStatus, logger });
  const fleetView = new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: o.maxAgeMs, listIntervalMs: 24 * 60 * minute, chunk: 5000 });
  const reconcile = createReconciler({
    sync: (signal) => source.sync(signal),
    parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
    fleet: conn.fleet,
    fleetView,
    stateStore,
    engine: createEngine({ statusDetail: 'summary' }),
    statusWriter: source,
    clock,
    logger,
    isStopping: () => false,
    // Longer than an emulated update (5 minutes): each operation is polled once, after it ended.
    pollIntervalMs: 10 * minute,
  });
  return { reconcile, source };
}

/** The reconciler over the converge folder and fleet, keeping its state in `stateStore`. */
export function convergeReconciler(fleet: Awaited<ReturnType<typeof openConvergeFleet>>, stateStore: StateStore) {
  return folderReconciler({ ...fleet, stateStore, maxAgeMs: 24 * 60 * minute }).reconcile;
}
