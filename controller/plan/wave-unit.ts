// The wave bookkeeping of one group × software type × version and the gate judged of each of
// its waves: the types wave-gates.ts, rollout-views.ts, timing.ts and the walk share. A leaf, so
// those files need not import each other for a type (one-way imports, issue 14). Types only.
import type { SoftwareType } from '../model/fleet.ts';
import type { Reason } from '../model/plan.ts';

/** Whether a wave of a unit may go: wait for earlier waves, or open from `bakeUntil` (if any). */
export type Gate =
  | { readonly open: false; readonly reason: Reason }
  | { readonly open: true; readonly bakeUntil: number | undefined; readonly reason: Reason | undefined };

/** Wave bookkeeping of one group × software type × version. Arrays are indexed by wave (from 1). */
export interface UnitStats {
  readonly groupIndex: number;
  readonly type: SoftwareType;
  readonly version: string;
  /** Devices per wave still to update (waiting, starting or in flight). */
  readonly unfinished: number[];
  /** Latest end of an operation per wave. */
  readonly lastEnd: (number | undefined)[];
  /** Earliest start of an operation per wave. */
  readonly firstStart: (number | undefined)[];
  bakeUntil: number | undefined;
  gatedWave: number | undefined;
  /** Light updates that wait (they share one entry per wave), counted by the reason they wait for: by its position in ReasonCodes. */
  readonly lightWaits: number[];
  /** The gates judged of its waves, by wave (wave-gates.ts). */
  readonly gates: (Gate | undefined)[];
}
