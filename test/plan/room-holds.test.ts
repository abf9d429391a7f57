// Rooms in use and meetings in the plan: which starts wait (InUse, RoomBooked), until when,
// what the plan asks to read before starting, and that a held room frees its slot.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Rollout, UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { Plan } from '../../controller/model/plan.ts';
import type { ActivityReading, Booking, RoomObservations } from '../../controller/model/rooms.ts';
import { buildPlan } from '../../controller/plan/build-plan.ts';
import { at, device, entry, group, iso, policy, release, software } from './fixtures.ts';

const minute = 60_000;
// Monday 1 March 2027; Paris is UTC+1, so the 09:00-17:00 window opens at 08:00Z.
const opens = at('2027-03-01T08:00:00Z');
const window: UpdatePolicySpec = { maintenanceWindows: [{ name: 'office', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '09:00', end: '17:00' }] };
const meetings = (marginMinutes?: number): Rollout => ({ meetings: { avoid: true, ...(marginMinutes === undefined ? {} : { marginMinutes }) } });
const mailbox = (id: string) => `${id}@contoso.example`;
const rooms = ['r1', 'r2'].map((id) => device(id, { deviceType: 'teamsRoom', model: 'Bar', currentUserPrincipalName: mailbox(id), tags: ['paris'] }));

interface Case {
  readonly spec?: UpdatePolicySpec;
  readonly now?: number;
  readonly activity?: Record<string, ActivityReading>;
  readonly bookings?: Record<string, Booking[]>;
  readonly calendarTrouble?: boolean;
}

