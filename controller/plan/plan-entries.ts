// Reading a plan entry by entry: each entry with its device. The plan keeps entries per device
// (shared objects for identical decisions); these helpers give the flat view people and tests want.
import type { DevicePlan, PlanEntry, ScheduledRefusal } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';

/** An entry with the device it belongs to. */
export interface LocatedEntry extends PlanEntry {
  readonly deviceId: string;
  readonly group: string | undefined;
  readonly policy: string | undefined;
  readonly wave: number | undefined;
}

/** Visits every entry with its device, in plan order. */
export function forEachEntry(devices: readonly DevicePlan[], visit: (device: DevicePlan, entry: PlanEntry) => void): void {
  for (const d of devices) for (const e of d.entries) visit(d, e);
}

/** Every entry with its device, as new objects (allocates one per entry: for small plans, output and tests). */
export function locateEntries(devices: readonly DevicePlan[], keep: (entry: PlanEntry) => boolean = () => true): LocatedEntry[] {
  const out: LocatedEntry[] = [];
  forEachEntry(devices, (d, e) => {
    if (keep(e)) out.push({ ...e, deviceId: d.deviceId, group: d.group, policy: d.policy, wave: d.wave });
  });
  return out;
}

/**
 * Every ScheduledUpdate refusal of an entry: the entry itself when a refused ScheduledUpdate
 * decided it, and those it carries when another rule did. Surfaces read refusals through this
 * one function, so none shows a refusal only in one of its two forms.
 */
export function scheduledRefusals(entry: PlanEntry): readonly ScheduledRefusal[] {
  const own = isScheduledRefusal(entry)
    ? [{ scheduledUpdate: entry.scheduledUpdate!, version: entry.desiredVersion, reason: entry.reason }]
    : [];
  return entry.refused ? [...own, ...entry.refused] : own;
}

/** True when the entry is a ScheduledUpdate's refusal (the first form of scheduledRefusals). */
export function isScheduledRefusal(entry: PlanEntry): boolean {
  return entry.scheduledUpdate !== undefined && entry.state === 'blocked' && RefusalCodes.has(entry.reason.code);
}
