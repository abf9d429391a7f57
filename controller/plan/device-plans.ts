// Devices' plans, assembled once every entry is known, and kept from one plan to the next.
// The walk (collect-entries.ts) gives each device a run of positions in one flat array of
// entries instead of an array of its own; light updates and works write their entries there.
// Once all are written, each device's DevicePlan is made, unless the previous plan of the same
// device table (PlanMemo) had one equal to it: same device, group, policy, wave and entries,
// each entry the same object or equal in every key, in the same key order, and every value.
// Then the previous object is the new plan's, so a repeated plan allocates (and promotes to
// V8's old generation) about one DevicePlan and list per device that changed, not one per
// device. Nothing is assumed unchanged: every device is compared on every plan, so a plan with
// the memo is the plan without it, byte for byte. Plans are read only (model/plan.ts), which is
// what lets two plans share objects. Internal to controller/plan; pure.
import type { SoftwareType } from '../model/fleet.ts';
import type { DevicePlan, PlanEntry } from '../model/plan.ts';
import type { DeviceIndex } from '../policy/device-index.ts';
import type { GroupContext } from './group-context.ts';

/** A packed array of `n` undefined (a `new Array(n)` this long would be a dictionary). */
function packed<T>(n: number): (T | undefined)[] {
  const out: (T | undefined)[] = [];
  for (let k = 0; k < n; k++) out.push(undefined);
  return out;
}

/**
 * The walk's record of the devices with entries, in walk order, and their entries in one flat
 * array (device k's are at off[k] .. off[k] + count[k]). Sized for every device of the index
 * with all six software types; kept between plans of one device table (PlanMemo) and
 * overwritten, as no plan keeps it.
 */
export class DeviceRuns {
  readonly entries: (PlanEntry | undefined)[];
  readonly device: Int32Array;
  readonly off: Int32Array;
  readonly count: Uint8Array;
  readonly ctx: (GroupContext | undefined)[];
  /** The first position of each device by its position in the index (valid for the devices recorded in this walk). */
  readonly offOf: Int32Array;
  /** Devices recorded so far, and entry positions given out. */
  n = 0;
  used = 0;

  constructor(devices: number) {
    this.entries = packed(devices * 6);
    this.device = new Int32Array(devices);
    this.off = new Int32Array(devices);
    this.count = new Uint8Array(devices);
    this.ctx = packed(devices);
    this.offOf = new Int32Array(devices);
  }

  /** True when it has room for a fleet of this many devices. */
  fits(devices: number): boolean {
    return this.device.length === devices;
  }

  /** Empties it for a new walk. */
  reset(): void {
    this.n = 0;
    this.used = 0;
  }

  /** Gives the device at position `i` up to `count` positions; returns the first. */
  open(i: number, ctx: GroupContext, count: number): number {
    const k = this.n;
    this.device[k] = i;
    this.ctx[k] = ctx;
    this.off[k] = this.used;
    this.offOf[i] = this.used;
    this.count[k] = count;
    return this.used;
  }

  /** Keeps the device opened last with the `count` positions it filled (0: it gets no DevicePlan). */
  close(count: number): void {
    if (count === 0) return;
    this.count[this.n] = count;
    this.used += count;
    this.n++;
  }

  /** Drops what a plan left (the entries and contexts are not kept alive until the next). */
  clear(): void {
    this.entries.fill(undefined, 0, this.used);
    this.ctx.fill(undefined, 0, this.n);
    this.reset();
  }
}

/** The previous plan's DevicePlan of each device position (one device table). */
export type PreviousPlans = (DevicePlan | undefined)[];

/** The previous plan's entry of the device at position `i` for a software type, if any; `p`: where it is when the device reports the same types. */
export function previousEntry(previous: PreviousPlans, i: number, type: SoftwareType, p: number): PlanEntry | undefined {
  const entries = previous[i]?.entries;
  if (entries === undefined) return undefined;
  if (p < entries.length && entries[p]!.softwareType === type) return entries[p];
  for (let k = 0; k < entries.length; k++) if (entries[k]!.softwareType === type) return entries[k];
  return undefined;
}

/** How many devices a new shared entry is compared with (their previous entries) before it is taken as new. */
export const comparisonsPerEntry = 4;

