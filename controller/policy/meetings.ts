// Meeting-aware windows for Teams Rooms: with spec.rollout.meetings.avoid, no update starts in a
// room while a booking is in progress or when one begins within the margin (default 60 minutes),
// so a restart never lands in a meeting. Bookings come from the room's resource account's
// calendar (free/busy only), read just before starting; without a fresh read the answer is
// `unknown` and the caller reads the calendar first.
import type { Device, DeviceType } from '../model/fleet.ts';
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { Booking, RoomSchedule } from '../model/rooms.ts';

/**
 * The least-privileged Graph application permission for free/busy of room mailboxes
 * (calendar: getSchedule); named in what firmwarden tells an admin to grant.
 */
export const calendarPermission = 'Calendars.ReadBasic.All';

/** Minutes kept free before a booking when the policy names none: 60. */
export const defaultMarginMinutes = 60;
/** How long a calendar read counts before it is read again: 15 minutes (rooms are booked at short notice). */
export const scheduleFreshMs = 15 * 60_000;
/**
 * How long a calendar failure (no permission) stands before calendars are tried again: 1 hour,
 * so a permission granted meanwhile is used within the hour without a request per reconcile.
 */
export const calendarRetryMs = 3_600_000;
/** How far past the margin a calendar read looks, so a room booked all morning says when it is free: 12 hours. */
export const scheduleLookaheadMs = 12 * 3_600_000;

/**
 * Device types whose signed-in account is a room's resource account. A phone or display signs
 * in as a person: their calendar says nothing about the device, and reading it would be
 * intrusive, so those are never checked.
 */
const roomTypes: ReadonlySet<DeviceType> = new Set(['teamsRoom', 'collaborationBar', 'surfaceHub', 'teamsPanel', 'touchConsole']);

/** The margin of a meeting-aware policy in ms, or undefined when the policy does not avoid meetings. */
export function meetingMarginMs(policy: UpdatePolicy | undefined): number | undefined {
  const meetings = policy?.spec.rollout?.meetings;
  if (meetings?.avoid !== true) return undefined;
  return (meetings.marginMinutes ?? defaultMarginMinutes) * 60_000;
}

/** The room mailbox of a device (its resource account's user principal name, lower-case), or undefined when it has none. */
export function roomMailboxOf(device: Device): string | undefined {
  if (!roomTypes.has(device.deviceType)) return undefined;
  const upn = device.currentUserPrincipalName?.trim().toLowerCase();
  return upn && upn.includes('@') ? upn : undefined;
}

/** True for a calendar stretch that is a booking (anything but free). */
export function isBooking(b: Booking): boolean {
  return b.status.toLowerCase() !== 'free' && b.end > b.start;
}

/** True when `b` forbids a start at `t`: in progress (started at or before t, not ended) or beginning less than `marginMs` after t. */
function blocks(b: Booking, t: number, marginMs: number): boolean {
  return b.end > t && (b.start <= t || b.start < t + marginMs);
}

/** The first instant from `t` on when no booking is in progress and none begins within the margin. */
export function freeFrom(bookings: readonly Booking[], t: number, marginMs: number): number {
  const real = bookings.filter(isBooking);
  let at = t;
  for (;;) {
    let until: number | undefined;
    for (const b of real) if (blocks(b, at, marginMs) && (until === undefined || b.end > until)) until = b.end;
    if (until === undefined) return at;
    at = until;
  }
}

/** free: may start; unknown: read the calendar first; booked: wait until `freeAt` (`booking` is the one in the way). */
export type MeetingDecision =
  | { readonly kind: 'free' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'booked'; readonly booking: Booking; readonly inProgress: boolean; readonly freeAt: number };

/** True when a calendar read is recent and covers now up to the margin. */
export function isScheduleFresh(schedule: RoomSchedule | undefined, now: number, marginMs: number): schedule is RoomSchedule {
  return schedule !== undefined && schedule.at <= now && now - schedule.at < scheduleFreshMs && schedule.from <= now && schedule.to >= now + marginMs;
}

/** Decides whether a room may start an update at `now`, from its latest calendar read. */
export function decideMeetings(schedule: RoomSchedule | undefined, now: number, marginMs: number): MeetingDecision {
  if (!isScheduleFresh(schedule, now, marginMs)) return { kind: 'unknown' };
  const first = schedule.bookings
    .filter((b) => isBooking(b) && blocks(b, now, marginMs))
    .sort((a, b) => a.start - b.start)[0];
  if (!first) return { kind: 'free' };
  return { kind: 'booked', booking: first, inProgress: first.start <= now, freeAt: freeFrom(schedule.bookings, now, marginMs) };
}
