// Light updates: automatic updates of devices with no operation and no ScheduledUpdate, most
// of a fleet. They are kept as positions in parallel arrays rather than an object each, and
// counted per wave while the devices are walked; once every wave is counted each (decision,
// group, wave) is settled once, and its devices share one entry unless they may start now,
// in which case each becomes a work like any other. Internal to controller/plan; pure.
import type { SoftwareState, SoftwareType } from '../model/fleet.ts';
import type { PlanEntry } from '../model/plan.ts';
import type { DeviceIndex } from '../policy/device-index.ts';
import type { Decided } from './decisions.ts';
import { autoWork, type WorkEnv } from './entry-works.ts';
import type { GroupContext } from './group-context.ts';
import { settleLight, type WindowMemo } from './timing.ts';
import { noteNext } from './time-works.ts';
import type { WaveGates } from './wave-gates.ts';
import type { EntrySlot, LightMemo, Work } from './work.ts';

/** The light updates of a plan, by position k in parallel arrays (the entry slot is filled when settled). */
export interface LightUpdates {
  readonly memos: LightMemo[];
  readonly device: number[];
  readonly state: SoftwareState[];
  readonly list: PlanEntry[][];
  readonly slot: number[];
}

/** No light updates yet. */
export function noLightUpdates(): LightUpdates {
  return { memos: [], device: [], state: [], list: [], slot: [] };
}

/**
 * What the light updates of one decision in one group share (created on the first, with its wave
 * unit). The walk visits a group's devices together and never returns to a group, so the
 * decision keeps only its memo for the group being walked: no map per decision (100,000 memos
 * at 100k devices), and byWave sized for the group's waves once rather than grown.
 */
export function lightMemo(d: Decided, ctx: GroupContext, type: SoftwareType, gates: WaveGates): LightMemo {
  let memo = d.memo;
  if (memo === undefined || memo.ctx !== ctx) {
    d.memo = memo = { decision: d.decision, ctx, type, unit: gates.unit(ctx, type, d.decision.version!), byWave: new Array(ctx.waveCount + 1).fill(undefined) };
  }
  return memo;
}

/** The works of the light updates that may start now, with their entry slots. */
export interface SettledLight {
  readonly works: Work[];
  readonly slots: EntrySlot[];
}

/**
 * Settles every light update: a shared entry written into its slot while it waits, or a work
 * when it may start now. The first settlement of each (memo, wave) notes its start in `next`.
 */
export function settleLightUpdates(
  light: LightUpdates, gates: WaveGates, windowMemo: WindowMemo, index: DeviceIndex, waveByIdx: Int32Array, env: WorkEnv, next: Map<number, number>,
): SettledLight {
  const now = env.now;
  const works: Work[] = [];
  const slots: EntrySlot[] = [];
  for (let k = 0; k < light.memos.length; k++) {
    const memo = light.memos[k]!;
    const { ctx, type } = memo;
    const st = light.state[k]!;
    const wave = waveByIdx[light.device[k]!]!;
    let r = memo.byWave[wave];
    if (!r) {
      r = memo.byWave[wave] = settleLight(memo.decision, ctx, st, type, wave, gates, windowMemo, now);
      if (r.entry) noteNext(next, ctx, r.entry.earliestStart, now);
    }
    if (r.entry) {
      light.list[k]![light.slot[k]!] = r.entry;
      // Tallied for the unit's lightWaits as it goes (a count per reason code: no map over the entries).
      const code = r.entry.reason.code;
      const waits = memo.unit.lightWaits;
      waits.set(code, (waits.get(code) ?? 0) + 1);
      continue;
    }
    const i = light.device[k]!;
    const w = autoWork(env, index.devices[i]!, i, index.modelAt(i), waveByIdx[i] || undefined, st, type, ctx);
    w.earliest = r.start;
    w.isMain = true;
    works.push(w);
    slots.push({ list: light.list[k]!, slot: light.slot[k]! });
  }
  return { works, slots };
}
