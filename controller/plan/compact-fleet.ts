// The fleet as plans read it, built once when the fleet is read rather than on every plan:
// devices in their listed order (a device's number is its position), the index selectors use
// (tags parsed once), and software states in one Int32Array of ids into a table of distinct
// states. A fleet of 100,000 devices reports a few hundred distinct (type, installed, offered,
// freshness) states, so the table is tiny and a plan reads 600,000 states sequentially from the
// array instead of looking each device's document up by id across a scattered heap.
// A new reading of some devices is a new version sharing the device table (withSoftware), and
// with it the table's PlanMemo (plan-memo.ts: groups and waves kept between plans).
// A plan recognises the compact form by its input: `devices` and `software` a compact fleet's
// own (compactOf), so the FleetView hands it to the engine through the same FleetSnapshot.
// Pure: the memo only keeps results of pure functions.
import type { Device, DeviceHealth, DeviceSoftware, SoftwareState, SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { ReleaseObservation } from '../policy/release-calendar.ts';
import { DeviceIndex } from '../policy/device-index.ts';
import { PlanMemo, type MemoTable } from './plan-memo.ts';
import { reported, stateAt } from './work.ts';

const typeCount = SoftwareTypes.length;
const freshnessSlot = { unknown: 0, latest: 1, updateAvailable: 2 } as const;

/** Distinct software states, shared by every version of a fleet (append-only: ids never change meaning). */
class StateTable {
  readonly states: SoftwareState[] = [];
  /** The state when the device really has the software (work.ts reported()), else undefined. */
  readonly reported: (SoftwareState | undefined)[] = [];
  // type -> installed -> offered -> freshness slot -> id; nested so no key string is built per state.
  readonly #byType = SoftwareTypes.map(() => new Map<string | null, Map<string | null, number[]>>());

  idOf(t: number, st: SoftwareState): number {
    const slot = freshnessSlot[st.freshness];
    // A state filed under another type than it names, or with an unknown freshness, is kept as it is, unshared.
    if (st.softwareType !== SoftwareTypes[t] || slot === undefined) return this.#add(st);
    const byCurrent = this.#byType[t]!;
    let byAvailable = byCurrent.get(st.currentVersion);
    if (!byAvailable) byCurrent.set(st.currentVersion, (byAvailable = new Map()));
    let ids = byAvailable.get(st.availableVersion);
    if (!ids) byAvailable.set(st.availableVersion, (ids = [-1, -1, -1]));
    let id = ids[slot]!;
    if (id < 0) ids[slot] = id = this.#add(st);
    return id;
  }

  #add(st: SoftwareState): number {
    this.states.push(st);
    this.reported.push(reported(st));
    return this.states.length - 1;
  }
}

/** What stays the same while only software states change: the devices, their index and the state table. */
export interface DeviceTable extends MemoTable {
  readonly devices: readonly Device[];
  readonly index: DeviceIndex;
  readonly states: StateTable;
  /** Membership and waves of the last plans over these devices. */
  readonly memo: PlanMemo;
}

/** The compact fleet whose own `devices` and `software` these are, else undefined (a plain listing and map). */
export function compactOf(devices: readonly Device[], software: ReadonlyMap<string, DeviceSoftware>): CompactFleet | undefined {
  return software instanceof SoftwareView && software.fleet.devices === devices ? software.fleet : undefined;
}

/** One reading of the fleet, compact; build it with compactFleet and derive later readings with withSoftware. */
export class CompactFleet {
  /** Same object for every version built from the same device list (caches compare it by identity). */
  readonly table: DeviceTable;
  /** Counts the readings derived from the first; with `table`, names this reading. */
  readonly version: number;
  /** Per device position × software type (position * 6 + type index): a state id, -1 when not in the document. */
  readonly #stateIds: Int32Array;
  /** Per device position: 1 when its software was read. */
  readonly #read: Uint8Array;
  readonly #health: (DeviceHealth | undefined)[];
  #observations: ReleaseObservation[] | undefined;
  #software: ReadonlyMap<string, DeviceSoftware> | undefined;

  /** `observations`: the previous reading's, when this one offers the same versions on the same devices (withSoftware). */
  constructor(table: DeviceTable, version: number, stateIds: Int32Array, read: Uint8Array, health: (DeviceHealth | undefined)[], observations?: ReleaseObservation[]) {
    this.table = table;
    this.version = version;
    this.#stateIds = stateIds;
    this.#read = read;
    this.#health = health;
    this.#observations = observations;
  }

