// The walk over the fleet: every device × software type it reports gets its entry. Devices are
// visited group by group (groups in key order), then the devices in no group that a
// ScheduledUpdate targets. A settled decision becomes a shared entry at once; a light update
// is counted for its wave and settled later (light-updates.ts); an update of a device with no
// operation and no ScheduledUpdate that is offline or whose rollout is stopped is blocked at
// once (a shared entry too); anything else (an operation, a ScheduledUpdate, a suspended
// policy) becomes a work that decides its entry once timed and selected. A device in a group
// with operations or ScheduledUpdates takes the first and third ways for the types it has no
// operation of and no ScheduledUpdate asks for (nothing a work would add reads anything else),
// and works for the rest. Each device's entries go to its run of positions
// in one flat array (device-plans.ts), made into DevicePlans once all are known.
// Internal to controller/plan; pure.
import type { OperationRecord, PlanEntry, Reason } from '../model/plan.ts';
import { SoftwareTypes, type Device, type SoftwareState, type SoftwareType } from '../model/fleet.ts';
import type { AutoDecision } from '../policy/automatic.ts';
import type { DeviceIndex } from '../policy/device-index.ts';
import type { Decided, DecisionSlots } from './decisions.ts';
import { comparisonsPerEntry, previousEntry, sameEntry, type DeviceRuns, type PreviousPlans } from './device-plans.ts';
import { autoWork, offlineReason, scheduledWork, stopReason, type WorkEnv } from './entry-works.ts';
import type { GroupContext } from './group-context.ts';
import type { GroupLayout } from './group-layout.ts';
import { addLightUpdate, type LightUpdates } from './light-updates.ts';
import type { PlanFleet } from './plan-fleet.ts';
import type { WaveGates } from './wave-gates.ts';
import { chooseMain, cmp, planEntry, refusalsBeside, type ScheduledCtx, type Work } from './work.ts';

/** What the walk reads. */
export interface EntryWalk {
  readonly fleet: PlanFleet;
  readonly layout: GroupLayout;
  /** The ScheduledUpdates targeting each device position. */
  readonly targets: ReadonlyMap<number, readonly ScheduledCtx[]>;
  /** 1 for each device position with an operation in the book. */
  readonly withOps: Uint8Array;
  readonly env: WorkEnv;
  /** Where light updates are counted per wave (their units are created here). */
  readonly gates: WaveGates;
  /** Where the devices' entries go (empty; filled by the walk). */
  readonly runs: DeviceRuns;
  /** Where light updates are recorded (empty). */
  readonly light: LightUpdates;
  /** The previous plan's DevicePlans, whose equal entries this plan's shared ones become (none: no previous plan). */
  readonly previous: PreviousPlans | undefined;
}

/** What the walk found. */
export interface CollectedEntries {
  /** The works that decide an entry, and the position in runs.entries where each one's frozen entry goes (same positions). */
  readonly mains: Work[];
  readonly slots: number[];
  readonly light: LightUpdates;
}

/** The ScheduledUpdate works of an entry no ScheduledUpdate targets (shared, never written). */
const noWorks: Work[] = [];

/** Marks the device positions that have an operation in the book (one look-up per operation, not per device). */
export function devicesWithOperations(operations: readonly OperationRecord[], index: DeviceIndex): Uint8Array {
  const out = new Uint8Array(index.devices.length);
  for (const r of operations) {
    const i = index.indexOfId(r.deviceId);
    if (i !== undefined) out[i] = 1;
  }
  return out;
}

