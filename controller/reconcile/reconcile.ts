// One reconcile, as a short list of steps with a single exit that writes status:
//   sync desired (or keep the last good revision) → parse → load state → observe the fleet and
//   follow operations → evaluate (the pure engine: plan + status) → start → evaluate again →
//   save state → write status.
// A step that fails does not end the pass: its error becomes a failure (outcome.ts, the one
// place), the statuses written at the exit carry it on their conditions, and it decides the
// outcome. Without state or a fleet reading nothing starts and only the conditions change.
// Everything it touches comes in through ports; it imports no adapter.
import type { DeviceOperation, Fleet, FleetSnapshot } from '../model/fleet.ts';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { ControllerState, LedgerEntry, StateStore } from '../model/state.ts';
import type { Plan } from '../model/plan.ts';
import type { Snapshot, StatusUpdate, StatusWriter, WrittenFile } from '../model/source.ts';
import { SourceError } from '../model/source.ts';
import type { FleetView } from './fleet-view.ts';
import type { StartOutcome, StartRequest } from './operations.ts';
import { startOperations } from './operations.ts';
import { followOperations } from './follow-operations.ts';
import { isLedgerEntryActive, pruneLedger } from './ledger-entries.ts';
import { failureOf, passOutcome, type PassFailure, type ReconcileOutcome, type Step } from './outcome.ts';
import { failureOnlyStatuses } from './failure-statuses.ts';
import type { StepFailure } from '../status/failure-conditions.ts';
import { calendarFilePath, parseCalendarFile } from '../state/calendar-file.ts';
import type { RememberedCalendar } from '../model/state.ts';
import type { RoomObservations } from '../model/rooms.ts';
import { RoomBook, settleRooms } from './room-book.ts';
import type { ManifestEntry, ParsedDesired } from '../model/desired.ts';
import type { ReconcileObservation } from '../model/reconcile.ts';

export interface EngineInput<M extends ManifestEntry = ManifestEntry, F = unknown> {
  readonly desired: ParsedDesired<M, F>;
  readonly fleet: FleetSnapshot;
  readonly state: ControllerState;
  readonly now: number;
  /** Results of this reconcile's starts (refusals, errors), to be reported in status. */
  readonly outcomes: readonly StartOutcome[];
  /** The release calendar kept beside the manifests (a Git or folder source's .firmwarden/releases.json), when there is one. */
  readonly calendar?: RememberedCalendar | undefined;
  /** Devices' activity and rooms' calendars read before starting (room-book.ts). */
  readonly rooms?: RoomObservations | undefined;
  /**
   * Updates read as active on the devices themselves (plan and why read them before showing a
   * start). The controller leaves this out: it adopts such an update into its ledger instead.
   */
  readonly operations?: readonly DeviceOperation[] | undefined;
  /** Steps of this reconcile that failed (a source down): every status's conditions show them. */
  readonly failures?: readonly StepFailure[] | undefined;
}

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
   * Single UpdatePolicy entries (operations.ts ledgerEntryKey) the plan still reads past 14 days:
   * a failure it must not retry, a bake not over, a rollout's failure counts (pruneLedger).
   */
  readonly keepLedgerEntries?: ReadonlySet<string>;
}

/** The pure policy engine, as one function. */
export type Engine<M extends ManifestEntry = ManifestEntry, F = unknown> = (input: EngineInput<M, F>) => EngineOutput;

