// The fleet report through the whole reconcile: the example folder, the emulator over loopback
// HTTP, the real engine with the report on. The report is written with the statuses; when only
// the clock moves (every window closed, nothing running) a reconcile writes nothing at all, the
// report included; a spec change rewrites it. A manifest file the source leaves out is listed
// at the top of the report (its manifests can carry no status), and the list goes once it is fixed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
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
import type { ReconcileResult } from '../../controller/model/reconcile.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';

const logger = silentLogger();
const minute = 60_000;
// A Wednesday at 18:00 UTC: every example window is closed until 21:00 UTC (22:00 in Paris).
const start = Date.parse('2027-01-06T18:00:00Z');
const examples = new URL('../../examples/', import.meta.url).pathname;

/** The example folder (and whatever `prepare` adds) reconciled against an emulated fleet with the report on. */
async function harness(prepare: (dir: string) => Promise<void> = async () => undefined) {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices: 120, seed: 5, rateLimit: 0, failureRate: 0, durationJitter: 0, epoch: start } });
  const dir = await mkdtemp(join(tmpdir(), 'fw-report-'));
  for (const sub of ['groups', 'policies', 'schedules']) await cp(join(examples, sub), join(dir, sub), { recursive: true });
  await prepare(dir);
  const source = new DirSource({ dir, replaceStatus, logger });
  const results: ReconcileResult[] = [];
  const reconcile = createReconciler({
    sync: (signal) => source.sync(signal),
    parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
    fleet: conn.fleet,
    fleetView: new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: 24 * 60 * minute, listIntervalMs: 24 * 60 * minute, chunk: 5000 }),
    stateStore: new MemoryStateStore(),
    engine: createEngine({ statusDetail: 'summary', report: { path: 'FLEET.md' } }),
    statusWriter: source,
    clock,
    logger,
    isStopping: () => false,
    onResult: (r) => results.push(r),
  });
  const run = async () => {
    await reconcile({ reconcileId: results.length + 1, signal: new AbortController().signal });
    return results.at(-1)!;
  };
  const close = async () => {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { clock, dir, run, close };
}

test('written with the statuses; nothing written when only time moved; rewritten when a spec changes', async () => {
  const { clock, dir, run, close } = await harness();
  try {
    // The first reconciles read the fleet and write statuses and the report.
    await run();
    await run();
    const report = await readFile(join(dir, 'FLEET.md'), 'utf8');
    assert.match(report, /^# Fleet report\n/);
    assert.match(report, '| **general-paris** |');
    assert.match(report, /```mermaid\ngantt\n/);
    // Only time moves: 10 minutes, then 45 more (the forecast is simulated again after an hour).
    for (const step of [10 * minute, 45 * minute, 70 * minute]) {
      clock.advance(step);
      const r = await run();
      assert.not.ok(r.statusWritten, `nothing written ${step / minute} min later`);
      assert.is(await readFile(join(dir, 'FLEET.md'), 'utf8'), report);
    }
    // A spec change: a new group shows in the report.
    const lab = await readFile(join(dir, 'groups/lab.yaml'), 'utf8');
    await writeFile(join(dir, 'groups/lab-b.yaml'), lab.replace(/name: lab\b/, 'name: lab-b').replace(/priority: \d+/, 'priority: 1'));
    assert.ok((await run()).statusWritten);
    assert.match(await readFile(join(dir, 'FLEET.md'), 'utf8'), '| **lab-b** |');
  } finally {
    await close();
  }
});

test('a manifest file the source leaves out is listed first in the report, with why, until it is fixed', async () => {
  const outside = await mkdtemp(join(tmpdir(), 'fw-report-outside-'));
  await writeFile(join(outside, 'group.yaml'), 'kind: DeviceGroup\n');
  const { dir, run, close } = await harness(async (dir) => symlink(join(outside, 'group.yaml'), join(dir, 'groups/borrowed.yaml')));
  try {
    await run();
    await run();
    const report = await readFile(join(dir, 'FLEET.md'), 'utf8');
    const section = /## Files left out \(1\)\n\n.*\n\n\| File \| Why \|\n\|---\|---\|\n(.*)\n\n## Progress/.exec(report);
    assert.ok(section, report);
    assert.is(section![1], `| groups/borrowed.yaml | a symbolic link to '${join(outside, 'group.yaml')}', outside the source |`);
    // Fixed (the link replaced by a file of its own): the section goes at the next write.
    await rm(join(dir, 'groups/borrowed.yaml'));
    assert.ok((await run()).statusWritten);
    const fixed = await readFile(join(dir, 'FLEET.md'), 'utf8');
    assert.not.match(fixed, 'Files left out');
    assert.match(fixed, /^# Fleet report\n/);
  } finally {
    await close();
    await rm(outside, { recursive: true, force: true });
  }
});

test.run();
