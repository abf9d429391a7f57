// What the manifests' own statuses remember between runs: release first-seen dates and
// stopped rollouts. The Kubernetes status subresource keeps them (beside the state ConfigMap);
// in a Git repository or folder they live in .firmwarden/releases.json instead, and are read
// here only from statuses written by earlier versions, so an upgrade loses no release date. Pure.
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { RolloutMemory } from '../model/plan.ts';
import type { ReleaseRecord } from '../state/state.ts';
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
