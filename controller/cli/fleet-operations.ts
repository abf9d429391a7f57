// plan and why: before an update is shown as starting now, the device's operations are read,
// as the controller reads them before its POST. An active softwareUpdate the state file does
// not know (a person started it in the admin center, or the ledger was lost) makes the device
// busy, and the plan is made again, since the slots it frees may start other devices. Only the
// devices the plan would start are read: one request each, 20 to a $batch, instead of one per
// device of the fleet.
import type { DeviceOperation, Fleet } from '../model/fleet.ts';
import { FleetError, isOperationActive } from '../model/fleet.ts';
import type { Plan } from '../model/plan.ts';
import { operationRecords } from '../plan/operation-book.ts';
import type { EngineInput } from '../model/engine.ts';
import type { ManifestEntry } from '../model/desired.ts';
import type { Finding } from '../manifest/finding.ts';
import { planFrom } from '../reconcile/engine.ts';

/** The engine's input as plan and why build it. */
export type PreviewInput = EngineInput<ManifestEntry, Finding>;

/** A plan whose starts were checked against the fleet's operations. */
export interface CheckedPlan {
  /** The input with the active operations found added. */
  readonly input: PreviewInput;
  readonly plan: Plan;
  /** Devices whose operations could not be read, with why: their starts are unchecked. */
  readonly unreadable: ReadonlyMap<string, string>;
}

/** True for an operation that keeps a device busy: a softwareUpdate that is queued, scheduled or running. */
export function isActiveUpdate(op: DeviceOperation): boolean {
  return op.operationType.toLowerCase() === 'softwareupdate' && isOperationActive(op.state);
}

/** The input with the active updates found on the fleet that it does not count as active yet (the same input when none). */
export function withFleetOperations(input: PreviewInput, found: readonly DeviceOperation[]): PreviewInput {
  const known = new Set<string | undefined>((input.operations ?? []).map((op) => op.id));
  for (const r of operationRecords(input.state.ledger)) if (r.active) known.add(r.operationId);
  // An operation the ledger has as ended (timed out) but still active on the device is added as
  // well: the controller waits for it too (the engine turns these into records without a software type).
  const fresh = found.filter((op) => isActiveUpdate(op) && !known.has(op.id));
  return fresh.length === 0 ? input : { ...input, operations: [...(input.operations ?? []), ...fresh] };
}

/** Reads operations of devices: through the adapter's batch when it has one, else one device at a time. */
export async function readOperations(fleet: Pick<Fleet, 'readOperations' | 'listOperations'>, deviceIds: readonly string[], signal?: AbortSignal): Promise<Map<string, DeviceOperation[] | FleetError>> {
  if (fleet.readOperations) return fleet.readOperations(deviceIds, signal);
  const out = new Map<string, DeviceOperation[] | FleetError>();
  for (const id of deviceIds) {
    try {
      out.set(id, await fleet.listOperations(id, signal));
    } catch (error) {
      if (!(error instanceof FleetError)) throw error;
      out.set(id, error);
    }
  }
  return out;
}

/**
 * Plans, reads the operations of the devices the plan would start now, and plans again with
 * the active ones, until every device it would start has been checked.
 */
export async function planWithFleetOperations(input: PreviewInput, fleet: Pick<Fleet, 'readOperations' | 'listOperations'>, signal?: AbortSignal): Promise<CheckedPlan> {
  const checked = new Set<string>();
  const unreadable = new Map<string, string>();
  let current = input;
  for (;;) {
    const plan = planFrom(current);
    const toCheck = [...new Set(plan.actions.map((a) => a.deviceId))].filter((id) => !checked.has(id));
    if (toCheck.length === 0) return { input: current, plan, unreadable };
    for (const id of toCheck) checked.add(id);
    const found: DeviceOperation[] = [];
    for (const [id, result] of await readOperations(fleet, toCheck, signal)) {
      if (result instanceof FleetError) unreadable.set(id, result.message);
      else found.push(...result.filter(isActiveUpdate));
    }
    const next = withFleetOperations(current, found);
    // Nothing new is running: the plan stands (every device it starts has been checked).
    if (next === current) return { input: current, plan, unreadable };
    current = next;
  }
}
