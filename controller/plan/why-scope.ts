// What `why` must read to explain one device exactly as a plan of the whole fleet would, so
// it need not read every device's health (one request each, 30 a second). Pure: it looks at
// manifests, a device list and a plan made from what was read so far.
//
// A device's story depends on other devices in four ways, each read only when it matters:
//   - its group and wave: the members of its group, which only the device list gives (listScope);
//   - a ScheduledUpdate naming it: whether it completed depends on all its targets (scheduledPeers),
//     read only while every target read so far has finished;
//   - wave order: a later wave waits for the earlier waves' devices that still need the
//     version, with their number in the reason (earlierWaves);
//   - maxConcurrent: whether it starts now depends on the policy's devices that would start
//     before it (rankedBefore), read in that order until its slot is decided.
// Release dates are not among them: the calendar comes from the state file, the policies'
// status and the device itself. Other devices of its model could only add a version first seen
// now, and the service offers every device of a model the same newest verified version.
import type { Device, DeviceType } from '../model/fleet.ts';
import type { DeviceGroup, ScheduledUpdate, UpdatePolicy } from '../model/manifests.generated.ts';
import type { Plan } from '../model/plan.ts';
import type { PlanInput } from './build-plan.ts';
import { DeviceIndex } from '../policy/device-index.ts';
import { effectiveWaves } from '../policy/rollout-defaults.ts';
import { resolveGroups } from '../policy/groups.ts';
import { objectKey, refKey } from '../policy/manifest-keys.ts';
import { compileSelector, factsOf, matchesSelector } from '../policy/selector.ts';
import { assignWaves, stableHash } from '../policy/waves.ts';
import { OperationBook } from './operation-book.ts';
import { defaultMaxConcurrent } from './group-context.ts';

/** Which devices to list to place one device: none, those of some device types, or all. */
export type ListScope =
  | { readonly kind: 'none' }
  | { readonly kind: 'types'; readonly types: readonly DeviceType[] }
  | { readonly kind: 'all' };

/** The manifests a scope is computed from. */
export interface ScopeManifests {
  readonly groups: readonly DeviceGroup[];
  readonly policies: readonly UpdatePolicy[];
  readonly scheduledUpdates: readonly ScheduledUpdate[];
}

/** How a manifest's reference names the device: by its id, by a unique id or serial (which another device may also carry), or not. */
function naming(ref: string, device: Device): 'id' | 'other' | undefined {
  const r = ref.trim().toLowerCase();
  if (device.id.toLowerCase() === r) return 'id';
  if ((device.uniqueId && device.uniqueId.toLowerCase() === r) || (device.serialNumber && device.serialNumber.toLowerCase() === r)) return 'other';
  return undefined;
}

const all: ListScope = { kind: 'all' };

/**
 * The devices to list so that the device's group, its members and waves, its conflicts and the
 * ScheduledUpdates that name it come out as from the whole list. Types only when every group
 * that matters selects on deviceTypes and names no device (a name may point outside the types).
 */
