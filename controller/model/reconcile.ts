// One reconcile's ports and what it hands back: the adapters it is built from (ReconcilerPorts),
// what its observers see (the notifier: ReconcileObservation; metrics and the demo screen:
// ReconcileResult) and the outcome the loop schedules the next pass by. Types only;
// reconcile/reconcile.ts is the one reconcile, reconcile/outcome.ts turns errors into failures.
// The logger is pino's type (a type import: nothing of pino runs here).
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { ManifestEntry, ParsedDesired } from './desired.ts';
import type { Engine, StartOutcome, StepFailure } from './engine.ts';
import type { Fleet, FleetSnapshot } from './fleet.ts';
import type { Plan } from './plan.ts';
import type { Snapshot, StatusUpdate, StatusWriter } from './source.ts';
import type { LedgerEntry, StateStore } from './state.ts';

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

/** The steps of a reconcile that can fail. */
export type Step = 'sync' | 'state' | 'fleet' | 'start' | 'save' | 'status';

/** A failed step: what its conditions show, and which step it was. */
export interface PassFailure extends StepFailure {
  readonly step: Step;
}

/** What a reconcile ended with; the loop picks the next pass's time from it. */
export type ReconcileOutcome =
  /** Everything done for now: come back after the interval. */
  | { readonly kind: 'success' }
  /** Waiting for a time (a window opens, a wave has baked, a schedule is due). */
  | { readonly kind: 'waiting'; readonly until: number }
  /** Cannot progress until the input changes. */
  | { readonly kind: 'terminal'; readonly reason: string; readonly message: string }
  /** Anything else: back off. */
  | { readonly kind: 'error'; readonly message: string };

/** The fleet as the reconcile reads it, a little each pass (reconcile/fleet-view.ts FleetView). */
export interface FleetViewPort {
  /** Reads the devices due a read (those marked stale first). */
  refreshStep(signal?: AbortSignal): Promise<unknown>;
  /** Marks devices to read at the next step (their operation ended). */
  markStale(deviceIds: Iterable<string>): void;
  /** The fleet as read so far. */
  snapshot(): FleetSnapshot;
  /** False while the fleet is still being read for the first time. */
  readonly complete: boolean;
}

/** Everything one reconcile touches, as ports; the wiring (run/, cli/demo) passes adapters in. */
export interface ReconcilerPorts<M extends ManifestEntry = ManifestEntry, F = unknown> {
  readonly sync: (signal: AbortSignal) => Promise<Snapshot>;
  readonly parse: (snapshot: Snapshot, now: number) => ParsedDesired<M, F>;
  readonly fleet: Fleet;
  readonly fleetView: FleetViewPort;
  readonly stateStore: StateStore;
  readonly engine: Engine<M, F>;
  readonly statusWriter: StatusWriter;
  readonly clock: Clock;
  readonly logger: Logger;
  /** True once shutdown began: nothing new starts, status is still written. */
  readonly isStopping: () => boolean;
  /** Checked right before each update is posted: false stops starting (sharding: the tenant's shard is no longer held). Default: always true. */
  readonly mayStart?: () => boolean;
  /** How often operations in flight are polled (clock ms). Default: 30 s. */
  readonly pollIntervalMs?: number;
  /** Called after each reconcile with what happened (metrics, the demo screen). */
  readonly onResult?: (result: ReconcileResult) => void;
  /**
   * Called once per reconcile with the final evaluation, before the state is saved, so what it
   * records in the state is saved with it (the notifier). Must not block: no I/O.
   */
  readonly observe?: (observation: ReconcileObservation) => void;
}

/** What one reconcile did, for ReconcilerPorts.onResult. */
export interface ReconcileResult {
  readonly revision: string | undefined;
  readonly outcome: ReconcileOutcome;
  readonly outcomes: readonly StartOutcome[];
  readonly statuses: readonly StatusUpdate[];
  readonly ledger: readonly LedgerEntry[];
  readonly statusWritten: boolean;
  /** The plan the statuses were computed from, when the engine gives one (the metrics read it). */
  readonly plan?: Plan | undefined;
  /** Steps that failed (the statuses' conditions show those that came before the status write). */
  readonly failures?: readonly PassFailure[];
}
