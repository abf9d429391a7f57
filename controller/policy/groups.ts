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
  const claiming: Claiming = {
    groupOf: new Int32Array(n).fill(-1),
    explicitOf: new Uint8Array(n),
    priority: Float64Array.from(groups, (g) => g.spec.priority ?? 0),
    claims: new Map<number, number[]>(),
  };
  const explicitClaims = new Map<number, Set<number>>();
  // Per device, g + 1 of the last group that excluded or included it (allocated only if a group lists devices).
  let excludedBy: Int32Array | undefined;
  let includedBy: Int32Array | undefined;

  for (let g = 0; g < groups.length; g++) {
    const spec = groups[g]!.spec;
    const stamp = g + 1;
    if (spec.exclude && spec.exclude.length > 0) {
      excludedBy ??= new Int32Array(n);
      for (const ref of spec.exclude) {
        const i = index.find(ref);
        if (i !== undefined) excludedBy[i] = stamp;
      }
    }
    if (spec.include && spec.include.length > 0) {
      includedBy ??= new Int32Array(n);
      for (const ref of spec.include) {
        const i = index.find(ref);
        if (i !== undefined && excludedBy?.[i] !== stamp && includedBy[i] !== stamp) {
          includedBy[i] = stamp;
          let set = explicitClaims.get(i);
          if (!set) explicitClaims.set(i, (set = new Set()));
          set.add(g);
          claim(claiming, g, true, i);
        }
      }
    }
    if (spec.selector) {
      // A view of the index's buffer, read before the next select.
      const selected = index.selectView(compileSelector(spec.selector));
      for (let k = 0; k < selected.length; k++) {
        const i = selected[k]!;
        if (excludedBy?.[i] !== stamp && includedBy?.[i] !== stamp) claim(claiming, g, false, i);
      }
    }
  }

  const { groupOf, claims } = claiming;
  const devices = index.devices;
  // Each group's list at its size, filled in position order, then put in id order if it is not already.
  const count = new Int32Array(groups.length);
  for (let i = 0; i < n; i++) if (groupOf[i]! >= 0) count[groupOf[i]!]!++;
  const members: number[][] = new Array(groups.length);
  for (let g = 0; g < groups.length; g++) members[g] = new Array<number>(count[g]!);
  count.fill(0);
  for (let i = 0; i < n; i++) {
    const g = groupOf[i]!;
    if (g >= 0) members[g]![count[g]!++] = i;
  }
  for (let g = 0; g < members.length; g++) sortById(members[g]!, devices);

  const conflicted = new Array<number>(claims.size);
  let c = 0;
  for (const i of claims.keys()) conflicted[c++] = i;
  conflicted.sort((a, b) => a - b);
  sortById(conflicted, devices);
  const conflicts: ConflictRecord[] = new Array(conflicted.length);
  for (let k = 0; k < conflicted.length; k++) {
    const i = conflicted[k]!;
    const chosen = groupOf[i]!;
    const unique = [...new Set(claims.get(i)!)];
    conflicts[k] = {
      deviceId: devices[i]!.id,
      groups: unique.map((g) => groupKeys[g]!).sort(),
      chosen: groupKeys[chosen]!,
      reason: explainChoice(chosen, unique, explicitClaims.get(i), groups, groupKeys),
    };
  }
  return { groups, groupKeys, groupOf, members, conflicts, claims };
}

/** The claims made so far: each device's group and whether it was explicit, and every contested device's claimants. */
interface Claiming {
  readonly groupOf: Int32Array;
  readonly explicitOf: Uint8Array;
  readonly priority: Float64Array;
  readonly claims: Map<number, number[]>;
}

/** Group g claims device i; the claim wins by explicit include, then higher priority, then the earlier group. */
function claim(state: Claiming, g: number, explicit: boolean, i: number): void {
  const { groupOf, explicitOf, priority } = state;
  const cur = groupOf[i]!;
  if (cur === -1) {
    groupOf[i] = g;
    explicitOf[i] = explicit ? 1 : 0;
    return;
  }
  let list = state.claims.get(i);
  if (!list) state.claims.set(i, (list = [cur]));
  list.push(g);
  const curExplicit = explicitOf[i] === 1;
  const beats = explicit !== curExplicit ? explicit : priority[g] !== priority[cur] ? priority[g]! > priority[cur]! : g < cur;
  if (beats) {
    groupOf[i] = g;
    explicitOf[i] = explicit ? 1 : 0;
  }
}

/** Puts device positions in device id order; a list already in that order (the usual case) is only checked. */
function sortById(list: number[], devices: DeviceIndex['devices']): void {
  for (let k = 1; k < list.length; k++) {
    if (devices[list[k - 1]!]!.id > devices[list[k]!]!.id) {
      list.sort((a, b) => cmp(devices[a]!.id, devices[b]!.id));
      return;
    }
  }
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
