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
import type { DeviceOperation, Fleet, UpdateRequest, UpdateStarted } from '../model/fleet.ts';
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

/** How many starts share one read of their operations, one intent save, one POST $batch and one result save. */
export const startChunkSize = 20;

type StartDeps = {
  fleet: Fleet; ledger: LedgerPort; now: () => number; logger: Logger; signal?: AbortSignal;
  /** The gate of sharding: false once this replica may not start anything (its shard lease is not held). Default: always open. */
  mayStart?: () => boolean;
  /** Operation lists just read while following operations: a fresh one stands in for the device's read, once. */
  readings?: OperationReadings;
  /** Starts per chunk (default startChunkSize); 1 starts devices one at a time. */
  chunkSize?: number;
};

/**
 * Starts the requests in chunks of up to startChunkSize (issue 17: one start at a time left the
 * API's rate unused while the state file was written). Per chunk: skip devices the ledger knows
 * busy; read the devices' operations together (adopt an active softwareUpdate instead of
 * posting, or wait when the ledger already has it); save ALL the chunk's intents in one write;
 * POST them together; save all results in one write (dropping intents the service refused).
 * The gate is checked before each chunk, before its intents and right before its POSTs.
 */
export async function startOperations(requests: readonly StartRequest[], deps: StartDeps): Promise<StartOutcome[]> {
  const outcomes: StartOutcome[] = [];
  const log = deps.logger.child({ component: 'operations' });
  // Devices read a moment ago go first, while their reading is fresh; the rest keep the plan's order.
  const readings = deps.readings;
  const ordered = readings ? [...requests.filter((r) => readings.has(r.deviceId)), ...requests.filter((r) => !readings.has(r.deviceId))] : requests;
  const size = Math.max(1, Math.floor(deps.chunkSize ?? startChunkSize));
  for (let from = 0; from < ordered.length; from += size) {
    if (deps.signal?.aborted || !gateOpen(deps)) break;
    if (await startChunk(ordered.slice(from, from + size), deps, log, outcomes)) break;
  }
  return outcomes;
}

function gateOpen(deps: StartDeps): boolean {
  return deps.mayStart?.() ?? true;
}

