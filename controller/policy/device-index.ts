// An index of the fleet's devices by what selectors look at (tag, device type, model,
// manufacturer) and by every name a manifest may use (id, hardware unique id, serial), so that
// resolving 1,000 groups over 100,000 devices visits only the candidates of each selector.
import type { Device } from '../model/fleet.ts';
import { parseTags, type CompiledSelector, type DeviceFacts } from './selector.ts';
import { bitsetOf, differenceInPlace, intersectInPlace, keepMarked, totalLength, unionInto } from './sorted-sets.ts';

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

const empty = new Int32Array(0);
const noTags: readonly string[] = [];

/** Postings lists as Int32Arrays (ascending positions: built in position order). */
function packed(map: Map<string, number[]>): Map<string, Int32Array> {
  const out = new Map<string, Int32Array>();
  for (const [key, list] of map) out.set(key, Int32Array.from(list));
  return out;
}

/**
 * Devices indexed for selectors and references. Device positions are their index in `devices`.
 * Only what every plan needs is built up front (tags, ids, models); the rest on first use.
 */
export class DeviceIndex {
  readonly devices: readonly Device[];
  /** Model names as reported, one string per distinct name (equal names share it, so look-ups hash once). */
  readonly #models: string[];
  /** 1 for each position whose device reports healthStatus offline (a plan asks for every device: no object read). */
  readonly #offline: Uint8Array;
  /** Per tag, the positions carrying it, ascending. */
  readonly #byTag: Map<string, Int32Array>;
  /** By postings list, the bitset of a tag carried by at least 1 device in 32 (no bigger than the list), built on first use. */
  readonly #tagBits = new Map<Int32Array, Int32Array>();
  #byType: Map<string, Int32Array> | undefined;
  #byModel: Map<string, Int32Array> | undefined;
  #byManufacturer: Map<string, Int32Array> | undefined;
  #facts: DeviceFacts[] | undefined;
  #byRef: Map<string, number> | undefined;
  readonly #byId = new Map<string, number>();
  readonly #strings = new Map<string, string>();
  readonly #lower = new Map<string, string>();
  /** Where select writes its answer, and room for unions (grown on demand, kept between selects). */
  #buf = empty;
  #room = empty;

