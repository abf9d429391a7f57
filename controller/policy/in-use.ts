// Rooms in use are left alone: no update starts on a device that says it is busy (a meeting or
// a call under way). The device list's activityState may be minutes old, so the decision wants a
// reading taken just before the start; without a fresh one the answer is `unknown` and the
// caller reads the device again before posting (as it reads the device's operations).
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { ActivityReading } from '../model/rooms.ts';

/**
 * How long a reading counts, and how long a busy device waits before it is read again: 5
 * minutes. Meetings last longer, so retrying sooner would only spend requests; later would
 * waste the window once the meeting ends.
 */
export const activityFreshMs = 5 * 60_000;

/** Whether a policy leaves devices in use alone (spec.rollout.skipDevicesInUse, default true; devices under no policy: true). */
export function skipsDevicesInUse(policy: UpdatePolicy | undefined): boolean {
  return policy?.spec.rollout?.skipDevicesInUse !== false;
}

/** free: may start; unknown: read the device first; inUse: wait until `retryAt`, then read it again. */
export type InUseDecision =
  | { readonly kind: 'free' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'inUse'; readonly readAt: number; readonly retryAt: number };

/** Decides from the latest reading of a device's activity at `now`. */
export function decideInUse(reading: ActivityReading | undefined, now: number): InUseDecision {
  // A reading from the future (the clock was stepped back) has an unknown age: read again.
  if (!reading || reading.at > now || now - reading.at >= activityFreshMs) return { kind: 'unknown' };
  if (reading.state !== 'busy') return { kind: 'free' };
  return { kind: 'inUse', readAt: reading.at, retryAt: reading.at + activityFreshMs };
}