/** One chunk of startOperations; true when no later chunk may start (gate closed, throttled, state not saved). */
async function startChunk(chunk: readonly StartRequest[], deps: StartDeps, log: Logger, outcomes: StartOutcome[]): Promise<boolean> {
  const candidates: StartRequest[] = [];
  const claimed = new Set<string>();
  for (const request of chunk) {
    const busy = deps.ledger.entries().find((e) => e.deviceId === request.deviceId && isLedgerEntryActive(e));
    if (busy) {
      outcomes.push({ request, result: 'busy', reason: `an update of ${busy.softwareType} to ${busy.version} is already in flight` });
      continue;
    }
    if (claimed.has(request.deviceId)) {
      // One update per device at a time: the first of this chunk for the device goes, this one waits.
      outcomes.push({ request, result: 'busy', reason: 'another update of this device starts now' });
      continue;
    }
    const refusal = checkUpgrade(request.currentVersion, request.version);
    if (refusal) {
      outcomes.push({ request, result: 'refused', ...refusal });
      continue;
    }
    claimed.add(request.deviceId);
    candidates.push(request);
  }
  if (candidates.length === 0) return false;
  let throttled = false;
  const failed = (request: StartRequest, error: unknown): void => {
    const retryable = error instanceof FleetError ? error.retryable : true;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof FleetError && error.status === 429) throttled = true; // the fleet is throttling: stop for this round
    outcomes.push({ request, result: 'error', retryable, message });
    log.warn({ deviceId: request.deviceId, softwareType: request.softwareType, err: message, retryable }, 'update not started');
  };

  const lists = await readOperationsOf(candidates.map((r) => r.deviceId), deps);
  const adopted: { request: StartRequest; entry: LedgerEntry }[] = [];
  const toPost: StartRequest[] = [];
  for (const request of candidates) {
    const list = lists.get(request.deviceId);
    if (!Array.isArray(list)) {
      failed(request, list ?? new FleetError(`operations of ${request.deviceId} not read`, { retryable: true }));
      continue;
    }
    const existing = list.find((op) => isSoftwareUpdate(op) && isOperationActive(op.state));
    const owner = existing && deps.ledger.entries().find((e) => e.operationId === existing.id);
    if (existing && owner) {
      // An operation the ledger already has (one that timed out) is still active: wait for it
      // to end. Adopting it would credit this request with another update's outcome.
      outcomes.push({ request, result: 'busy', reason: `the update of ${owner.softwareType} to ${owner.version} (operation ${existing.id}) is still ${existing.state} on the device` });
    } else if (existing) {
      // Someone (a person in the admin center, or this controller before a restart) already
      // queued an update: follow it instead of posting a second one.
      adopted.push({ request, entry: entryFor(request, existing.id, toLedgerState(existing), deps.now()) });
    } else {
      toPost.push(request);
    }
  }
  // The gate again right before the intents and the POSTs: the reads above took time, and
  // another replica may own this tenant by now (its lease taken over after ours lapsed).
  const open = toPost.length > 0 && !throttled && gateOpen(deps);
  const intents = open ? toPost.map((request) => ({ request, entry: entryFor(request, undefined, 'starting', deps.now()) })) : [];
  if (adopted.length + intents.length > 0) {
    try {
      // ONE durable write holds every intent of the chunk (and the adoptions): it is on disk before any POST.
      await deps.ledger.commit([...deps.ledger.entries(), ...adopted.map((a) => a.entry), ...intents.map((i) => i.entry)]);
    } catch (error) {
      for (const { request } of [...adopted, ...intents]) failed(request, error);
      return true;
    }
  }
  for (const { request, entry } of adopted) {
    outcomes.push({ request, result: 'adopted', operationId: entry.operationId as string });
    log.info({ deviceId: request.deviceId, operationId: entry.operationId }, 'active operation adopted');
  }
  if (intents.length === 0) return throttled || (toPost.length > 0 && !open);
  if (!gateOpen(deps)) {
    const unposted = new Set(intents.map((i) => i.entry));
    await deps.ledger.commit(deps.ledger.entries().filter((e) => !unposted.has(e))).catch(() => undefined);
    return true;
  }

  const answers = await postUpdates(intents.map((i) => i.request), deps);
  const replaced = new Map<LedgerEntry, LedgerEntry | undefined>();
  const done: StartOutcome[] = [];
  intents.forEach(({ request, entry }, i) => {
    const answer = answers[i];
    if (answer === undefined) {
      replaced.set(entry, undefined); // never sent (throttled or stopped before it): nothing to resolve
      failed(request, new FleetError('update not sent: the fleet is throttling or the controller is stopping', { retryable: true }));
    } else if (answer instanceof FleetError || answer instanceof Error) {
      failed(request, answer);
      // The service answered and created nothing: the intent goes at once. Any other failure
      // leaves it 'starting' (the POST may have been received) for followOperations to resolve.
      if (wasRefused(answer)) replaced.set(entry, undefined);
    } else {
      replaced.set(entry, entryFor(request, answer.operation.id, toLedgerState(answer.operation), entry.requestedAt));
      done.push({ request, result: answer.outcome, operationId: answer.operation.id });
    }
  });
  try {
    await deps.ledger.commit(deps.ledger.entries().flatMap((e) => (replaced.has(e) ? (replaced.get(e) ? [replaced.get(e)!] : []) : [e])));
  } catch (error) {
    // Not saved: the intents stay 'starting' and followOperations finds their operations.
    for (const o of done) failed(o.request, error);
    return true;
  }
  for (const o of done) {
    outcomes.push(o);
    const { request } = o;
    log.info({ deviceId: request.deviceId, softwareType: request.softwareType, version: request.version, operationId: (o as { operationId: string }).operationId, outcome: o.result }, 'update started');
  }
  return throttled;
}

/** The chunk's operation lists: fresh readings first, the rest read together when the fleet can. */
async function readOperationsOf(deviceIds: readonly string[], deps: StartDeps): Promise<Map<string, readonly DeviceOperation[] | FleetError | Error>> {
  const out = new Map<string, readonly DeviceOperation[] | FleetError | Error>();
  const toRead: string[] = [];
  for (const id of deviceIds) {
    const reading = deps.readings?.take(id);
    if (reading) out.set(id, reading);
    else toRead.push(id);
  }
  if (toRead.length === 0) return out;
  if (deps.fleet.readOperations) {
    try {
      for (const [id, result] of await deps.fleet.readOperations(toRead, deps.signal)) out.set(id, result);
    } catch (error) {
      for (const id of toRead) out.set(id, asError(error));
    }
    return out;
  }
  for (const id of toRead) {
    try {
      out.set(id, await deps.fleet.listOperations(id, deps.signal));
    } catch (error) {
      out.set(id, asError(error));
    }
  }
  return out;
}

/** POSTs the chunk's updates, as one $batch when the fleet can; undefined where one was not sent. */
async function postUpdates(requests: readonly StartRequest[], deps: StartDeps): Promise<(UpdateStarted | FleetError | Error | undefined)[]> {
  const asUpdate = (r: StartRequest): UpdateRequest => ({ deviceId: r.deviceId, softwareType: r.softwareType, version: r.version });
  if (deps.fleet.startUpdates) {
    try {
      return await deps.fleet.startUpdates(requests.map(asUpdate), deps.signal);
    } catch (error) {
      // The whole call failed: each POST may or may not have gone out, as for one lost answer.
      return requests.map(() => asError(error));
    }
  }
  const answers: (UpdateStarted | FleetError | Error | undefined)[] = requests.map(() => undefined);
  for (const [i, request] of requests.entries()) {
    if (deps.signal?.aborted) break;
    try {
      answers[i] = await deps.fleet.startUpdate(asUpdate(request), deps.signal);
    } catch (error) {
      answers[i] = asError(error);
      if (error instanceof FleetError && error.status === 429) break;
    }
  }
  return answers;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
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
