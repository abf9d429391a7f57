// An index of the fleet's devices by what selectors look at (tag, device type, model,
// manufacturer) and by every name a manifest may use (id, hardware unique id, serial), so that
// resolving 1,000 groups over 100,000 devices visits only the candidates of each selector.
import type { Device } from '../model/fleet.ts';
import { isTagsOnly, matchesSelector, parseTags, type CompiledSelector, type DeviceFacts } from './selector.ts';

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

const empty: readonly number[] = [];
const noTags: readonly string[] = [];

/**
 * Devices indexed for selectors and references. Device positions are their index in `devices`.
 * Only what every plan needs is built up front (tags, ids, models); the rest on first use.
 */
export class DeviceIndex {
  readonly devices: readonly Device[];
  /** Model names as reported, one string per distinct name (equal names share it, so look-ups hash once). */
  readonly #models: string[];
  readonly #byTag = new Map<string, number[]>();
  #byType: Map<string, number[]> | undefined;
  #byModel: Map<string, number[]> | undefined;
  #byManufacturer: Map<string, number[]> | undefined;
  #facts: DeviceFacts[] | undefined;
  #byRef: Map<string, number> | undefined;
  readonly #byId = new Map<string, number>();
  readonly #strings = new Map<string, string>();

  constructor(devices: readonly Device[]) {
    this.devices = devices;
    const models: string[] = new Array(devices.length);
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i]!;
      // Tags go to the postings only; the per-device lists are rebuilt from them if a selector needs facts.
      for (const tag of parseTags(d.notes)) push(this.#byTag, this.#intern(tag), i);
      models[i] = this.#intern(d.model);
      this.#byId.set(d.id, i);
    }
    this.#models = models;
  }

  #intern(s: string): string {
    const known = this.#strings.get(s);
    if (known !== undefined) return known;
    this.#strings.set(s, s);
    return s;
  }

  /** What selectors look at, per device (built on first use: tags-only selectors never need it). */
  get facts(): readonly DeviceFacts[] {
    if (this.#facts) return this.#facts;
    const lower = new Map<string, string>();
    const low = (s: string) => {
      let l = lower.get(s);
      if (l === undefined) lower.set(s, (l = this.#intern(s.toLowerCase())));
      return l;
    };
    const tags = this.#tagLists();
    this.#facts = this.devices.map((device, i) => ({ device, tags: tags[i] ?? noTags, manufacturer: low(device.manufacturer), model: low(device.model) }));
    return this.#facts;
  }

  /**
   * Each device's tags from the postings, in the order parseTags gives (sorted by code unit,
   * unique): the notes are not parsed twice (a first plan parsed 100,000 notes again, 27 MB of
   * garbage). Devices without tags have no entry.
   */
  #tagLists(): (string[] | undefined)[] {
    const n = this.devices.length;
    // Counted first so each list is allocated at its size (a list grown by push keeps 16 slots).
    const count = new Int32Array(n);
    for (const list of this.#byTag.values()) for (let k = 0; k < list.length; k++) count[list[k]!]!++;
    const out: (string[] | undefined)[] = new Array(n);
    const filled = new Int32Array(n);
    for (const tag of [...this.#byTag.keys()].sort()) {
      const list = this.#byTag.get(tag)!;
      for (let k = 0; k < list.length; k++) {
        const i = list[k]!;
        (out[i] ??= new Array<string>(count[i]!))[filled[i]!++] = tag;
      }
    }
    return out;
  }

  #postings(field: 'type' | 'model' | 'manufacturer'): Map<string, number[]> {
    const known = field === 'type' ? this.#byType : field === 'model' ? this.#byModel : this.#byManufacturer;
    if (known) return known;
    const map = new Map<string, number[]>();
    const facts = this.facts;
    for (let i = 0; i < facts.length; i++) {
      const f = facts[i]!;
      push(map, field === 'type' ? f.device.deviceType : field === 'model' ? f.model : f.manufacturer, i);
    }
    if (field === 'type') this.#byType = map;
    else if (field === 'model') this.#byModel = map;
    else this.#byManufacturer = map;
    return map;
  }

  /** The model of the device at a position, as reported (a shared string). */
  modelAt(i: number): string {
    return this.#models[i]!;
  }

  /** Lower-cased ids, unique ids and serials, built on first use (only include/exclude/deviceIds need them). */
  #refs(): Map<string, number> {
    if (this.#byRef) return this.#byRef;
    const refs = new Map<string, number>();
    const devices = this.devices;
    // Ids win over unique ids, which win over serials, when a string names several devices.
    for (let i = devices.length - 1; i >= 0; i--) {
      const d = devices[i]!;
      if (d.serialNumber) refs.set(d.serialNumber.toLowerCase(), i);
    }
    for (let i = devices.length - 1; i >= 0; i--) {
      const d = devices[i]!;
      if (d.uniqueId) refs.set(d.uniqueId.toLowerCase(), i);
    }
    for (let i = devices.length - 1; i >= 0; i--) refs.set(devices[i]!.id.toLowerCase(), i);
    this.#byRef = refs;
    return refs;
  }

  /** The position of the device with this exact id. */
  indexOfId(id: string): number | undefined {
    return this.#byId.get(id);
  }

  /** The device a manifest names by id, hardware unique id or serial number (case-insensitive). */
  find(ref: string): number | undefined {
    return this.#byId.get(ref) ?? this.#refs().get(ref.trim().toLowerCase());
  }

  /** The smallest posting list that contains every match of the selector, or undefined for "all devices". */
  #candidates(selector: CompiledSelector): readonly number[] | undefined {
    let best: readonly number[] | undefined;
    const consider = (list: readonly number[]) => {
      if (best === undefined || list.length < best.length) best = list;
    };
    if (selector.tags) for (const t of selector.tags) consider(this.#byTag.get(t) ?? empty);
    const union = (keys: Iterable<string>, map: Map<string, number[]>) => {
      const lists = [...keys].map((k) => map.get(k) ?? empty);
      if (lists.length === 1) return lists[0]!;
      return [...new Set(lists.flat())].sort((a, b) => a - b);
    };
    const unionSize = (keys: Iterable<string>, map: Map<string, number[]>) => {
      let n = 0;
      for (const k of keys) n += map.get(k)?.length ?? 0;
      return n;
    };
    // Unions are only built when they would be the smallest list.
    const options: [Iterable<string> | undefined, () => Map<string, number[]>][] = [
      [selector.anyTags, () => this.#byTag],
      [selector.deviceTypes, () => this.#postings('type')],
      [selector.models, () => this.#postings('model')],
      [selector.manufacturers, () => this.#postings('manufacturer')],
    ];
    for (const [keys, mapOf] of options) {
      if (!keys) continue;
      const map = mapOf();
      const size = unionSize(keys, map);
      if (best === undefined || size < best.length) consider(union(keys, map));
    }
    return best;
  }

  /** Positions of the devices matching the selector, ascending. */
  select(selector: CompiledSelector): number[] {
    if (selector.tags && isTagsOnly(selector)) {
      // Intersect the sorted posting lists, smallest first: exact, nothing left to check.
      const lists = selector.tags.map((t) => this.#byTag.get(t) ?? empty).sort((a, b) => a.length - b.length);
      let out: number[] = lists.length === 1 ? [...lists[0]!] : intersect(lists[0]!, lists[1]!);
      for (let k = 2; k < lists.length && out.length > 0; k++) out = intersect(out, lists[k]!);
      return out;
    }
    const candidates = this.#candidates(selector);
    const out: number[] = [];
    const facts = this.facts;
    if (candidates === undefined) {
      for (let i = 0; i < facts.length; i++) if (matchesSelector(selector, facts[i]!)) out.push(i);
    } else {
      for (let k = 0; k < candidates.length; k++) if (matchesSelector(selector, facts[candidates[k]!]!)) out.push(candidates[k]!);
    }
    return out;
  }
}

/** Intersection of two ascending lists of positions (`a` the shorter). */
function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  if (b.length > a.length * 8) {
    // Much longer second list (a site tag against a floor tag): binary-search it from where the last hit was.
    // Indexed loops here and below: a for-of allocates an iterator result per element in code
    // Maglev compiles (plan runs with --no-opt: bin/command-v8-flags.mjs), 38 MB on a first plan.
    let lo = 0;
    for (let k = 0; k < a.length; k++) {
      const x = a[k]!;
      let hi = b.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (b[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      if (lo < b.length && b[lo] === x) out.push(x);
    }
    return out;
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}
