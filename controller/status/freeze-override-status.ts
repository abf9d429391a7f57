// status.freezeOverride of a ScheduledUpdate: the freezes its spec.freezeOverride passes or
// passed, and why. Break glass must leave a trace that outlives the freeze, so the list is the
// previous status's merged with what this plan passes, never shrinking; the reason and the
// first time are the ones recorded when the first freeze was passed.
import type { ScheduledUpdateStatus } from '../model/manifests.generated.ts';
import type { ScheduledSummary } from '../model/plan.ts';

type Record = NonNullable<ScheduledUpdateStatus['freezeOverride']>;

/** At most this many freezes are listed (the schema's maxItems). */
export const maxFreezesListed = 20;

/** The status.freezeOverride to write: the previous one with this plan's freezes added, or undefined when none was ever passed. */
export function freezeOverrideStatus(summary: ScheduledSummary, previous: ScheduledUpdateStatus | undefined, now: number): Record | undefined {
  const before = previous?.freezeOverride;
  const passing = summary.freezeOverride;
  if (!passing) return before;
  const freezes = [...(before?.freezes ?? [])];
  for (const f of passing.freezes) if (!freezes.includes(f) && freezes.length < maxFreezesListed) freezes.push(f);
  return {
    reason: before?.reason ?? passing.reason,
    // At most maxFreezesListed, as the schema's tuple type of up to 20 says.
    freezes: freezes as Record['freezes'],
    firstTime: before?.firstTime ?? new Date(now).toISOString().replace('.000Z', 'Z'),
  };
}
