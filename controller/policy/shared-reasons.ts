// Reasons shared from one plan to the next. A repeated plan compares every entry it makes with
// the previous plan's (controller/plan/device-plans.ts sameEntry, work.ts planEntry); a reason
// made afresh on each plan is equal to the previous one but another object, so each comparison
// reads both messages and walks both objects' keys. The reasons many entries carry (a
// decision's, a wave gate's, a window's, a stopped rollout's, an offline device's) are made
// here instead: an equal { code, message } made before is returned, and the comparison is `===`.
// Only plain { code, message } objects are made and kept, so one standing for another never
// changes a plan. Bounded: two generations, the older dropped when the newer fills (identity
// is a shortcut, never meaning). Pure: a cache of values, no clock.
import type { Reason, ReasonCode } from '../model/plan.ts';

/** Reasons kept per generation before the older one is dropped (a 100,000-device plan makes a few thousand). */
const generationSize = 16_384;

let current = new Map<ReasonCode, Map<string, Reason>>();
let older = new Map<ReasonCode, Map<string, Reason>>();
let count = 0;

/** `{ code, message }`: the object made for an equal pair before, while it is remembered, else a new one. */
export function sharedReason(code: ReasonCode, message: string): Reason {
  let byMessage = current.get(code);
  let known = byMessage?.get(message);
  if (known !== undefined) return known;
  known = older.get(code)?.get(message) ?? { code, message };
  if (count >= generationSize) {
    older = current;
    current = new Map();
    count = 0;
    byMessage = undefined;
  }
  if (byMessage === undefined) current.set(code, (byMessage = new Map()));
  byMessage.set(message, known);
  count++;
  return known;
}
