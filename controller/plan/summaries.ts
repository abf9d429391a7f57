// The plan's per-manifest summaries: ScheduledUpdate targets, groups, policies and clamps.
import type { ScheduledUpdate } from '../model/manifests.generated.ts';
import type { ClampRecord, GroupSummary, PolicySummary } from '../model/plan.ts';
import { DeviceIndex } from '../policy/device-index.ts';
import { resolveGroups } from '../policy/groups.ts';
import { objectKey, ownerKey } from '../policy/manifest-keys.ts';
import { scheduledInstant } from '../policy/scheduled.ts';
import { specDigest } from '../policy/spec-digest.ts';
import { rememberedCompletion } from './remembered.ts';
import { compileSelector } from '../policy/selector.ts';
import type { GroupContext, PolicyContext } from './group-context.ts';
import { cmp, typeOrder, type ScheduledCtx, type Work } from './work.ts';

/** Targets of each ScheduledUpdate, sorted by key. */
export function prepareScheduled(
  sus: readonly ScheduledUpdate[],
  index: DeviceIndex,
  membership: ReturnType<typeof resolveGroups>,
  ctxOf: ReadonlyMap<number, GroupContext>,
): ScheduledCtx[] {
  const out: ScheduledCtx[] = [];
  const sorted = [...sus].sort((a, b) => cmp(objectKey(a.metadata), objectKey(b.metadata)));
  for (const su of sorted) {
    const targets = new Set<number>();
    const t = su.spec.targets;
    if (t.groupRef) {
      const key = `${su.metadata.namespace ?? 'default'}/${t.groupRef.name}`;
      const m = membership.groupKeys.indexOf(key);
      if (m >= 0 && ctxOf.has(m)) for (const i of membership.members[m]!) targets.add(i);
    }
    if (t.selector) for (const i of index.select(compileSelector(t.selector))) targets.add(i);
    for (const ref of t.deviceIds ?? []) {
      const i = index.find(ref);
      if (i !== undefined) targets.add(i);
    }
    const digest = specDigest(su.spec);
    out.push({
      su,
      key: objectKey(su.metadata),
      owner: ownerKey('ScheduledUpdate', su.metadata),
      specDigest: digest,
      at: scheduledInstant(su),
      // A completion recorded for an older spec does not count: the spec changed since.
      completedAt: rememberedCompletion(su.status, su.metadata, digest),
      deviceIdx: [...targets].sort((a, b) => cmp(index.devices[a]!.id, index.devices[b]!.id)),
      records: new Map(),
      passedFreezes: new Map(),
    });
  }
  return out;
}

/** Every clamp of the plan once, by device and software type. */
export function dedupeClamps(mains: readonly Work[], sus: readonly ScheduledCtx[]): ClampRecord[] {
  const seen = new Set<string>();
  const out: ClampRecord[] = [];
  const add = (c: ClampRecord | undefined) => {
    if (!c) return;
    const key = `${c.deviceId}|${c.softwareType}|${c.version}|${c.requestedTime}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(c);
  };
  for (const w of mains) add(w.clamp);
  for (const s of sus) for (const works of s.records.values()) for (const w of works) add(w.clamp);
  return out.sort((a, b) => cmp(a.deviceId, b.deviceId) || typeOrder.get(a.softwareType)! - typeOrder.get(b.softwareType)!);
}

/** Per group: members, window, next action time and rollouts. */
export function summarizeGroups(
  contexts: readonly GroupContext[],
  membershipIdx: readonly number[],
  membership: ReturnType<typeof resolveGroups>,
  index: DeviceIndex,
  next: ReadonlyMap<number, number>,
  views: ReadonlyMap<number, GroupSummary['rollouts']>,
  now: number,
): GroupSummary[] {
  return contexts.map((ctx) => {
    const m = membershipIdx[ctx.index]!;
    const window = ctx.schedule.currentOrNextWindow(now);
    const frozen = ctx.schedule.freezeAt(now);
    return {
      key: ctx.key!,
      name: ctx.group!.metadata.name,
      policy: ctx.policy?.key,
      missingPolicy: ctx.group!.spec.policyRef && !ctx.policy ? `${ctx.group!.metadata.namespace ?? 'default'}/${ctx.group!.spec.policyRef.name}` : undefined,
      timeZone: ctx.timeZone,
      license: ctx.license,
      phase: ctx.firmwarePhase,
      deviceIds: membership.members[m]!.map((i) => index.devices[i]!.id),
      nextWindow: window ? { name: window.name, start: window.start, end: window.end, timeZone: ctx.timeZone } : undefined,
      freeze: frozen ? { name: frozen.name, from: frozen.from, to: frozen.to, reason: frozen.reason, end: frozen.end } : undefined,
      nextActionTime: next.get(ctx.index),
      rollouts: views.get(ctx.index) ?? [],
    };
  });
}

/** Per policy: its groups, devices, models, suspension, window and rollouts. */
export function summarizePolicies(
  policies: ReadonlyMap<string, PolicyContext>,
  groups: readonly GroupSummary[],
  views: ReadonlyMap<string, PolicySummary['rollouts']>,
  modelsOf: ReadonlyMap<string, ReadonlySet<string>>,
): PolicySummary[] {
  return [...policies.values()]
    .sort((a, b) => cmp(a.key, b.key))
    .map((p) => {
      const mine = groups.filter((g) => g.policy === p.key);
      let nextWindow: PolicySummary['nextWindow'];
      let nextActionTime: number | undefined;
      for (const g of mine) {
        if (g.nextWindow && (!nextWindow || g.nextWindow.start < nextWindow.start)) nextWindow = g.nextWindow;
        if (g.nextActionTime !== undefined && (nextActionTime === undefined || g.nextActionTime < nextActionTime)) nextActionTime = g.nextActionTime;
      }
      return {
        key: p.key,
        name: p.policy.metadata.name,
        groups: mine.map((g) => g.key),
        devices: mine.reduce((n, g) => n + g.deviceIds.length, 0),
        models: [...(modelsOf.get(p.key) ?? [])].sort(),
        suspended: p.suspension,
        rollouts: views.get(p.key) ?? [],
        nextWindow,
        nextActionTime,
      };
    });
}

