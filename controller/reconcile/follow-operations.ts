// Following updateSoftware operations once started: every active ledger entry is brought up to
// date from the fleet, an intent left by a crash (saved, but its POST's answer never recorded)
// takes the operation it created or is dropped once its wait is over, and an operation active
// past its timeout is recorded as failed (TimedOut) so its slot frees while it still blocks its
// device. operations.ts starts operations; ledger-entries.ts holds the rules both share.
import type { DeviceOperation, Fleet } from '../model/fleet.ts';
import { FleetError, isOperationActive } from '../model/fleet.ts';
import type { LedgerEntry } from '../model/state.ts';
import { formatDuration } from '../policy/duration.ts';
import { defaultOperationTimeoutMs } from '../policy/operation-timeout.ts';
import type { Logger } from '../log/logger.ts';
import {
  intentClockSkewMs, intentResolveMs, isLedgerEntryActive, isSoftwareUpdate, timedOutCode, toLedgerState, type LedgerPort,
} from './ledger-entries.ts';
import type { OperationReadings } from './operation-readings.ts';

/**
 * Which of a device's operations a 'starting' entry's POST created, if one can be told. The
 * API's operations do not say which software they update, so the rules are: never one another
 * ledger entry owns; an active softwareUpdate nobody owns (it blocks the device whoever posted
 * it); else the earliest ended softwareUpdate created at or after the intent (minus the clock
 * skew). 'wait' when nothing fits but the POST may still show up; 'drop' once the wait is over.
 */
export function resolveIntent(
  entry: LedgerEntry,
  operations: readonly DeviceOperation[],
  owned: ReadonlySet<string>,
  now: number,
): { readonly kind: 'adopt'; readonly operation: DeviceOperation } | { readonly kind: 'wait' } | { readonly kind: 'drop' } {
  const free = operations.filter((o) => isSoftwareUpdate(o) && !owned.has(o.id));
  const active = free.find((o) => isOperationActive(o.state));
  if (active) return { kind: 'adopt', operation: active };
  const createdAt = (o: DeviceOperation) => (o.createdDateTime === null ? Number.NaN : Date.parse(o.createdDateTime));
  const ended = free
    .filter((o) => createdAt(o) >= entry.requestedAt - intentClockSkewMs)
    .sort((a, b) => createdAt(a) - createdAt(b))[0];
  if (ended) return { kind: 'adopt', operation: ended };
  return now - entry.requestedAt < intentResolveMs ? { kind: 'wait' } : { kind: 'drop' };
}

/**
 * Brings every active ledger entry up to date from the fleet: polls known operations, and
 * resolves 'starting' entries (a crash between saving the intent and the answer) from the
 * device's operation list (see resolveIntent). Returns the ids of devices whose operation ended.
 */
