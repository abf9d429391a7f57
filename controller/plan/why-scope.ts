// What `why` must read to explain one device exactly as a plan of the whole fleet would, so
// it need not read every device's health (one request each, 30 a second). Pure: it looks at
// manifests, a device list and a plan made from what was read so far.
//
// A device's story depends on other devices in five ways, each read only when it matters:
//   - its group and wave: the members of its group, which only the device list gives (listScope);
//   - a ScheduledUpdate naming it: whether it completed depends on all its targets (scheduledPeers),
//     read only while every target read so far has finished;
//   - health (healthPeers): a regression found by the health soak of any update its policy made
//     counts as a failure and may stop the rollout, and a version its policy takes evidence for
//     waits for the evidence group's devices that ran it healthy, so those devices' health is
//     read, and the evidence group is listed (only the list says who is in it);
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
import { objectKey, ownerKey, refKey } from '../policy/manifest-keys.ts';
import { compileSelector, factsOf, matchesSelector } from '../policy/selector.ts';
import { assignWaves, stableHash } from '../policy/waves.ts';
import { OperationBook } from './operation-book.ts';
import { defaultMaxConcurrent } from './group-context.ts';
import { evidenceRuleOf } from '../policy/evidence.ts';
import { settleMs, soakRuleFor, updateKey } from '../policy/health-soak.ts';

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

/** What listScope needs of the controller's ledger: which updates could become evidence. */
export interface ScopeUpdate {
  readonly state: string;
  readonly softwareType: string;
  readonly healthBefore?: readonly unknown[] | undefined;
}

/**
 * The devices to list so that the device's group, its members and waves, its conflicts and the
 * ScheduledUpdates that name it come out as from the whole list, and, when its policy takes
 * evidence and the ledger holds successful updates that may be evidence (`ledger`), the evidence
 * groups' members. Types only when every group that matters selects on deviceTypes and names no
 * device (a name may point outside the types).
 */
export function listScope(device: Device, manifests: ScopeManifests, ledger: readonly ScopeUpdate[] = []): ListScope {
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
    // The groups its policy takes evidence from: who is in them decides which of the ledger's
    // successful updates are evidence (evidence already recorded needs only its devices' health).
    const policy = policyExists ? manifests.policies.find((p) => objectKey(p.metadata) === policyKey) : undefined;
    for (const [key, types] of policy ? evidenceGroups(policy) : []) {
      const source = manifests.groups.find((g) => objectKey(g.metadata) === key);
      const candidates = ledger.some((e) => e.state === 'succeeded' && e.healthBefore !== undefined && types.has(e.softwareType));
      if (source && candidates && !relevant.includes(source)) relevant.push(source);
    }
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

/** Only these software types wait for evidence and have their rollouts judged (judge-policies.ts). */
const judgedTypes = ['firmware', 'teamsClient'] as const;

/** The groups a policy takes evidence from (versions.requireEvidence), by key, with the software types each proves. */
function evidenceGroups(policy: UpdatePolicy): Map<string, Set<string>> {
  const groups = new Map<string, Set<string>>();
  for (const t of judgedTypes) {
    const rule = evidenceRuleOf(policy, t);
    if (rule) groups.set(rule.group, (groups.get(rule.group) ?? new Set()).add(t));
  }
  return groups;
}

/**
 * The devices whose health the device's policy is judged on: those its policy updated that are
 * in their health soak now (a regression counts as a failed update and can stop the rollout of
 * every device of the policy, whatever its group or wave), and, for a software type the policy
 * takes evidence for, the devices of the evidence group with a successful update firmwarden made
 * or a record of evidence still counting (whether each one proves a version is read from its
 * health and version now). A regression already remembered needs no reading.
 */
export function healthPeers(input: PlanInput, plan: Plan, deviceId: string): string[] {
  const dp = plan.devices.find((d) => d.deviceId === deviceId);
  const policy = dp?.policy === undefined ? undefined : input.policies.find((p) => objectKey(p.metadata) === dp.policy);
  if (!policy) return [];
  const out = new Set<string>();
  const owner = ownerKey('UpdatePolicy', policy.metadata);
  const remembered = new Set((input.health?.regressions ?? []).map((m) => updateKey(m, m.requestedAt)));
  const judged = new Set<string>(judgedTypes);
  for (const r of input.operations) {
    if (r.owner !== owner || r.outcome !== 'succeeded' || r.endedAt === undefined || r.healthBefore === undefined || r.softwareType === undefined || !judged.has(r.softwareType)) continue;
    const soak = soakRuleFor(policy, r.wave);
    const readAt = input.readAt?.get(r.deviceId) ?? input.now;
    if (!soak || readAt < r.endedAt + settleMs || readAt > r.endedAt + soak.durationMs) continue;
    if (!remembered.has(updateKey(r, r.startedAt))) out.add(r.deviceId);
  }
  for (const t of judgedTypes) {
    const rule = evidenceRuleOf(policy, t);
    if (!rule) continue;
    const members = new Set(plan.groups.find((g) => g.key === rule.group)?.deviceIds ?? []);
    for (const r of input.operations) {
      if (r.softwareType === t && r.outcome === 'succeeded' && r.endedAt !== undefined && r.healthBefore !== undefined && members.has(r.deviceId)) out.add(r.deviceId);
    }
    for (const e of input.health?.evidence ?? []) {
      if (e.group === rule.group && e.softwareType === t && e.regressedAt === undefined && !e.left) out.add(e.deviceId);
    }
  }
  out.delete(deviceId);
  return [...out];
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