export function listScope(device: Device, manifests: ScopeManifests): ListScope {
  const refs = [
    ...manifests.groups.flatMap((g) => [...(g.spec.include ?? []), ...(g.spec.exclude ?? [])]),
    ...manifests.scheduledUpdates.flatMap((s) => s.spec.targets.deviceIds ?? []),
  ];
  // A unique id or serial of this device may also be another device's, and which one a
  // manifest means depends on the whole list.
  if (refs.some((r) => naming(r, device) === 'other')) return all;
  const membership = resolveGroups(manifests.groups, new DeviceIndex([device]));
  const chosen = membership.groupOf[0]!;
  const groupKey = chosen >= 0 ? membership.groupKeys[chosen] : undefined;
  const facts = factsOf(device);
  const targeting = manifests.scheduledUpdates.filter((s) => {
    const t = s.spec.targets;
    return (t.groupRef !== undefined && refKey(s.metadata, t.groupRef.name) === groupKey)
      || (t.selector !== undefined && matchesSelector(compileSelector(t.selector), facts))
      || (t.deviceIds ?? []).some((r) => naming(r, device) === 'id');
  });
  if (chosen < 0 && targeting.length === 0) return { kind: 'none' };

  const relevant: DeviceGroup[] = [];
  if (chosen >= 0) {
    const group = membership.groups[chosen]!;
    const policyKey = group.spec.policyRef ? refKey(group.metadata, group.spec.policyRef.name) : undefined;
    const policyExists = policyKey !== undefined && manifests.policies.some((p) => objectKey(p.metadata) === policyKey);
    relevant.push(...(policyExists ? membership.groups.filter((g) => g.spec.policyRef && refKey(g.metadata, g.spec.policyRef.name) === policyKey) : [group]));
  }
  const types = new Set<DeviceType>();
  for (const g of relevant) {
    const selected = g.spec.selector?.deviceTypes;
    if (!selected || selected.length === 0 || (g.spec.include ?? []).length > 0 || (g.spec.exclude ?? []).length > 0) return all;
    for (const t of selected) types.add(t as DeviceType);
  }
  // ScheduledUpdates rank first for maxConcurrent: one naming devices needs them all resolved.
  if (manifests.scheduledUpdates.some((s) => (s.spec.targets.deviceIds ?? []).length > 0)) return all;
  for (const s of targeting) {
    const selected = s.spec.targets.selector?.deviceTypes;
    if (s.spec.targets.selector && (!selected || selected.length === 0)) return all;
    for (const t of selected ?? []) types.add(t as DeviceType);
  }
  // `unknown` also stands for types the service added later: no server filter finds them all.
  if (types.size === 0 || types.has('unknown')) return all;
  return { kind: 'types', types: [...types].sort() };
}

/** True when the plan takes a ScheduledUpdate's completion from its status (as prepareScheduled does), not from its targets. */
function completedInStatus(su: ScheduledUpdate | undefined): boolean {
  const done = su?.status?.completionTime;
  if (done === undefined || Number.isNaN(Date.parse(done))) return false;
  const observed = su?.status?.observedGeneration;
  return observed === undefined || su?.metadata.generation === undefined || observed === su.metadata.generation;
}

/**
 * The targets of the ScheduledUpdates naming the device that look complete from what was read:
 * "completed" needs every target finished, so they are read until one is not. Those whose
 * status says completed, or that one unfinished target already settles, need nothing more.
 */
export function scheduledPeers(input: PlanInput, plan: Plan, deviceId: string): string[] {
  const out = new Set<string>();
  for (const s of plan.scheduledUpdates) {
    if (!s.deviceIds.includes(deviceId) || s.completionTime === undefined) continue;
    if (completedInStatus(input.scheduledUpdates.find((x) => objectKey(x.metadata) === s.key))) continue;
    for (const id of s.deviceIds) out.add(id);
  }
  out.delete(deviceId);
  return [...out];
}

/** Waves of a group's members, as the plan assigns them (undefined: the group has no valid policy). */
function wavesOf(input: PlanInput, plan: Plan, groupKey: string): { waves: Map<string, number>; policy: UpdatePolicy } | undefined {
  const group = plan.groups.find((g) => g.key === groupKey);
  const policy = group?.policy === undefined ? undefined : input.policies.find((p) => objectKey(p.metadata) === group.policy);
  if (!group || !policy) return undefined;
  return { waves: assignWaves(group.deviceIds, policy.metadata.name, effectiveWaves(policy)), policy };
}

/**
 * The members of the device's group in earlier waves, when one of its entries waits for or
 * would start an automatic update: the wave gate counts those still to update.
 */
