// Who is in a group: a device listed by name in the include lists of two groups has no
// well-defined policy, and a group or ScheduledUpdate that can match no device is a mistake.
import type { DeviceGroup, DeviceSelector } from '../../model/manifests.generated.ts';
import type { Check } from './context.ts';
import { findEntry, validOf, whereIs } from './context.ts';
import { locate } from '../yaml-document.ts';

/** True when no device can satisfy the selector (a tag both required and excluded…). */
export function selectorMatchesNothing(selector: DeviceSelector): boolean {
  const excluded = new Set((selector.excludeTags ?? []).map((t) => t.toLowerCase()));
  if (excluded.size === 0) return false;
  if ((selector.tags ?? []).some((t) => excluded.has(t.toLowerCase()))) return true;
  const any = selector.anyTags ?? [];
  return any.length > 0 && any.every((t) => excluded.has(t.toLowerCase()));
}

/** True when neither the selector nor the include list of a group can bring a device in. */
export function groupMatchesNothing(group: DeviceGroup): boolean {
  const { selector, include = [], exclude = [] } = group.spec;
  if (selector && !selectorMatchesNothing(selector)) return false;
  const excluded = new Set(exclude.map((d) => d.toLowerCase()));
  return include.every((d) => excluded.has(d.toLowerCase()));
}

/** device-in-two-groups: the second include of a device (per namespace) is the error. */
export const checkIncludedTwice: Check = (ctx) => {
  // The first include's place is looked up only when a second one is found: locating needs the
  // document's syntax tree, which the fast path builds only for documents with a finding.
  const first = new Map<string, { group: string; at: (string | number)[]; entry: (typeof ctx.entries)[number] }>();
  for (const group of validOf(ctx, 'DeviceGroup')) {
    const inThisGroup = new Set<string>();
    group.manifest.spec.include?.forEach((device, i) => {
      const id = `${group.namespace}\u0000${device.trim().toLowerCase()}`;
      if (inThisGroup.has(id)) return;
      inThisGroup.add(id);
      const seen = first.get(id);
      const at = ['spec', 'include', i];
      if (!seen) {
        first.set(id, { group: group.name, at, entry: group });
        return;
      }
      ctx.report(group, at, 'value', 'device-in-two-groups', `device '${device}' is already included by group '${seen.group}' (${whereIs(seen.entry, locate(seen.entry.doc, seen.at, 'value').line)}); a device can be listed in one group's include only — remove it here or there`);
    });
  }
};

/** group-matches-nothing. */
export const checkGroupsMatchSomething: Check = (ctx) => {
  for (const group of validOf(ctx, 'DeviceGroup')) {
    if (!groupMatchesNothing(group.manifest)) continue;
    const why = group.manifest.spec.selector ? 'its selector excludes every tag it asks for' : 'it has no selector';
    const inc = (group.manifest.spec.include?.length ?? 0) > 0 ? ' and every included device is also excluded' : ' and no include list';
    ctx.report(group, ['spec'], 'key', 'group-matches-nothing', `group '${group.name}' can match no device: ${why}${inc}`);
  }
};

/** targets-nothing. */
export const checkTargets: Check = (ctx) => {
  for (const schedule of validOf(ctx, 'ScheduledUpdate')) {
    const { groupRef, selector, deviceIds } = schedule.manifest.spec.targets;
    if (deviceIds && deviceIds.length > 0) continue;
    if (selector && !selectorMatchesNothing(selector)) continue;
    const reasons: string[] = [];
    if (groupRef) {
      const group = findEntry(ctx, 'DeviceGroup', schedule.namespace, groupRef.name);
      // A missing or broken group is reported by its own rule; do not pile on.
      if (!group?.schemaValid || !groupMatchesNothing(group.manifest)) continue;
      reasons.push(`group '${groupRef.name}' matches no device`);
    }
    if (selector) reasons.push('the selector excludes every tag it asks for');
    if (reasons.length === 0) continue;
    ctx.report(schedule, ['spec', 'targets'], 'key', 'targets-nothing', `this update targets no device: ${reasons.join(', and ')}`);
  }
};