  constructor(devices: readonly Device[]) {
    this.devices = devices;
    const models: string[] = new Array(devices.length);
    const offline = new Uint8Array(devices.length);
    const byTag = new Map<string, number[]>();
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i]!;
      // Tags go to the postings only; the per-device lists are rebuilt from them if a selector needs facts.
      const tags = parseTags(d.notes);
      for (let k = 0; k < tags.length; k++) push(byTag, tags[k]!, i);
      models[i] = this.#intern(d.model);
      if (d.healthStatus === 'offline') offline[i] = 1;
      this.#byId.set(d.id, i);
    }
    this.#byTag = packed(byTag);
    this.#models = models;
    this.#offline = offline;
  }

  #intern(s: string): string {
    const known = this.#strings.get(s);
    if (known !== undefined) return known;
    this.#strings.set(s, s);
    return s;
  }

  /** The lower-case form of a manufacturer or model (one per distinct text). */
  #low(s: string): string {
    let l = this.#lower.get(s);
    if (l === undefined) this.#lower.set(s, (l = this.#intern(s.toLowerCase())));
    return l;
  }

  /** What selectors look at, per device (built on first use: select never needs it). */
  get facts(): readonly DeviceFacts[] {
    if (this.#facts) return this.#facts;
    const tags = this.#tagLists();
    this.#facts = this.devices.map((device, i) => ({ device, tags: tags[i] ?? noTags, manufacturer: this.#low(device.manufacturer), model: this.#low(device.model) }));
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

  #postings(field: 'type' | 'model' | 'manufacturer'): Map<string, Int32Array> {
    const known = field === 'type' ? this.#byType : field === 'model' ? this.#byModel : this.#byManufacturer;
    if (known) return known;
    const map = new Map<string, number[]>();
    const devices = this.devices;
    for (let i = 0; i < devices.length; i++) {
      const d = devices[i]!;
      push(map, field === 'type' ? d.deviceType : field === 'model' ? this.#low(d.model) : this.#low(d.manufacturer), i);
    }
    const lists = packed(map);
    if (field === 'type') this.#byType = lists;
    else if (field === 'model') this.#byModel = lists;
    else this.#byManufacturer = lists;
    return lists;
  }

  /** True when the device at a position reports healthStatus offline. */
  offlineAt(i: number): boolean {
    return this.#offline[i] === 1;
  }

  /** True when no two devices have the same id (indexOfId then names every device). */
  get uniqueIds(): boolean {
    return this.#byId.size === this.devices.length;
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

  /** Positions of the devices matching the selector, ascending. */
  select(selector: CompiledSelector): number[] {
    return Array.from(this.selectView(selector));
  }

  /**
   * Positions of the devices matching the selector, ascending, as a view of a buffer the index
   * reuses: valid until its next select or selectView. Tags are resolved on the postings alone
   * (all-of: an intersection, smallest first; any-of: a union; exclusions: a difference); the
   * other fields are checked on each candidate's device.
   */
  selectView(selector: CompiledSelector): Int32Array {
    const n = this.devices.length;
    let len = -1; // -1: every device is still a candidate
    const all = selector.tags;
    if (all && all.length > 0) {
      const lists = all.map((t) => this.#byTag.get(t) ?? empty).sort((a, b) => a.length - b.length);
      const buf = this.#buffer(lists[0]!.length);
      buf.set(lists[0]!);
      len = lists[0]!.length;
      for (let k = 1; k < lists.length && len > 0; k++) len = this.#intersect(buf, len, lists[k]!);
    }
    if (selector.anyTags) {
      const union = this.#union(selector.anyTags.map((t) => this.#byTag.get(t) ?? empty));
      if (len < 0) {
        len = union.length;
        this.#buffer(len).set(union);
      } else len = intersectInPlace(this.#buf, len, union);
    }
    const fields = this.#fieldCandidates(selector, len);
    if (fields) {
      len = fields.length;
      this.#buffer(len).set(fields);
    }
    if (len < 0) {
      const buf = this.#buffer(n);
      for (let i = 0; i < n; i++) buf[i] = i;
      len = n;
    }
    if (selector.excludeTags && len > 0) len = differenceInPlace(this.#buf, len, this.#union(selector.excludeTags.map((t) => this.#byTag.get(t) ?? empty)));
    if (selector.deviceTypes || selector.healthStatuses || selector.manufacturers || selector.models || selector.assetTags) len = this.#keepMatching(selector, len);
    return this.#buf.subarray(0, len);
  }

  /** Keeps the candidates in a tag's postings `list`: by its bitset when the tag is common, else by galloping. */
  #intersect(buf: Int32Array, len: number, list: Int32Array): number {
    if (list.length === 0) return 0;
    if (list.length * 32 < this.devices.length) return intersectInPlace(buf, len, list);
    let bits = this.#tagBits.get(list);
    if (!bits) this.#tagBits.set(list, (bits = bitsetOf(list, this.devices.length)));
    return keepMarked(buf, len, bits);
  }

  /** The union of postings lists, in the index's spare room (valid until the next union). */
  #union(lists: readonly Int32Array[]): Int32Array {
    if (lists.length === 1) return lists[0]!;
    const need = totalLength(lists);
    if (this.#room.length < need) this.#room = new Int32Array(Math.max(need, this.devices.length));
    return this.#room.subarray(0, unionInto(lists, this.#room));
  }

  /**
   * When no tag narrowed the candidates (len < 0), the devices of the listed device types,
   * models or manufacturers (whichever field lists fewest), ascending; else undefined.
   */
  #fieldCandidates(selector: CompiledSelector, len: number): Int32Array | undefined {
    if (len >= 0) return undefined;
    let best: Int32Array[] | undefined;
    let bestSize = Infinity;
    const options: [ReadonlySet<string> | undefined, 'type' | 'model' | 'manufacturer'][] = [
      [selector.deviceTypes, 'type'],
      [selector.models, 'model'],
      [selector.manufacturers, 'manufacturer'],
    ];
    for (const [keys, field] of options) {
      if (!keys) continue;
      const map = this.#postings(field);
      const lists = [...keys].map((k) => map.get(k) ?? empty);
      const size = totalLength(lists);
      if (size < bestSize) {
        best = lists;
        bestSize = size;
      }
    }
    return best && this.#union(best);
  }

  /** Keeps the candidates whose device matches the selector's non-tag fields; returns how many. */
  #keepMatching(selector: CompiledSelector, len: number): number {
    const buf = this.#buf;
    const devices = this.devices;
    let out = 0;
    for (let k = 0; k < len; k++) {
      const i = buf[k]!;
      const d = devices[i]!;
      if (selector.deviceTypes && !selector.deviceTypes.has(d.deviceType)) continue;
      if (selector.healthStatuses && !selector.healthStatuses.has(d.healthStatus)) continue;
      if (selector.manufacturers && !selector.manufacturers.has(this.#low(d.manufacturer))) continue;
      if (selector.models && !selector.models.has(this.#low(d.model))) continue;
      if (selector.assetTags) {
        const tag = d.companyAssetTag;
        if (tag === null || !selector.assetTags.some((re) => re.test(tag))) continue;
      }
      buf[out++] = i;
    }
    return out;
  }

  /** The select buffer with room for `size` positions (its contents are kept when it grows). */
  #buffer(size: number): Int32Array {
    if (this.#buf.length < size) {
      const grown = new Int32Array(Math.max(size, Math.min(this.devices.length, this.#buf.length * 2)));
      grown.set(this.#buf);
      this.#buf = grown;
    }
    return this.#buf;
  }
}
