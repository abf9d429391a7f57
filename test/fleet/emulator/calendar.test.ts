// Room calendars and activity through the day in the emulator, over loopback HTTP: getSchedule
// serves the same bookings control.roomCalendar gives, 403 for an app without a calendar
// permission, and devices go busy mostly during their bookings, on the emulator's clock. The
// Graph adapter reads both (readSchedules, readActivity).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { FleetError } from '../../../controller/model/fleet.ts';
import { silentLogger } from '../../../controller/log/logger.ts';
import { parseFleetOptions } from '../../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../../controller/config/fleet-connection.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import type { DeviceView } from '../../../controller/fleet/emulator/control.ts';
import { getToken, graph } from './emulator-client.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;
// Monday 1 March 2027, 06:00 UTC.
const monday = Date.parse('2027-03-01T06:00:00Z');
const clock = new ManualClock(monday);
const roomTypes = new Set(['teamsRoom', 'collaborationBar', 'surfaceHub', 'touchConsole', 'teamsPanel']);

const hourFormats = new Map<string, Intl.DateTimeFormat>();
/** The local hour (0-23) of an instant in a zone (own helper: not the emulator's). */
function localHour(at: number, timeZone: string): number {
  let f = hourFormats.get(timeZone);
  if (!f) hourFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' })));
  return Number(f.format(at));
}

let handle: EmulatorHandle;
let token: string;
let rooms: DeviceView[];
const principal = async (id: string): Promise<string> => (await graph(handle, token, `/teamwork/devices/${id}`)).body.currentUser.userPrincipalName;
const getSchedule = (t: string | null, caller: string, schedules: string[], from: number, to: number) =>
  graph(handle, t, `/users/${encodeURIComponent(caller)}/calendar/getSchedule`, {
    method: 'POST',
    body: { schedules, startTime: { dateTime: new Date(from).toISOString().slice(0, 19), timeZone: 'UTC' }, endTime: { dateTime: new Date(to).toISOString().slice(0, 19), timeZone: 'UTC' } },
  });

const calendars = suite('room calendars (getSchedule)');
calendars.before(async () => {
  handle = await startEmulator({ devices: 300, seed: 7, clock, rateLimit: 0 });
  token = await getToken(handle);
  rooms = handle.control.devices({ limit: 300 }).filter((d) => roomTypes.has(d.deviceType) && d.currentUserId !== null && d.healthStatus !== 'offline');
});
calendars.after(async () => handle.close());

calendars('a room\'s resource account is its mailbox; getSchedule serves the bookings the emulator keeps, in UTC', async () => {
  assert.ok(rooms.length >= 10, `rooms in the fleet (${rooms.length})`);
  const picked = rooms.slice(0, 5);
  const addresses = await Promise.all(picked.map((r) => principal(r.id)));
  for (const a of addresses) assert.match(a, /^room-[a-z]+-[\d.]+-\d{6}@contoso\.example$/);
  const answer = await getSchedule(token, addresses[0]!, addresses, monday, monday + 5 * day);
  assert.is(answer.status, 200);
  assert.is(answer.body.value.length, 5);
  let total = 0;
  for (const [i, info] of (answer.body.value as { scheduleId: string; scheduleItems: { start: { dateTime: string; timeZone: string }; end: { dateTime: string }; status: string }[] }[]).entries()) {
    assert.is(info.scheduleId, addresses[i]);
    const expected = handle.control.roomCalendar(picked[i]!.id, monday, monday + 5 * day);
    assert.equal(
      info.scheduleItems.map((x) => [Date.parse(`${x.start.dateTime}Z`), Date.parse(`${x.end.dateTime}Z`), x.status, x.start.timeZone]),
      expected.map((b) => [b.start, b.end, b.status, 'UTC']),
    );
    total += expected.length;
  }
  assert.ok(total >= 10, `a working week books rooms (${total} bookings in 5 rooms)`);
});

calendars('bookings fall on working days between 08:00 and 18:00 local time, and never overlap in one room', () => {
  for (const r of rooms) {
    const bookings = handle.control.roomCalendar(r.id, monday, monday + 7 * day);
    for (const [i, b] of bookings.entries()) {
      const hh = localHour(b.start, r.timeZone);
      assert.ok(hh >= 8 && hh < 18, `${r.id} booking starts at ${hh}:00 local`);
      if (i > 0) assert.ok(b.start >= bookings[i - 1]!.end, `${r.id} bookings overlap`);
    }
  }
});

calendars('an unknown mailbox gets an error entry; more than 100 schedules a 400', async () => {
  const a = await principal(rooms[0]!.id);
  const answer = await getSchedule(token, a, [a, 'nobody@contoso.example'], monday, monday + day);
  assert.is(answer.status, 200);
  assert.is(answer.body.value[1].error.responseCode, 'ErrorMailRecipientNotFound');
  const many = await getSchedule(token, a, Array.from({ length: 101 }, () => a), monday, monday + day);
  assert.is(many.status, 400);
  assert.is(many.body.error.code, 'ErrorMailboxDataArrayTooBig');
});

calendars('an app without a calendar permission gets 403 (the read-only app holds none)', async () => {
  const a = await principal(rooms[0]!.id);
  const answer = await getSchedule(await getToken(handle, true), a, [a], monday, monday + day);
  assert.is(answer.status, 403);
  assert.is(answer.body.error.code, 'ErrorAccessDenied');
});

