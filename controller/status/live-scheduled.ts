// The ScheduledUpdates on the live page: targets counted by state, scheduled and completion times, conditions.
import type { Plan } from '../model/plan.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { conditionsOf, type LiveConditions } from './live-conditions.ts';
import { tallyOf, type LiveTally } from './live-state.ts';
import { liveTime, type LiveTime } from './live-time.ts';

/** One ScheduledUpdate, as the page shows it. */
export interface LiveScheduled {
  readonly key: string;
  readonly name: string;
  readonly devices: number;
  readonly tally: LiveTally;
  readonly scheduledTime: LiveTime | undefined;
  readonly completionTime: LiveTime | undefined;
  readonly conditions: LiveConditions;
}

/** Every ScheduledUpdate of the plan for the page; statuses by `Kind/namespace/name`. */
export function liveScheduledUpdates(plan: Plan, statusByKey: ReadonlyMap<string, unknown>): LiveScheduled[] {
  const now = plan.now;
  return plan.scheduledUpdates.map((s): LiveScheduled => ({
    key: s.key,
    name: displayName(s.key),
    devices: s.deviceIds.length,
    // Only targets that report a targeted software type have records; the others are not waiting for anything.
    tally: tallyOf(s.records, s.records.length),
    scheduledTime: s.scheduledTime === undefined ? undefined : liveTime(s.scheduledTime, undefined, now),
    completionTime: s.completionTime === undefined ? undefined : liveTime(s.completionTime, undefined, now),
    conditions: conditionsOf(statusByKey.get(`ScheduledUpdate/${s.key}`)),
  }));
}
