// Meetings in the generated company, pure and seeded like the fleet: each room's bookings on a
// local day, and every device's activity at any instant, are rebuilt from (seed, device, day)
// on the emulator's clock, so a test can read the same calendar and activity the emulator
// serves. Rooms are booked on working days between 08:00 and 18:00 local time (how busy a room
// is varies by room); a room is busy during most of its bookings (some are no-shows) and now
// and then without one (an ad-hoc meeting); phones are busy in calls during office hours.
// Nights are quiet: a night window always finds devices idle.
import type { DeviceType } from '../../model/fleet.ts';
import type { ActivityState } from '../../model/rooms.ts';
import { dateOfDay, dayNumber, localDateOf, resolveLocal, toLocal, weekdayOf } from '../../policy/zoned-time.ts';
import type { DeviceRecord, FleetSpec } from './fleet-gen.ts';
import { createRandom, mix, pick } from './prng.ts';

/** One booking of a room's calendar. */
export interface RoomBooking {
  readonly start: number;
  readonly end: number;
  /** free/busy status as getSchedule reports it. */
  readonly status: 'busy' | 'tentative';
  /** Nobody comes: the room stays idle. */
  readonly noShow: boolean;
}

/** Device types whose signed-in account is a room's resource account (they have a room calendar). */
export const roomDeviceTypes: ReadonlySet<DeviceType> = new Set(['teamsRoom', 'collaborationBar', 'surfaceHub', 'touchConsole', 'teamsPanel']);

const salt = { popularity: 301, day: 302, adhoc: 303, call: 304 } as const;
const slotMs = 15 * 60_000;
const minute = 60_000;

/** True for a device with a room calendar: a room type signed in with a resource account. */
export function hasRoomCalendar(record: DeviceRecord): boolean {
  return roomDeviceTypes.has(record.deviceType) && record.currentUser !== null;
}

/** How busy a room is: the chance that a free half hour of a working day starts a booking (0.10–0.35). */
function popularity(spec: FleetSpec, index: number): number {
  return 0.1 + createRandom(mix(spec.seed, index, salt.popularity))() * 0.25;
}

/** A room's bookings starting on one local day (its site's time zone), in order. */
export function bookingsOnDay(spec: FleetSpec, record: DeviceRecord, day: number): RoomBooking[] {
  if (!hasRoomCalendar(record)) return [];
  const zone = record.site.timeZone;
  const date = dateOfDay(day);
  const weekday = weekdayOf(date);
  const weekend = weekday === 0 || weekday === 6;
  const random = createRandom(mix(spec.seed, record.index, salt.day, day));
  const chance = weekend ? 0.01 : popularity(spec, record.index);
  const out: RoomBooking[] = [];
  // Half hours from 08:00 to 17:30; a booking may run past 18:00 but starts before.
  for (let m = 8 * 60; m < 18 * 60; ) {
    if (random() >= chance) {
      m += 30;
      continue;
    }
    const length = pick(random, [30, 30, 60, 60, 60, 90, 120]);
    const start = resolveLocal({ ...date, hour: Math.floor(m / 60), minute: m % 60 }, zone);
    out.push({ start, end: start + length * minute, status: random() < 0.1 ? 'tentative' : 'busy', noShow: random() < 0.12 });
    m += length;
  }
  return out;
}

/** The bookings of a room overlapping [from, to), in order. */
export function bookingsBetween(spec: FleetSpec, record: DeviceRecord, from: number, to: number): RoomBooking[] {
  if (!hasRoomCalendar(record) || to <= from) return [];
  const zone = record.site.timeZone;
  const first = dayNumber(localDateOf(from, zone)) - 1;
  const last = dayNumber(localDateOf(to, zone));
  const out: RoomBooking[] = [];
  for (let d = first; d <= last; d++) for (const b of bookingsOnDay(spec, record, d)) if (b.end > from && b.start < to) out.push(b);
  return out;
}

/** True on a working day between 08:00 and 19:00 local time. */
function officeHours(at: number, zone: string): boolean {
  const local = toLocal(at, zone);
  const weekday = weekdayOf(local);
  return weekday !== 0 && weekday !== 6 && local.hour >= 8 && local.hour < 19;
}

/**
 * A device's activityState at an instant: unavailable when offline; unknown for the few that
 * never report (as generated); for a room, busy inside a booking someone came to, or in an
 * ad-hoc meeting (a quarter hour now and then in office hours); for other devices, busy in a
 * call (a quarter hour now and then in office hours). Otherwise idle.
 */
export function activityAt(spec: FleetSpec, record: DeviceRecord, at: number): ActivityState {
  if (record.healthStatus === 'offline') return 'unavailable';
  if (record.activityState === 'unknown') return 'unknown';
  const zone = record.site.timeZone;
  const slot = Math.floor(at / slotMs);
  if (hasRoomCalendar(record)) {
    // Bookings start from 08:00 and end by 20:00: at night there is nothing to look up.
    const hour = toLocal(at, zone).hour;
    if (hour >= 8 && hour < 20) {
      for (const b of bookingsBetween(spec, record, at - 4 * 60 * minute, at + 1)) if (!b.noShow && b.start <= at && at < b.end) return 'busy';
    }
    return officeHours(at, zone) && createRandom(mix(spec.seed, record.index, salt.adhoc, slot))() < 0.05 ? 'busy' : 'idle';
  }
  return officeHours(at, zone) && createRandom(mix(spec.seed, record.index, salt.call, slot))() < 0.12 ? 'busy' : 'idle';
}
