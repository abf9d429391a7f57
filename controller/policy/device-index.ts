// An index of the fleet's devices by what selectors look at (tag, device type, model,
// manufacturer) and by every name a manifest may use (id, hardware unique id, serial), so that
// resolving 1,000 groups over 100,000 devices visits only the candidates of each selector.
import type { Device } from '../model/fleet.ts';
import { factsOf, matchesSelector, type CompiledSelector, type DeviceFacts } from './selector.ts';

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
  readonly #byTag = new Map<string, number[]>();
  readonly #byType = new Map<string, number[]>();
  readonly #byModel = new Map<string, number[]>();
  readonly #byManufacturer = new Map<string, number[]>();
  readonly #byRef = new Map<string, number>();
  readonly #byId = new Map<string, number>();

  constructor(devices: readonly Device[]) {
    this.devices = devices;
    const facts: DeviceFacts[] = new Array(devices.length);
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i]!;
      const f = factsOf(d);
      facts[i] = f;
      for (const t of f.tags) push(this.#byTag, t, i);
      push(this.#byType, d.deviceType, i);
      push(this.#byModel, f.model, i);
      push(this.#byManufacturer, f.manufacturer, i);
      this.#byId.set(d.id, i);
    }
    this.facts = facts;
    // Ids win over unique ids, which win over serials, when a string names several devices.
    for (let i = devices.length - 1; i >= 0; i--) {
      const d = devices[i]!;
      if (d.serialNumber) this.#byRef.set(d.serialNumber.toLowerCase(), i);
    }
    for (let i = devices.length - 1; i >= 0; i--) {
      const d = devices[i]!;
      if (d.uniqueId) this.#byRef.set(d.uniqueId.toLowerCase(), i);
    }
    for (let i = devices.length - 1; i >= 0; i--) this.#byRef.set(devices[i]!.id.toLowerCase(), i);
  }

  /** The position of the device with this exact id. */
  indexOfId(id: string): number | undefined {
    return this.#byId.get(id);
  }

  /** The device a manifest names by id, hardware unique id or serial number (case-insensitive). */
  find(ref: string): number | undefined {
    return this.#byId.get(ref) ?? this.#byRef.get(ref.trim().toLowerCase());
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
