// The operations a plan must know: active ones (a device with one is busy — the API's operations
// carry no software type, so any active softwareUpdate blocks the device) and recent ended ones
// (what succeeded or failed, for whom, and when, for waves, bake times and the failure threshold).
import type { DeviceOperation, SoftwareType } from '../model/fleet.ts';
import { isOperationActive } from '../model/fleet.ts';
import type { OperationRecord } from '../model/plan.ts';
import type { LedgerEntry } from '../model/state.ts';

const activeLedgerStates = new Set<LedgerEntry['state']>(['starting', 'queued', 'scheduled', 'inProgress']);

/**
 * Operation records from the controller's ledger plus the fleet's active softwareUpdate
 * operations it does not know (started by a person, or lost from the ledger).
 */
export function operationRecords(ledger: readonly LedgerEntry[], fleetOperations: readonly DeviceOperation[] = []): OperationRecord[] {
  const out: OperationRecord[] = [];
  const known = new Set<string>();
  for (const e of ledger) {
    if (e.operationId) known.add(e.operationId);
    const active = activeLedgerStates.has(e.state) || (e.state === 'unknown' && e.endedAt === undefined);
    out.push({
      deviceId: e.deviceId,
      softwareType: e.softwareType,
      version: e.version,
      owner: e.owner,
      ownerSpecDigest: e.ownerSpecDigest,
      operationId: e.operationId,
      active,
      outcome: active ? undefined : e.state === 'succeeded' || e.state === 'failed' || e.state === 'cancelled' ? e.state : 'unknown',
      startedAt: e.requestedAt,
      endedAt: active ? undefined : (e.endedAt ?? e.requestedAt),
      errorCode: e.error?.code ?? undefined,
      errorMessage: e.error?.message ?? undefined,
      ...(e.healthBefore === undefined ? {} : { healthBefore: e.healthBefore }),
      ...(e.wave === undefined ? {} : { wave: e.wave }),
    });
  }
  for (const op of fleetOperations) {
    if (known.has(op.id) || op.operationType.toLowerCase() !== 'softwareupdate' || !isOperationActive(op.state)) continue;
    const started = Date.parse(op.startedDateTime ?? op.createdDateTime ?? '');
    out.push({
      deviceId: op.deviceId,
      softwareType: undefined,
      version: undefined,
      owner: undefined,
      operationId: op.id,
      active: true,
      outcome: undefined,
      startedAt: Number.isNaN(started) ? 0 : started,
      endedAt: undefined,
      errorCode: undefined,
      errorMessage: undefined,
    });
  }
  return out;
}

function later(a: OperationRecord | undefined, b: OperationRecord): boolean {
  return a === undefined || b.startedAt > a.startedAt || (b.startedAt === a.startedAt && (b.endedAt ?? Infinity) >= (a.endedAt ?? Infinity));
}

/** What the book knows of one device. */
interface DeviceOps {
  active: OperationRecord[];
  /** Latest record per software type. */
  readonly last: Map<SoftwareType, OperationRecord>;
  /** Latest record per owner, software type and owner's spec digest (key owner|type|digest, '' for none). */
  readonly lastByOwner: Map<string, OperationRecord>;
}

/** Operation records indexed the ways the plan asks (per device, so a device without any costs one look-up). */
export class OperationBook {
  readonly #devices = new Map<string, DeviceOps>();
  readonly #byOwner = new Map<string, OperationRecord[]>();
  /** By device position in the plan's index: 1 where the book may know the device (see locate). */
  #at: Uint8Array | undefined;

  constructor(records: readonly OperationRecord[]) {
    for (const r of records) {
      let d = this.#devices.get(r.deviceId);
      if (!d) this.#devices.set(r.deviceId, (d = { active: [], last: new Map(), lastByOwner: new Map() }));
      if (r.active) d.active.push(r);
      if (r.softwareType === undefined) continue;
      if (later(d.last.get(r.softwareType), r)) d.last.set(r.softwareType, r);
      if (r.owner === undefined) continue;
      const okey = `${r.owner}|${r.softwareType}|${r.ownerSpecDigest ?? ''}`;
      if (later(d.lastByOwner.get(okey), r)) d.lastByOwner.set(okey, r);
      const list = this.#byOwner.get(r.owner);
      if (list) list.push(r);
      else this.#byOwner.set(r.owner, [r]);
    }
  }

  /** True when the book knows any operation of the device. */
  knows(deviceId: string): boolean {
    return this.#devices.has(deviceId);
  }

  /** Active operations on a device (any software type, known or not). */
  activeOn(deviceId: string): readonly OperationRecord[] | undefined {
    const d = this.#devices.get(deviceId);
    return d && d.active.length > 0 ? d.active : undefined;
  }

  /** The latest operation firmwarden knows for a device × software type. */
  last(deviceId: string, type: SoftwareType): OperationRecord | undefined {
    return this.#devices.get(deviceId)?.last.get(type);
  }

  /**
   * Tells the book which device positions it may know (devicesWithOperations over the plan's
   * index), so lastAt skips the id look-up for the rest, most of a fleet.
   */
  locate(at: Uint8Array): void {
    this.#at = at;
  }

  /** last() for the device at position `i` of the located index: no look-up where it has no operation. */
  lastAt(i: number, deviceId: string, type: SoftwareType): OperationRecord | undefined {
    const at = this.#at;
    if (at !== undefined && at[i] === 0) return undefined;
    return this.#devices.get(deviceId)?.last.get(type);
  }

  /**
   * The latest operation a given manifest started for a device × software type: under its spec
   * `specDigest` when given (records written before digests count for any spec), else without one.
   */
  lastBy(owner: string, deviceId: string, type: SoftwareType, specDigest?: string): OperationRecord | undefined {
    const byOwner = this.#devices.get(deviceId)?.lastByOwner;
    if (!byOwner) return undefined;
    const legacy = byOwner.get(`${owner}|${type}|`);
    if (specDigest === undefined) return legacy;
    const current = byOwner.get(`${owner}|${type}|${specDigest}`);
    return current === undefined ? legacy : legacy === undefined || later(legacy, current) ? current : legacy;
  }

  /** Every operation a manifest started. */
  startedBy(owner: string): readonly OperationRecord[] {
    return this.#byOwner.get(owner) ?? [];
  }

  /** Device ids with an active operation. */
  *busyDevices(): IterableIterator<string> {
    for (const [id, d] of this.#devices) if (d.active.length > 0) yield id;
  }
}
