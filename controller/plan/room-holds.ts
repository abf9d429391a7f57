// Rooms in use and meetings, applied to the updates that may start now (after waves, windows
// and freezes, before the slots under maxConcurrent are given out, so a room held here frees
// its slot for another device). Pure: the readings come in with the plan's input.
//
// A device with no fresh reading is not held: it may start, and the plan lists it in
// Plan.rooms.reads so the caller reads it and plans again before posting (the reconcile, plan
// and why all do). Holding it instead would need a reading to ever start anything.
import type { PlanAction, PlanRooms, Reason } from '../model/plan.ts';
import type { Booking, RoomObservations, RoomReads } from '../model/rooms.ts';
import { decideInUse, skipsDevicesInUse } from '../policy/in-use.ts';
import { calendarRetryMs, decideMeetings, meetingMarginMs, roomMailboxOf, scheduleLookaheadMs } from '../policy/meetings.ts';
import { formatLocal } from '../policy/zoned-time.ts';
import type { Work } from './work.ts';

/** What holdRooms found still unread, per device, to be narrowed to the plan's starts. */
export interface RoomChecks {
  readonly activity: Set<string>;
  /** Device id → its room mailbox, for devices whose calendar needs a read. */
  readonly schedules: Map<string, string>;
  /** The largest margin among the calendars to read (ms). */
  marginMs: number;
}

/** True while a calendar failure still stands (meeting checks then assume no bookings, and ask no reads). */
export function calendarsUnavailable(rooms: RoomObservations | undefined, now: number): boolean {
  const trouble = rooms?.calendarTrouble;
  return trouble !== undefined && trouble.at <= now && now - trouble.at < calendarRetryMs;
}

/** Holds the works that may start now on a device in use or in a room booked too soon; notes what must be read first. */
export function holdRooms(mains: readonly Work[], rooms: RoomObservations | undefined, now: number, isRunning: (deviceId: string) => boolean): RoomChecks {
  const checks: RoomChecks = { activity: new Set(), schedules: new Map(), marginMs: 0 };
  const noCalendars = calendarsUnavailable(rooms, now);
  // Indexed: a for-of allocates an iterator result per work in Maglev-only code (plan's --no-opt).
  for (let k = 0; k < mains.length; k++) {
    const w = mains[k]!;
    if (!w.needs || (w.earliest ?? now) > now) continue;
    const id = w.device.id;
    // An update already running on the device keeps it (selectStarts says so): nothing to check.
    if (isRunning(id)) continue;
    const policy = w.ctx.policy?.policy;
    // Meetings first: a booking says until when, "busy" only that it is busy now.
    const margin = w.respectWindows ? meetingMarginMs(policy) : undefined;
    const mailbox = margin === undefined || noCalendars ? undefined : roomMailboxOf(w.device);
    if (margin !== undefined && mailbox !== undefined) {
      const m = decideMeetings(rooms?.schedules.get(mailbox), now, margin);
      if (m.kind === 'booked') {
        hold(w, m.freeAt, bookedReason(w, m.booking, m.inProgress, m.freeAt, margin));
        continue;
      }
      if (m.kind === 'unknown') {
        checks.schedules.set(id, mailbox);
        checks.marginMs = Math.max(checks.marginMs, margin);
      }
    }
    if (!skipsDevicesInUse(policy)) continue;
    const a = decideInUse(rooms?.activity.get(id), now);
    if (a.kind === 'inUse') hold(w, a.retryAt, inUseReason(w, a.readAt, a.retryAt));
    else if (a.kind === 'unknown') checks.activity.add(id);
  }
  return checks;
}

/** The reads the plan's starts still need, and the calendar trouble to report; undefined when there is neither. */
export function planRooms(checks: RoomChecks, actions: readonly PlanAction[], rooms: RoomObservations | undefined, now: number): PlanRooms | undefined {
  const starting = new Set(actions.map((a) => a.deviceId));
  const activity = [...checks.activity].filter((id) => starting.has(id)).sort();
  const scheduleDevices = [...checks.schedules.keys()].filter((id) => starting.has(id));
  const schedules = [...new Set(scheduleDevices.map((id) => checks.schedules.get(id)!))].sort();
  const devices = [...new Set([...activity, ...scheduleDevices])].sort();
  const reads: RoomReads | undefined = devices.length === 0
    ? undefined
    : { devices, activity, schedules, scheduleFrom: now, scheduleTo: now + checks.marginMs + scheduleLookaheadMs };
  const calendarTrouble = calendarsUnavailable(rooms, now) ? rooms!.calendarTrouble : undefined;
  if (!reads && !calendarTrouble) return undefined;
  return { reads, calendarTrouble };
}

/** Makes a work wait until `until` (moved to the next opening of its windows when it respects them). */
function hold(w: Work, until: number, reason: Reason): void {
  w.needs = false;
  w.status = 'scheduled';
  w.earliest = w.respectWindows ? w.ctx.schedule.nextOpening(until) : until;
  w.reason = reason;
}

function local(w: Work, ms: number): string {
  return `${formatLocal(ms, w.ctx.timeZone)} ${w.ctx.timeZone}`;
}

/** "2027-03-01 09:30 to 10:30 Europe/Paris" (the end's date only when it differs). */
function span(w: Work, start: number, end: number): string {
  const from = formatLocal(start, w.ctx.timeZone);
  const to = formatLocal(end, w.ctx.timeZone);
  return `${from} to ${to.slice(0, 10) === from.slice(0, 10) ? to.slice(11) : to} ${w.ctx.timeZone}`;
}

/** Why the start waits for a window after `at`, when it does. */
function windowAfter(w: Work, at: number): string {
  if (!w.respectWindows) return '';
  const next = w.ctx.schedule.nextOpening(at);
  if (next === undefined) return '; no maintenance window opens after that';
  return next > at ? `; the window has closed by then, so it waits for the next one, opening ${local(w, next)}` : '';
}

function inUseReason(w: Work, readAt: number, retryAt: number): Reason {
  return {
    code: 'InUse',
    message: `the device is in use (activityState busy at ${local(w, readAt)}); firmwarden never starts an update on a device in use and reads it again at ${local(w, retryAt)}${windowAfter(w, retryAt)}`,
  };
}

function bookedReason(w: Work, b: Booking, inProgress: boolean, freeAt: number, marginMs: number): Reason {
  const minutes = Math.round(marginMs / 60_000);
  const what = inProgress
    ? `a meeting is booked in the room until ${local(w, b.end)}`
    : `the room is booked from ${span(w, b.start, b.end)}, less than ${minutes} minutes from now`;
  return {
    code: 'RoomBooked',
    message: `${what}; updates start only when no meeting is under way and none begins within ${minutes} minutes (spec.rollout.meetings), so from ${local(w, freeAt)}${windowAfter(w, freeAt)}`,
  };
}

/** `{ rooms }` when there is something to say, else nothing (plans without room checks keep their shape). */
export function withRooms(rooms: PlanRooms | undefined): { rooms?: PlanRooms } {
  return rooms === undefined ? {} : { rooms };
}
