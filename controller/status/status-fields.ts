// The fields of a status made from the plan's views: update counts, failing devices, refusals, clamps, rollouts, the next window.
import type { SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { Clamp, DeviceCounts, FailingDevice, Refusal, RefusalCounts, RolloutStatus, Window } from '../model/manifests.generated.ts';
import type { ClampRecord, DevicePlan, EntryState, ReasonCode, RolloutView, WindowView } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import { locateEntries, type LocatedEntry } from '../plan/plan-entries.ts';
import { timestamp } from './conditions.ts';
import type { StatusOptions } from './status-subject.ts';

/** Devices named at most in each list of a status (failing, refusals, clamps, conflicts). */
export const listLimit = 50;
const typeOrder = new Map<SoftwareType, number>(SoftwareTypes.map((t, i) => [t, i]));

/** Counts per state over devices' entries, every state present (zeros included) for stable columns. */
export function countStates(devices: Iterable<DevicePlan>): Required<DeviceCounts> {
  const counts: Required<DeviceCounts> = { upToDate: 0, pending: 0, scheduled: 0, inProgress: 0, succeeded: 0, failed: 0, blocked: 0 };
  for (const d of devices) for (const e of d.entries) counts[e.state as EntryState]++;
  return counts;
}

/** The entries worth listing (failed, blocked, clamped), with their devices. */
export function notable(devices: readonly DevicePlan[]): LocatedEntry[] {
  return locateEntries(devices, (e) => e.state === 'failed' || e.state === 'blocked' || e.clamp !== undefined);
}

function sortEntries(a: LocatedEntry, b: LocatedEntry): number {
  return a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : typeOrder.get(a.softwareType)! - typeOrder.get(b.softwareType)!;
}

/** The failed entries as status.failing, sorted by device and software type, at most listLimit. */
export function failingOf(entries: readonly LocatedEntry[], options: StatusOptions): FailingDevice[] {
  return entries
    .filter((e) => e.state === 'failed')
    .sort(sortEntries)
    .slice(0, listLimit)
    .map((e) => {
      const f: FailingDevice = { deviceId: e.deviceId, softwareType: e.softwareType };
      const name = options.deviceName?.(e.deviceId);
      if (name) f.name = name;
      if (e.desiredVersion) f.version = e.desiredVersion;
      if (e.failure?.code) f.errorCode = e.failure.code;
      if (e.failure?.message) f.message = e.failure.message;
      if (e.failure?.time !== undefined) f.time = timestamp(e.failure.time);
      return f;
    });
}

/** The refused entries as status.refusals, sorted by device and software type, at most listLimit. */
export function refusalsOf(entries: readonly LocatedEntry[]): Refusal[] {
  return entries
    .filter((e) => e.state === 'blocked' && RefusalCodes.has(e.reason.code))
    .sort(sortEntries)
    .slice(0, listLimit)
    .map((e) => {
      const r: Refusal = { deviceId: e.deviceId, softwareType: e.softwareType, reason: e.reason.code, message: e.reason.message };
      if (e.currentVersion !== null) r.currentVersion = e.currentVersion;
      if (e.desiredVersion) r.version = e.desiredVersion;
      return r;
    });
}

/** status.refused: every refusal counted by reason (the lists name only some devices). */
export function refusalCounts(refused: readonly LocatedEntry[]): RefusalCounts | undefined {
  if (refused.length === 0) return undefined;
  const counts: RefusalCounts = {};
  const key: Partial<Record<ReasonCode, keyof RefusalCounts>> = { UnknownFirmware: 'unknownFirmware', NotComparable: 'notComparable', Downgrade: 'downgrade', UnknownVersion: 'unknownVersion' };
  for (const e of refused) {
    const k = key[e.reason.code];
    if (k) counts[k] = (counts[k] ?? 0) + 1;
  }
  // A fixed key order, so a status written back to Git only changes when a count does.
  return Object.fromEntries((['unknownFirmware', 'notComparable', 'downgrade', 'unknownVersion'] as const).filter((k) => counts[k] !== undefined).map((k) => [k, counts[k]]));
}

/** The clamps as status.clamps, sorted by device and software type, at most listLimit. */
export function clampsOf(records: Iterable<ClampRecord | undefined>): Clamp[] {
  const list = [...records].filter((c): c is ClampRecord => c !== undefined);
  list.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : typeOrder.get(a.softwareType)! - typeOrder.get(b.softwareType)!));
  return list.slice(0, listLimit).map((c) => ({
    deviceId: c.deviceId,
    model: c.model,
    softwareType: c.softwareType,
    version: c.version,
    requestedTime: timestamp(c.requestedTime),
    effectiveTime: timestamp(c.effectiveTime),
    reason: c.reason,
  }));
}

/** A window occurrence as status.nextWindow. */
export function windowOf(w: WindowView | undefined): Window | undefined {
  return w ? { name: w.name, start: timestamp(w.start), end: timestamp(w.end) } : undefined;
}

/** A rollout as a status's rollouts item; absent values are left out. */
export function rolloutOf(v: RolloutView): RolloutStatus {
  const r: RolloutStatus = { softwareType: v.softwareType, state: v.state, waves: v.waves, completed: v.completed, failed: v.failed };
  if (v.version !== undefined) r.version = v.version;
  if (v.wave !== undefined) r.wave = v.wave;
  if (v.waveStartedTime !== undefined) r.waveStartedTime = timestamp(v.waveStartedTime);
  if (v.bakeUntil !== undefined) r.bakeUntil = timestamp(v.bakeUntil);
  if (v.stoppedTime !== undefined) r.stoppedTime = timestamp(v.stoppedTime);
  if (v.stoppedReason !== undefined) r.stoppedReason = v.stoppedReason;
  return r;
}
