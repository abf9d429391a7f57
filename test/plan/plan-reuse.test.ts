// A repeated plan takes the previous plan's DevicePlans and entries where they equal what it
// computed (controller/plan/device-plans.ts). Guarded here: after each change a controller
// meets between two plans (a device's software, a tag moving a device to another group, a
// group's or a policy's spec, an operation starting and ending, `now` crossing a window's
// opening, a suspension's end, a bake or a phase's delay), the plan made with the memo of the
// previous plans is the plan made afresh, byte for byte (and the listing's plan, with no
// compact form at all). The reuse is checked to happen, and not to keep what changed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceSoftware } from '../../controller/model/fleet.ts';
import type { DevicePlan, Plan, PlanEntry } from '../../controller/model/plan.ts';
import { buildPlan, type PlanInput } from '../../controller/plan/build-plan.ts';
import { compactFleet, type CompactFleet } from '../../controller/plan/compact-fleet.ts';
import { sameEntry, sameValue } from '../../controller/plan/device-plans.ts';
import { PlanMemo } from '../../controller/plan/plan-memo.ts';
import { day, hour, op } from './fixtures.ts';
import { assertSamePlan, planText } from './plan-text.ts';
import { syntheticFleet } from './synthetic-fleet.ts';



/** What the controller holds between plans: the listing's input and its compact reading. */
interface Held {
  readonly input: PlanInput;
  readonly fleet: CompactFleet;
}

/** A device's software read again with its firmware at the offered version. */
function updated(sw: DeviceSoftware): DeviceSoftware {
  const fw = sw.software.firmware!;
  return { ...sw, software: { ...sw.software, firmware: { ...fw, currentVersion: fw.availableVersion ?? fw.currentVersion, freshness: 'latest' } } };
}

const later = (ms: number) => (h: Held): Held => ({ ...h, input: { ...h.input, now: h.input.now + ms } });

/** The first devices with an offered firmware update (the ones the software steps change). */
function offered(h: Held, n: number): DeviceSoftware[] {
  return [...h.input.software.values()].filter((sw) => sw.software.firmware?.freshness === 'updateAvailable').slice(0, n);
}

/** Changes, applied one after the other, each followed by a plan; `changed`: device ids whose DevicePlan must be new. */
const steps: { name: string; change: (h: Held) => Held; changed?: (h: Held) => string[] }[] = [
  { name: 'a minute later, nothing else', change: later(60_000) },
  {
    name: "a device's software",
    change: (h) => {
      const read = offered(h, 3).map(updated);
      const software = new Map(h.input.software);
      for (const sw of read) software.set(sw.deviceId, sw);
      return { input: { ...h.input, software, now: h.input.now + 60_000 }, fleet: h.fleet.withSoftware(read) };
    },
    changed: (h) => offered(h, 3).map((sw) => sw.deviceId),
  },
  {
    name: 'a tag moves a device to another group (a new listing)',
    change: (h) => {
      // Tags are read from the notes (#site-paris #floor-1).
      const k = h.input.devices.findIndex((d) => d.notes?.includes('#floor-1'));
      const devices = h.input.devices.map((d, i) => (i === k ? { ...d, notes: d.notes!.replace('#floor-1', '#floor-2') } : d));
      return { input: { ...h.input, devices }, fleet: compactFleet(devices, h.input.software) };
    },
  },
  { name: 'a minute later again (the new listing kept)', change: later(60_000) },
  {
    name: "a group's spec (its time zone)",
    change: (h) => ({ ...h, input: { ...h.input, groups: h.input.groups.map((g) => (g.metadata.name === 'paris-0' ? { ...g, spec: { ...g.spec, timeZone: 'Asia/Tokyo' } } : g)) } }),
  },
  {
    name: "a policy's spec (its waves)",
    change: (h) => ({ ...h, input: { ...h.input, policies: h.input.policies.map((p) => (p.metadata.name === 'general' ? { ...p, spec: { ...p.spec, rollout: { ...p.spec.rollout, waves: [{ percent: 30 }] } } } : p)) } }),
  },
  {
    name: 'an operation starts',
    change: (h) => {
      const id = offered(h, 1)[0]!.deviceId;
      return { ...h, input: { ...h.input, operations: [...h.input.operations, op(id, 'firmware', '2.2.0', { active: true, startedAt: h.input.now, operationId: 'op-reuse' })] } };
    },
    changed: (h) => [offered(h, 1)[0]!.deviceId],
  },
  {
    name: 'the operation ends',
    change: (h) => ({
      ...h,
      input: { ...h.input, now: h.input.now + hour, operations: h.input.operations.map((o) => (o.operationId === 'op-reuse' ? { ...o, active: false, outcome: 'succeeded', endedAt: h.input.now + hour } : o)) },
    }),
  },
  { name: 'two days later (Monday noon: out of every window)', change: later(2 * day - hour) },
  { name: 'ten hours later (a night window opens)', change: later(10 * hour) },
  { name: 'a day later (bakes end, the suspension ends)', change: later(day) },
  { name: 'ten days later (the freeze and phase delays end)', change: later(10 * day) },
  { name: 'a minute later at last', change: later(60_000) },
];