export function earlierWaves(input: PlanInput, plan: Plan, deviceId: string): string[] {
  const dp = plan.devices.find((d) => d.deviceId === deviceId);
  if (!dp || dp.group === undefined || dp.wave === undefined || dp.wave <= 1) return [];
  // An update someone else started shows only on an entry that may start (select-starts.ts):
  // whether it may, after the earlier waves, is what the gate decides.
  const foreignOnly = new OperationBook(input.operations).activeOn(deviceId)?.every((o) => o.softwareType === undefined) === true;
  const gated = dp.entries.some((e) => e.scheduledUpdate === undefined && (e.state === 'pending' || e.state === 'scheduled' || (e.state === 'inProgress' && foreignOnly)));
  if (!gated) return [];
  const placed = wavesOf(input, plan, dp.group);
  if (!placed) return [];
  return [...placed.waves].filter(([, w]) => w < dp.wave!).map(([id]) => id);
}

/**
 * When the device would start an update now: the devices of its policy that the plan considers
 * before it for a slot (ScheduledUpdate targets, then wave, then the stable hash), nearest the
 * front first. Offline devices and devices busy in the operation book never take a slot there.
 */
export function rankedBefore(input: PlanInput, plan: Plan, deviceId: string): string[] {
  const dp = plan.devices.find((d) => d.deviceId === deviceId);
  if (!dp || dp.policy === undefined || !dp.entries.some((e) => e.state === 'pending')) return [];
  const book = new OperationBook(input.operations);
  if (book.activeOn(deviceId)) return [];
  const byId = new Map(input.devices.map((d) => [d.id, d]));
  const targeted = new Set(plan.scheduledUpdates.flatMap((s) => s.deviceIds));
  // The device's last work in the order decides how far to look: its automatic one, if pending.
  const ownRank = dp.entries.some((e) => e.state === 'pending' && e.scheduledUpdate === undefined) ? dp.wave ?? 1 : 0;
  const rows: { id: string; rank: number; hash: number }[] = [];
  let name = '';
  for (const g of plan.groups) {
    if (g.policy !== dp.policy) continue;
    const placed = wavesOf(input, plan, g.key);
    if (!placed) continue;
    name = placed.policy.metadata.name;
    for (const id of g.deviceIds) {
      const d = byId.get(id);
      if (!d || d.healthStatus === 'offline' || book.activeOn(id)) continue;
      // A ScheduledUpdate target may take a slot at rank 0 with one entry and at its wave with another.
      rows.push({ id, rank: targeted.has(id) ? 0 : placed.waves.get(id) ?? 1, hash: stableHash(id, `\u0000${placed.policy.metadata.name}`) });
    }
  }
  const own = { rank: ownRank, hash: stableHash(deviceId, `\u0000${name}`), id: deviceId };
  const before = (a: { rank: number; hash: number; id: string }, b: typeof a) => a.rank - b.rank || a.hash - b.hash || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return rows.filter((r) => r.id !== deviceId && before(r, own) < 0).sort(before).map((r) => r.id);
}

/**
 * Slots under the device's maxConcurrent that the devices ranked before it could still take:
 * the limit less the policy's devices that hold one in this plan (busy, or ranked before it and
 * starting). Each device takes at most one slot, so reading fewer than this many more of them
 * cannot lose the device its slot: why reads that many at a time (at least 1), not a fixed
 * chunk that may run past the one taking the last slot.
 */
export function slotsLeft(input: PlanInput, plan: Plan, deviceId: string): number {
  const dp = plan.devices.find((d) => d.deviceId === deviceId);
  const policy = dp?.policy === undefined ? undefined : input.policies.find((p) => objectKey(p.metadata) === dp.policy);
  if (!dp || !policy) return 1;
  const policyOf = new Map(plan.devices.map((d) => [d.deviceId, d.policy]));
  const holding = new Set<string>();
  for (const id of new OperationBook(input.operations).busyDevices()) if (policyOf.get(id) === dp.policy) holding.add(id);
  const before = new Set(rankedBefore(input, plan, deviceId));
  for (const a of plan.actions) if (a.policy === dp.policy && before.has(a.deviceId)) holding.add(a.deviceId);
  holding.delete(deviceId);
  return Math.max(1, (policy.spec.rollout?.maxConcurrent ?? defaultMaxConcurrent) - holding.size);
}
