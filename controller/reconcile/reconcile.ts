// One reconcile, as a short list of steps with a single exit that writes status:
//   sync desired (or keep the last good revision) → parse → load state → observe the fleet and
//   follow operations → evaluate (the pure engine: plan + status) → start → evaluate again →
//   save state → write status.
// A step that fails does not end the pass: its error becomes a failure (outcome.ts, the one
// place), the statuses written at the exit carry it on their conditions, and it decides the
// outcome. Without state or a fleet reading nothing starts and only the conditions change.
// Everything it touches comes in through ports; it imports no adapter.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from '../log/logger.ts';
import type { ControllerState, LedgerEntry } from '../model/state.ts';
import type { Plan } from '../model/plan.ts';
import type { Snapshot, StatusUpdate } from '../model/source.ts';
import { SourceError } from '../model/source.ts';
import { startOperations } from './operations.ts';
import { followOperations } from './follow-operations.ts';
import { OperationReadings } from './operation-readings.ts';
import { isLedgerEntryActive, pruneLedger } from './ledger-entries.ts';
import { failureOf, passOutcome } from './outcome.ts';
import { failureOnlyStatuses } from './failure-statuses.ts';
import { calendarFilePath, parseCalendarFile } from '../state/calendar-file.ts';
import type { RememberedCalendar } from '../model/state.ts';
import { RoomBook, settleRooms } from './room-book.ts';
import type { ManifestEntry } from '../model/desired.ts';
import type { EngineOutput, StartOutcome } from '../model/engine.ts';
import type { PassFailure, ReconcileOutcome, ReconcilerPorts, Step } from '../model/reconcile.ts';

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
    // Devices whose operation ended, seen while observing; their operation lists, read then, serve
    // the read before a next start on them in this pass (operation-readings.ts).
    let ended: string[] = [];
    const readings = new OperationReadings();
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
      ended = await followOperations({ fleet: ports.fleet, ledger: ledgerPort, now: at, logger: scope, signal: info.signal, readings });
      return true;
    }

    // 3. Evaluate (the pure engine) and start what may start, then evaluate again (when anything
    // changed) so status counts what was just started and what was refused.
    const evaluate = (outcomes: readonly StartOutcome[], from: Snapshot = snapshot, parsed = desired) =>
      ports.engine({ desired: parsed, fleet: ports.fleetView.snapshot(), state: current, now, outcomes, calendar: from === snapshot ? calendar : readCalendar(from, log), rooms: rooms.observations(), failures, omitted: from.omitted });
    rooms.prune(now);
    const before = current;
    let first: EngineOutput | undefined = await settleRooms(() => evaluate([]), rooms, at, info.signal);
    const firstStarts = first.starts;
    state = current = first.state;
    let outcomes: StartOutcome[] = [];
    if (canStart && firstStarts.length > 0) {
      // Let go of the first output before starting: its plan (several MB at 10k devices) would
      // stay reachable through the starts and the second evaluation (issue 17).
      first = undefined;
      outcomes = (await attempt('start', () => startOperations(firstStarts, { fleet: ports.fleet, ledger: ledgerPort, now: at, logger: scope, signal: info.signal, readings, ...(ports.mayStart ? { mayStart: ports.mayStart } : {}) }))) ?? [];
      current = state;
    }
    // Re-read the devices whose operation ended, after the starts so none waits for these reads,
    // and before the statuses, so their new version is seen. One that has just started its next
    // update is read when that one ends (issue 17: one read per device, not one per update).
    const busyAgain = new Set(outcomes.filter((o) => o.result === 'started' || o.result === 'adopted').map((o) => o.request.deviceId));
    const reread = ended.filter((id) => !busyAgain.has(id));
    // The second evaluation exists to see what the first could not: the starts' outcomes, devices
    // read again, and the memory the first recorded (a release first seen, a rollout's progress).
    // Without any of these its input is the first's, and the engine is pure: it would return the
    // same output, so the first stands (at 10k devices a pass then allocates ~45 MB and spends
    // ~140 ms of CPU less; issue 17). Otherwise the first is let go before the reads.
    if (outcomes.length > 0 || reread.length > 0 || !isDeepStrictEqual(before, current)) first = undefined;
    if (reread.length > 0) {
      ports.fleetView.markStale(reread);
      await attempt('fleet', () => ports.fleetView.refreshStep(info.signal));
    }
    const final = first ?? evaluate(outcomes);
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
