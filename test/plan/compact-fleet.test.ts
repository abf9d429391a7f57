// The compact fleet (controller/plan/compact-fleet.ts) and the memo between plans
// (plan-memo.ts) give the very plan the listing and a map of documents give: compared on the
// pinned synthetic fleet, on the bench's generator (5,000 devices; the 100,000-device run is
// done by hand, see the commit), and on examples/ over the emulator read by a FleetView. The
// memo is reused while nothing it depends on changed and rebuilt the moment something did.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../controller/model/clock.ts';
import type { DeviceSoftware } from '../../controller/model/fleet.ts';
import type { DeviceGroup, UpdatePolicy } from '../../controller/model/manifests.generated.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { observationsOf } from '../../controller/policy/release-calendar.ts';
import { buildPlan, type PlanInput } from '../../controller/plan/build-plan.ts';
import { compactFleet, compactOf } from '../../controller/plan/compact-fleet.ts';
import { PlanMemo } from '../../controller/plan/plan-memo.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { holidayCalendarsOf, splitManifests } from '../../controller/reconcile/engine.ts';
import { generatePlanInput, planNow } from '../../bench/support/plan-fleet.ts';
import { assertSamePlan, planText } from './plan-text.ts';
import { syntheticFleet } from './synthetic-fleet.ts';



/** The same input with the fleet made compact (what the FleetView and the bench hand the plan). */
function compacted(input: PlanInput): PlanInput {
  const fleet = compactFleet(input.devices, input.software);
  return { ...input, devices: fleet.devices, software: fleet.software };
}

function benchInput(): PlanInput {
  return { now: planNow, ...generatePlanInput(5000, 50), rollouts: {} };
}

const Same = suite('compact fleet: the same plan');
for (const [name, make] of [['the pinned synthetic fleet (3,000 devices)', () => syntheticFleet()], ["the bench's generator (5,000 devices, 50 groups)", benchInput]] as const) {
  Same(name, () => {
    const input = make();
    const plain = planText(buildPlan(input));
    const compact = compacted(input);
    assert.ok(compactOf(compact.devices, compact.software), 'the compact input is recognised');
    assert.not.ok(compactOf(input.devices, input.software), 'a plain map is not');
    assertSamePlan(planText(buildPlan(compact)), plain, 'first plan of the compact fleet');
    const memo = new PlanMemo();
    buildPlan(compact, memo);
    assertSamePlan(planText(buildPlan(compact, memo)), plain, 'a plan with the membership and waves memoized');
    assert.equal(memo.counts, { membershipBuilt: 1, membershipReused: 1, wavesBuilt: 1, wavesReused: 1 });
  });
}

Same('examples/ over the emulator, read by a FleetView', async () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  const clock = new ManualClock(now);
  const logger = silentLogger();
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices: 400, seed: 5, rateLimit: 0 } });
  try {
    const view = new FleetView(conn.fleet, { clock, logger }, { chunk: 1000 });
    await view.refreshAll();
    const snapshot = view.snapshot();
    assert.ok(compactOf(snapshot.devices, snapshot.software), 'the FleetView hands out a compact fleet');
    const root = new URL('../../examples/', import.meta.url).pathname;
    const files: { path: string; text: string }[] = [];
    for (const sub of ['groups', 'policies', 'schedules']) {
      for (const f of await readdir(join(root, sub), { recursive: true })) {
        if (f.endsWith('.yaml') || f.endsWith('.ics')) files.push({ path: join(sub, f), text: await readFile(join(root, sub, f), 'utf8') });
      }
    }
    const { manifests } = parseManifestTexts(files, now);
    const base = { now, ...splitManifests(manifests), holidayCalendars: holidayCalendarsOf(manifests), operations: [], releases: [], readAt: snapshot.readAt };
    const fromView: PlanInput = { ...base, devices: snapshot.devices, software: snapshot.software };
    const plain: PlanInput = { ...base, devices: [...snapshot.devices], software: new Map(snapshot.software) };
    const expected = planText(buildPlan(plain));
    assert.ok(JSON.parse(expected).devices.length > 100, 'the examples manage most of the emulated fleet');
    assertSamePlan(planText(buildPlan(fromView)), expected, 'the FleetView\'s picture');
    assertSamePlan(planText(buildPlan(fromView)), expected, 'again, memoized');
  } finally {
    await conn.close();
  }
});
Same.run();

const Memo = suite('compact fleet: what the memo keeps and drops');

