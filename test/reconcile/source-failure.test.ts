// A failing source reaches the manifests' conditions while the last good revision keeps
// reconciling: a real Git remote over loopback that stops answering, and a folder that grows past
// the source's limits, with the emulator over loopback HTTP and the real engine on a manual clock.
// One clock reading per reconcile: the starts it records and the statuses it writes share it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ManualClock, type Clock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../controller/config/fleet-connection.ts';
import { GitSource } from '../../controller/sources/git-source.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import type { ReconcileResult } from '../../controller/model/reconcile.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';
import type { DesiredStateSource, StatusWriter } from '../../controller/model/source.ts';
import { officeHoursPolicy } from '../support/office-hours-policy.ts';
import { startGitRemote } from '../support/git-remote.ts';

const logger = silentLogger();
const hour = 3_600_000;
// Monday 09:00 UTC: inside the policy's office hours until 18:00.
const start = Date.parse('2027-01-11T09:00:00Z');
const files: Record<string, string> = {
  'groups/rooms.yaml': 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: rooms\nspec:\n  policyRef:\n    name: rooms\n  selector: {}\n  timeZone: UTC\n',
  'policies/rooms.yaml': officeHoursPolicy({ name: 'rooms', phase: 'Test', maxConcurrent: 2 }),
};

type Conditions = { type: string; status: string; reason: string; message: string }[];

async function fleet(clock: Clock): Promise<FleetConnection> {
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  return createFleet(options, { logger, clock, emulator: { devices: 30, seed: 5, rateLimit: 0, failureRate: 0, durationJitter: 0 } });
}

function reconciler(source: DesiredStateSource & StatusWriter, conn: FleetConnection, clock: Clock, results: ReconcileResult[], viewClock: Clock = clock) {
  return createReconciler({
    sync: (signal) => source.sync(signal),
    parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
    fleet: conn.fleet,
    fleetView: new FleetView(conn.fleet, { clock: viewClock, logger }, { maxAgeMs: hour, listIntervalMs: 24 * hour, chunk: 5000 }),
    stateStore: new MemoryStateStore(),
    engine: createEngine({ statusDetail: 'summary' }),
    statusWriter: source,
    clock,
    logger,
    isStopping: () => false,
    onResult: (r) => results.push(r),
  });
}

const conditionsOf = (r: ReconcileResult, kind: string): Conditions => (r.statuses.find((u) => u.key?.kind === kind)!.status as { conditions: Conditions }).conditions;
const startedIn = (r: ReconcileResult) => r.outcomes.filter((o) => o.result === 'started').length;

test('the Git remote stops answering: updates keep starting from the last good revision, and the statuses say SourceUnavailable until it is back', async () => {
  const remote = await startGitRemote({ files });
  const clock = new ManualClock(start);
  const conn = await fleet(clock);
  const source = await GitSource.create({ repo: remote.url, path: '.', intervalMs: 0, logger, clock, status: { replaceStatus } });
  const results: ReconcileResult[] = [];
  const reconcile = reconciler(source, conn, clock, results);
  const signal = new AbortController().signal;
  try {
    assert.is((await reconcile({ reconcileId: 1, signal })).kind, 'waiting');
    const good = results[0]!;
    assert.is(startedIn(good), 2, 'two updates start (maxConcurrent)');
    assert.ok(good.statusWritten);

    remote.setReachable(false);
    clock.set(start + 3 * hour);
    const outcome = await reconcile({ reconcileId: 2, signal });
    const down = results[1]!;
    assert.is(outcome.kind, 'error', 'backs off: retrying may fix it');
    assert.is(down.revision, good.revision, 'the last good revision');
    assert.is(startedIn(down), 2, 'the next two updates start from the last good revision');
    assert.equal(down.failures?.map((f) => `${f.step} ${f.reason}`), ['sync SourceUnavailable', 'status SourceUnavailable']);
    for (const kind of ['DeviceGroup', 'UpdatePolicy']) {
      const [ready, reconciling, stalled] = conditionsOf(down, kind);
      assert.equal([ready!.status, ready!.reason], ['False', 'SourceUnavailable'], kind);
      assert.match(ready!.message, /the remote is unreachable.*revision [0-9a-f]{12}, the last one read, keeps reconciling/);
      assert.is(reconciling!.status, 'True', 'kstatus: in progress while it retries');
      assert.is(stalled!.status, 'False');
    }
    assert.not.ok(down.statusWritten, 'the remote that is down cannot take the status either');

    remote.setReachable(true);
    clock.set(start + 6 * hour);
    await reconcile({ reconcileId: 3, signal });
    const back = results[2]!;
    assert.equal(back.failures, []);
    assert.ok(back.statusWritten);
    assert.is.not(conditionsOf(back, 'DeviceGroup')[0]!.reason, 'SourceUnavailable');
    const person = remote.clonePerson('ada');
    const written = parse(await readFile(join(person, 'groups/rooms.yaml'), 'utf8')) as { status: { conditions: Conditions } };
    assert.not.ok(written.status.conditions.some((c) => c.reason === 'SourceUnavailable'));
  } finally {
    await source.close();
    await conn.close();
    await remote.close();
  }
});

