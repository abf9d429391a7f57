// Starting updateSoftware operations, with the controller's ledger as memory.
// Safety rules enforced here, whatever the plan says:
//  - at most one update in flight per device: the API's operations carry no software type, so
//    any active softwareUpdate on a device blocks another one;
//  - the intent is saved BEFORE the POST, and a device's operation list is read before any
//    POST (a list read seconds before, while following its last update, counts once:
//    operation-readings.ts), so a restart at any moment neither forgets nor duplicates an operation;
//  - an intent left by a crash takes only an operation no other ledger entry owns and that is
//    not older than itself, and holds its device until one shows up or its wait is over;
//  - never a downgrade: the version must be provably newer than what the device runs;
//  - an operation active longer than its timeout is recorded as failed (TimedOut) so its slot
//    frees, but it still blocks its device: a start finds it on the device and waits.
// follow-operations.ts follows what was started; ledger-entries.ts holds the ledger's rules.
import type { Fleet } from '../model/fleet.ts';
import type { StartOutcome, StartRequest } from '../model/engine.ts';
import { FleetError, isOperationActive } from '../model/fleet.ts';
import type { LedgerEntry } from '../model/state.ts';
import { compareVersions } from '../policy/version.ts';
import type { Logger } from '../log/logger.ts';
import { isLedgerEntryActive, isSoftwareUpdate, toLedgerState, type LedgerPort } from './ledger-entries.ts';
import type { OperationReadings } from './operation-readings.ts';

/** Refuses what is not provably an upgrade. Returns a refusal or undefined. */
export function checkUpgrade(current: string | null, target: string): { reason: string; message: string } | undefined {
  if (current === null) return undefined;
  const order = compareVersions(target, current);
  if (order === undefined) {
    return { reason: 'NotComparable', message: `cannot tell whether ${target} is newer than ${current}; firmwarden only installs versions it can prove are upgrades` };
  }
  if (order <= 0) {
    return { reason: order === 0 ? 'AlreadyInstalled' : 'Downgrade', message: order === 0 ? `the device already runs ${current}` : `${target} is older than the installed ${current}; reverting needs a factory reset, so firmwarden never downgrades` };
  }
  return undefined;
}

/**
 * Starts each request in order, one at a time. Each start: skip when the ledger knows an active
 * operation on the device; read the device's operations (adopt an active softwareUpdate instead
 * of posting, or wait when the ledger already has it); save the intent; POST; save the result
 * (or drop the intent when the service refused the POST).
 */
