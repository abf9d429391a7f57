// What one reconcile hands to its observers (the notifier): the evaluation it decided with, in
// the shapes of the ports. Types only; reconcile/reconcile.ts produces it once per pass.
import type { ManifestEntry } from './desired.ts';
import type { FleetSnapshot } from './fleet.ts';
import type { Plan } from './plan.ts';
import type { StatusUpdate } from './source.ts';
import type { LedgerEntry } from './state.ts';

/** What a reconcile evaluated, for ReconcilerPorts.observe. */
export interface ReconcileObservation {
  readonly now: number;
  readonly plan: Plan | undefined;
  readonly statuses: readonly StatusUpdate[];
  readonly ledger: readonly LedgerEntry[];
  readonly manifests: readonly ManifestEntry[];
  readonly fleet: FleetSnapshot;
  /** False while the fleet view is still being read for the first time. */
  readonly complete: boolean;
}
