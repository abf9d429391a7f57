// The ScheduledUpdates of a plan with their targets resolved to device positions (a group, a
// selector, device ids), their spec digest and their remembered completion; and, per device,
// the ScheduledUpdates that target it. Internal to controller/plan; pure.
import type { ScheduledUpdate } from '../model/manifests.generated.ts';
import type { DeviceIndex } from '../policy/device-index.ts';
import type { Membership } from '../policy/groups.ts';
import { objectKey, ownerKey } from '../policy/manifest-keys.ts';
import { scheduledInstant } from '../policy/scheduled.ts';
import { specDigest } from '../policy/spec-digest.ts';
import { rememberedCompletion } from './remembered.ts';
import { compileSelector } from '../policy/selector.ts';
import type { GroupContext } from './group-context.ts';
import { cmp, type ScheduledCtx } from './work.ts';

/** Targets of each ScheduledUpdate, sorted by key. */
export function prepareScheduled(
  sus: readonly ScheduledUpdate[],
  index: DeviceIndex,
  membership: Membership,
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

/** The ScheduledUpdates targeting each device position, in key order. */
export function scheduledByDevice(scheduled: readonly ScheduledCtx[]): Map<number, ScheduledCtx[]> {
  const out = new Map<number, ScheduledCtx[]>();
  for (const s of scheduled) {
    for (const i of s.deviceIdx) {
      const list = out.get(i);
      if (list) list.push(s);
      else out.set(i, [s]);
    }
  }
  return out;
}