/** Plans `input` with the memo and without any compact form; both must agree. Returns the memo's counts. */
function planBoth(input: PlanInput, compact: PlanInput, memo: PlanMemo) {
  assertSamePlan(planText(buildPlan(compact, memo)), planText(buildPlan(input)), 'memoized');
  return { ...memo.counts };
}

Memo('software changes keep groups and waves; group, wave and device list changes rebuild them', () => {
  const input = benchInput();
  const fleet = compactFleet(input.devices, input.software);
  const memo = new PlanMemo();
  const on = (i: PlanInput, f = fleet) => ({ ...i, devices: f.devices, software: f.software });
  planBoth(input, on(input), memo);

  // A few devices report their firmware updated: a new reading, same device table.
  const changed: DeviceSoftware[] = input.devices.slice(0, 40).map((d) => {
    const sw = input.software.get(d.id)!;
    const fw = sw.software.firmware!;
    return { ...sw, software: { ...sw.software, firmware: { ...fw, currentVersion: fw.availableVersion ?? fw.currentVersion, freshness: 'latest' } } };
  });
  const later = fleet.withSoftware(changed);
  const map = new Map(input.software);
  for (const sw of changed) map.set(sw.deviceId, sw);
  const read = { ...input, software: map, now: input.now + 60_000 };
  assert.equal(planBoth(read, on(read, later), memo), { membershipBuilt: 1, membershipReused: 1, wavesBuilt: 1, wavesReused: 1 });

  // Equal groups as new objects (a new sync of the same files): kept, and the plan names the new objects' fields.
  const copies = { ...read, groups: read.groups.map((g) => structuredClone(g)) };
  assert.equal(planBoth(copies, on(copies, later), memo), { membershipBuilt: 1, membershipReused: 2, wavesBuilt: 1, wavesReused: 2 });

  // A selector edited: the membership, and so the waves, are rebuilt.
  const edited: DeviceGroup[] = read.groups.map((g, k) => (k === 0 ? { ...g, spec: { ...g.spec, selector: { tags: ['basic'] } } } : g));
  const regrouped = { ...read, groups: edited };
  assert.equal(planBoth(regrouped, on(regrouped, later), memo), { membershipBuilt: 2, membershipReused: 2, wavesBuilt: 2, wavesReused: 2 });

  // A policy's waves edited: the same membership, new waves.
  const policies: UpdatePolicy[] = read.policies.map((p, k) => (k === 3 ? { ...p, spec: { ...p.spec, rollout: { ...p.spec.rollout, waves: [{ percent: 50 }] } } } : p));
  const rewaved = { ...regrouped, policies };
  assert.equal(planBoth(rewaved, on(rewaved, later), memo), { membershipBuilt: 2, membershipReused: 3, wavesBuilt: 3, wavesReused: 2 });

  // A new listing (one device fewer): a new table, everything rebuilt.
  const relisted = compactFleet(input.devices.slice(1), later.software);
  const fewer = { ...rewaved, devices: input.devices.slice(1) };
  assert.equal(planBoth(fewer, on(fewer, relisted), memo), { membershipBuilt: 3, membershipReused: 3, wavesBuilt: 4, wavesReused: 2 });
});

Memo("a forecast's simulated software, or another listing, is planned from what it gives, not from the fleet it came from", () => {
  const compact = compacted(syntheticFleet());
  const simulated = new Map(compact.software);
  const [id, sw] = [...simulated][0]!;
  simulated.set(id, { ...sw, software: {} });
  const swapped = { ...compact, software: simulated };
  assert.not.ok(compactOf(swapped.devices, swapped.software));
  assert.not.ok(buildPlan(swapped).devices.some((d) => d.deviceId === id), 'the device without software gets no entries');
  const fewer = { ...compact, devices: compact.devices.filter((d) => d.id !== id) };
  assert.not.ok(compactOf(fewer.devices, fewer.software));
  assert.not.ok(buildPlan(fewer).devices.some((d) => d.deviceId === id), 'a device left out of the listing is not planned');
});
Memo.run();

const Table = suite('compact fleet: the table');
Table('documents read back as given; release observations as observationsOf makes them; few distinct states', () => {
  const input = benchInput();
  const fleet = compactFleet(input.devices, input.software);
  for (const d of input.devices) assert.equal(fleet.software.get(d.id), input.software.get(d.id));
  assert.is(fleet.software.size, input.software.size);
  assert.equal(fleet.observations, observationsOf(input.devices, input.software));
  assert.ok(fleet.table.states.states.length < 500, `${fleet.table.states.states.length} distinct states for 30,000`);
});
Table.run();
