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
  /** The first entry position and the walk position of each device, by its position in the index (valid for the devices recorded in this walk). */
  readonly offOf: Int32Array;
  readonly kOf: Int32Array;
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
    this.kOf = new Int32Array(devices);
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
    this.kOf[i] = k;
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

/**
 * The previous plan's DevicePlans in its walk order, with their devices' positions (one device
 * table: a position names the same device in every plan of it). Read by walk position, as the
 * walk reads its own runs: a plan of the same groups walks the devices in the same order, so
 * the reads go along the arrays instead of jumping about the heap. A device walked at another
 * place than before (groups changed) finds nothing and gets a new DevicePlan, once.
 */
export class PreviousPlans {
  readonly #device: Int32Array;
  readonly #plans: (DevicePlan | undefined)[];
  #n = 0;
  #assembly: Assembly | undefined;

  constructor(devices: number) {
    this.#device = new Int32Array(devices);
    this.#plans = packed(devices);
  }

  /** The previous plan's DevicePlan of the device at position `i`, when the previous walk had it k-th as this one does. */
  at(k: number, i: number): DevicePlan | undefined {
    return k < this.#n && this.#device[k] === i ? this.#plans[k] : undefined;
  }

  /** Records this plan's k-th DevicePlan (once `at` was read for k: the walk reads ahead of nothing). */
  set(k: number, i: number, plan: DevicePlan): void {
    this.#device[k] = i;
    this.#plans[k] = plan;
  }

  /** An Assembly of the plan's runs against these plans, kept from plan to plan (see assembleDevicePlans). */
  assembly(runs: DeviceRuns, index: DeviceIndex, waveByIdx: Int32Array): Assembly {
    if (this.#assembly === undefined) this.#assembly = new Assembly(runs, index, waveByIdx, this);
    else this.#assembly.reset(runs, index, waveByIdx);
    return this.#assembly;
  }

  /** Ends a plan of n DevicePlans (the rest are dropped). */
  end(n: number): void {
    this.#plans.fill(undefined, n, this.#n);
    this.#n = n;
  }
}

/** The previous plan's entry of the device at position `i`, k-th in the walk, for a software type, if any; `p`: where it is when the device reports the same types. */
export function previousEntry(previous: PreviousPlans, k: number, i: number, type: SoftwareType, p: number): PlanEntry | undefined {
  const entries = previous.at(k, i)?.entries;
  if (entries === undefined) return undefined;
  if (p < entries.length && entries[p]!.softwareType === type) return entries[p];
  for (let k = 0; k < entries.length; k++) if (entries[k]!.softwareType === type) return entries[k];
  return undefined;
}

/** How many devices a new shared entry is compared with (their previous entries) before it is taken as new. */
export const comparisonsPerEntry = 4;


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
export function sameReason(a: PlanEntry['reason'], b: PlanEntry['reason']): boolean {
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
  // Sized at once from a packed array of the walk's (a `new Array(n)` of more than 100,000 would be a
  // dictionary, and pushing grows it by copies: ~2.7 MB a plan at 100,000 devices), then overwritten.
  const out = runs.ctx.slice(0, runs.n) as unknown[] as DevicePlan[];
  // The previous plans' Assembly when there are any: made anew for each plan, it died between
  // plans and V8 threw away the optimized code of its per-device method at each plan's start.
  const a = previous ? previous.assembly(runs, index, waveByIdx) : new Assembly(runs, index, waveByIdx, undefined);
  // One call per device: as an inner loop here, V8 would compile the device's work on stack
  // replacement at every plan and discard it when the loop ends.
  for (let k = 0; k < runs.n; k++) out[k] = a.device(k);
  previous?.end(runs.n);
  return out;
}

/** What assembling one plan's DevicePlans keeps from device to device. */
class Assembly {
  #runs: DeviceRuns;
  #index: DeviceIndex;
  #waveByIdx: Int32Array;
  readonly #previous: PreviousPlans | undefined;
  // Entries are shared by many devices, mostly walked one after the other, as were the previous
  // plan's: per list position, the last pair compared (new, previous) and the answer.
  readonly #pairNew: (PlanEntry | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  readonly #pairOld: (PlanEntry | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  readonly #pairSame = [false, false, false, false, false, false];
  /** The device's entries as they are compared (a new DevicePlan copies its first `count`). */
  readonly #entries: (PlanEntry | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];

  constructor(runs: DeviceRuns, index: DeviceIndex, waveByIdx: Int32Array, previous: PreviousPlans | undefined) {
    this.#runs = runs;
    this.#index = index;
    this.#waveByIdx = waveByIdx;
    this.#previous = previous;
  }

  /** Makes it an assembly of another plan's runs (against the same previous plans); the pair memos are dropped. */
  reset(runs: DeviceRuns, index: DeviceIndex, waveByIdx: Int32Array): void {
    this.#runs = runs;
    this.#index = index;
    this.#waveByIdx = waveByIdx;
    for (let p = 0; p < 6; p++) {
      this.#pairNew[p] = undefined;
      this.#pairOld[p] = undefined;
      this.#pairSame[p] = false;
      this.#entries[p] = undefined;
    }
  }

  /** The DevicePlan of the k-th device of the walk. */
  device(k: number): DevicePlan {
    const runs = this.#runs;
    const flat = runs.entries;
    const entries = this.#entries;
    const i = runs.device[k]!;
    const ctx = runs.ctx[k]!;
    const off = runs.off[k]!;
    const count = runs.count[k]!;
    const group = ctx.key;
    const policy = ctx.policy?.key;
    const wave = this.#waveByIdx[i] || undefined;
    const previous = this.#previous;
    // Same table, same position: the same device (its id is not read unless a new DevicePlan needs it).
    const prev = previous === undefined ? undefined : previous.at(k, i);
    const olds = prev === undefined ? undefined : prev.entries;
    let same = prev !== undefined && prev.group === group && prev.policy === policy && prev.wave === wave && olds!.length === count;
    for (let p = 0; p < count; p++) {
      let e = flat[off + p]!;
      const old = olds !== undefined && p < olds.length ? olds[p] : undefined;
      if (e !== old && old !== undefined) {
        if (this.#pairNew[p] !== e || this.#pairOld[p] !== old) {
          this.#pairNew[p] = e;
          this.#pairOld[p] = old;
          this.#pairSame[p] = sameEntry(e, old);
        }
        if (this.#pairSame[p]) e = old;
      }
      if (e !== old) same = false;
      entries[p] = e;
    }
    if (same) return prev!;
    const plan: DevicePlan = { deviceId: this.#index.devices[i]!.id, group, policy, wave, entries: entries.slice(0, count) as PlanEntry[] };
    previous?.set(k, i, plan);
    return plan;
  }
}