function planOf(c: Case): Plan {
  const now = c.now ?? opens;
  const observations: RoomObservations = {
    activity: new Map(Object.entries(c.activity ?? {})),
    schedules: new Map(Object.entries(c.bookings ?? {}).map(([id, bookings]) => [mailbox(id), { from: now, to: now + 14 * 60 * minute, at: now, bookings }])),
    ...(c.calendarTrouble ? { calendarTrouble: { reason: 'PermissionMissing', at: now, message: 'grant Calendars.ReadBasic.All' } } : {}),
  };
  return buildPlan({
    now,
    groups: [group('rooms', { policyRef: { name: 'p' }, selector: { tags: ['paris'] }, timeZone: 'Europe/Paris' })],
    // One wave: the default rollout's 1 % canary would keep the second room waiting.
    policies: [policy('p', { ...window, ...c.spec, rollout: { waves: [{ name: 'all', percent: 100 }], ...c.spec?.rollout } })],
    scheduledUpdates: [],
    devices: rooms,
    software: new Map(rooms.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'] })])),
    operations: [],
    releases: [release('Bar', 'firmware', '1.1', at('2026-09-01T00:00:00Z'))],
    rooms: observations,
  });
}

const busy = (m = 0): ActivityReading => ({ state: 'busy', at: opens + m * minute });
const idle = (m = 0): ActivityReading => ({ state: 'idle', at: opens + m * minute });
const booking = (fromMin: number, toMin: number): Booking => ({ start: opens + fromMin * minute, end: opens + toMin * minute, status: 'busy' });
const everyoneIdle = { r1: idle(), r2: idle() };

// [what, case, r1's reason code, r1's earliest start (UTC), does r1 start now]
const cases: [string, Case, string, string | undefined, boolean][] = [
  ['a busy device waits (InUse) and is read again five minutes later', { activity: { r1: busy(), r2: idle() } }, 'InUse', '2027-03-01T08:05:00Z', false],
  ['with the in-use check off, a busy device starts', { spec: { rollout: { skipDevicesInUse: false } }, activity: { r1: busy(), r2: idle() } }, 'Starting', '2027-03-01T08:00:00Z', true],
  ['a booking 30 minutes after the window opens holds the start until it ends', { spec: { rollout: meetings() }, activity: everyoneIdle, bookings: { r1: [booking(30, 90)], r2: [] } }, 'RoomBooked', '2027-03-01T09:30:00Z', false],
  ['a booking in progress holds the start until it ends', { spec: { rollout: meetings() }, activity: everyoneIdle, bookings: { r1: [booking(-15, 45)], r2: [] } }, 'RoomBooked', '2027-03-01T08:45:00Z', false],
  ['a booking that ended just before does not hold', { spec: { rollout: meetings() }, activity: everyoneIdle, bookings: { r1: [booking(-60, 0)], r2: [] } }, 'Starting', '2027-03-01T08:00:00Z', true],
  ['margin 0: a booking 30 minutes ahead does not hold', { spec: { rollout: meetings(0) }, activity: everyoneIdle, bookings: { r1: [booking(30, 90)], r2: [] } }, 'Starting', '2027-03-01T08:00:00Z', true],
  ['with meeting awareness off, a booking in progress does not hold (the device is idle)', { activity: everyoneIdle, bookings: { r1: [booking(-15, 45)], r2: [] } }, 'Starting', '2027-03-01T08:00:00Z', true],
  ['a booking running past the window waits for the next window, not its end', { spec: { rollout: meetings() }, activity: everyoneIdle, bookings: { r1: [booking(-10, 600)], r2: [] } }, 'RoomBooked', '2027-03-02T08:00:00Z', false],
  ['a busy device read just before the window closes waits for the next window', { now: opens + 478 * minute, activity: { r1: busy(478), r2: idle(478) } }, 'InUse', '2027-03-02T08:00:00Z', false],
  ['without calendar access, a meeting-aware policy starts as if no room were booked', { spec: { rollout: meetings() }, activity: everyoneIdle, calendarTrouble: true }, 'Starting', '2027-03-01T08:00:00Z', true],
];

for (const [what, c, code, earliest, starts] of cases) {
  test(what, () => {
    const p = planOf(c);
    const e = entry(p, 'r1', 'firmware');
    assert.is(e.reason.code, code, e.reason.message);
    assert.is(iso(e.earliestStart), earliest);
    assert.is(p.actions.some((a) => a.deviceId === 'r1'), starts);
    if (!starts) assert.is(e.state, 'scheduled', 'a room waiting for a time is scheduled, not failed or blocked');
  });
}

test('the reason says when in the devices\' local time and names the setting', () => {
  const e = entry(planOf({ spec: { rollout: meetings() }, activity: everyoneIdle, bookings: { r1: [booking(30, 90)], r2: [] } }), 'r1', 'firmware');
  assert.match(e.reason.message, 'the room is booked from 2027-03-01 09:30 to 10:30 Europe/Paris');
  assert.match(e.reason.message, 'spec.rollout.meetings');
  assert.match(entry(planOf({ activity: { r1: busy(), r2: idle() } }), 'r1', 'firmware').reason.message, 'reads it again at 2027-03-01 09:05 Europe/Paris');
});

test('a held room frees its slot under maxConcurrent for another device', () => {
  const p = planOf({ spec: { rollout: { maxConcurrent: 1 } }, activity: { r1: busy(), r2: idle() } });
  assert.equal(p.actions.map((a) => a.deviceId), ['r2']);
});

test('the plan comes back when a held room may start: nextActionTime is the earliest retry', () => {
  assert.is(iso(planOf({ activity: { r1: busy(), r2: busy(2) } }).nextActionTime), '2027-03-01T08:05:00Z');
});

test('without readings the plan starts and asks for fresh reads of exactly the devices it would start', () => {
  const p = planOf({ spec: { rollout: { ...meetings(), maxConcurrent: 1 } } });
  assert.is(p.actions.length, 1);
  const id = p.actions[0]!.deviceId;
  assert.equal(p.rooms?.reads?.devices, [id]);
  assert.equal(p.rooms?.reads?.activity, [id]);
  assert.equal(p.rooms?.reads?.schedules, [mailbox(id)]);
  assert.is(p.rooms!.reads!.scheduleTo - p.rooms!.reads!.scheduleFrom >= 60 * minute, true, 'the calendar read covers the margin');
});

test('once every start has been read fresh, the plan asks nothing more', () => {
  const p = planOf({ spec: { rollout: meetings() }, activity: everyoneIdle, bookings: { r1: [], r2: [] } });
  assert.is(p.actions.length, 2);
  assert.is(p.rooms, undefined);
});

test('without calendar access no calendar is asked for, and the plan says why', () => {
  const p = planOf({ spec: { rollout: meetings() }, calendarTrouble: true });
  assert.equal(p.rooms?.reads?.schedules, []);
  assert.is(p.rooms?.calendarTrouble?.message, 'grant Calendars.ReadBasic.All');
});

test('a plan without room checks keeps its shape (no rooms field)', () => {
  const p = buildPlan({ now: opens, groups: [], policies: [], scheduledUpdates: [], devices: rooms, software: new Map(), operations: [], releases: [] });
  assert.not.ok('rooms' in p);
});

test.run();