/** A new, empty PreviousPlans for a table of `devices` devices. */
export function noPreviousPlans(devices: number): PreviousPlans {
  return packed(devices);
}

/**
 * True when `a` and `b` would be the same in every reading: same own keys in the same order,
 * every value the same primitive or, recursively, equal objects or arrays. Stricter than JSON
 * equality (a key holding undefined counts), never looser.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let k = 0; k < ka.length; k++) {
    const key = ka[k]!;
    if (key !== kb[k]) return false;
    if (!sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** True when an object's own enumerable keys are exactly code, message, in that order (no array made). */
function isCodeMessage(r: object): boolean {
  let k = 0;
  for (const key in r) {
    if (!Object.hasOwn(r, key) || key !== (k === 0 ? 'code' : 'message')) return false;
    k++;
  }
  return k === 2;
}

/** sameValue for two reasons, without making arrays when both are { code, message }. */
function sameReason(a: PlanEntry['reason'], b: PlanEntry['reason']): boolean {
  if (a === b) return true;
  if (a.code !== b.code || a.message !== b.message) return false;
  return isCodeMessage(a) && isCodeMessage(b) ? true : sameValue(a, b);
}

/**
 * sameValue for two entries of plans, without making arrays in the common case. Every entry is
 * made by work.ts planEntry, so all have the same keys in the same order: the fields are
 * compared by name, the primitive ones first (where a changed entry mostly differs), the
 * nested ones only when not the same object.
 */
export function sameEntry(a: PlanEntry, b: PlanEntry): boolean {
  if (a === b) return true;
  return a.softwareType === b.softwareType && a.state === b.state && a.earliestStart === b.earliestStart && a.currentVersion === b.currentVersion
    && a.desiredVersion === b.desiredVersion && a.scheduledUpdate === b.scheduledUpdate
    && sameReason(a.reason, b.reason) && sameValue(a.rule, b.rule) && sameValue(a.clamp, b.clamp) && sameValue(a.failure, b.failure) && sameValue(a.refused, b.refused);
}

/**
 * The plan's DevicePlans, in walk order, from the walk's runs: each one the previous plan's
 * (`previous`, by device position; updated to this plan's) when equal, else a new one whose
 * entries are, where equal, the previous plan's objects. `previous` undefined: all new.
 */
export function assembleDevicePlans(runs: DeviceRuns, index: DeviceIndex, waveByIdx: Int32Array, previous: PreviousPlans | undefined): DevicePlan[] {
  const out: DevicePlan[] = new Array(runs.n);
  const flat = runs.entries;
  // Entries are shared by many devices, mostly walked one after the other, as were the previous
  // plan's: per list position, the last pair compared (new, previous) and the answer.
  const pairNew: (PlanEntry | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  const pairOld: (PlanEntry | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  const pairSame = [false, false, false, false, false, false];
  // This device's entries as they are compared (a new DevicePlan copies its first `count`).
  const entries: (PlanEntry | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  for (let k = 0; k < runs.n; k++) {
    const i = runs.device[k]!;
    const ctx = runs.ctx[k]!;
    const off = runs.off[k]!;
    const count = runs.count[k]!;
    const deviceId = index.devices[i]!.id;
    const group = ctx.key;
    const policy = ctx.policy?.key;
    const wave = waveByIdx[i] || undefined;
    const prev = previous?.[i];
    const olds = prev?.entries;
    let same = prev !== undefined && prev.deviceId === deviceId && prev.group === group && prev.policy === policy && prev.wave === wave && olds!.length === count;
    for (let p = 0; p < count; p++) {
      let e = flat[off + p]!;
      const old = olds !== undefined && p < olds.length ? olds[p] : undefined;
      if (e !== old && old !== undefined) {
        if (pairNew[p] !== e || pairOld[p] !== old) {
          pairNew[p] = e;
          pairOld[p] = old;
          pairSame[p] = sameEntry(e, old);
        }
        if (pairSame[p]) e = old;
      }
      if (e !== old) same = false;
      entries[p] = e;
    }
    if (same) {
      out[k] = prev!;
      continue;
    }
    const plan: DevicePlan = { deviceId, group, policy, wave, entries: entries.slice(0, count) as PlanEntry[] };
    out[k] = plan;
    if (previous) previous[i] = plan;
  }
  return out;
}
