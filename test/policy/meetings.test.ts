import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideMeetings, freeFrom, meetingMarginMs, roomMailboxOf, scheduleFreshMs } from '../../controller/policy/meetings.ts';
import type { Booking, RoomSchedule } from '../../controller/model/rooms.ts';
import { device, policy } from '../plan/fixtures.ts';

const minute = 60_000;
const hour = 60 * minute;
// The window opens at 09:00 UTC in these cases.
const open = Date.parse('2027-03-01T09:00:00Z');
const booking = (startMin: number, endMin: number, status = 'busy'): Booking => ({ start: open + startMin * minute, end: open + endMin * minute, status });
const read = (bookings: Booking[], at = open): RoomSchedule => ({ from: at, to: at + 13 * hour, at, bookings });
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().slice(11, 16));

// [what, bookings, margin minutes, now (minutes after the window opens), expected kind, expected free-from (HH:MM UTC)]
const cases: [string, Booking[], number, number, 'free' | 'booked', string | undefined][] = [
  ['a booking 30 minutes after the window opens holds the start until it ends (margin 60)', [booking(30, 90)], 60, 0, 'booked', '10:30'],
  ['a booking in progress holds the start until it ends', [booking(-30, 45)], 60, 0, 'booked', '09:45'],
  ['a booking that ended just before does not hold', [booking(-60, 0)], 60, 0, 'free', undefined],
  ['a booking ending one minute before now does not hold', [booking(-60, -1)], 60, 0, 'free', undefined],
  ['a booking exactly one margin away does not hold: 60 minutes are kept free, not 61', [booking(60, 120)], 60, 0, 'free', undefined],
  ['a booking one minute inside the margin holds', [booking(59, 120)], 60, 0, 'booked', '11:00'],
  ['margin 0: a booking starting in one minute does not hold', [booking(1, 60)], 0, 0, 'free', undefined],
  ['margin 0: a booking starting now is in progress and holds', [booking(0, 60)], 0, 0, 'booked', '10:00'],
  ['back-to-back bookings: free only after the last one, with the margin checked from there', [booking(-10, 30), booking(30, 60), booking(100, 130)], 60, 0, 'booked', '11:10'],
  ['a gap shorter than the margin is no gap', [booking(0, 30), booking(80, 120)], 60, 0, 'booked', '11:00'],
  ['a free stretch in the calendar is not a booking', [booking(0, 60, 'free')], 60, 0, 'free', undefined],
  ['tentative bookings count: someone may come', [booking(10, 40, 'tentative')], 60, 0, 'booked', '09:40'],
  ['an empty calendar holds nothing', [], 60, 0, 'free', undefined],
];
for (const [what, bookings, marginMin, nowMin, kind, freeAt] of cases) {
  test(what, () => {
    const now = open + nowMin * minute;
    const d = decideMeetings(read(bookings), now, marginMin * minute);
    assert.is(d.kind, kind);
    assert.is(d.kind === 'booked' ? iso(d.freeAt) : undefined, freeAt);
  });
}

test('a calendar read 15 minutes ago, or one that does not reach past the margin, is read again', () => {
  assert.is(decideMeetings(read([], open - scheduleFreshMs), open, hour).kind, 'unknown');
  assert.is(decideMeetings(undefined, open, hour).kind, 'unknown');
  assert.is(decideMeetings({ from: open, to: open + 30 * minute, at: open, bookings: [] }, open, hour).kind, 'unknown');
  assert.is(decideMeetings({ from: open, to: open + 30 * minute, at: open, bookings: [] }, open, 0).kind, 'free');
});

test('freeFrom chains overlapping bookings and reports now when nothing is in the way', () => {
  assert.is(freeFrom([booking(0, 60), booking(30, 90)], open, 0), open + 90 * minute);
  assert.is(freeFrom([], open, hour), open);
});

const margins: [string, Parameters<typeof meetingMarginMs>[0], number | undefined][] = [
  ['meeting awareness is off by default', policy('p', {}), undefined],
  ['meetings.avoid: false is off', policy('p', { rollout: { meetings: { avoid: false, marginMinutes: 30 } } }), undefined],
  ['meetings.avoid: true keeps 60 minutes free by default', policy('p', { rollout: { meetings: { avoid: true } } }), hour],
  ['marginMinutes sets the margin', policy('p', { rollout: { meetings: { avoid: true, marginMinutes: 15 } } }), 15 * minute],
  ['marginMinutes 0 waits only for bookings in progress', policy('p', { rollout: { meetings: { avoid: true, marginMinutes: 0 } } }), 0],
  ['devices under no policy are not meeting-aware', undefined, undefined],
];
for (const [what, p, expected] of margins) test(what, () => assert.is(meetingMarginMs(p), expected));

test('only room devices have a room mailbox: their resource account, compared in lower case', () => {
  assert.is(roomMailboxOf(device('a', { deviceType: 'teamsRoom', currentUserPrincipalName: 'Room-4.12@Contoso.example' })), 'room-4.12@contoso.example');
  assert.is(roomMailboxOf(device('b', { deviceType: 'ipPhone', currentUserPrincipalName: 'amelie@contoso.example' })), undefined);
  assert.is(roomMailboxOf(device('c', { deviceType: 'collaborationBar', currentUserPrincipalName: null })), undefined);
  assert.is(roomMailboxOf(device('d', { deviceType: 'teamsPanel' })), undefined);
});

test.run();