test('a folder grown past the source\'s limits: the last good snapshot keeps reconciling, its statuses stall on SourceTooLarge, and they clear once the folder is fixed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-src-fail-'));
  const clock = new ManualClock(start);
  const conn = await fleet(clock);
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path.replace('/', '-')), text);
  const source = new DirSource({ dir, replaceStatus, logger, limits: { maxFiles: 2, maxFileBytes: 1 << 20, maxTotalBytes: 1 << 24 } });
  const results: ReconcileResult[] = [];
  const reconcile = reconciler(source, conn, clock, results);
  const signal = new AbortController().signal;
  const groupFile = join(dir, 'groups-rooms.yaml');
  try {
    await reconcile({ reconcileId: 1, signal });
    assert.is(startedIn(results[0]!), 2);
    const before = await readFile(groupFile, 'utf8');
    await writeFile(join(dir, 'notes.yaml'), '# a third file: one more than the limit\n');
    clock.set(start + 3 * hour);
    const outcome = await reconcile({ reconcileId: 2, signal });
    assert.is(outcome.kind, 'terminal', 'no retry helps until the folder changes');
    const over = results[1]!;
    assert.is(startedIn(over), 2, 'the last good snapshot keeps reconciling');
    const [ready, reconciling, stalled] = conditionsOf(over, 'DeviceGroup');
    assert.equal([ready!.status, ready!.reason, reconciling!.status, stalled!.status, stalled!.reason], ['False', 'SourceTooLarge', 'False', 'True', 'SourceTooLarge']);
    assert.match(ready!.message, /more than 2 manifest files/);
    // The folder refuses writes past its limits too: the files keep the last status written.
    assert.equal(over.failures?.map((f) => f.step), ['sync', 'status']);
    assert.is(await readFile(groupFile, 'utf8'), before);

    await rm(join(dir, 'notes.yaml'));
    clock.set(start + 6 * hour);
    assert.is.not((await reconcile({ reconcileId: 3, signal })).kind, 'terminal');
    const fixed = parse(await readFile(groupFile, 'utf8')) as { status: { conditions: Conditions } };
    assert.not.ok(fixed.status.conditions.some((c) => c.reason === 'SourceTooLarge'));
  } finally {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('one clock reading per reconcile: the starts it records and the statuses it writes carry the same instant', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-one-now-'));
  const view = new ManualClock(start);
  const conn = await fleet(view);
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path.replace('/', '-')), text);
  // Every reading of this clock is a minute later than the one before.
  let reads = 0;
  const ticking: Clock = { now: () => start + reads++ * 60_000, sleep: (ms, s) => view.sleep(ms, s) };
  const source = new DirSource({ dir, replaceStatus, logger });
  const results: ReconcileResult[] = [];
  try {
    await reconciler(source, conn, ticking, results, view)({ reconcileId: 1, signal: new AbortController().signal });
    assert.is(reads, 1, 'the reconcile read the clock once');
    const entries = results[0]!.ledger;
    assert.ok(entries.length > 0);
    assert.equal([...new Set(entries.map((e) => e.requestedAt))], [start]);
    const group = parse(await readFile(join(dir, 'groups-rooms.yaml'), 'utf8')) as { status: { conditions: { lastTransitionTime: string }[] } };
    assert.equal([...new Set(group.status.conditions.map((c) => c.lastTransitionTime))], [new Date(start).toISOString().replace('.000Z', 'Z')]);
  } finally {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
