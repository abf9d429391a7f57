// Which DeviceGroup each device belongs to. A device may match several groups; precedence
// decides, deterministically: an explicit include first, then the highest priority, then the
// group whose name sorts first. Every such choice is reported as a conflict.
import type { DeviceGroup } from '../model/manifests.generated.ts';
import type { ConflictRecord } from '../model/plan.ts';
import type { DeviceIndex } from './device-index.ts';
import { displayName, objectKey } from './manifest-keys.ts';
import { compileSelector } from './selector.ts';

/** The groups after precedence. Group positions follow `groups` (sorted by name, then namespace). */
export interface Membership {
  /** The groups, sorted by name then namespace (the tie-break order). */
  readonly groups: readonly DeviceGroup[];
  readonly groupKeys: readonly string[];
  /** Per device position: the position of its group, or -1. */
  readonly groupOf: Int32Array;
  /** Per group: device positions of its members, sorted by device id. */
  readonly members: readonly (readonly number[])[];
  /** Devices several groups claimed, sorted by device id. */
  readonly conflicts: readonly ConflictRecord[];
  /** Per device position with a conflict: every group position that claimed it. */
  readonly claims: ReadonlyMap<number, readonly number[]>;
}

/** Sorts groups into the tie-break order: name, then namespace. */
export function sortGroups(groups: readonly DeviceGroup[]): DeviceGroup[] {
  return [...groups].sort((a, b) => cmp(a.metadata.name, b.metadata.name) || cmp(a.metadata.namespace ?? 'default', b.metadata.namespace ?? 'default'));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Resolves every device's group with the precedence rule. */
export function resolveGroups(input: readonly DeviceGroup[], index: DeviceIndex): Membership {
  const groups = sortGroups(input);
  const groupKeys = groups.map((g) => objectKey(g.metadata));
  const n = index.devices.length;
  const groupOf = new Int32Array(n).fill(-1);
  const explicitOf = new Uint8Array(n);
  const claims = new Map<number, number[]>();
  const explicitClaims = new Map<number, Set<number>>();
  const priority = groups.map((g) => g.spec.priority ?? 0);

  // true when claim (g, explicit) beats the current one of device i
  const beats = (g: number, explicit: boolean, i: number): boolean => {
    const cur = groupOf[i]!;
    const curExplicit = explicitOf[i] === 1;
    if (explicit !== curExplicit) return explicit;
    if (priority[g] !== priority[cur]) return priority[g]! > priority[cur]!;
    return g < cur;
  };
  const claim = (g: number, explicit: boolean, i: number) => {
    const cur = groupOf[i]!;
    if (cur === -1) {
      groupOf[i] = g;
      explicitOf[i] = explicit ? 1 : 0;
      return;
    }
    let list = claims.get(i);
    if (!list) claims.set(i, (list = [cur]));
    list.push(g);
    if (beats(g, explicit, i)) {
      groupOf[i] = g;
      explicitOf[i] = explicit ? 1 : 0;
    }
  };

  groups.forEach((group, g) => {
    const excluded = new Set<number>();
    for (const ref of group.spec.exclude ?? []) {
      const i = index.find(ref);
      if (i !== undefined) excluded.add(i);
    }
    const included = new Set<number>();
    for (const ref of group.spec.include ?? []) {
      const i = index.find(ref);
      if (i !== undefined && !excluded.has(i) && !included.has(i)) {
        included.add(i);
        let set = explicitClaims.get(i);
        if (!set) explicitClaims.set(i, (set = new Set()));
        set.add(g);
        claim(g, true, i);
      }
    }
    if (group.spec.selector) {
      const selected = index.select(compileSelector(group.spec.selector));
      // Indexed: a for-of allocates an iterator result per device in Maglev-only code (plan's --no-opt).
      for (let k = 0; k < selected.length; k++) {
        const i = selected[k]!;
        if (!excluded.has(i) && !included.has(i)) claim(g, false, i);
      }
    }
  });

  const members: number[][] = groups.map(() => []);
  for (let i = 0; i < n; i++) if (groupOf[i]! >= 0) members[groupOf[i]!]!.push(i);
  const idOf = (i: number) => index.devices[i]!.id;
  for (const list of members) list.sort((a, b) => cmp(idOf(a), idOf(b)));

  const conflicts: ConflictRecord[] = [];
  for (const [i, list] of claims) {
    const chosen = groupOf[i]!;
    const unique = [...new Set(list)];
    conflicts.push({
      deviceId: idOf(i),
      groups: unique.map((g) => groupKeys[g]!).sort(),
      chosen: groupKeys[chosen]!,
      reason: explainChoice(chosen, unique, explicitClaims.get(i), groups, groupKeys),
    });
  }
  conflicts.sort((a, b) => cmp(a.deviceId, b.deviceId));
  return { groups, groupKeys, groupOf, members, conflicts, claims };
}

function explainChoice(chosen: number, all: readonly number[], explicit: ReadonlySet<number> | undefined, groups: readonly DeviceGroup[], keys: readonly string[]): string {
  const name = (g: number) => displayName(keys[g]!);
  const prio = (g: number) => groups[g]!.spec.priority ?? 0;
  const others = all.filter((g) => g !== chosen);
  if (explicit?.has(chosen)) {
    const alsoExplicit = others.filter((g) => explicit.has(g));
    if (alsoExplicit.length === 0) return `${name(chosen)} lists the device in include, which beats the selectors of ${others.map(name).join(', ')}`;
  }
  const rivals = explicit?.has(chosen) ? others.filter((g) => explicit.has(g)) : others;
  const tied = rivals.filter((g) => prio(g) === prio(chosen));
  if (tied.length === 0) {
    return `${name(chosen)} has the highest priority (${prio(chosen)}; ${rivals.map((g) => `${name(g)} ${prio(g)}`).join(', ')})`;
  }
  return `equal priority ${prio(chosen)}: ${name(chosen)} sorts before ${tied.map(name).join(', ')}`;
}
