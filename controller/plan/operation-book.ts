// The operations a plan must know: active ones (a device with one is busy — the API's operations
// carry no software type, so any active softwareUpdate blocks the device) and recent ended ones
// (what succeeded or failed, for whom, and when, for waves, bake times and the failure threshold).
import type { DeviceOperation, SoftwareType } from '../model/fleet.ts';
import { isOperationActive } from '../model/fleet.ts';
import type { OperationRecord } from '../model/plan.ts';
import type { LedgerEntry } from '../state/state.ts';

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
      operationId: e.operationId,
      active,
      outcome: active ? undefined : e.state === 'succeeded' || e.state === 'failed' || e.state === 'cancelled' ? e.state : 'unknown',
      startedAt: e.requestedAt,
      endedAt: active ? undefined : (e.endedAt ?? e.requestedAt),
      errorCode: e.error?.code ?? undefined,
      errorMessage: e.error?.message ?? undefined,
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

/** Operation records indexed the ways the plan asks. */
export class OperationBook {
  readonly #active = new Map<string, OperationRecord[]>();
  readonly #last = new Map<string, OperationRecord>();
  readonly #lastByOwner = new Map<string, OperationRecord>();
  readonly #byOwner = new Map<string, OperationRecord[]>();

  constructor(records: readonly OperationRecord[]) {
    for (const r of records) {
      if (r.active) {
        const list = this.#active.get(r.deviceId);
        if (list) list.push(r);
        else this.#active.set(r.deviceId, [r]);
      }
      if (r.softwareType !== undefined) {
        const key = `${r.deviceId}|${r.softwareType}`;
        if (later(this.#last.get(key), r)) this.#last.set(key, r);
        if (r.owner !== undefined) {
          const okey = `${r.owner}|${key}`;
          if (later(this.#lastByOwner.get(okey), r)) this.#lastByOwner.set(okey, r);
          const list = this.#byOwner.get(r.owner);
          if (list) list.push(r);
          else this.#byOwner.set(r.owner, [r]);
        }
      }
    }
  }

  /** Active operations on a device (any software type, known or not). */
  activeOn(deviceId: string): readonly OperationRecord[] | undefined {
    return this.#active.get(deviceId);
  }

  /** The latest operation firmwarden knows for a device × software type. */
  last(deviceId: string, type: SoftwareType): OperationRecord | undefined {
    return this.#last.get(`${deviceId}|${type}`);
  }

  /** The latest operation a given manifest started for a device × software type. */
  lastBy(owner: string, deviceId: string, type: SoftwareType): OperationRecord | undefined {
    return this.#lastByOwner.get(`${owner}|${deviceId}|${type}`);
  }

  /** Every operation a manifest started. */
  startedBy(owner: string): readonly OperationRecord[] {
    return this.#byOwner.get(owner) ?? [];
  }

  /** Device ids with an active operation. */
  busyDevices(): IterableIterator<string> {
    return this.#active.keys();
  }
}