export async function followOperations(deps: {
  fleet: Fleet;
  ledger: LedgerPort;
  now: () => number;
  logger: Logger;
  signal?: AbortSignal;
  /** Receives the operation lists read here, so a start right after need not read them again. */
  readings?: OperationReadings;
}): Promise<string[]> {
  const log = deps.logger.child({ component: 'operations' });
  const listed = await listActiveDevices(deps);
  const ended: string[] = [];
  const updated: LedgerEntry[] = [];
  let changed = false;
  // Operations the ledger already accounts for: an intent never takes one of these (grows as
  // intents adopt, so two intents cannot take the same operation).
  const owned = new Set(deps.ledger.entries().flatMap((e) => (e.operationId === undefined ? [] : [e.operationId])));
  for (const entry of deps.ledger.entries()) {
    if (!isLedgerEntryActive(entry) || deps.signal?.aborted) {
      updated.push(entry);
      continue;
    }
    try {
      let op: DeviceOperation | undefined;
      const listing = listed.get(entry.deviceId);
      if (entry.operationId === undefined) {
        const resolved = resolveIntent(entry, listing ?? (await deps.fleet.listOperations(entry.deviceId, deps.signal)), owned, deps.now());
        if (resolved.kind === 'wait') {
          updated.push(entry);
          continue;
        }
        if (resolved.kind === 'drop') {
          // Nothing the POST could have created showed up in time: it was never received, so
          // drop the intent and let the next plan decide again (a new start reads the device's
          // operations before posting).
          log.info({ deviceId: entry.deviceId, softwareType: entry.softwareType }, 'intent without operation dropped');
          changed = true;
          continue;
        }
        op = resolved.operation;
        owned.add(op.id);
      } else {
        // Found in the device's list when it was read; otherwise (not listed yet, or gone) asked for by id.
        const id = entry.operationId;
        op = listing?.find((o) => o.id === id) ?? (await deps.fleet.getOperation(entry.deviceId, id, deps.signal));
      }
      const state = toLedgerState(op);
      const isEnded = !isOperationActive(op.state) && op.state !== 'unknown';
      const timeoutMs = entry.timeoutMs ?? defaultOperationTimeoutMs;
      const next: LedgerEntry = !isEnded && deps.now() - entry.requestedAt >= timeoutMs
        ? {
          // Stuck (or never reporting an end): count it as failed so its policy's slot frees and
          // people are told. startOperations still finds it active on the device and waits.
          ...entry,
          operationId: op.id,
          state: 'failed',
          endedAt: deps.now(),
          error: { code: timedOutCode, message: `timed out: still ${op.state} ${formatDuration(timeoutMs)} after it was requested (spec.rollout.operationTimeout); nothing else starts on the device until it ends` },
        }
        : {
          ...entry,
          operationId: op.id,
          state,
          endedAt: isEnded ? (op.completedDateTime ? Date.parse(op.completedDateTime) : deps.now()) : undefined,
          error: op.error ?? undefined,
        };
      if (next.state !== entry.state || next.operationId !== entry.operationId) changed = true;
      if (next.endedAt !== undefined) ended.push(entry.deviceId);
      if (next.error?.code === timedOutCode) log.warn({ deviceId: entry.deviceId, operationId: op.id, state: op.state }, 'operation timed out');
      updated.push(next);
    } catch (error) {
      if (error instanceof FleetError && error.status === 404) {
        // The operation is gone (expired from the device's history): the device's version tells the rest.
        updated.push({ ...entry, state: 'unknown', endedAt: deps.now() });
        ended.push(entry.deviceId);
        changed = true;
        continue;
      }
      updated.push(entry);
      log.warn({ deviceId: entry.deviceId, err: (error as Error).message }, 'operation not polled');
    }
  }
  if (changed) await deps.ledger.commit(updated);
  // Only a device whose list showed nothing of ours still active may have it stand in for the read before its next start.
  if (deps.readings) {
    const busy = new Set(updated.filter(isLedgerEntryActive).map((e) => e.deviceId));
    for (const [deviceId, operations] of listed) if (!busy.has(deviceId)) deps.readings.record(deviceId, operations);
  }
  return ended;
}

/**
 * The operation lists of the devices with an active entry, read together (20 per $batch in the
 * Graph adapter) instead of one operation at a time: a request per device as before, without
 * waiting for each answer in turn. Empty when the fleet cannot read many at once; a device whose
 * read failed is left out (its entries are then read one by one).
 */
async function listActiveDevices(deps: { fleet: Fleet; ledger: LedgerPort; signal?: AbortSignal }): Promise<Map<string, readonly DeviceOperation[]>> {
  const out = new Map<string, readonly DeviceOperation[]>();
  const ids = [...new Set(deps.ledger.entries().filter(isLedgerEntryActive).map((e) => e.deviceId))];
  if (ids.length === 0 || !deps.fleet.readOperations || deps.signal?.aborted) return out;
  for (const [id, result] of await deps.fleet.readOperations(ids, deps.signal)) if (!(result instanceof FleetError)) out.set(id, result);
  return out;
}
