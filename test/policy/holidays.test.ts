import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Freeze, Holidays, MaintenanceWindow } from '../../controller/model/manifests.generated.ts';
import { readHolidayCalendar } from '../../controller/policy/holiday-calendar.ts';
import { compileHolidays, dayText, holidayRange, writtenHolidayDays } from '../../controller/policy/holidays.ts';
import type { HolidayDay } from '../../controller/model/desired.ts';
import { WindowSchedule, compileFreezes, compileWindows } from '../../controller/policy/windows.ts';

const at = (text: string) => Date.parse(text);
const iso = (ms: number | undefined) => (ms === undefined ? 'none' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const now = at('2027-06-01T00:00:00Z');
const { fromDay, toDay } = holidayRange(now);
const anyTime: MaintenanceWindow[] = [{ name: 'any-time', start: '00:00', duration: '24h' }];

const ics = (...events: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//firmwarden//test//EN', ...events, 'END:VCALENDAR', ''].join('\r\n');
const christmas = ['BEGIN:VEVENT', 'UID:xmas', 'DTSTART;VALUE=DATE:20271225', 'DTEND;VALUE=DATE:20271226', 'SUMMARY:Christmas Day', 'END:VEVENT'].join('\r\n');
// The fourth Thursday of November, every year, from 2020.
const thanksgiving = ['BEGIN:VEVENT', 'UID:thx', 'DTSTART;VALUE=DATE:20201126', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', 'SUMMARY:Thanksgiving', 'END:VEVENT'].join('\r\n');

function calendarDays(text: string): HolidayDay[] {
  const r = readHolidayCalendar(text, 'holidays.ics', fromDay, toDay);
  if (!r.ok) throw new Error(`line ${r.line}: ${r.message}`);
  return [...r.days];
}

function schedule(zone: string, days: readonly HolidayDay[], windows = anyTime, freezes: Freeze[] = []): WindowSchedule {
  return new WindowSchedule(compileWindows(windows, zone), compileFreezes(freezes, zone), compileHolidays(days, zone));
}

// [what, zone, holiday days, instant, open?, the holiday closing it]
const Closed = suite('holidays close every window on their local days');
const written = (h: Holidays, source = 'UpdatePolicy rooms') => writtenHolidayDays(h, source, fromDay, toDay);
const cases: [string, string, () => HolidayDay[], string, boolean, string | undefined][] = [
  ['an Auckland holiday starts while it is still the day before in UTC (NZDT, UTC+13)', 'Pacific/Auckland', () => written({ dates: [{ date: '2027-12-25', name: 'Christmas Day' }] }), '2027-12-24T11:00:00Z', false, 'Christmas Day'],
  ['a minute before Auckland midnight the window is still open', 'Pacific/Auckland', () => written({ dates: [{ date: '2027-12-25', name: 'Christmas Day' }] }), '2027-12-24T10:59:00Z', true, undefined],
  ['the Auckland holiday is over at its local midnight, still 25 December in UTC', 'Pacific/Auckland', () => written({ dates: [{ date: '2027-12-25', name: 'Christmas Day' }] }), '2027-12-25T11:00:00Z', true, undefined],
  ['the same date in Honolulu starts ten hours after UTC midnight', 'Pacific/Honolulu', () => written({ dates: [{ date: '2027-12-25', name: 'Christmas Day' }] }), '2027-12-25T09:59:00Z', true, undefined],
  ['and lasts until 10:00 UTC on the 26th', 'Pacific/Honolulu', () => written({ dates: [{ date: '2027-12-25', name: 'Christmas Day' }] }), '2027-12-26T09:59:00Z', false, 'Christmas Day'],
  ['a yearly date (MM-DD) closes that day every year', 'Europe/Paris', () => written({ dates: [{ date: '07-14', name: 'Fête nationale' }] }), '2029-07-14T12:00:00Z', false, 'Fête nationale'],
  ['a yearly 02-29 closes only leap years', 'Europe/Paris', () => written({ dates: [{ date: '02-29', name: 'leap day' }] }), '2028-02-29T12:00:00Z', false, 'leap day'],
  ['a yearly 02-29 is nothing in a common year', 'Europe/Paris', () => written({ dates: [{ date: '02-29', name: 'leap day' }] }), '2027-03-01T12:00:00Z', true, undefined],
  ['an .ics all-day event closes its day in the group\'s zone', 'Pacific/Auckland', () => calendarDays(ics(christmas)), '2027-12-24T12:00:00Z', false, 'Christmas Day'],
  ['an RRULE holiday (fourth Thursday of November) closes 2027-11-25 in New York', 'America/New_York', () => calendarDays(ics(thanksgiving)), '2027-11-25T06:00:00Z', false, 'Thanksgiving'],
  ['and 2028-11-23 the year after', 'America/New_York', () => calendarDays(ics(thanksgiving)), '2028-11-23T20:00:00Z', false, 'Thanksgiving'],
  ['but not the Thursday before', 'America/New_York', () => calendarDays(ics(thanksgiving)), '2028-11-16T20:00:00Z', true, undefined],
];
// Holidays without dates: no days (and no calendar arithmetic), whatever else they hold.
const Written = suite('written holiday days');
const writtenRows: [string, Holidays | undefined, number][] = [
  ['no holidays', undefined, 0],
  ['an empty list of dates', { dates: [] }, 0],
  ['one dated day in range', { dates: [{ date: '2027-12-25', name: 'Christmas Day' }] }, 1],
  ['a yearly day: once per year of the range', { dates: [{ date: '07-14' }] }, 5],
];
for (const [what, h, n] of writtenRows) {
  Written(what, () => {
    const days = writtenHolidayDays(h, 'UpdatePolicy rooms', fromDay, toDay);
    assert.is(days.length, n);
    for (const d of days) assert.is(d.source, 'UpdatePolicy rooms');
  });
}
Written.run();

for (const [what, zone, days, instant, open, name] of cases) {
  Closed(what, () => {
    const s = schedule(zone, days());
    assert.is(s.isOpen(at(instant)), open, 'open');
    assert.is(s.holidayAt(at(instant))?.name, name);
  });
}
Closed('the next opening after a holiday is the first window past its local end', () => {
  const nightly: MaintenanceWindow[] = [{ name: 'nightly', start: '22:00', end: '05:00' }];
  const s = schedule('Pacific/Auckland', written({ dates: [{ date: '2027-12-25', name: 'Christmas Day' }] }), nightly);
  // 00:30 on 25 December NZDT, inside the window opened the evening before: closed for the holiday.
  assert.is(s.isOpen(at('2027-12-24T11:30:00Z')), false);
  // The window opening at 22:00 on the 25th is still Christmas; it is open from 26 December 00:00 NZDT.
  assert.is(iso(s.nextOpening(at('2027-12-24T11:30:00Z'))), '2027-12-25T11:00:00Z');
});

const Ics = suite('reading an .ics file');
Ics('a multi-day event covers each day up to its exclusive DTEND; EXDATE removes an occurrence; cancelled events count for nothing', () => {
  const text = ics(
    ['BEGIN:VEVENT', 'UID:break', 'DTSTART;VALUE=DATE:20271224', 'DTEND;VALUE=DATE:20271227', 'SUMMARY:Christmas break', 'END:VEVENT'].join('\r\n'),
    ['BEGIN:VEVENT', 'UID:monthly', 'DTSTART;VALUE=DATE:20270701', 'RRULE:FREQ=MONTHLY;COUNT=3', 'EXDATE;VALUE=DATE:20270801', 'SUMMARY:Quiet day', 'END:VEVENT'].join('\r\n'),
    ['BEGIN:VEVENT', 'UID:gone', 'DTSTART;VALUE=DATE:20271001', 'STATUS:CANCELLED', 'SUMMARY:Cancelled', 'END:VEVENT'].join('\r\n'),
  );
  assert.equal(calendarDays(text).map((d) => `${dayText(d.day)} ${d.name}`), ['2027-07-01 Quiet day', '2027-09-01 Quiet day', '2027-12-24 Christmas break', '2027-12-25 Christmas break', '2027-12-26 Christmas break']);
});
Ics('a timed event closes the local days it touches as written', () => {
  const text = ics(['BEGIN:VEVENT', 'UID:offsite', 'DTSTART:20270910T130000', 'DTEND:20270911T000000', 'SUMMARY:Offsite', 'END:VEVENT'].join('\r\n'));
  assert.equal(calendarDays(text).map((d) => dayText(d.day)), ['2027-09-10']);
});
// [what, text, line, message pattern]
const unreadable: [string, string, number, RegExp][] = [
  ['a line without a colon', ics(christmas).replace('SUMMARY:Christmas Day', 'SUMMARY Christmas Day'), 8, /not an iCalendar file/],
  ['not a calendar at all', 'apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\n', 1, /not an iCalendar file/],
  ['a recurrence rule ical.js cannot read', ics(thanksgiving.replace('FREQ=YEARLY', 'FREQ=FORTNIGHTLY')), 7, /Thanksgiving|FORTNIGHTLY/],
  ['a rule recurring every minute since 2000', ics(['BEGIN:VEVENT', 'UID:m', 'DTSTART:20000101T000000Z', 'RRULE:FREQ=MINUTELY', 'SUMMARY:Every minute', 'END:VEVENT'].join('\r\n')), 7, /recurs more than 20000 times/],
];
for (const [what, text, line, message] of unreadable) {
  Ics(`unreadable: ${what}, with its line`, () => {
    const r = readHolidayCalendar(text, 'holidays.ics', fromDay, toDay);
    assert.is(r.ok, false);
    if (r.ok) return;
    assert.is(r.line, line);
    assert.match(r.message, message);
  });
}

const Freezes = suite('freezes beside holidays');
Freezes('a freeze closes windows; passing freezes still leaves the holidays closed', () => {
  const s = schedule('Pacific/Auckland', written({ dates: [{ date: '2027-12-25', name: 'Christmas Day' }] }), anyTime, [{ name: 'year-end', start: '2027-12-20', end: '2027-12-31', reason: 'change freeze' }]);
  assert.is(iso(s.nextOpening(at('2027-12-22T00:00:00Z'))), '2027-12-31T11:00:00Z', 'after the freeze, 1 January 00:00 NZDT');
  assert.is(iso(s.nextOpening(at('2027-12-22T00:00:00Z'), true)), '2027-12-22T00:00:00Z', 'an override passes the freeze');
  assert.is(iso(s.nextOpening(at('2027-12-24T12:00:00Z'), true)), '2027-12-25T11:00:00Z', 'but not the holiday');
  assert.is(iso(s.nextUnfrozen(at('2027-12-22T00:00:00Z'))), '2027-12-31T11:00:00Z', 'a ScheduledUpdate ignoring windows still waits for the freeze');
  assert.is(iso(s.nextUnfrozen(at('2027-12-19T00:00:00Z'))), '2027-12-19T00:00:00Z', 'and starts before it');
});
Freezes('an expired freeze blocks nothing', () => {
  const s = schedule('Europe/Paris', [], anyTime, [{ name: 'old', start: '2026-12-18', end: '2027-01-04', reason: 'last year' }]);
  assert.is(s.isOpen(now), true);
  assert.is(s.freezeAt(now), undefined);
});

Closed.run();
Ics.run();
Freezes.run();
