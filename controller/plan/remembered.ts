// What the manifests' own statuses remember between runs: release first-seen dates, stopped
// rollouts, and the completion of a ScheduledUpdate (whose status then keeps its outcome for
// good: status/scheduled-status.ts). The Kubernetes status subresource keeps release dates and stops
// (beside the state ConfigMap); in a Git repository or folder they live in
// .firmwarden/releases.json instead, and are read here only from statuses written by earlier
// versions, so an upgrade loses no release date. Pure.
import type { ObjectMeta, ScheduledUpdateStatus, UpdatePolicy } from '../model/manifests.generated.ts';
import type { ReleaseRecord, RolloutMemory } from '../model/state.ts';
import { objectKey } from '../policy/manifest-keys.ts';

/** Release dates a policy's status remembers (the controller writes them back into Git). */
export function releasesFromStatus(policy: UpdatePolicy): ReleaseRecord[] {
  return (policy.status?.releases ?? []).flatMap((r) => {
    const firstSeen = Date.parse(r.firstSeenTime);
    return Number.isNaN(firstSeen) ? [] : [{ model: r.model, softwareType: r.softwareType, version: r.version, firstSeen }];
  });
}

/** Stopped rollouts a policy's status remembers. */
export function rolloutsFromStatus(policies: readonly UpdatePolicy[]): Record<string, RolloutMemory> {
  const out: Record<string, RolloutMemory> = {};
  for (const p of policies) {
    for (const r of p.status?.rollouts ?? []) {
      const at = r.stoppedTime === undefined ? Number.NaN : Date.parse(r.stoppedTime);
      if (r.state === 'Stopped' && !Number.isNaN(at)) out[`${objectKey(p.metadata)}|${r.softwareType}`] = { stoppedAt: at, reason: r.stoppedReason ?? 'stopped by the failure threshold' };
    }
  }
  return out;
}

/**
 * When a ScheduledUpdate completed, if its status records the completion of this very spec
 * (`digest`: specDigest of the spec; in Kubernetes the generation too), else undefined. A
 * completion recorded for another spec does not count: the ScheduledUpdate was edited and runs
 * again. A status written before digests existed keeps its completion (an upgrade re-runs nothing).
 */
export function rememberedCompletion(status: ScheduledUpdateStatus | undefined, metadata: ObjectMeta, digest: string): number | undefined {
  if (status?.completionTime === undefined) return undefined;
  const completed = Date.parse(status.completionTime);
  if (Number.isNaN(completed)) return undefined;
  // Kubernetes counts generations; a Git repository has none, so the status's spec digest tells.
  const observed = status.observedGeneration;
  if (observed !== undefined && metadata.generation !== undefined && observed !== metadata.generation) return undefined;
  if (status.observedSpecDigest !== undefined && status.observedSpecDigest !== digest) return undefined;
  return completed;
}
