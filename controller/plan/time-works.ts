// When the works may start: every update still to do is counted per wave unit (group × type ×
// version) together with the policy's last operations, then each work passes the evidence and
// wave gates (bake and soak times) and is placed in a maintenance window outside holidays and
// freezes. Internal to controller/plan; pure.
import type { GroupContext } from './group-context.ts';
import type { OperationBook } from './operation-book.ts';
import { applyGate, applyWindow, type WindowMemo } from './timing.ts';
import type { WaveGates } from './wave-gates.ts';
import type { ScheduledCtx, Work } from './work.ts';

/** Counts, per wave unit, the works still to finish and the policy's last operations (before any gate is judged). */
export function countWaves(mains: readonly Work[], gates: WaveGates, book: OperationBook): void {
  // Indexed loops over the works here: a for-of allocates an iterator result per work in Maglev-only code (plan's --no-opt).
  for (let k = 0; k < mains.length; k++) {
    const w = mains[k]!;
    if (w.wave === undefined || w.ctx.index < 0) continue;
    if (w.source === 'auto' && w.version !== undefined && (w.needs || w.status === 'inProgress')) gates.countUnfinished(w.ctx, w.type, w.version, w.wave);
    const last = book.lastAt(w.deviceIdx, w.device.id, w.type);
    if (last && last.owner !== undefined && last.owner === w.ctx.policy?.owner) gates.countOperation(w.ctx, w.type, w.wave, last);
  }
}

/**
 * Gates and places the works (counted first by countWaves); returns the memo of window
 * placements, which the light updates share.
 */
export function timeWorks(mains: readonly Work[], scheduled: readonly ScheduledCtx[], gates: WaveGates, now: number): WindowMemo {
  for (let k = 0; k < mains.length; k++) applyGate(mains[k]!, gates);
  const memo: WindowMemo = new Map();
  for (let k = 0; k < mains.length; k++) if (mains[k]!.needs) applyWindow(mains[k]!, now, memo);
  // Scheduled records that are not their entry's main work still need their own start time.
  for (const s of scheduled) for (const works of s.records.values()) for (const w of works) if (!w.isMain && w.needs) applyWindow(w, now, memo);
  return memo;
}

/** Notes a group's next start (the earliest after `now`) in `next`, by group index. */
export function noteNext(next: Map<number, number>, ctx: GroupContext, t: number | undefined, now: number): void {
  if (t === undefined || t <= now) return;
  const cur = next.get(ctx.index);
  if (cur === undefined || t < cur) next.set(ctx.index, t);
}
