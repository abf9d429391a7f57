// Light updates: automatic updates of devices with no operation and no ScheduledUpdate, most
// of a fleet. They are kept as positions in parallel arrays rather than an object each, and
// counted per wave while the devices are walked; once every wave is counted each (decision,
// group, wave) is settled once, and its devices share one entry unless they may start now,
// in which case each becomes a work like any other. What a decision's light updates share in
// a group is kept on the decision (work.ts LightShare), not in an object per decision and
// group. Internal to controller/plan; pure.
import type { SoftwareState } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { PlanEntry } from '../model/plan.ts';
import type { DeviceIndex } from '../policy/device-index.ts';
import type { Decided } from './decisions.ts';
import { autoWork, type WorkEnv } from './entry-works.ts';
import type { GroupContext } from './group-context.ts';
import { settleLight, type WindowMemo } from './timing.ts';
import { noteNext } from './time-works.ts';
import type { WaveGates } from './wave-gates.ts';
import type { EntrySlot, Work } from './work.ts';

/** The light updates of a plan, by position k in parallel arrays (the entry slot is filled when settled). */
export interface LightUpdates {
  readonly decided: Decided[];
  /** The software type's index in SoftwareTypes. */
  readonly type: number[];
  readonly device: number[];
  readonly state: SoftwareState[];
  readonly list: PlanEntry[][];
  readonly slot: number[];
  /** The groups in walk order and the position k of each one's first light update (a group's are consecutive). */
  readonly groups: GroupContext[];
  readonly groupStart: number[];
}

/** No light updates yet. */
export function noLightUpdates(): LightUpdates {
  return { decided: [], type: [], device: [], state: [], list: [], slot: [], groups: [], groupStart: [] };
}

/**
 * Adds a light update of the device at position `i` (decision `d`, group `ctx`, type index `t`)
 * and counts it for its wave unit. The walk visits a group's devices together and never returns
 * to a group, so the decision keeps the unit of the group being walked (created on the first).
 */
export function addLightUpdate(
  l: LightUpdates, d: Decided, ctx: GroupContext, t: number, wave: number | undefined, i: number, st: SoftwareState, list: PlanEntry[], slot: number, gates: WaveGates,
): void {
  if (d.walkCtx !== ctx) {
    d.walkCtx = ctx;
    d.walkUnit = gates.unit(ctx, SoftwareTypes[t]!, d.decision.version!);
  }
  if (wave !== undefined) {
    const unfinished = d.walkUnit!.unfinished;
    unfinished[wave] = (unfinished[wave] ?? 0) + 1;
  }
  if (l.groups[l.groups.length - 1] !== ctx) {
    l.groups.push(ctx);
    l.groupStart.push(l.decided.length);
  }
  l.decided.push(d);
  l.type.push(t);
  l.device.push(i);
  l.state.push(st);
  l.list.push(list);
  l.slot.push(slot);
}

/** The works of the light updates that may start now, with their entry slots. */
export interface SettledLight {
  readonly works: Work[];
  readonly slots: EntrySlot[];
}

/**
 * Settles every light update: a shared entry written into its slot while it waits, or a work
 * when it may start now. The first settlement of each (decision, group, wave) notes its start in
 * `next`. Groups are settled in walk order, so a decision again holds only its current group:
 * its unit (the walk's, looked up again) and per wave the entry, or the start as a number.
 */
export function settleLightUpdates(
  light: LightUpdates, gates: WaveGates, windowMemo: WindowMemo, index: DeviceIndex, waveByIdx: Int32Array, env: WorkEnv, next: Map<number, number>,
): SettledLight {
  const now = env.now;
  const works: Work[] = [];
  const slots: EntrySlot[] = [];
  const n = light.decided.length;
  let g = -1;
  let ctx: GroupContext | undefined;
  let groupEnd = 0;
  for (let k = 0; k < n; k++) {
    if (k === groupEnd) {
      g++;
      ctx = light.groups[g]!;
      groupEnd = g + 1 < light.groups.length ? light.groupStart[g + 1]! : n;
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
      else d.byWave.fill(undefined);
    }
    const type = d.settleType!;
    const byWave = d.byWave!;
    const wave = waveByIdx[light.device[k]!]!;
    let r = byWave[wave];
    if (r === undefined) {
      r = byWave[wave] = settleLight(d.decision, ctx!, st, type, wave, gates, windowMemo, now);
      if (typeof r !== 'number') noteNext(next, ctx!, r.earliestStart, now);
    }
    if (typeof r !== 'number') {
      light.list[k]![light.slot[k]!] = r;
      // Tallied for the unit's lightWaits as it goes (a count per reason code).
      const waits = d.settleUnit!.lightWaits;
      const code = r.reason.code;
      waits.set(code, (waits.get(code) ?? 0) + 1);
      continue;
    }
    const i = light.device[k]!;
    const w = autoWork(env, index.devices[i]!, i, index.modelAt(i), waveByIdx[i] || undefined, st, type, ctx!);
    w.earliest = r;
    w.isMain = true;
    works.push(w);
    slots.push({ list: light.list[k]!, slot: light.slot[k]! });
  }
  return { works, slots };
}