export async function startOperations(
  requests: readonly StartRequest[],
  deps: {
    fleet: Fleet; ledger: LedgerPort; now: () => number; logger: Logger; signal?: AbortSignal;
    /** The gate of sharding: false once this replica may not start anything (its shard lease is not held). Default: always open. */
    mayStart?: () => boolean;
    /** Operation lists just read while following operations: a fresh one stands in for the device's read, once. */
    readings?: OperationReadings;
  },
): Promise<StartOutcome[]> {
  const outcomes: StartOutcome[] = [];
  const log = deps.logger.child({ component: 'operations' });
  const gateOpen = () => deps.mayStart?.() ?? true;
  // Devices read a moment ago go first, while their reading is fresh; the rest keep the plan's order.
  const readings = deps.readings;
  const ordered = readings ? [...requests.filter((r) => readings.has(r.deviceId)), ...requests.filter((r) => !readings.has(r.deviceId))] : requests;
  for (const request of ordered) {
    if (deps.signal?.aborted || !gateOpen()) break;
    const busy = deps.ledger.entries().find((e) => e.deviceId === request.deviceId && isLedgerEntryActive(e));
    if (busy) {
      outcomes.push({ request, result: 'busy', reason: `an update of ${busy.softwareType} to ${busy.version} is already in flight` });
      continue;
    }
    const refusal = checkUpgrade(request.currentVersion, request.version);
    if (refusal) {
      outcomes.push({ request, result: 'refused', ...refusal });
      continue;
    }
    let intent: LedgerEntry | undefined;
    try {
      const existing = (deps.readings?.take(request.deviceId) ?? (await deps.fleet.listOperations(request.deviceId, deps.signal))).find(
        (op) => isSoftwareUpdate(op) && isOperationActive(op.state),
      );
      const owner = existing && deps.ledger.entries().find((e) => e.operationId === existing.id);
      if (existing && owner) {
        // An operation the ledger already has (one that timed out) is still active: wait for it
        // to end. Adopting it would credit this request with another update's outcome.
        outcomes.push({ request, result: 'busy', reason: `the update of ${owner.softwareType} to ${owner.version} (operation ${existing.id}) is still ${existing.state} on the device` });
        continue;
      }
      if (existing) {
        // Someone (a person in the admin center, or this controller before a restart) already
        // queued an update: follow it instead of posting a second one.
        await deps.ledger.commit([
          ...deps.ledger.entries(),
          entryFor(request, existing.id, toLedgerState(existing), deps.now()),
        ]);
        outcomes.push({ request, result: 'adopted', operationId: existing.id });
        log.info({ deviceId: request.deviceId, operationId: existing.id }, 'active operation adopted');
        continue;
      }
      // The gate again right before the intent and the POST: the reads above took time, and
      // another replica may own this tenant by now (its lease taken over after ours lapsed).
      if (!gateOpen()) break;
      intent = entryFor(request, undefined, 'starting', deps.now());
      await deps.ledger.commit([...deps.ledger.entries(), intent]);
      if (!gateOpen()) {
        const unposted = intent;
        await deps.ledger.commit(deps.ledger.entries().filter((e) => e !== unposted)).catch(() => undefined);
        break;
      }
      const started = await deps.fleet.startUpdate(
        { deviceId: request.deviceId, softwareType: request.softwareType, version: request.version },
        deps.signal,
      );
      await deps.ledger.commit(
        deps.ledger.entries().map((e) => (e === intent ? entryFor(request, started.operation.id, toLedgerState(started.operation), intent.requestedAt) : e)),
      );
      outcomes.push({ request, result: started.outcome, operationId: started.operation.id });
      log.info(
        { deviceId: request.deviceId, softwareType: request.softwareType, version: request.version, operationId: started.operation.id, outcome: started.outcome },
        'update started',
      );
    } catch (error) {
      const retryable = error instanceof FleetError ? error.retryable : true;
      const message = error instanceof Error ? error.message : String(error);
      outcomes.push({ request, result: 'error', retryable, message });
      log.warn({ deviceId: request.deviceId, softwareType: request.softwareType, err: message, retryable }, 'update not started');
      if (intent && wasRefused(error)) {
        // The service answered and created nothing: the intent goes at once. Any other failure
        // leaves it 'starting' (the POST may have been received) for followOperations to resolve.
        const posted = intent;
        await deps.ledger.commit(deps.ledger.entries().filter((e) => e !== posted)).catch((saveError: unknown) => {
          // Not saved: the intent stays and is dropped once its wait is over.
          log.warn({ deviceId: request.deviceId, err: (saveError as Error).message }, 'refused intent not removed');
        });
      }
      if (error instanceof FleetError && error.status === 429) break; // the fleet is throttling: stop for this round
    }
  }
  return outcomes;
}

/** True when the service answered a POST with a refusal, so it created no operation. */
function wasRefused(error: unknown): boolean {
  if (!(error instanceof FleetError) || error.status === undefined || error.code === 'outcomeUnknown') return false;
  // 408 and 429 may come from a gateway after the request went through: not a refusal.
  return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}

function entryFor(request: StartRequest, operationId: string | undefined, state: LedgerEntry['state'], at: number): LedgerEntry {
  return {
    deviceId: request.deviceId,
    softwareType: request.softwareType,
    version: request.version,
    operationId,
    owner: request.owner,
    requestedAt: at,
    state,
    endedAt: undefined,
    error: undefined,
    fromVersion: request.currentVersion,
    ...(request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs }),
    ...(request.ownerSpecDigest === undefined ? {} : { ownerSpecDigest: request.ownerSpecDigest }),
    ...(request.healthBefore === undefined ? {} : { healthBefore: request.healthBefore }),
    ...(request.wave === undefined ? {} : { wave: request.wave }),
  };
}
