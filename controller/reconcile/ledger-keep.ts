// What the ledger keeps past its 14 days because the plan still reads it: the operations of a
// ScheduledUpdate whose completion is not in its status yet, and the ended UpdatePolicy entries
// a rollout still counts (a failure not to retry, a bake or soak not over). PURE.
import type { ScheduledUpdate, UpdatePolicy } from '../model/manifests.generated.ts';
import type { Plan } from '../model/plan.ts';
import type { ManifestEntry } from '../model/desired.ts';
import type { LedgerEntry } from '../model/state.ts';
import { ownerKey } from '../policy/manifest-keys.ts';
import { soakRuleFor } from '../policy/health-soak.ts';
import { effectiveBakeMs, effectiveWaves } from '../policy/rollout-defaults.ts';
import { rememberedCompletion } from '../plan/remembered.ts';
import { specDigest } from '../policy/spec-digest.ts';
import { ledgerEntryKey } from './ledger-entries.ts';

function metadataOf(manifest: unknown): { readonly name: string; readonly namespace?: string } | undefined {
  const meta = (manifest as { metadata?: { name?: unknown; namespace?: string } } | null)?.metadata;
  return typeof meta?.name === 'string' && meta.name !== '' ? (meta as { name: string; namespace?: string }) : undefined;
}

function statusOf(manifest: unknown): unknown {
  const status = (manifest as { status?: unknown } | null)?.status;
  return status !== null && typeof status === 'object' ? status : undefined;
}

/**
 * The ScheduledUpdates (as ledger owners) whose status read back does not hold their completion
 * under their current spec: until it does, their ledger entries are the only record of what they
 * did, so pruning them would let a failed update start again. An invalid one counts as complete
 * when its status says so (its spec cannot be read).
 */
export function scheduledOwnersInFlight(manifests: readonly ManifestEntry[]): Set<string> {
  const out = new Set<string>();
  for (const entry of manifests) {
    const metadata = metadataOf(entry.manifest);
    if (entry.kind !== 'ScheduledUpdate' || !metadata) continue;
    const status = statusOf(entry.manifest) as ScheduledUpdate['status'];
    const done = entry.valid
      ? rememberedCompletion(status, metadata, specDigest((entry.manifest as ScheduledUpdate).spec)) !== undefined
      : status?.completionTime !== undefined;
    if (!done) out.add(ownerKey('ScheduledUpdate', metadata));
  }
  return out;
}

/**
 * The ended UpdatePolicy ledger entries the plan still reads, by ledgerEntryKey: pruning them
 * after 14 days would retry a failed update, cut a longer bake short and empty the failure
 * threshold's counts. A rollout (policy × software type × version) keeps the latest entry of
 * each device while a device of the policy still wants that version and does not have it yet
 * (a failure not to retry, waves to go, a stop), or while its last end is within the policy's
 * longest bake or soak. At most one entry per device × software type × version of a rollout
 * still wanted, and nothing of a rollout done and baked (or of a policy gone): bounded.
 */
export function policyEntriesInUse(ledger: readonly LedgerEntry[], plan: Plan, policies: ReadonlyMap<string, UpdatePolicy>, now: number): Set<string> {
  const wanted = new Set<string>();
  for (const d of plan.devices) {
    if (d.policy === undefined) continue;
    for (const e of d.entries) {
      // upToDate/succeeded: nothing left to do for it; a failed or waiting device still needs its history.
      if (e.scheduledUpdate !== undefined || e.desiredVersion === undefined || e.state === 'upToDate' || e.state === 'succeeded') continue;
      wanted.add(`${d.policy}|${e.softwareType}|${e.desiredVersion}`);
    }
  }
  const latest = new Map<string, LedgerEntry>();
  const lastEnd = new Map<string, number>();
  for (const e of ledger) {
    if (e.endedAt === undefined || !e.owner.includes('/UpdatePolicy/')) continue;
    const [namespace, , name] = e.owner.split('/');
    const rollout = `${namespace}/${name}|${e.softwareType}|${e.version}`;
    if (!policies.has(`${namespace}/${name}`)) continue;
    const device = `${rollout}|${e.deviceId}`;
    const prev = latest.get(device);
    if (prev === undefined || e.requestedAt >= prev.requestedAt) latest.set(device, e);
    if (e.endedAt > (lastEnd.get(rollout) ?? -Infinity)) lastEnd.set(rollout, e.endedAt);
  }
  const keep = new Set<string>();
  for (const [device, e] of latest) {
    const rollout = device.slice(0, device.lastIndexOf('|'));
    const policy = policies.get(rollout.slice(0, rollout.indexOf('|')))!;
    if (wanted.has(rollout) || lastEnd.get(rollout)! + longestWaitMs(policy) > now) keep.add(ledgerEntryKey(e));
  }
  return keep;
}

/** The longest a wave of the policy waits after the previous one's last end: its bake time or a soak. */
function longestWaitMs(policy: UpdatePolicy): number {
  let ms = effectiveBakeMs(policy);
  for (let k = 0; k <= effectiveWaves(policy).length + 1; k++) ms = Math.max(ms, soakRuleFor(policy, k === 0 ? undefined : k)?.durationMs ?? 0);
  return ms;
}