/** The keys of every entry, in order (work.ts planEntry). */
const entryKeys = 'softwareType,scheduledUpdate,state,currentVersion,desiredVersion,earliestStart,rule,reason,clamp,failure,refused';

const Reuse = suite('plan reuse: the same plan as a fresh one');

Reuse('every change between plans: the plan with the previous plans kept equals the fresh plan and the listing\'s plan', () => {
  const first = syntheticFleet();
  let held: Held = { input: first, fleet: compactFleet(first.devices, first.software) };
  const memo = new PlanMemo();
  const compactInput = (h: Held): PlanInput => ({ ...h.input, devices: h.fleet.devices, software: h.fleet.software });
  let previous: Plan = buildPlan(compactInput(held), memo);
  assertSamePlan(planText(previous), planText(buildPlan(held.input)), 'the first plan');
  let reusedOnce = false;
  for (const step of steps) {
    const changed = step.changed?.(held) ?? [];
    held = step.change(held);
    held = { ...held, input: { ...held.input, releases: previous.releases, rollouts: previous.rollouts } };
    const reused = buildPlan(compactInput(held), memo);
    const expected = planText(buildPlan(held.input));
    assertSamePlan(planText(buildPlan(compactInput(held), new PlanMemo())), expected, `${step.name}: fresh compact plan`);
    assertSamePlan(planText(reused), expected, `${step.name}: plan with reuse`);
    const before = new Map<string, DevicePlan>(previous.devices.map((d) => [d.deviceId, d]));
    const kept = reused.devices.filter((d) => before.get(d.deviceId) === d).length;
    if (step.name.startsWith('a minute later')) {
      assert.ok(kept > reused.devices.length / 2, `${step.name}: ${kept} of ${reused.devices.length} DevicePlans kept`);
      reusedOnce = true;
    }
    for (const id of changed) {
      const now = reused.devices.find((d) => d.deviceId === id);
      assert.ok(now && now !== before.get(id), `${step.name}: ${id} has a new DevicePlan`);
      assert.is.not(planText(now), planText(before.get(id)), `${step.name}: ${id}'s plan changed`);
    }
    // sameEntry compares fields by name: it relies on every entry having planEntry's keys in its order.
    for (const d of reused.devices) for (const e of d.entries) if (Object.keys(e).join() !== entryKeys) assert.unreachable(`${step.name}: an entry with keys ${Object.keys(e).join()}`);
    previous = reused;
  }
  assert.ok(reusedOnce);
});

Reuse.run();

const Equal = suite('plan reuse: entries equal in every key');

const entry: PlanEntry = {
  softwareType: 'firmware', scheduledUpdate: undefined, state: 'scheduled', currentVersion: '1.0.0', desiredVersion: '2.0.0', earliestStart: 5,
  rule: { code: 'FirmwarePhase', text: 'firmware: General phase' }, reason: { code: 'OutsideWindow', message: 'waits for its window' }, clamp: undefined, failure: undefined, refused: undefined,
};
// The last column: whether sameEntry is asked, which assumes planEntry's keys and order (checked on whole plans above).
const cases: [string, unknown, boolean, boolean][] = [
  ['a copy', { ...entry, rule: { ...entry.rule }, reason: { ...entry.reason } }, true, true],
  ['another start', { ...entry, earliestStart: 6 }, false, true],
  ['another message', { ...entry, reason: { ...entry.reason, message: 'waits' } }, false, true],
  ['reason keys in another order', { ...entry, reason: { message: entry.reason.message, code: entry.reason.code } }, false, true],
  ['a refusal added', { ...entry, refused: [{ scheduledUpdate: 'default/x', version: undefined, reason: entry.reason }] }, false, true],
  ['a failure equal in every key', { ...entry, failure: undefined }, true, true],
  ['entry keys in another order', (({ softwareType, ...rest }) => ({ ...rest, softwareType }))(entry), false, false],
  ['a key holding undefined left out', (({ clamp: _, ...rest }) => rest)(entry), false, false],
];
for (const [name, other, expected, askEntry] of cases) {
  Equal(name, () => {
    assert.is(sameValue(entry, other), expected, 'sameValue');
    if (!askEntry) return;
    assert.is(sameEntry(entry, other as PlanEntry), expected, 'sameEntry');
    assert.is(sameEntry(other as PlanEntry, entry), expected, 'sameEntry, the other way');
  });
}
Equal.run();
