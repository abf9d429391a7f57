// What the demo screen counts, in devices: the statuses count device × software-type pairs
// (a phone reporting firmware, Teams app, agent and company portal is four), which is right for
// the controller but not what a person watching a fleet expects. Here each device gets one state,
// the one that most needs attention among its software types, from the plan the statuses were
// built from; and operations are remembered from the controller's ledger, which forgets them two
// weeks after they end, so that what a ScheduledUpdate did stays counted. Pure but for the
// memory's own map.
import type { DevicePlan, PlanEntry } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import type { LedgerEntry } from '../model/state.ts';

/** One device's state on the demo screen, from the most to the least in need of attention. */
export const DeviceStates = ['failed', 'refused', 'updating', 'onHold', 'waiting', 'updated', 'upToDate'] as const;
export type DeviceState = (typeof DeviceStates)[number];
/** Devices in each state. */
export type DeviceTally = Readonly<Record<DeviceState, number>>;

const rank = new Map<DeviceState, number>(DeviceStates.map((s, i) => [s, i]));

/** A tally with every state at zero. */
export function emptyTally(): Record<DeviceState, number> {
  return { failed: 0, refused: 0, updating: 0, onHold: 0, waiting: 0, updated: 0, upToDate: 0 };
}

/** The device state one plan entry stands for (refusals as the statuses count them: blocked with a refusal code). */
export function entryDeviceState(entry: PlanEntry): DeviceState {
  switch (entry.state) {
    case 'upToDate': return 'upToDate';
    case 'succeeded': return 'updated';
    case 'inProgress': return 'updating';
    case 'pending':
    case 'scheduled': return 'waiting';
    case 'failed': return 'failed';
    case 'blocked': return RefusalCodes.has(entry.reason.code) ? 'refused' : 'onHold';
  }
}

/** A device's state: the one of its entries that most needs attention (a failed Teams app beats an up-to-date firmware). */
export function deviceState(entries: readonly PlanEntry[]): DeviceState {
  let worst: DeviceState = 'upToDate';
  for (const e of entries) {
    const s = entryDeviceState(e);
    if (rank.get(s)! < rank.get(worst)!) worst = s;
  }
  return worst;
}

/** Devices per state for each group key (namespace/name); devices in no group under `undefined`. */
export function tallyByGroup(devices: readonly DevicePlan[]): Map<string | undefined, DeviceTally> {
  const out = new Map<string | undefined, Record<DeviceState, number>>();
  for (const d of devices) {
    let t = out.get(d.group);
    if (!t) out.set(d.group, (t = emptyTally()));
    t[deviceState(d.entries)]++;
  }
  return out;
}

/** One failed or refused update in a plan. */
export interface PlanProblem {
  readonly deviceId: string;
  /** Key of the device's group (namespace/name), undefined when in none. */
  readonly group: string | undefined;
  /** Key of the ScheduledUpdate that decided the entry, when one did. */
  readonly scheduledUpdate: string | undefined;
  readonly softwareType: string;
  readonly state: 'failed' | 'refused';
  readonly version: string | undefined;
  /** The error code and message, or the refusal's reason, in words. */
  readonly detail: string;
}

/** Every failed or refused entry of the plan, failures first, then by group and device. */
export function planProblems(devices: readonly DevicePlan[]): PlanProblem[] {
  const out: PlanProblem[] = [];
  for (const d of devices) {
    for (const e of d.entries) {
      const state = entryDeviceState(e);
      if (state !== 'failed' && state !== 'refused') continue;
      const detail = state === 'failed'
        ? [e.failure?.code, e.failure?.message].filter(Boolean).join(' ') || e.reason.message
        : `${e.reason.code}: ${e.reason.message}`;
      out.push({ deviceId: d.deviceId, group: d.group, scheduledUpdate: e.scheduledUpdate, softwareType: e.softwareType, state, version: e.desiredVersion, detail });
    }
  }
  const key = (p: PlanProblem) => `${p.state === 'failed' ? 0 : 1}|${p.group ?? '~'}|${p.deviceId}|${p.softwareType}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Devices a ScheduledUpdate's operations reached, by how their latest operation went. */
export interface OperationTally {
  readonly updated: number;
  readonly updating: number;
  readonly failed: number;
}

/** Operations (one device × one software type each) since the demo began. */
export interface OperationTotals {
  readonly started: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly inFlight: number;
}

type Outcome = 'updating' | 'updated' | 'failed';

interface Remembered {
  readonly owner: string;
  readonly deviceId: string;
  readonly softwareType: string;
  readonly requestedAt: number;
  outcome: Outcome;
}

function outcomeOf(e: LedgerEntry): Outcome {
  if (e.state === 'succeeded') return 'updated';
  // Cancelled, and unknown once ended, did not install what was asked: a person looks at them.
  if (e.state === 'failed' || e.state === 'cancelled' || (e.state === 'unknown' && e.endedAt !== undefined)) return 'failed';
  return 'updating';
}

/** Every operation the demo's controller started, as its ledger showed them, kept after the ledger prunes them. */
export class OperationMemory {
  readonly #ops = new Map<string, Remembered>();

  /** Takes in one reconcile's ledger. */
  observe(ledger: readonly LedgerEntry[]): void {
    for (const e of ledger) {
      // The request time names an operation from the intent on: the operation id only comes
      // with the service's answer, so keying on it would count one operation twice.
      const key = `${e.deviceId}|${e.softwareType}|${e.requestedAt}`;
      const known = this.#ops.get(key);
      if (known) known.outcome = outcomeOf(e);
      else this.#ops.set(key, { owner: e.owner, deviceId: e.deviceId, softwareType: e.softwareType, requestedAt: e.requestedAt, outcome: outcomeOf(e) });
    }
  }

  /** Operations started, succeeded, failed and still in flight. */
  totals(): OperationTotals {
    let succeeded = 0;
    let failed = 0;
    let inFlight = 0;
    for (const op of this.#ops.values()) {
      if (op.outcome === 'updated') succeeded++;
      else if (op.outcome === 'failed') failed++;
      else inFlight++;
    }
    return { started: this.#ops.size, succeeded, failed, inFlight };
  }

  /** Devices the operations of `owner` (namespace/Kind/name) reached, each by the worst of its software types' latest operations. */
  devicesOf(owner: string): OperationTally {
    const latest = new Map<string, Remembered>();
    for (const op of this.#ops.values()) {
      if (op.owner !== owner) continue;
      const k = `${op.deviceId}|${op.softwareType}`;
      const prev = latest.get(k);
      if (!prev || op.requestedAt >= prev.requestedAt) latest.set(k, op);
    }
    const byDevice = new Map<string, Outcome>();
    const order: Outcome[] = ['failed', 'updating', 'updated'];
    for (const op of latest.values()) {
      const prev = byDevice.get(op.deviceId);
      if (prev === undefined || order.indexOf(op.outcome) < order.indexOf(prev)) byDevice.set(op.deviceId, op.outcome);
    }
    const t = { updated: 0, updating: 0, failed: 0 };
    for (const o of byDevice.values()) t[o]++;
    return t;
  }
}
