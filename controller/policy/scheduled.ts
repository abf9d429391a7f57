// ScheduledUpdates, one device × software type at a time: the version (`latest` resolved per
// device), the time (a local date-time in a named zone, resolved with the DST rules), the clamp
// of a firmware time to the phase's maximum delay, and the refusals: a downgrade, versions that
// cannot be compared, or an installed version the device does not report (nothing proves the
// request is an upgrade).
// A ScheduledUpdate is the only way to install unverified firmware or to update a device on
// unknown firmware: those checks belong to the automatic rule, not here.
import type { SoftwareState } from '../model/fleet.ts';
import type { Phase, ScheduledUpdate } from '../model/manifests.generated.ts';
import type { Reason } from '../model/plan.ts';
import type { CalendarIndex } from './release-calendar.ts';
import { phaseDelayDays, softwareLabel } from './software-rules.ts';
import { compareVersions, parseVersion, compareParsed } from './version.ts';
import { parseLocalDateTime, resolveLocal } from './zoned-time.ts';

const dayMs = 86_400_000;

/** spec.at resolved to an instant in spec.timeZone (undefined for "now" or when unreadable). */
export function scheduledInstant(su: ScheduledUpdate): number | undefined {
  if (su.spec.at === undefined) return undefined;
  const local = parseLocalDateTime(su.spec.at);
  if (!local) return undefined;
  return resolveLocal(local, su.spec.timeZone ?? 'UTC');
}

/** The newest version a device can get: its availableVersion, or a newer one known for its model. */
export function resolveLatest(calendar: CalendarIndex, model: string, state: SoftwareState): string | undefined {
  const known = calendar.versions(model, state.softwareType);
  let best = state.availableVersion ?? undefined;
  let bestParsed = best === undefined ? undefined : parseVersion(best);
  for (const r of known) {
    if (bestParsed === undefined || compareParsed(r.parsed, bestParsed) > 0) {
      best = r.version;
      bestParsed = r.parsed;
    }
  }
  return best;
}

/** The longest a phase lets a firmware release wait (undefined: no clamp, as in the Test phase). */
export function maximumDelayMs(phase: Phase): number | undefined {
  const days = phaseDelayDays.firmware[phase];
  return days > 0 ? days * dayMs : undefined;
}

/** Words of a clamp's reason. */
export function clampReason(phase: Phase): string {
  return `the ${phase} phase installs firmware at most ${phaseDelayDays.firmware[phase]} days after its release`;
}

export interface ScheduledDecision {
  readonly outcome: 'stay' | 'update' | 'blocked';
  readonly version: string | undefined;
  /** When it should start (before windows): the clamped time, the requested time, or `now`. */
  readonly startAt: number;
  readonly requestedAt: number | undefined;
  /** Set when the phase's maximum delay moved the time earlier. */
  readonly clampedTo: number | undefined;
  readonly clampText: string | undefined;
  readonly reason: Reason;
}

/**
 * What a ScheduledUpdate asks of one device × software type. `phase` is the firmware phase that
 * applies to the device (its policy's, General for Basic licences and for devices in no group).
 */
export function decideScheduled(
  target: { readonly version: string | undefined },
  at: number | undefined,
  calendar: CalendarIndex,
  model: string,
  state: SoftwareState,
  phase: Phase,
  now: number,
): ScheduledDecision {
  const label = softwareLabel[state.softwareType];
  const requested = target.version === undefined || target.version === 'latest' ? resolveLatest(calendar, model, state) : target.version;
  const base = { startAt: at ?? now, requestedAt: at, clampedTo: undefined, clampText: undefined };
  const current = state.currentVersion;
  if (requested === undefined) {
    return { ...base, outcome: 'stay', version: undefined, reason: { code: 'NoNewerVersion', message: `no ${label} version is offered to this device` } };
  }
  // Unknown firmware (unverified, but reported) may be updated here; a version that is not
  // reported at all may not: nothing proves the request is not a downgrade, which only a
  // factory reset undoes. The automatic rule refuses the same device as NotComparable.
  if (current === null) {
    return { ...base, outcome: 'blocked', version: requested, reason: { code: 'UnknownVersion', message: `the device does not report which ${label} version it runs, so firmwarden cannot prove ${requested} is an upgrade; it only installs versions it can prove are upgrades` } };
  }
  if (current === requested) return { ...base, outcome: 'stay', version: requested, reason: { code: 'UpToDate', message: `already runs ${current}` } };
  const order = compareVersions(requested, current);
  if (order === undefined) {
    return { ...base, outcome: 'blocked', version: requested, reason: { code: 'NotComparable', message: `cannot tell whether ${requested} is newer than the installed ${current}; firmwarden only installs versions it can prove are upgrades` } };
  }
  if (order === 0) return { ...base, outcome: 'stay', version: requested, reason: { code: 'UpToDate', message: `already runs ${current}` } };
  if (order < 0) {
    return { ...base, outcome: 'blocked', version: requested, reason: { code: 'Downgrade', message: `${requested} is older than the installed ${current}; firmwarden never downgrades${state.softwareType === 'firmware' ? ' (going back needs a factory reset)' : ''}` } };
  }
  let startAt = at ?? now;
  let clampedTo: number | undefined;
  let clampText: string | undefined;
  if (state.softwareType === 'firmware' && at !== undefined) {
    const maxDelay = maximumDelayMs(phase);
    const firstSeen = calendar.firstSeen(model, 'firmware', requested);
    if (maxDelay !== undefined && firstSeen !== undefined && at > firstSeen + maxDelay) {
      clampedTo = firstSeen + maxDelay;
      clampText = clampReason(phase);
      startAt = clampedTo;
    }
  }
  const when = at === undefined ? 'now' : clampedTo !== undefined ? 'at the end of the phase\'s maximum delay' : 'at the time given';
  return {
    outcome: 'update',
    version: requested,
    startAt,
    requestedAt: at,
    clampedTo,
    clampText,
    reason: { code: at === undefined ? 'Starting' : 'ScheduledTime', message: `${requested} is to be installed ${when}` },
  };
}
