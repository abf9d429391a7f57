// One reconcile, as a short list of steps with a single exit that writes status:
//   load desired → parse and validate → observe the fleet → follow operations → evaluate
//   (the pure engine: plan + status) → start operations → write status → save state.
// Everything it touches comes in through ports; it imports no adapter.
import type { DeviceOperation, Fleet, FleetSnapshot } from '../model/fleet.ts';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { ControllerState, LedgerEntry, StateStore } from '../model/state.ts';
import type { Plan } from '../model/plan.ts';
import type { Snapshot, StatusUpdate, StatusWriter, WrittenFile } from '../model/source.ts';
import type { FleetView } from './fleet-view.ts';
import type { StartOutcome, StartRequest } from './operations.ts';
import { followOperations, isLedgerEntryActive, pruneLedger, startOperations } from './operations.ts';
import type { ReconcileOutcome } from './outcome.ts';
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
    const now = () => ports.clock.now();
    state ??= await ports.stateStore.load();

    const snapshot = await ports.sync(info.signal);
    const desired = ports.parse(snapshot, now());
    const calendar = readCalendar(snapshot, log);

    await ports.fleetView.refreshStep(info.signal);
    const ended = await followOperations({ fleet: ports.fleet, ledger: ledgerPort, now, logger: scope, signal: info.signal });
    if (ended.length > 0) {
      ports.fleetView.markStale(ended);
      // Read the devices whose operation ended before planning, so their new version is seen.
      await ports.fleetView.refreshStep(info.signal);
    }

    // Rooms in use and booked rooms: the starts' devices are read again and the plan made again
    // first. One instant for the reads and the plans that use them: on a fast clock (the demo)
    // the time a read takes would otherwise make every reading stale before it is used.
    const planNow = now();
    rooms.prune(planNow);
    const first = await settleRooms(() => ports.engine({ desired, fleet: ports.fleetView.snapshot(), state: state!, now: planNow, outcomes: [], calendar, rooms: rooms.observations() }), rooms, () => planNow, info.signal);
    state = first.state;
    let outcomes: StartOutcome[] = [];
    if (!ports.isStopping() && first.starts.length > 0) {
      outcomes = await startOperations(first.starts, { fleet: ports.fleet, ledger: ledgerPort, now, logger: scope, signal: info.signal });
    }
    // Evaluate again so status counts what was just started and what was refused.
    const final = ports.engine({ desired, fleet: ports.fleetView.snapshot(), state, now: now(), outcomes, calendar, rooms: rooms.observations() });
    state = { ...final.state, ledger: pruneLedger(state.ledger, now(), undefined, final.keepLedgerOf, final.keepLedgerEntries) };
    ports.observe?.({ now: now(), plan: final.plan, statuses: final.statuses, ledger: state.ledger, manifests: desired.manifests, fleet: ports.fleetView.snapshot(), complete: ports.fleetView.complete });
    await ports.stateStore.save(state);

    // After a rejected push the writer hands back the new revision's files: re-evaluate on them,
    // once per revision (the statuses and the files it writes come from the same evaluation).
    let again: { revision: string; output: EngineOutput } | undefined;
    const evaluate = (next: Snapshot): EngineOutput => {
      if (next.revision === snapshot.revision) return final;
      if (again?.revision !== next.revision) {
        again = { revision: next.revision, output: ports.engine({ desired: ports.parse(next, now()), fleet: ports.fleetView.snapshot(), state: state!, now: now(), outcomes, calendar: readCalendar(next, log), rooms: rooms.observations() }) };
      }
      return again.output;
    };
    const write = await ports.statusWriter.writeStatus(
      {
        revision: snapshot.revision,
        summary: final.summary,
        statuses: (next: Snapshot) => evaluate(next).statuses,
        ...(final.files ? { files: (next: Snapshot) => evaluate(next).files?.() ?? [] } : {}),
        // Release dates, stopped rollouts and evidence for versions, so losing the state file loses none.
        calendar: { releases: state.releases, rollouts: state.rollouts as RememberedCalendar['rollouts'], ...(state.health?.evidence.length ? { evidence: state.health.evidence } : {}) },
      },
      info.signal,
    );
    if (write.skipped.length > 0) log.warn({ skipped: write.skipped }, 'some statuses were not written');

    const errors = outcomes.filter((o) => o.result === 'error');
    // Come back when something becomes possible, when operations in flight are due a poll, or
    // soon while the fleet view is still being filled.
    const wakeTimes = [
      final.nextActionTime,
      state.ledger.some(isLedgerEntryActive) ? now() + (ports.pollIntervalMs ?? 30_000) : undefined,
      ports.fleetView.complete ? undefined : now(),
    ].filter((t): t is number => t !== undefined);
    const outcome: ReconcileOutcome =
      errors.length > 0 && errors.every((e) => e.result === 'error' && e.retryable)
        ? { kind: 'error', message: `${errors.length} update(s) could not be started` }
        : wakeTimes.length > 0
          ? { kind: 'waiting', until: Math.min(...wakeTimes) }
          : { kind: 'success' };
    ports.onResult?.({
      revision: snapshot.revision,
      outcome,
      outcomes,
      statuses: final.statuses,
      ledger: state.ledger,
      statusWritten: write.written,
      plan: final.plan,
    });
    log.info(
      { revision: snapshot.revision, started: outcomes.filter((o) => o.result === 'started' || o.result === 'adopted').length, statusWritten: write.written },
      'reconciled',
    );
    return outcome;
  };
}
