// The groups laid out for one plan: in key order, each with its context (policy, licence, zone,
// windows, rules) and its members' waves. Waves live in one array over device positions rather
// than a map per group. Internal to controller/plan; pure.
import type { DeviceIndex } from '../policy/device-index.ts';
import type { Membership } from '../policy/groups.ts';
import { waveSizes } from '../policy/waves.ts';
import { groupContext, ungroupedContext, type GroupContext, type GroupSchedules, type PolicyContext } from './group-context.ts';
import { assignWaves, type PlanMemo, type WaveRequest } from './plan-memo.ts';
import { cmp } from './work.ts';

/** The groups of a plan, their contexts and their members' waves. */
export interface GroupLayout {
  /** The groups' contexts in key order (a context's `index` is its position here). */
  readonly contexts: readonly GroupContext[];
  /** The members (device positions) of each context, by context index. */
  readonly members: readonly (readonly number[])[];
  /** The context of each group, by its position in the membership. */
  readonly ctxOfMembershipIdx: ReadonlyMap<number, GroupContext>;
  /** The membership position of each context, by context index. */
  readonly membershipIdx: readonly number[];
  /** The wave of each device position (0: none); shared with later plans through a PlanMemo: read only. */
  readonly waveByIdx: Int32Array;
  /** The context of devices in no group (reached only by ScheduledUpdates). */
  readonly ungrouped: GroupContext;
  /** The group position of each device (-1: none), as the membership says. */
  readonly groupOf: Int32Array;
}

/** Lays out the groups in key order, with their contexts and waves; `holidays` brings their schedules. */
export function layOutGroups(membership: Membership, index: DeviceIndex, policies: ReadonlyMap<string, PolicyContext>, holidays: GroupSchedules, memo?: PlanMemo): GroupLayout {
  const order = membership.groups.map((g, i) => i).sort((a, b) => cmp(membership.groupKeys[a]!, membership.groupKeys[b]!));
  const contexts: GroupContext[] = [];
  const members: (readonly number[])[] = [];
  const ctxOfMembershipIdx = new Map<number, GroupContext>();
  const membershipIdx: number[] = [];
  const waveRequests: WaveRequest[] = [];
  for (const m of order) {
    membershipIdx.push(m);
    const group = membership.groups[m]!;
    const mine = membership.members[m]!;
    const pctx = group.spec.policyRef ? policies.get(`${group.metadata.namespace ?? 'default'}/${group.spec.policyRef.name}`) : undefined;
    if (pctx) waveRequests.push({ m, policyName: pctx.policy.metadata.name, waves: pctx.waves });
    const waveCount = pctx ? waveSizes(mine.length, pctx.waves).length : 0;
    const ctx = groupContext(contexts.length, group, policies, waveCount, holidays);
    contexts.push(ctx);
    members.push(mine);
    ctxOfMembershipIdx.set(m, ctx);
  }
  // Groups' members are disjoint, so the waves are the same whatever order they are assigned in.
  const waveByIdx = memo ? memo.waves(membership, index, waveRequests) : assignWaves(membership, index, waveRequests);
  return { contexts, members, ctxOfMembershipIdx, membershipIdx, waveByIdx, ungrouped: ungroupedContext(), groupOf: membership.groupOf };
}

/** The context of the device at a position: its group's, else the ungrouped one. */
export function contextOfDevice(layout: GroupLayout, i: number): GroupContext {
  const g = layout.groupOf[i]!;
  return g < 0 ? layout.ungrouped : layout.ctxOfMembershipIdx.get(g)!;
}

/** The wave of the device at a position, undefined when it has none. */
export function waveAt(layout: GroupLayout, i: number): number | undefined {
  return layout.waveByIdx[i] || undefined;
}