calendars('devices go busy mostly during their bookings, never at night, and the device API follows the clock', async () => {
  // GET device says what control says, at two moments of the clock (first: the loop below is long,
  // and a keep-alive connection idle that long may be closed under the next request).
  const room = rooms.find((r) => handle.control.roomCalendar(r.id, monday, monday + day).some((b) => handle.control.activityAt(r.id, b.start + minute) === 'busy'))!;
  const booked = handle.control.roomCalendar(room.id, monday, monday + day).find((b) => handle.control.activityAt(room.id, b.start + minute) === 'busy')!;
  // Tokens expire on the emulator's clock: a fresh one after each jump.
  clock.set(booked.start + minute);
  assert.is((await graph(handle, await getToken(handle), `/teamwork/devices/${room.id}`)).body.activityState, 'busy');
  clock.set(Date.parse('2027-03-02T02:00:00Z'));
  assert.is((await graph(handle, await getToken(handle), `/teamwork/devices/${room.id}`)).body.activityState, 'idle');
  clock.set(monday);
  let inBooking = 0, busyInBooking = 0, outside = 0, busyOutside = 0, nights = 0, busyNights = 0;
  // 30 rooms, every half hour of a working week (each control call regenerates the device).
  for (const r of rooms.slice(0, 30)) {
    const bookings = handle.control.roomCalendar(r.id, monday, monday + 5 * day);
    for (let t = monday; t < monday + 5 * day; t += 30 * minute) {
      const busy = handle.control.activityAt(r.id, t) === 'busy';
      const hourLocal = localHour(t, r.timeZone);
      if (hourLocal < 7 || hourLocal >= 21) {
        nights++;
        if (busy) busyNights++;
      } else if (bookings.some((b) => b.start <= t && t < b.end)) {
        inBooking++;
        if (busy) busyInBooking++;
      } else {
        outside++;
        if (busy) busyOutside++;
      }
    }
  }
  assert.ok(busyInBooking / inBooking > 0.7, `busy in ${busyInBooking} of ${inBooking} booked half hours`);
  assert.ok(busyOutside / outside < 0.1, `busy in ${busyOutside} of ${outside} unbooked daytime half hours`);
  assert.is(busyNights, 0, `never busy at night (${nights} half hours)`);

});

const adapter = suite('the Graph adapter reads activity and room calendars');
let conn: FleetConnection;
adapter.before(async () => {
  clock.set(monday);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  conn = await createFleet(options, { logger: silentLogger(), clock, emulator: { devices: 300, seed: 7, rateLimit: 0 } });
});
adapter.after(async () => conn.close());

adapter('readActivity batches GETs and gives each device\'s activityState now', async () => {
  const control = conn.emulator!.control;
  const ids = control.devices({ limit: 45 }).map((d) => d.id);
  clock.set(Date.parse('2027-03-01T10:15:00Z'));
  const read = await conn.fleet.readActivity!(ids);
  assert.is(read.size, 45);
  for (const id of ids) assert.is(read.get(id), control.activityAt(id), id);
  assert.ok([...read.values()].includes('busy'), 'someone is busy on a Monday morning');
  const gone = await conn.fleet.readActivity!(['00000000-0000-4000-8000-000000000000']);
  assert.ok(gone.get('00000000-0000-4000-8000-000000000000') instanceof FleetError);
});

adapter('readSchedules reads 25 rooms in two getSchedule calls and matches the emulator\'s calendar', async () => {
  const control = conn.emulator!.control;
  const devices = await conn.fleet.listDevices();
  const withMailbox = devices.filter((d) => roomTypes.has(d.deviceType) && d.currentUserPrincipalName).slice(0, 25);
  assert.is(withMailbox.length, 25);
  const before = control.stats().graphRequests;
  const read = await conn.fleet.readSchedules!(withMailbox.map((d) => d.currentUserPrincipalName!), monday, monday + 2 * day);
  assert.is(control.stats().graphRequests - before, 2, 'two calls of at most 20 schedules');
  for (const d of withMailbox) {
    const bookings = read.get(d.currentUserPrincipalName!.toLowerCase());
    assert.ok(Array.isArray(bookings), `${d.id}: ${String(bookings)}`);
    assert.equal((bookings as { start: number; end: number }[]).map((b) => [b.start, b.end]), control.roomCalendar(d.id, monday, monday + 2 * day).map((b) => [b.start, b.end]));
  }
});

adapter('without the permission every schedule is a 403 error value, not a throw', async () => {
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const denied = await createFleet(options, { logger: silentLogger(), clock, emulator: { devices: 50, seed: 7, rateLimit: 0, calendarAccess: false } });
  try {
    const room = (await denied.fleet.listDevices()).find((d) => roomTypes.has(d.deviceType) && d.currentUserPrincipalName)!;
    const read = await denied.fleet.readSchedules!([room.currentUserPrincipalName!], monday, monday + day);
    const result = read.get(room.currentUserPrincipalName!.toLowerCase());
    assert.ok(result instanceof FleetError);
    assert.is((result as FleetError).status, 403);
  } finally {
    await denied.close();
  }
});

calendars.run();
adapter.run();
