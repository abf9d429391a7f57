// The release calendar kept beside the manifests: a controller on a real Git remote (smart HTTP
// on loopback), the emulator over loopback HTTP and a manual clock commits
// .firmwarden/releases.json with its statuses; after its state file is lost and it restarts
// ten days later, every release keeps the date first seen (no phase starts counting again),
// and the policies' statuses no longer carry the calendar.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { GitSource } from '../../controller/sources/git-source.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { FileStateStore } from '../../controller/state/file-state-store.ts';
import { parseCalendarFile } from '../../controller/state/calendar-file.ts';
import { git, startGitRemote, type GitRemote } from '../support/git-remote.ts';
import { exampleFiles } from '../support/example-files.ts';

const logger = silentLogger();
const day = 86_400_000;
const hour = 3_600_000;
const start = Date.parse('2027-01-08T12:00:00Z');


function show(remote: GitRemote, path: string): string | undefined {
  try {
    return git(remote.bareDir, ['show', `main:${path}`]);
  } catch {
    return undefined;
  }
}

/** One controller life: a fresh clone and fleet connection, `reconciles` reconciles `step` apart, then closed. */
async function runController(remote: GitRemote, statePath: string, clock: ManualClock, reconciles: number, step: number): Promise<void> {
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const fleet = await createFleet(options, { logger, clock, emulator: { devices: 300, seed: 7, rateLimit: 0, epoch: start } });
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-cal-clone-'));
  const source = await GitSource.create({ repo: remote.url, dataDir, intervalMs: 0, status: { replaceStatus }, clock, logger });
  try {
    const reconcile = createReconciler({
      sync: (signal) => source.sync(signal),
      parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
      fleet: fleet.fleet,
      fleetView: new FleetView(fleet.fleet, { clock, logger }, { chunk: 5000 }),
      stateStore: new FileStateStore(statePath),
      engine: createEngine({ statusDetail: 'summary' }),
      statusWriter: source,
      clock,
      logger,
      isStopping: () => false,
    });
    for (let i = 1; i <= reconciles; i++) {
      await reconcile({ reconcileId: i, signal: new AbortController().signal });
      clock.advance(step);
    }
  } finally {
    await source.close();
    await fleet.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function firstSeenByRelease(text: string): Map<string, number> {
  const read = parseCalendarFile(text);
  assert.ok(read.ok, read.ok ? '' : read.problem);
  return new Map(read.ok ? read.calendar.releases.map((r) => [`${r.model}|${r.softwareType}|${r.version}`, r.firstSeen]) : []);
}

test('release dates survive the loss of the state file through .firmwarden/releases.json, committed with the statuses', async () => {
  const remote = await startGitRemote({ files: exampleFiles() });
  const stateDir = mkdtempSync(join(tmpdir(), 'fw-cal-state-'));
  const statePath = join(stateDir, 'state.json');
  try {
    const clock = new ManualClock(start);
    await runController(remote, statePath, clock, 3, 2 * hour);

    const text = show(remote, '.firmwarden/releases.json');
    assert.ok(text, 'the calendar file is committed at the root of the manifests');
    const file = JSON.parse(text!) as { writtenBy: string; note: string; version: number };
    assert.is(file.writtenBy, 'firmwarden');
    assert.match(file.note, 'Do not edit');
    const author = git(remote.bareDir, ['log', '-1', '--format=%an|%B', 'main', '--', '.firmwarden/releases.json']);
    assert.match(author, /^firmwarden\|status: /);
    assert.match(author, 'Firmwarden-Status: true');
    const before = firstSeenByRelease(text!);
    assert.ok(before.size > 10, `the calendar holds the releases seen (${before.size})`);
    // Seen at the first reconcile, so "released" then; a restart without memory would say ten days later.
    const seenAtStart = [...before.values()].filter((t) => t === start).length;
    assert.ok(seenAtStart > 0, 'some releases were first seen by this controller');

    // The policies' statuses no longer carry the calendar: it is in one file, not in people's manifests.
    for (const p of ['policies/general.yaml', 'policies/lab.yaml', 'policies/vip.yaml']) {
      const status = (parse(show(remote, p)!) as { status?: Record<string, unknown> }).status;
      assert.ok(status, `${p} has a status`);
      assert.is(status!.releases, undefined, `${p}: no status.releases`);
    }

    // The state file is lost; the controller restarts ten days later.
    rmSync(statePath);
    clock.advance(10 * day);
    await runController(remote, statePath, clock, 1, hour);

    const state = JSON.parse(readFileSync(statePath, 'utf8')) as { releases: { model: string; softwareType: string; version: string; firstSeen: number }[] };
    const after = new Map(state.releases.map((r) => [`${r.model}|${r.softwareType}|${r.version}`, r.firstSeen]));
    for (const [key, firstSeen] of before) {
      if (!after.has(key)) continue; // bounded calendar: a newer version may push an old one out
      assert.is(after.get(key), firstSeen, `${key} keeps its first-seen date`);
    }
    assert.ok([...before.keys()].filter((k) => after.has(k)).length >= before.size - 5, 'the restarted controller knows the releases it had seen');
    const again = firstSeenByRelease(show(remote, '.firmwarden/releases.json')!);
    for (const [key, firstSeen] of before) if (again.has(key)) assert.is(again.get(key), firstSeen, `${key}: the committed date did not move`);
  } finally {
    await remote.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
});

test.run();
