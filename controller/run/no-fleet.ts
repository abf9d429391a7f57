// What a pass does when the manifests declare no Tenant and `run` was given no fleet connection
// of its own (no --tenant/--client-id/… nor --emulator: every tenant was to bring its own
// credentials). Nothing can be reconciled: every named group, policy and ScheduledUpdate stalls
// with NoFleetConnection and a sentence saying what to add, and the log says so once. Adding a
// Tenant (or restarting with the flags) is the fix; the pass comes back at each resync.
import type { Clock } from '../model/clock.ts';
import type { Finding } from '../manifest/finding.ts';
import type { ManifestEntry, ParsedDesired } from '../model/desired.ts';
import type { Snapshot, StatusWriter } from '../model/source.ts';
import type { ReconcileOutcome } from '../model/reconcile.ts';
import type { StepFailure } from '../model/engine.ts';
import type { Logger } from '../log/logger.ts';
import type { PassInput } from './tenant-world.ts';
import { failureOnlyStatuses } from '../reconcile/failure-statuses.ts';

/** The condition reason, and the sentence, of manifests that no fleet connection serves. */
export const noFleetFailure: StepFailure = Object.freeze({
  reason: 'NoFleetConnection',
  message: 'no Tenant declared and no fleet connection given: add Tenants, or run with --tenant/--client-id/… or --emulator',
  retryable: false,
});

/** What stalling needs. */
export interface NoFleetDeps {
  readonly parse: (files: Snapshot['files'], now: number) => ParsedDesired<ManifestEntry, Finding>;
  readonly clock: Clock;
  readonly statusWriter: StatusWriter;
  readonly logger: Logger;
  /** The signal status writes keep after a stop. */
  readonly io: AbortSignal;
}

// A manifest whose status says it already is left alone: merging the failure again would append
// it to a Ready message once more at every pass (status/failure-conditions.ts keeps a stall of
// the manifest's own and adds "also: …"), and each write would wake the source again.
function saysNoFleet(m: ManifestEntry): boolean {
  const conditions = (m.manifest as { status?: { conditions?: unknown } } | null)?.status?.conditions;
  return Array.isArray(conditions) && conditions.some((c: { reason?: unknown; message?: unknown }) =>
    c?.reason === noFleetFailure.reason || (typeof c?.message === 'string' && c.message.includes(noFleetFailure.message)));
}

/** The single reconcile's stand-in when there is no fleet: it stalls every manifest of the sync it is handed. */
export function stallWithoutFleet(deps: NoFleetDeps): (synced: PassInput['synced']) => Promise<ReconcileOutcome> {
  let warned = false;
  return async (synced) => {
    if (!warned) deps.logger.warn({ component: 'controller', reason: noFleetFailure.reason }, noFleetFailure.message);
    warned = true;
    if (!('snapshot' in synced)) return { kind: 'error', message: synced.error instanceof Error ? synced.error.message : String(synced.error) };
    const now = deps.clock.now();
    // A function, so that a writer retrying on a newer revision stalls that revision's manifests.
    const statuses = (snapshot: Snapshot) => failureOnlyStatuses(deps.parse(snapshot.files, now).manifests.filter((m) => !saysNoFleet(m)), [noFleetFailure], now);
    await deps.statusWriter.writeStatus({ revision: synced.snapshot.revision, summary: noFleetFailure.message, statuses }, deps.io);
    return { kind: 'terminal', reason: noFleetFailure.reason, message: noFleetFailure.message };
  };
}
