// Light updates: automatic updates of devices with no operation and no ScheduledUpdate, most
// of a fleet. They are kept as positions in parallel arrays rather than an object each, and
// counted per wave while the devices are walked; once every wave is counted each (decision,
// group, wave) is settled once, and its devices share one entry unless they may start now,
// in which case each becomes a work like any other. Decisions of other models that settle alike
// in a unit and wave (same installed version, eligibility and reason) share the settlement.
// Entries are written to their positions in the walk's flat array of entries (device-plans.ts).
// What a decision's light updates share in a group is kept on the decision (work.ts
// LightShare), not in an object per decision and group. Internal to controller/plan; pure.
import type { SoftwareState, SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import { ReasonCodes, type PlanEntry, type Reason, type ReasonCode } from '../model/plan.ts';
import type { DeviceIndex } from '../policy/device-index.ts';
import type { Decided } from './decisions.ts';
import { previousEntry, type DeviceRuns, type PreviousPlans } from './device-plans.ts';
import { autoWork, type WorkEnv } from './entry-works.ts';
import type { GroupContext } from './group-context.ts';
import type { HeldLight } from './held-light.ts';
import { HeldShare } from './held-share.ts';
import type { UnitStats } from './wave-unit.ts';
import { settleLight, type WindowMemo } from './timing.ts';
import { noteNext } from './time-works.ts';
import type { WaveGates } from './wave-gates.ts';
import type { Work } from './work.ts';

/**
 * The light updates of a plan, by position k < n in parallel arrays (the entry is written when
 * settled). The arrays may be longer than n: a controller keeps them from one plan to the next
 * (PlanMemo) and overwrites them, so a repeated plan neither grows nor promotes new ones.
 */
export interface LightUpdates {
  n: number;
  readonly decided: (Decided | undefined)[];
  /** The software type's index in SoftwareTypes. */
  readonly type: number[];
  readonly device: number[];
  readonly state: (SoftwareState | undefined)[];
  /** The position of its entry in the walk's flat array (DeviceRuns.entries). */
  readonly at: number[];
  /** The groups in walk order and the position k of each one's first light update (a group's are consecutive). */
  readonly groups: GroupContext[];
  readonly groupStart: number[];
  /** The settlements of the group being settled (see settle), overwritten from group to group. */
  readonly settled: Settlements;
}

/**
 * What settling light updates of one group gave, by position j < n in parallel arrays: for a
 * unit, wave, installed version and a decision's eligibility and reason (all settleLight reads
 * of a light update and its decision besides the group), the shared waiting entry or the start,
 * and the entry's reason code's position in ReasonCodes (0 for a start). Decisions of other
 * models mostly settle alike: ~24,000 settlements serve ~124,000 (decision, group, wave) at
 * 100,000 devices x 1,000 groups.
 */
interface Settlements {
  n: number;
  readonly unit: (UnitStats | undefined)[];
  readonly wave: number[];
  readonly currentVersion: (string | null)[];
  readonly eligibleAt: (number | undefined)[];
  readonly reason: (Reason | undefined)[];
  readonly result: (PlanEntry | number | HeldShare | undefined)[];
  readonly code: number[];
}

/** No light updates yet. */
export function noLightUpdates(): LightUpdates {
  return {
    n: 0, decided: [], type: [], device: [], state: [], at: [], groups: [], groupStart: [],
    settled: { n: 0, unit: [], wave: [], currentVersion: [], eligibleAt: [], reason: [], result: [], code: [] },
  };
}

/** Empties them for the next plan, dropping what they point to. */
export function clearLightUpdates(l: LightUpdates): void {
  l.decided.fill(undefined, 0, l.n);
  l.state.fill(undefined, 0, l.n);
  l.n = 0;
  l.groups.length = 0;
  l.groupStart.length = 0;
  const s = l.settled;
  s.unit.fill(undefined);
  s.reason.fill(undefined);
  s.result.fill(undefined);
  s.n = 0;
}

/**
 * Adds a light update of the device at position `i` (decision `d`, group `ctx`, type index `t`)
 * and counts it for its wave unit. The walk visits a group's devices together and never returns
 * to a group, so the decision keeps the unit of the group being walked (created on the first).
 */
export function addLightUpdate(
  l: LightUpdates, d: Decided, ctx: GroupContext, t: number, wave: number | undefined, i: number, st: SoftwareState, at: number, gates: WaveGates,
): void {
  if (d.walkCtx !== ctx) {
    d.walkCtx = ctx;
    d.walkUnit = gates.unit(ctx, SoftwareTypes[t]!, d.decision.version!);
  }
  if (wave !== undefined) {
    const unfinished = d.walkUnit!.unfinished;
    unfinished[wave] = (unfinished[wave] ?? 0) + 1;
  }
  const k = l.n++;
  if (l.groups[l.groups.length - 1] !== ctx) {
    l.groups.push(ctx);
    l.groupStart.push(k);
  }
  // Written at k: appends while k is the length (first plans), overwrites after.
  l.decided[k] = d;
  l.type[k] = t;
  l.device[k] = i;
  l.state[k] = st;
  l.at[k] = at;
}

/** The works of the light updates that may start now, with their entries' positions. */
export interface SettledLight {
  readonly works: Work[];
  readonly slots: number[];
}

/**
 * Settles every light update: a shared entry written at its position in `entries` while it waits, or a work
 * when it may start now. Each (decision, group, wave) takes a settlement once (settle: shared in
 * the unit by decisions that settle alike), whose first making notes its start in `next`. Groups
 * are settled in walk order, so a decision again holds only its current group: its unit (the
 * walk's, looked up again) and per wave the entry, or the start as a number.
 */
export function settleLightUpdates(
  light: LightUpdates, gates: WaveGates, windowMemo: WindowMemo, index: DeviceIndex, waveByIdx: Int32Array, env: WorkEnv, next: Map<number, number>, entries: (PlanEntry | undefined)[],
  previous: PreviousPlans | undefined, runs: DeviceRuns, hold?: HeldLight,
): SettledLight {
  const now = env.now;
  const works: Work[] = [];
  const slots: number[] = [];
  const n = light.n;
  let g = -1;
  let ctx: GroupContext | undefined;
  let groupEnd = 0;
  let held = false; // the group's policy is at its limit: its updates that may start now are held (held-light.ts)
  for (let k = 0; k < n; k++) {
    if (k === groupEnd) {
      g++;
      ctx = light.groups[g]!;
      groupEnd = g + 1 < light.groups.length ? light.groupStart[g + 1]! : n;
      light.settled.n = 0;
      held = hold !== undefined && hold.holds(ctx);
    }
    const d = light.decided[k]!;
    const st = light.state[k]!;
    if (d.settleCtx !== ctx) {
      // The first light update of this decision in this group, as in the walk: its type and unit are the group's.
      const first = SoftwareTypes[light.type[k]!]!;
      d.settleCtx = ctx;
      d.settleType = first;
      d.settleUnit = gates.unit(ctx!, first, d.decision.version!);
      const size = ctx!.waveCount + 1;
      if (d.byWave === undefined || d.byWave.length < size) d.byWave = new Array(size).fill(undefined);
      else for (let w = 0; w < d.byWave.length; w++) d.byWave[w] = undefined; // a few waves: no builtin call per (decision, group)
      if (d.byWaveCode === undefined || d.byWaveCode.length < size) d.byWaveCode = new Array<number>(size).fill(0);
    }
    const type = d.settleType!;
    const byWave = d.byWave!;
    const wave = waveByIdx[light.device[k]!]!;
    let r = byWave[wave];
    if (r === undefined) {
      const j = settle(light.settled, d, ctx!, st, type, wave, gates, windowMemo, now, next, previous, runs, light.device[k]!, light.at[k]!);
      r = light.settled.result[j]!;
      if (held && typeof r === 'number') {
        // Held at the limit: one share for the settlement (other decisions that settle alike find it).
        const i = light.device[k]!;
        r = light.settled.result[j] = hold!.share(ctx!, type, d.decision.version!, st.currentVersion, r, runs.kOf[i]!, i, light.at[k]! - runs.offOf[i]!);
      }
      byWave[wave] = r;
      d.byWaveCode![wave] = light.settled.code[j]!;
    }
    let start: number;
    if (typeof r === 'number') start = r;
    else if (held && r instanceof HeldShare) {
      // Its entry is written once selectStarts has counted the policy's starts; a device in use takes the work path.
      if (hold!.place(r, light.device[k]!, light.at[k]!)) continue;
      start = r.start;
    } else {
      entries[light.at[k]!] = r as PlanEntry; // (a HeldShare only in a held group)
      // Tallied for the unit's lightWaits as it goes: a count per reason code, by its position.
      d.settleUnit!.lightWaits[d.byWaveCode![wave]!]!++;
      continue;
    }
    const i = light.device[k]!;
    const w = autoWork(env, index.devices[i]!, i, index.modelAt(i), waveByIdx[i] || undefined, st, type, ctx!, d.decision);
    w.earliest = start;
    w.isMain = true;
    works.push(w);
    slots.push(light.at[k]!);
  }
  return { works, slots };
}

/**
 * The settlement of a decision's light updates of one wave in the group being settled: the
 * group's for the same unit, wave, installed version, eligibility and reason (another model's
 * decision), else settleLight's, added; returns its position in `s`. `i` and `at`: the first
 * light update's device and entry position, whose previous entry, when equal, is the one made.
 */
function settle(
  s: Settlements, d: Decided, ctx: GroupContext, st: SoftwareState, type: SoftwareType, wave: number, gates: WaveGates, windowMemo: WindowMemo, now: number,
  next: Map<number, number>, previous: PreviousPlans | undefined, runs: DeviceRuns, i: number, at: number,
): number {
  const unit = d.settleUnit!;
  const decision = d.decision;
  const eligibleAt = decision.eligibleAt;
  const reason = decision.reason;
  const currentVersion = st.currentVersion;
  for (let j = 0; j < s.n; j++) {
    if (s.unit[j] === unit && s.wave[j] === wave && s.currentVersion[j] === currentVersion && s.eligibleAt[j] === eligibleAt && s.reason[j] === reason) return j;
  }
  // The previous plan's entry of this device, when equal, is this unit's (planEntry's `like`).
  const like = previous && previousEntry(previous, runs.kOf[i]!, i, type, at - runs.offOf[i]!);
  const result = settleLight(decision, ctx, st, type, wave, gates, windowMemo, now, unit, like);
  let code = 0;
  if (typeof result !== 'number') {
    noteNext(next, ctx, result.earliestStart, now);
    code = reasonIndex(result.reason.code);
  }
  // Written at j: appends while j is the length (first plans), overwrites after.
  const j = s.n++;
  s.unit[j] = unit;
  s.wave[j] = wave;
  s.currentVersion[j] = currentVersion;
  s.eligibleAt[j] = eligibleAt;
  s.reason[j] = reason;
  s.result[j] = result;
  s.code[j] = code;
  return j;
}

const reasonPositions = new Map<ReasonCode, number>(ReasonCodes.map((c, i) => [c, i]));

/** A reason code's position in ReasonCodes (UnitStats.lightWaits' index). */
function reasonIndex(code: ReasonCode): number {
  return reasonPositions.get(code)!;
}
