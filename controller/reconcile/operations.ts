// Starting and following updateSoftware operations, with the controller's ledger as memory.
// Safety rules enforced here, whatever the plan says:
//  - at most one update in flight per device: the API's operations carry no software type, so
//    any active softwareUpdate on a device blocks another one;
//  - the intent is saved BEFORE the POST, and a device's operation list is read before any
//    POST, so a restart at any moment neither forgets nor duplicates an operation;
//  - an intent left by a crash takes only an operation no other ledger entry owns and that is
//    not older than itself, and holds its device until one shows up or its wait is over;
//  - never a downgrade: the version must be provably newer than what the device runs;
//  - an operation active longer than its timeout is recorded as failed (TimedOut) so its slot
//    frees, but it still blocks its device: a start finds it on the device and waits.
import type { DeviceOperation, Fleet, HealthAspect, SoftwareType } from '../model/fleet.ts';
import { FleetError, isOperationActive } from '../model/fleet.ts';
import type { LedgerEntry } from '../model/state.ts';
import { compareVersions } from '../policy/version.ts';
import { formatDuration } from '../policy/duration.ts';
import { defaultOperationTimeoutMs } from '../policy/operation-timeout.ts';
import type { Logger } from '../log/logger.ts';

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

export type StartOutcome =
  | { readonly request: StartRequest; readonly result: 'started' | 'adopted'; readonly operationId: string }
  | { readonly request: StartRequest; readonly result: 'busy'; readonly reason: string }
  | { readonly request: StartRequest; readonly result: 'refused'; readonly reason: string; readonly message: string }
  | { readonly request: StartRequest; readonly result: 'error'; readonly retryable: boolean; readonly message: string };

export interface LedgerPort {
  /** The ledger as it is now. */
  entries(): readonly LedgerEntry[];
  /** Replaces the ledger and saves it durably before resolving. */
  commit(entries: readonly LedgerEntry[]): Promise<void>;
}

const activeStates = new Set<LedgerEntry['state']>(['starting', 'queued', 'scheduled', 'inProgress']);

/**
 * How far the service's clock (an operation's createdDateTime) may be behind ours (an intent's
 * requestedAt). An ended operation created earlier than the intent minus this cannot be the
 * one the intent posted. Do not widen it "to be safe": a wider margin is what let an intent
 * adopt the update that had just finished before it (another software type's).
 */
export const intentClockSkewMs = 5_000;

/**
 * How long an intent with no operation to show for it stays in doubt (counted from requestedAt)
 * before it is taken as never posted. Until then the device counts as busy, so an operation the
 * service accepted but does not list yet is never doubled by a second POST. Beyond the longest a
 * crashed POST can have been in flight; its only cost is that retry waits this long.
 */
export const intentResolveMs = 15 * 60_000;

/** The error code of an operation that stayed active longer than its timeout. */
export const timedOutCode = 'TimedOut';

/** True while a ledger entry may still change its device (an unknown status counts until it has ended). */
export function isLedgerEntryActive(entry: LedgerEntry): boolean {
  return activeStates.has(entry.state) || (entry.state === 'unknown' && entry.endedAt === undefined);
}

/**
 * Drops ended entries older than `keepMs` (default 14 days), keeping the ledger bounded, except
 * those of `keepOwners` (EngineOutput.keepLedgerOf): a ScheduledUpdate not complete in its status
 * yet has no other record of the updates it must not start again (it never retries).
 */
export function pruneLedger(
  entries: readonly LedgerEntry[], now: number, keepMs = 14 * 86_400_000, keepOwners: ReadonlySet<string> = new Set(), keepEntries: ReadonlySet<string> = new Set(),
): LedgerEntry[] {
  // keepEntries (EngineOutput.keepLedgerEntries): the UpdatePolicy entries the plan still reads
  // (a failure not to retry, a bake not over, a rollout's failure counts), bounded by the engine.
  return entries.filter((e) => isLedgerEntryActive(e) || (e.endedAt ?? now) > now - keepMs || keepOwners.has(e.owner) || keepEntries.has(ledgerEntryKey(e)));
}

/** Names one ledger entry (device, software type, version, owner, when it was asked for) for EngineOutput.keepLedgerEntries. */
export function ledgerEntryKey(e: Pick<LedgerEntry, 'deviceId' | 'softwareType' | 'version' | 'owner' | 'requestedAt'>): string {
  return `${e.owner}|${e.deviceId}|${e.softwareType}|${e.version}|${e.requestedAt}`;
}

function toLedgerState(op: DeviceOperation): LedgerEntry['state'] {
  return op.state;
}

function isSoftwareUpdate(op: DeviceOperation): boolean {
  return op.operationType.toLowerCase() === 'softwareupdate';
}

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
  deps: { fleet: Fleet; ledger: LedgerPort; now: () => number; logger: Logger; signal?: AbortSignal },
): Promise<StartOutcome[]> {
  const outcomes: StartOutcome[] = [];
  const log = deps.logger.child({ component: 'operations' });
  for (const request of requests) {
    if (deps.signal?.aborted) break;
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
      const existing = (await deps.fleet.listOperations(request.deviceId, deps.signal)).find(
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
      intent = entryFor(request, undefined, 'starting', deps.now());
      await deps.ledger.commit([...deps.ledger.entries(), intent]);
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
}): Promise<string[]> {
  const log = deps.logger.child({ component: 'operations' });
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
      if (entry.operationId === undefined) {
        const resolved = resolveIntent(entry, await deps.fleet.listOperations(entry.deviceId, deps.signal), owned, deps.now());
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
        op = await deps.fleet.getOperation(entry.deviceId, entry.operationId, deps.signal);
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
  return ended;
}