/** Walks the groups' members, then the ungrouped devices ScheduledUpdates target. */
export function collectEntries(walk: EntryWalk): CollectedEntries {
  const out: CollectedEntries = { mains: [], slots: [], light: walk.light };
  const { layout, fleet, targets } = walk;
  // One device's reported states by type index, refilled for each device (nothing keeps the array).
  const states: (SoftwareState | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  // Their ids in a compact fleet's state table (-1: none), which key the decisions by array index.
  const ids = new Int32Array(6);
  // Indexed loops: a for-of allocates an iterator result per device in Maglev-only code (plan runs with --no-opt).
  const contexts = layout.contexts;
  for (let g = 0; g < contexts.length; g++) addGroup(walk, out, contexts[g]!, states, ids);
  const ungrouped = [...targets.keys()].filter((i) => layout.groupOf[i]! < 0).sort((a, b) => cmp(fleet.index.devices[a]!.id, fleet.index.devices[b]!.id));
  for (const i of ungrouped) addDevice(walk, out, i, layout.ungrouped, true, states, ids);
  return out;
}

/**
 * The entries of one group's members. Not an inner loop of collectEntries: V8 compiles a hot
 * inner loop on stack replacement and discards that code each time the loop exits, which was
 * once per group (about 100 deoptimizations a plan at 1,000 groups).
 */
function addGroup(walk: EntryWalk, out: CollectedEntries, ctx: GroupContext, states: (SoftwareState | undefined)[], ids: Int32Array): void {
  const members = walk.layout.members[ctx.index]!;
  for (let k = 0; k < members.length; k++) addDevice(walk, out, members[k]!, ctx, false, states, ids);
}

/** Makes a decision's settled entry the device's previous one when that is equal (every device sharing it then keeps its previous DevicePlan). */
function settleAsBefore(d: Decided, previous: PreviousPlans, k: number, i: number, type: SoftwareType, p: number): void {
  const old = previousEntry(previous, k, i, type, p);
  if (old === undefined || old === d.settled) return;
  if (sameEntry(d.settled, old)) {
    d.settled = old;
    d.settledTries = comparisonsPerEntry;
  } else d.settledTries++;
}

/**
 * The entry of an automatic update that is blocked for `why` (autoWork and freeze would make an
 * equal one: blocked, the decision's version, no start), shared by the devices of the decision
 * blocked for the same reason, and the device's previous entry when equal (as settleAsBefore).
 */
function blockedEntry(d: Decided, why: Reason, ctx: GroupContext, st: SoftwareState, type: SoftwareType, previous: PreviousPlans | undefined, k: number, i: number, p: number): PlanEntry {
  if (d.blockedBy !== why || d.blocked === undefined) {
    d.blockedBy = why;
    d.blockedTries = 0;
    d.blocked = planEntry(type, undefined, 'blocked', st.currentVersion, d.decision.version, undefined, ctx.rules[type].rule, why, undefined, undefined, undefined, previous && previousEntry(previous, k, i, type, p));
  } else if (previous && d.blockedTries < comparisonsPerEntry) {
    const old = previousEntry(previous, k, i, type, p);
    if (old !== undefined && old !== d.blocked) {
      if (sameEntry(d.blocked, old)) {
        d.blocked = old;
        d.blockedTries = comparisonsPerEntry;
      } else d.blockedTries++;
    }
  }
  return d.blocked;
}

/**
 * The works of the ScheduledUpdates targeting one device × type. A function of its own: a
 * closure over the type inside addDevice's loop made V8 allocate a context for every
 * iteration (600,000 a plan at 100,000 devices, ~33 MB), closure created or not.
 */
function scheduledWorks(env: WorkEnv, sus: readonly ScheduledCtx[], device: Device, i: number, st: SoftwareState, type: SoftwareType, ctx: GroupContext): Work[] {
  const out: Work[] = [];
  for (const su of sus) {
    const target = su.su.spec.software.find((x) => x.type === type);
    if (!target) continue;
    const w = scheduledWork(env, su, target.version, device, i, st, type, ctx);
    const records = su.records.get(i);
    if (records) records.push(w);
    else su.records.set(i, [w]);
    out.push(w);
  }
  return out;
}

/** The entries of one device (`onlyScheduled`: only the types a ScheduledUpdate targets, for devices in no group). */
function addDevice(walk: EntryWalk, out: CollectedEntries, i: number, ctx: GroupContext, onlyScheduled: boolean, states: (SoftwareState | undefined)[], ids: Int32Array): void {
  const { fleet, env } = walk;
  const index = fleet.index;
  if (!fleet.reportedAt(i, states, ids)) return;
  const sus = walk.targets.size > 0 ? walk.targets.get(i) : undefined;
  const simple = !sus && walk.withOps[i] === 0;
  // A device with operations or ScheduledUpdates (in a group): its types that no ScheduledUpdate
  // targets and the book has no record of are decided as a simple device's (autoWork reads only
  // that record, and chooseMain takes the automatic work alone), except that an update that may
  // go keeps the work path, where its unit and its place among the works stay as they were.
  const withOps = simple || onlyScheduled ? undefined : index.devices[i]!;
  const model = index.modelAt(i);
  const slots: DecisionSlots[] | undefined = onlyScheduled ? undefined : env.decisions.slotsFor(ctx, model);
  const p = ctx.policy;
  // A suspended policy's updates take the work path: needsUpdate words the suspension.
  // Read from the index: most devices never need their Device object (only works do).
  const offline = index.offlineAt(i);
  const light = !offline && p !== undefined && !p.suspension;
  const wave = walk.layout.waveByIdx[i] || undefined;
  let count = 0;
  for (let t = 0; t < 6; t++) if (states[t]) count++;
  if (count === 0) return;
  const runs = walk.runs;
  const flat = runs.entries;
  const off = runs.open(i, ctx, count);
  let slot = 0;
  for (let t = 0; t < 6; t++) {
    const st = states[t];
    if (!st) continue;
    const type = SoftwareTypes[t]!;
    let decided: AutoDecision | undefined; // the automatic decision when known here (autoWork's, not looked up again)
    if (slots && (withOps === undefined || (!targetsType(sus, type) && env.book.lastAt(i, withOps.id, type) === undefined))) {
      // The common case: no operation, no ScheduledUpdate; a settled decision is a shared entry.
      const d = env.decisions.decideIn(slots[t]!, ctx, model, st, ids[t]!);
      decided = d.decision;
      if (d.decision.outcome !== 'update') {
        if (d.settledTries < comparisonsPerEntry && walk.previous) settleAsBefore(d, walk.previous, runs.n, i, type, slot);
        flat[off + slot++] = d.settled;
        continue;
      }
      // (A device with operations or ScheduledUpdates keeps its updates that may go as works: see withOps.)
      if (withOps === undefined && light && !p.stopped.has(type)) {
        addLightUpdate(out.light, d, ctx, t, wave, i, st, off + slot++, walk.gates); // its entry is written once every wave is counted
        continue;
      }
      // An update that waits for the device to come online or for the stopped rollout to resume:
      // needsUpdate's first two answers, before anything a device with no operation and no
      // ScheduledUpdate (for this type) could change. A work would only be frozen into the same
      // entry (nothing counts, times or starts a blocked work), so the entry is made once per
      // decision and reason.
      const stop = offline ? undefined : p?.stopped.get(type);
      if (offline || stop !== undefined) {
        const why = offline ? offlineReason(d.decision.version) : stopReason(p!.key, type, stop!);
        flat[off + slot] = blockedEntry(d, why, ctx, st, type, walk.previous, runs.n, i, slot);
        slot++;
        continue;
      }
    }
    if (addWork(walk, out, sus, i, model, wave, st, type, ctx, onlyScheduled, off + slot, decided)) slot++;
  }
  runs.close(slot); // fewer than count: types left out (scheduled-only devices); none: no DevicePlan
}

/** True when one of the ScheduledUpdates asks for the software type (scheduledWorks makes a work for it). */
function targetsType(sus: readonly ScheduledCtx[] | undefined, type: SoftwareType): boolean {
  if (sus === undefined) return false;
  for (let k = 0; k < sus.length; k++) {
    const software = sus[k]!.su.spec.software;
    for (let j = 0; j < software.length; j++) if (software[j]!.type === type) return true;
  }
  return false;
}

/** The work that decides one device × type's entry, written at `at` (false: none, a scheduled-only device's type no ScheduledUpdate targets). */
function addWork(
  walk: EntryWalk, out: CollectedEntries, sus: readonly ScheduledCtx[] | undefined, i: number, model: string, wave: number | undefined, st: SoftwareState, type: SoftwareType,
  ctx: GroupContext, onlyScheduled: boolean, at: number, decided: AutoDecision | undefined,
): boolean {
  const env = walk.env;
  const device = walk.fleet.index.devices[i]!;
  const suWorks = sus ? scheduledWorks(env, sus, device, i, st, type, ctx) : noWorks;
  if (onlyScheduled && suWorks.length === 0) return false;
  const auto = onlyScheduled ? undefined : autoWork(env, device, i, model, wave, st, type, ctx, decided);
  const main = chooseMain(auto, suWorks, device, type);
  main.isMain = true;
  main.refused = refusalsBeside(main, suWorks);
  out.mains.push(main);
  out.slots.push(at);
  return true;
}
