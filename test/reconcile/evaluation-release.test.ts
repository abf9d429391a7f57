// A reconcile evaluates the engine several times (until the rooms its starts need are read, then
// after starting operations); at 10k devices each evaluation's plan is several MB (issue 17:
// controller steady RSS). An earlier one must be collectable while the next is built, in the
// reconcile, in settleRooms and in the live view's wrapper, so a reconcile's peak holds one plan. Checked with WeakRefs and a forced garbage collection
// inside the engine's second call, against an emulated fleet and a real folder. And a pass in
// which nothing changed after its first evaluation (no start, no device read again, the same
// memory) evaluates once: the second evaluation would have the same input and output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { isDeepStrictEqual } from 'node:util';
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
import { LiveViewFeed } from '../../controller/run/live-view-feed.ts';
import type { Engine, EngineOutput } from '../../controller/model/engine.ts';
import type { ManifestEntry } from '../../controller/model/desired.ts';
import type { Finding } from '../../controller/manifest/finding.ts';
import { officeHoursPolicy } from '../support/office-hours-policy.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const logger = silentLogger();
const minute = 60_000;
// Monday 09:00 UTC: inside the policy's office hours, so updates start.
const start = Date.parse('2027-01-11T09:00:00Z');
const files: Record<string, string> = {
  'groups/rooms.yaml': 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: rooms\nspec:\n  policyRef:\n    name: rooms\n  selector: {}\n  timeZone: UTC\n',
  'policies/rooms.yaml': officeHoursPolicy({ name: 'rooms', phase: 'Test', maxConcurrent: 2 }),
};

/** The real engine, recording each call's output weakly; at each call, after a full GC, which earlier outputs were still reachable. */
function watchedEngine() {
  const engine = createEngine({ statusDetail: 'summary' });
  const outputs: WeakRef<EngineOutput>[] = [];
  const alive: number[][] = [];
  const watched: Engine<ManifestEntry, Finding> = (input) => {
    gc();
    alive.push(outputs.flatMap((ref, i) => (ref.deref() === undefined ? [] : [i])));
    const output = engine(input);
    outputs.push(new WeakRef(output));
    return output;
  };
  return { watched, alive, calls: () => outputs.length };
}

/** One reconcile at `start` (or one at each of `times`, on the same controller). */
async function reconcileOnce(wrap: (engine: Engine<ManifestEntry, Finding>) => Engine<ManifestEntry, Finding>, times: readonly number[] = [start]) {
  const clock = new ManualClock(times[0]!);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices: 30, seed: 5, rateLimit: 0, failureRate: 0, durationJitter: 0, epoch: start } });
  const dir = await mkdtemp(join(tmpdir(), 'fw-release-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, dirname(path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const source = new DirSource({ dir, replaceStatus, logger });
  const engine = watchedEngine();
  let started = 0;
  const reconcile = createReconciler({
    sync: (signal) => source.sync(signal),
    parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
    fleet: conn.fleet,
    fleetView: new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: 24 * 60 * minute, listIntervalMs: 24 * 60 * minute, chunk: 5000 }),
    stateStore: new MemoryStateStore(),
    engine: wrap(engine.watched),
    statusWriter: source,
    clock,
    logger,
    isStopping: () => false,
    onResult: (r) => (started += r.outcomes.filter((o) => o.result === 'started').length),
  });
  try {
    for (const [i, at] of times.entries()) {
      clock.set(at);
      await reconcile({ reconcileId: i + 1, signal: new AbortController().signal });
    }
  } finally {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
  return { ...engine, started };
}

test('the reconcile keeps only the starts and state of its first evaluation: no earlier output is reachable while the next is built', async () => {
  const { alive, calls, started } = await reconcileOnce((engine) => engine);
  assert.ok(started > 0, 'updates start, so the first evaluation served the starts');
  assert.ok(calls() >= 2, 'evaluated before and after the starts');
  assert.equal(alive, alive.map(() => []), 'no earlier evaluation reachable at any call (indices of the reachable ones, per call)');
});

test('the live view keeps no evaluation while the next is computed, and still shows the reconcile\'s last one', async () => {
  const feed = new LiveViewFeed(logger, { forecast: false });
  // The last evaluation's member count (a number: holding its output would defeat the check).
  let members = -1;
  const { alive, calls, started } = await reconcileOnce((engine) => {
    const observed = feed.observeEngine(engine);
    return (input) => {
      const output = observed(input);
      members = output.plan!.groups.reduce((n, g) => n + g.deviceIds.length, 0);
      return output;
    };
  });
  try {
    assert.ok(started > 0);
    assert.ok(calls() >= 2);
    assert.equal(alive, alive.map(() => []), 'the feed holds no earlier evaluation while the next runs');
    // What it shows after the reconcile is the last evaluation's plan, as before.
    feed.reconciled('r1');
    const view = JSON.parse(feed.json()!) as { revision: string; devices: number };
    assert.is(view.revision, 'r1');
    assert.ok(members > 0);
    assert.is(view.devices, members);
  } finally {
    await feed.close();
  }
});

test('a pass that starts nothing, reads no device again and remembers nothing new evaluates once, and its output is what a second evaluation gives', async () => {
  // Monday 06:00 UTC, before the office hours: nothing starts. The first pass records the
  // releases it sees (new memory: evaluated twice); the passes after it change nothing.
  const early = Date.parse('2027-01-11T06:00:00Z');
  const times = [early, early + minute, early + 2 * minute];
  const calledAt: number[] = [];
  const checked: boolean[] = [];
  const { started } = await reconcileOnce((engine) => (input) => {
    calledAt.push(input.now);
    const output = engine(input);
    // What a second evaluation would be: the same input with the state this one produced.
    if (isDeepStrictEqual(input.state, output.state)) checked.push(isDeepStrictEqual(engine({ ...input, state: output.state }), output));
    return output;
  }, times);
  assert.is(started, 0);
  assert.equal(times.map((t) => calledAt.filter((c) => c === t).length), [2, 1, 1], 'evaluations per pass');
  assert.ok(checked.length >= 2 && checked.every(Boolean), `an evaluation on unchanged memory gives the same output again: ${checked}`);
});

test.run();
