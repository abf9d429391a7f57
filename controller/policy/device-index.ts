// An index of the fleet's devices by what selectors look at (tag, device type, model,
// manufacturer) and by every name a manifest may use (id, hardware unique id, serial), so that
// resolving 1,000 groups over 100,000 devices visits only the candidates of each selector.
import type { Device } from '../model/fleet.ts';
import { factsOf, isTagsOnly, matchesSelector, type CompiledSelector, type DeviceFacts } from './selector.ts';

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

const empty: readonly number[] = [];

/** Devices indexed for selectors and references. Device positions are their index in `devices`. */
export class DeviceIndex {
  readonly devices: readonly Device[];
  readonly facts: readonly DeviceFacts[];
  /** Model names as reported, one string per distinct name (equal names share it, so look-ups hash once). */
  readonly #models: string[];
  readonly #byTag = new Map<string, number[]>();
  readonly #byType = new Map<string, number[]>();
  readonly #byModel = new Map<string, number[]>();
  readonly #byManufacturer = new Map<string, number[]>();
  #byRef: Map<string, number> | undefined;
  readonly #byId = new Map<string, number>();

  constructor(devices: readonly Device[]) {
    this.devices = devices;
    const facts: DeviceFacts[] = new Array(devices.length);
    const models: string[] = new Array(devices.length);
    const strings = new Map<string, string>();
    const intern = (s: string) => {
      const known = strings.get(s);
      if (known !== undefined) return known;
      strings.set(s, s);
      return s;
    };
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i]!;
      const f = factsOf(d, intern);
      models[i] = intern(d.model);
      facts[i] = f;
      for (const t of f.tags) push(this.#byTag, t, i);
      push(this.#byType, d.deviceType, i);
      push(this.#byModel, f.model, i);
      push(this.#byManufacturer, f.manufacturer, i);
      this.#byId.set(d.id, i);
    }
    this.facts = facts;
    this.#models = models;
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
    const options: [Iterable<string> | undefined, Map<string, number[]>][] = [
      [selector.anyTags, this.#byTag],
      [selector.deviceTypes, this.#byType],
      [selector.models, this.#byModel],
      [selector.manufacturers, this.#byManufacturer],
    ];
    for (const [keys, map] of options) {
      if (!keys) continue;
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
      let out = [...lists[0]!];
      for (let k = 1; k < lists.length && out.length > 0; k++) out = intersect(out, lists[k]!);
      return out;
    }
    const candidates = this.#candidates(selector);
    const out: number[] = [];
    if (candidates === undefined) {
      for (let i = 0; i < this.facts.length; i++) if (matchesSelector(selector, this.facts[i]!)) out.push(i);
    } else {
      for (const i of candidates) if (matchesSelector(selector, this.facts[i]!)) out.push(i);
    }
    return out;
  }
}

/** Intersection of two ascending lists of positions. */
function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
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
