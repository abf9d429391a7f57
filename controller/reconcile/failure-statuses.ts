// The statuses a reconcile writes when a step failed: the engine's, or when nothing could be
// evaluated (the state or the fleet never read) the statuses read back, each with the failure on
// its conditions (status/failure-conditions.ts). A condition's lastTransitionTime moves only when
// its status does, against the status read back. PURE.
import type { Condition } from '../model/manifests.generated.ts';
import type { ManifestEntry } from '../model/desired.ts';
import type { StatusUpdate } from '../model/source.ts';
import { mergeConditions } from '../status/conditions.ts';
import { withFailures } from '../status/failure-conditions.ts';
import type { StepFailure } from '../model/engine.ts';

type Status = { readonly conditions?: readonly Condition[]; readonly observedGeneration?: number } & Record<string, unknown>;

const kinds: ReadonlySet<string> = new Set(['DeviceGroup', 'UpdatePolicy', 'ScheduledUpdate']);

function readBack(manifest: unknown): Status | undefined {
  const status = (manifest as { status?: unknown } | null)?.status;
  return status !== null && typeof status === 'object' ? (status as Status) : undefined;
}

/** `status` with the failures on its conditions (`previous`: the conditions read back). */
export function statusWithFailures(status: Status, previous: readonly Condition[] | undefined, failures: readonly StepFailure[], now: number): Status {
  if (failures.length === 0) return status;
  return { ...status, conditions: mergeConditions(previous, withFailures(status.conditions, failures), now, status.observedGeneration) };
}

/** The engine's statuses with the failures on their conditions. */
export function withFailureStatuses(updates: readonly StatusUpdate[], manifests: readonly ManifestEntry[], failures: readonly StepFailure[], now: number): StatusUpdate[] {
  if (failures.length === 0) return [...updates];
  const at = new Map(manifests.map((m) => [`${m.file}\u0000${m.docIndex}`, m.manifest]));
  return updates.map((u) => ({ ...u, status: statusWithFailures(u.status as Status, readBack(at.get(`${u.path}\u0000${u.docIndex}`))?.conditions, failures, now) }));
}

/**
 * The statuses read back from every named group, policy and ScheduledUpdate with only the
 * failures changed: what is written when nothing could be evaluated, so the failure shows
 * without the counts of a plan that could not be made.
 */
export function failureOnlyStatuses(manifests: readonly ManifestEntry[], failures: readonly StepFailure[], now: number): StatusUpdate[] {
  const out: StatusUpdate[] = [];
  for (const m of manifests) {
    const meta = (m.manifest as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
    if (!kinds.has(m.kind) || typeof meta?.name !== 'string' || meta.name === '') continue;
    const previous = readBack(m.manifest) ?? {};
    out.push({
      path: m.file,
      docIndex: m.docIndex,
      status: statusWithFailures(previous, previous.conditions, failures, now),
      key: { kind: m.kind, name: meta.name, ...(typeof meta.namespace === 'string' ? { namespace: meta.namespace } : {}) },
    });
  }
  return out;
}
