// The controller's ledger of updateSoftware operations: the port it is kept through, which
// entries still count as active, how long they are kept, and the constants both starting and
// following operations judge intents by (operations.ts starts, follow-operations.ts follows).
import type { DeviceOperation } from '../model/fleet.ts';
import type { LedgerEntry } from '../model/state.ts';

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

/** The ledger state an operation's state is recorded as (the same words, kept as one place to change). */
export function toLedgerState(op: DeviceOperation): LedgerEntry['state'] {
  return op.state;
}

/** True for a software update (the API's operations carry no software type, only this kind). */
export function isSoftwareUpdate(op: DeviceOperation): boolean {
  return op.operationType.toLowerCase() === 'softwareupdate';
}
