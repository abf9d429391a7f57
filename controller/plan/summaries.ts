// The plan's per-manifest summaries: groups, policies, ScheduledUpdates, clamps, and the
// devices no manifest manages. Internal to controller/plan; pure.
import type { ClampRecord, DevicePlan, GroupSummary, PolicySummary, ScheduledSummary } from '../model/plan.ts';
import { DeviceIndex } from '../policy/device-index.ts';
import type { PolicyContext } from './group-context.ts';
import { contextOfDevice, waveAt, type GroupLayout } from './group-layout.ts';
import { cmp, freeze, typeOrder, type ScheduledCtx, type Work } from './work.ts';

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
  for (let k = 0; k < mains.length; k++) add(mains[k]!.clamp); // indexed: no iterator result per work (plan's --no-opt)
  for (const s of sus) for (const works of s.records.values()) for (const w of works) add(w.clamp);
  return out.sort((a, b) => cmp(a.deviceId, b.deviceId) || typeOrder.get(a.softwareType)! - typeOrder.get(b.softwareType)!);
}

/**
 * Each group's member ids, kept with its list of member positions: a repeated plan over the
 * same membership (plan-memo.ts hands out the same lists) reuses the ids instead of reading
 * 100,000 of them from the scattered Device objects again. Checked against the index the
 * positions belong to; plans are read only, so two may share the array.
 */
const idsOfMembers = new WeakMap<readonly number[], { readonly index: DeviceIndex; readonly ids: string[] }>();

function memberIds(members: readonly number[], index: DeviceIndex): string[] {
  const known = idsOfMembers.get(members);
  if (known !== undefined && known.index === index) return known.ids;
  const ids = members.map((i) => index.devices[i]!.id);
  idsOfMembers.set(members, { index, ids });
  return ids;
}

/** Per group: members, window, next action time and rollouts. */
export function summarizeGroups(
  layout: GroupLayout,
  index: DeviceIndex,
  next: ReadonlyMap<number, number>,
  views: ReadonlyMap<number, GroupSummary['rollouts']>,
  now: number,
): GroupSummary[] {
  return layout.contexts.map((ctx) => {
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
      deviceIds: memberIds(layout.members[ctx.index]!, index),
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


/** The models of each policy's devices (every member of its groups). */
export function modelsByPolicy(layout: GroupLayout, index: DeviceIndex): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const ctx of layout.contexts) {
    if (!ctx.policy) continue;
    let set = out.get(ctx.policy.key);
    if (!set) out.set(ctx.policy.key, (set = new Set()));
    addModels(set, layout.members[ctx.index]!, index);
  }
  return out;
}

/**
 * Adds the models of these members. Not an inner loop of modelsByPolicy: V8 compiles a hot inner
 * loop on stack replacement and discards that code each time the loop exits (once per group).
 * Indexed: no iterator result per device.
 */
function addModels(set: Set<string>, members: readonly number[], index: DeviceIndex): void {
  for (let k = 0; k < members.length; k++) set.add(index.modelAt(members[k]!));
}

/** Per ScheduledUpdate: its targets' records (works not yet frozen are frozen here), next start and completion. */
export function summarizeScheduled(scheduled: readonly ScheduledCtx[], layout: GroupLayout, index: DeviceIndex, now: number): ScheduledSummary[] {
  return scheduled.map((s): ScheduledSummary => {
    const records: DevicePlan[] = [];
    let finished = true;
    let next: number | undefined;
    for (const i of s.deviceIdx) {
      const works = s.records.get(i);
      if (!works) continue;
      const ctx = contextOfDevice(layout, i);
      const device = index.devices[i]!;
      const entries = works.map((w) => w.entry ?? (w.entry = freeze(w)));
      for (const e of entries) {
        if (e.state !== 'upToDate' && e.state !== 'succeeded' && e.state !== 'failed' && e.state !== 'blocked') finished = false;
        if (e.earliestStart !== undefined && e.earliestStart > now && (next === undefined || e.earliestStart < next)) next = e.earliestStart;
      }
      records.push({ deviceId: device.id, group: ctx.key, policy: ctx.policy?.key, wave: waveAt(layout, i), entries });
    }
    return {
      key: s.key,
      name: s.su.metadata.name,
      scheduledTime: s.at,
      deviceIds: s.deviceIdx.map((i) => index.devices[i]!.id),
      records,
      nextActionTime: next,
      completionTime: s.completedAt ?? (finished && records.length > 0 && (s.at === undefined || s.at <= now) ? now : undefined),
      ...(s.passedFreezes.size > 0 && s.su.spec.freezeOverride ? { freezeOverride: { reason: s.su.spec.freezeOverride.reason, freezes: [...s.passedFreezes.values()].sort() } } : {}),
    };
  });
}

/** Devices in no group that no ScheduledUpdate targets, by id. */
export function unmanagedDevices(layout: GroupLayout, index: DeviceIndex, targeted: ReadonlyMap<number, unknown>): string[] {
  const out: string[] = [];
  for (let i = 0; i < index.devices.length; i++) if (layout.groupOf[i]! < 0 && !targeted.has(i)) out.push(index.devices[i]!.id);
  return out.sort();
}