  get devices(): readonly Device[] {
    return this.table.devices;
  }

  get index(): DeviceIndex {
    return this.table.index;
  }

  /**
   * Fills `out` with the states of the device at position `i` that it really reports (undefined
   * for the others, by type index), and `idsOut` with their state ids (-1: none; an id names
   * the same state in every version of the fleet); false when its software was never read.
   */
  reportedAt(i: number, out: (SoftwareState | undefined)[], idsOut?: Int32Array): boolean {
    if (this.#read[i] === 0) return false;
    const ids = this.#stateIds;
    const table = this.table.states.reported;
    const base = i * typeCount;
    for (let t = 0; t < typeCount; t++) {
      const id = ids[base + t]!;
      const st = id < 0 ? undefined : table[id];
      out[t] = st;
      if (idsOut) idsOut[t] = st === undefined ? -1 : id;
    }
    return true;
  }

  /** The software document of the device at position `i`, rebuilt from the table (undefined: never read). */
  documentAt(i: number): DeviceSoftware | undefined {
    if (this.#read[i] === 0) return undefined;
    const software: Partial<Record<SoftwareType, SoftwareState>> = {};
    for (let t = 0; t < typeCount; t++) {
      const id = this.#stateIds[i * typeCount + t]!;
      if (id >= 0) software[SoftwareTypes[t]!] = this.table.states.states[id]!;
    }
    const health = this.#health[i];
    return { deviceId: this.table.devices[i]!.id, software, ...(health ? { health } : {}) };
  }

  /** The software documents by device id, as PlanInput.software reads them (built on each get: health checks ask for a few). */
  get software(): ReadonlyMap<string, DeviceSoftware> {
    return (this.#software ??= new SoftwareView(this));
  }

  /** What the devices' documents offer, for the release calendar (computed once per reading). */
  get observations(): readonly ReleaseObservation[] {
    return (this.#observations ??= this.#observe());
  }

  // observationsOf (release-calendar.ts) over the table: same walk, same order, no document rebuilt.
  #observe(): ReleaseObservation[] {
    const out: ReleaseObservation[] = [];
    const devices = this.table.devices;
    const states = this.table.states.states;
    const seen = new Map<string, { last: (string | undefined)[]; sets: Set<string>[] }>();
    for (let i = 0; i < devices.length; i++) {
      if (this.#read[i] === 0) continue;
      const model = devices[i]!.model;
      let m = seen.get(model);
      if (!m) seen.set(model, (m = { last: SoftwareTypes.map(() => undefined), sets: SoftwareTypes.map(() => new Set<string>()) }));
      for (let t = 0; t < typeCount; t++) {
        const id = this.#stateIds[i * typeCount + t]!;
        const v = id < 0 ? undefined : states[id]!.availableVersion;
        if (!v || m.last[t] === v) continue;
        m.last[t] = v;
        const versions = m.sets[t]!;
        if (versions.has(v)) continue;
        versions.add(v);
        out.push({ model, softwareType: SoftwareTypes[t]!, version: v });
      }
    }
    return out;
  }

  /**
   * A later reading: these documents replace the devices' (by deviceId; unknown ids are ignored).
   * When every replaced device was read before and offers the same version of every type (most
   * reads: an update finished, a device went offline), the observations are this reading's.
   */
  withSoftware(documents: Iterable<DeviceSoftware>): CompactFleet {
    const stateIds = this.#stateIds.slice();
    const read = this.#read.slice();
    const health = this.#health.slice();
    const states = this.table.states.states;
    const offered = (ids: Int32Array, t: number) => (ids[t]! < 0 ? undefined : states[ids[t]!]!.availableVersion);
    let sameOffers = true;
    for (const sw of documents) {
      const i = this.table.index.indexOfId(sw.deviceId);
      if (i === undefined) continue;
      const wasRead = read[i] === 1;
      fill(this.table.states, i, sw, stateIds, read, health);
      if (!sameOffers) continue;
      // #observe reads only which devices were read, their models and the versions offered.
      const before = this.#stateIds.subarray(i * typeCount, (i + 1) * typeCount);
      const after = stateIds.subarray(i * typeCount, (i + 1) * typeCount);
      if (!wasRead) sameOffers = false;
      else for (let t = 0; t < typeCount && sameOffers; t++) if (offered(before, t) !== offered(after, t)) sameOffers = false;
    }
    return new CompactFleet(this.table, this.version + 1, stateIds, read, health, sameOffers ? this.#observations : undefined);
  }
}

/** Builds the compact fleet of a listing and its software documents (by device id; devices without one were not read). */
export function compactFleet(devices: readonly Device[], software: ReadonlyMap<string, DeviceSoftware>): CompactFleet {
  const builder = new CompactFleetBuilder(devices.length);
  for (const d of devices) builder.add(d, software.get(d.id));
  return builder.build();
}

/**
 * Builds a compact fleet device by device, in listed order, so that each software document
 * can be dropped as soon as it is added (ingestion keeps the compact form, not the documents).
 */
export class CompactFleetBuilder {
  readonly #devices: Device[] = [];
  readonly #states = new StateTable();
  #stateIds: Int32Array;
  #read: Uint8Array;
  readonly #health: (DeviceHealth | undefined)[] = [];

  /** `expected`: how many devices will be added (only sizes the arrays). */
  constructor(expected = 0) {
    this.#stateIds = new Int32Array(Math.max(16, expected) * typeCount);
    this.#read = new Uint8Array(Math.max(16, expected));
  }

  /** Adds the next device and its document (undefined: its software was not read). */
  add(device: Device, sw: DeviceSoftware | undefined): void {
    const i = this.#devices.length;
    if (i === this.#read.length) {
      const ids = new Int32Array(this.#stateIds.length * 2);
      ids.set(this.#stateIds);
      this.#stateIds = ids;
      const read = new Uint8Array(this.#read.length * 2);
      read.set(this.#read);
      this.#read = read;
    }
    this.#devices.push(device);
    this.#health.push(undefined);
    if (sw) fill(this.#states, i, sw, this.#stateIds, this.#read, this.#health);
    else this.#stateIds.fill(-1, i * typeCount, (i + 1) * typeCount);
  }

  /** The fleet of the devices added so far (the builder is not to be used after). */
  build(): CompactFleet {
    const n = this.#devices.length;
    const table: DeviceTable = { devices: this.#devices, index: new DeviceIndex(this.#devices), states: this.#states, memo: new PlanMemo() };
    return new CompactFleet(table, 0, this.#stateIds.slice(0, n * typeCount), this.#read.slice(0, n), this.#health);
  }
}

function fill(states: StateTable, i: number, sw: DeviceSoftware, stateIds: Int32Array, read: Uint8Array, health: (DeviceHealth | undefined)[]): void {
  read[i] = 1;
  const base = i * typeCount;
  for (let t = 0; t < typeCount; t++) {
    const st = stateAt(sw.software, t);
    stateIds[base + t] = st === undefined ? -1 : states.idOf(t, st);
  }
  health[i] = sw.health;
}

/** A read-only Map over a compact fleet's documents (by device id). */
class SoftwareView implements ReadonlyMap<string, DeviceSoftware> {
  readonly fleet: CompactFleet;
  constructor(fleet: CompactFleet) {
    this.fleet = fleet;
  }
  get(id: string): DeviceSoftware | undefined {
    const i = this.fleet.index.indexOfId(id);
    return i === undefined ? undefined : this.fleet.documentAt(i);
  }
  has(id: string): boolean {
    return this.get(id) !== undefined;
  }
  get size(): number {
    let n = 0;
    for (const _ of this.keys()) n++;
    return n;
  }
  *entries(): MapIterator<[string, DeviceSoftware]> {
    const devices = this.fleet.devices;
    for (let i = 0; i < devices.length; i++) {
      const sw = this.fleet.documentAt(i);
      if (sw) yield [devices[i]!.id, sw];
    }
  }
  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): MapIterator<DeviceSoftware> {
    for (const [, v] of this.entries()) yield v;
  }
  [Symbol.iterator](): MapIterator<[string, DeviceSoftware]> {
    return this.entries();
  }
  forEach(f: (value: DeviceSoftware, key: string, map: ReadonlyMap<string, DeviceSoftware>) => void): void {
    for (const [k, v] of this.entries()) f(v, k, this);
  }
}