export interface ReconcilerPorts<M extends ManifestEntry = ManifestEntry, F = unknown> {
  readonly sync: (signal: AbortSignal) => Promise<Snapshot>;
  readonly parse: (snapshot: Snapshot, now: number) => ParsedDesired<M, F>;
  readonly fleet: Fleet;
  readonly fleetView: FleetView;
  readonly stateStore: StateStore;
  readonly engine: Engine<M, F>;
  readonly statusWriter: StatusWriter;
  readonly clock: Clock;
  readonly logger: Logger;
  /** True once shutdown began: nothing new starts, status is still written. */
  readonly isStopping: () => boolean;
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

/** The snapshot's release calendar file, read; a file that does not read is logged and counts as none. */
function readCalendar(snapshot: Snapshot, log: Logger): RememberedCalendar | undefined {
  if (snapshot.calendarText === undefined) return undefined;
  const read = parseCalendarFile(snapshot.calendarText);
  if (!read.ok) {
    log.warn({ problem: read.problem }, 'release calendar file not read');
    return undefined;
  }
  if (read.skipped > 0) log.warn({ skipped: read.skipped, file: calendarFilePath }, 'release calendar records not read');
  return read.calendar;
}

/** Builds the reconcile function the loop runs. State is loaded once and kept in memory. */
export function createReconciler<M extends ManifestEntry, F>(ports: ReconcilerPorts<M, F>) {
  let state: ControllerState | undefined;
  const rooms = new RoomBook(ports.fleet, ports.logger);
  const ledgerPort = {
    entries: () => state!.ledger,
    commit: async (entries: readonly LedgerEntry[]) => {
      state = { ...state!, ledger: entries };
      await ports.stateStore.save(state);
    },
  };

  return async function reconcile(info: { reconcileId: number; signal: AbortSignal }): Promise<ReconcileOutcome> {
    // The operations log under their own component, with this reconcile's id: a child logger
    // cannot replace its parent's `component` (pino writes both), so they get the id alone.
    const scope = ports.logger.child({ reconcileId: info.reconcileId });
    const log = scope.child({ component: 'reconcile' });
    // The clock is read once: the evaluation that decides the starts, the operations' records,
    // the reads of rooms and the statuses written all see the same moment (on the demo's fast
    // clock a read that takes a second would otherwise make every reading stale before use).
    const now = ports.clock.now();
    const at = () => now;
    const failures: PassFailure[] = [];
    // Every step that can fail goes through here: its error becomes a failure (outcome.ts), the
    // pass goes on with what it has, and the statuses written at the one exit below show it.
    const attempt = async <T>(step: Step, work: () => Promise<T>, instead: (error: unknown) => T | undefined = () => undefined): Promise<T | undefined> => {
      try {
        return await work();
      } catch (error) {
        failures.push(failureOf(step, error));
        log.warn({ step, err: error }, 'reconcile step failed');
        return instead(error);
      }
    };

    // 1. Desired state: this revision, or the last good one while the source fails.
    const snapshot = await attempt('sync', () => ports.sync(info.signal), (error) => (error instanceof SourceError ? error.lastSnapshot : undefined));
    if (snapshot === undefined) return finish(undefined, [], undefined, false);
    const desired = ports.parse(snapshot, now);
    const calendar = readCalendar(snapshot, log);

    // 2. Memory and the fleet. Without either nothing is started this time.
    state ??= await attempt('state', () => ports.stateStore.load());
    const observed = state !== undefined && (await attempt('fleet', observeFleet)) === true;
    const canStart = observed && !ports.isStopping();
    if (!observed) {
      // Nothing can be evaluated: the statuses read back, with the failure on their conditions.
      const statuses = failureOnlyStatuses(desired.manifests, failures, now);
      const write = await attempt('status', () => ports.statusWriter.writeStatus({ revision: snapshot.revision, summary: failures[0]!.message, statuses }, info.signal));
      return finish(snapshot, [], { statuses }, write?.written ?? false);
    }
    let current: ControllerState = state!;

    /** Refreshes the fleet view and follows the operations in flight; true when both worked. */
    async function observeFleet(): Promise<true> {
      await ports.fleetView.refreshStep(info.signal);
      const ended = await followOperations({ fleet: ports.fleet, ledger: ledgerPort, now: at, logger: scope, signal: info.signal });
      if (ended.length > 0) {
        ports.fleetView.markStale(ended);
        // Read the devices whose operation ended before planning, so their new version is seen.
        await ports.fleetView.refreshStep(info.signal);
      }
      return true;
    }

    // 3. Evaluate (the pure engine) and start what may start, then evaluate again so status
    // counts what was just started and what was refused.
    const evaluate = (outcomes: readonly StartOutcome[], from: Snapshot = snapshot, parsed = desired) =>
      ports.engine({ desired: parsed, fleet: ports.fleetView.snapshot(), state: current, now, outcomes, calendar: from === snapshot ? calendar : readCalendar(from, log), rooms: rooms.observations(), failures });
    rooms.prune(now);
    const first = await settleRooms(() => evaluate([]), rooms, at, info.signal);
    state = current = first.state;
    let outcomes: StartOutcome[] = [];
    if (canStart && first.starts.length > 0) {
      outcomes = (await attempt('start', () => startOperations(first.starts, { fleet: ports.fleet, ledger: ledgerPort, now: at, logger: scope, signal: info.signal }))) ?? [];
      current = state;
    }
    const final = evaluate(outcomes);
    state = current = { ...final.state, ledger: pruneLedger(current.ledger, now, undefined, final.keepLedgerOf, final.keepLedgerEntries) };
    ports.observe?.({ now, plan: final.plan, statuses: final.statuses, ledger: current.ledger, manifests: desired.manifests, fleet: ports.fleetView.snapshot(), complete: ports.fleetView.complete });
    await attempt('save', () => ports.stateStore.save(current));

    // 4. The one exit: write status. After a rejected push the writer hands back the new
    // revision's files: evaluate on them, once per revision (statuses and files alike).
    let again: { revision: string; output: EngineOutput } | undefined;
    const on = (next: Snapshot): EngineOutput => {
      if (next.revision === snapshot.revision) return final;
      if (again?.revision !== next.revision) again = { revision: next.revision, output: evaluate(outcomes, next, ports.parse(next, now)) };
      return again.output;
    };
    const write = await attempt('status', () => ports.statusWriter.writeStatus(
      {
        revision: snapshot.revision,
        summary: final.summary,
        statuses: (next: Snapshot) => on(next).statuses,
        ...(final.files ? { files: (next: Snapshot) => on(next).files?.() ?? [] } : {}),
        // Release dates, stopped rollouts and evidence for versions, so losing the state file loses none.
        calendar: { releases: current.releases, rollouts: current.rollouts as RememberedCalendar['rollouts'], ...(current.health?.evidence.length ? { evidence: current.health.evidence } : {}) },
      },
      info.signal,
    ));
    if (write && write.skipped.length > 0) log.warn({ skipped: write.skipped }, 'some statuses were not written');
    return finish(snapshot, outcomes, final, write?.written ?? false);

    /** The outcome from the failures, the starts and the wake times; tells the observers. */
    function finish(from: Snapshot | undefined, started: readonly StartOutcome[], evaluated: { readonly statuses: readonly StatusUpdate[]; readonly nextActionTime?: number | undefined; readonly plan?: Plan | undefined } | undefined, statusWritten: boolean): ReconcileOutcome {
      const ledger = state?.ledger ?? [];
      // Come back when something becomes possible, when operations in flight are due a poll, or
      // soon while the fleet view is still being filled.
      const wakeTimes = [
        evaluated?.nextActionTime,
        ledger.some(isLedgerEntryActive) ? now + (ports.pollIntervalMs ?? 30_000) : undefined,
        ports.fleetView.complete ? undefined : now,
      ].filter((t): t is number => t !== undefined);
      const errors = started.flatMap((o) => (o.result === 'error' ? [o] : []));
      const outcome = passOutcome(failures, errors, wakeTimes);
      if (from === undefined) return outcome;
      ports.onResult?.({ revision: from.revision, outcome, outcomes: started, statuses: evaluated?.statuses ?? [], ledger, statusWritten, plan: evaluated?.plan, failures });
      log.info({ revision: from.revision, started: started.filter((o) => o.result === 'started' || o.result === 'adopted').length, statusWritten, failed: failures.map((f) => f.step) }, 'reconciled');
      return outcome;
    }
  };
}
