// The pure engine's port: what one evaluation takes (desired × observed × now, plus this pass's
// starts and failures) and what it gives back (the starts, every manifest's status, the state to
// keep). reconcile/engine.ts implements it; the reconcile, `plan`, `why` and `demo` call it.
// Also the start requests it hands out and their outcomes, which it reads back. Types only.
import type { ManifestEntry, ParsedDesired } from './desired.ts';
import type { DeviceOperation, FleetSnapshot, HealthAspect, SoftwareType } from './fleet.ts';
import type { Plan } from './plan.ts';
import type { RoomObservations } from './rooms.ts';
import type { OmittedFile, StatusUpdate, WrittenFile } from './source.ts';
import type { ControllerState, RememberedCalendar } from './state.ts';

/** A step of a reconcile that failed, as its conditions show it. */
export interface StepFailure {
  /** CamelCase, the condition's reason (SourceUnavailable, AuthenticationFailed, FleetUnavailable…). */
  readonly reason: string;
  /** What failed and what happens meanwhile, for people. */
  readonly message: string;
  /** True when retrying may fix it; false when only a person can. */
  readonly retryable: boolean;
}

/** One update the engine allows to start now (reconcile/operations.ts starts it). */
export interface StartRequest {
  readonly deviceId: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  /** The manifest whose rule asks for it (namespace/Kind/name). */
  readonly owner: string;
  /** A ScheduledUpdate's spec digest, kept in the ledger (LedgerEntry.ownerSpecDigest). */
  readonly ownerSpecDigest?: string;
  readonly currentVersion: string | null;
  /** How long the operation may stay active before it counts as failed (TimedOut). Default: 4h. */
  readonly timeoutMs?: number;
  /** Health aspects fine now, kept in the ledger for the update's health soak (LedgerEntry.healthBefore). */
  readonly healthBefore?: readonly HealthAspect[];
  /** The device's wave (LedgerEntry.wave). */
  readonly wave?: number;
}

/** What became of one StartRequest. */
export type StartOutcome =
  | { readonly request: StartRequest; readonly result: 'started' | 'adopted'; readonly operationId: string }
  | { readonly request: StartRequest; readonly result: 'busy'; readonly reason: string }
  | { readonly request: StartRequest; readonly result: 'refused'; readonly reason: string; readonly message: string }
  | { readonly request: StartRequest; readonly result: 'error'; readonly retryable: boolean; readonly message: string };

/** One evaluation's input: the desired state (manifests of type M, findings of type F), the fleet, memory and the moment. */
export interface EngineInput<M extends ManifestEntry = ManifestEntry, F = unknown> {
  readonly desired: ParsedDesired<M, F>;
  readonly fleet: FleetSnapshot;
  readonly state: ControllerState;
  readonly now: number;
  /** Results of this reconcile's starts (refusals, errors), to be reported in status. */
  readonly outcomes: readonly StartOutcome[];
  /** The release calendar kept beside the manifests (a Git or folder source's .firmwarden/releases.json), when there is one. */
  readonly calendar?: RememberedCalendar | undefined;
  /** Devices' activity and rooms' calendars read before starting (reconcile/room-book.ts). */
  readonly rooms?: RoomObservations | undefined;
  /**
   * Updates read as active on the devices themselves (plan and why read them before showing a
   * start). The controller leaves this out: it adopts such an update into its ledger instead.
   */
  readonly operations?: readonly DeviceOperation[] | undefined;
  /** Steps of this reconcile that failed (a source down): every status's conditions show them. */
  readonly failures?: readonly StepFailure[] | undefined;
  /** Manifest files the source left out (too large, a link outside it): the fleet report lists them. */
  readonly omitted?: readonly OmittedFile[] | undefined;
}

/** One evaluation's result. */
export interface EngineOutput {
  /** Operations that may start now, in order. */
  readonly starts: readonly StartRequest[];
  /** The status of every manifest (valid or not), located by file and document. */
  readonly statuses: readonly StatusUpdate[];
  /** State with new release sightings and rollout bookkeeping. */
  readonly state: ControllerState;
  /** The earliest moment something becomes possible (a window opens, a wave has baked). */
  readonly nextActionTime: number | undefined;
  /** One line for the status commit. */
  readonly summary: string;
  /** The plan the statuses were computed from (the notifier reads it). */
  readonly plan?: Plan;
  /** Other files to write with the statuses (the fleet report), rendered only when called. */
  readonly files?: () => readonly WrittenFile[];
  /**
   * Owners (namespace/Kind/name) whose ended operations outlive the ledger's 14 days: each
   * ScheduledUpdate whose status read back does not hold its completion yet (pruneLedger).
   */
  readonly keepLedgerOf?: ReadonlySet<string>;
  /**
   * Single UpdatePolicy entries (reconcile/ledger-entries.ts ledgerEntryKey) the plan still reads
   * past 14 days: a failure it must not retry, a bake not over, a rollout's failure counts (pruneLedger).
   */
  readonly keepLedgerEntries?: ReadonlySet<string>;
}

/** The pure policy engine, as one function. */
export type Engine<M extends ManifestEntry = ManifestEntry, F = unknown> = (input: EngineInput<M, F>) => EngineOutput;
