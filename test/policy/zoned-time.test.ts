import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  addDays, formatLocal, isValidTimeZone, offsetAt, parseLocalDate, parseLocalDateTime, parseLocalTime, resolveLocal, toLocal, weekdayOf,
} from '../../controller/policy/zoned-time.ts';

const Resolve = suite('resolveLocal');
// [zone, local wall time, expected instant, what it shows]
const resolveCases: [string, string, string, string][] = [
  ['America/New_York', '2026-03-08T01:59', '2026-03-08T06:59:00Z', 'the last minute before spring forward is EST'],
  ['America/New_York', '2026-03-08T02:00', '2026-03-08T07:00:00Z', 'a skipped time opens at the change (03:00 EDT)'],
  ['America/New_York', '2026-03-08T02:30', '2026-03-08T07:00:00Z', 'a time inside the gap opens at the change'],
  ['America/New_York', '2026-03-08T03:00', '2026-03-08T07:00:00Z', '03:00 EDT is the instant of the change'],
  ['America/New_York', '2026-11-01T00:59', '2026-11-01T04:59:00Z', 'before fall back: EDT'],
  ['America/New_York', '2026-11-01T01:30', '2026-11-01T05:30:00Z', 'an ambiguous time takes its first occurrence (EDT)'],
  ['America/New_York', '2026-11-01T02:00', '2026-11-01T07:00:00Z', 'after fall back: EST'],
  ['Europe/Paris', '2026-03-29T01:59', '2026-03-29T00:59:00Z', 'Paris before spring forward: CET'],
  ['Europe/Paris', '2026-03-29T02:30', '2026-03-29T01:00:00Z', 'Paris gap opens at 03:00 CEST'],
  ['Europe/Paris', '2026-10-25T02:30', '2026-10-25T00:30:00Z', 'Paris overlap takes CEST'],
  ['Europe/Paris', '2026-10-25T03:00', '2026-10-25T02:00:00Z', 'Paris after fall back: CET'],
  ['Europe/Lisbon', '2026-07-01T12:00', '2026-07-01T11:00:00Z', 'Lisbon summer time'],
  ['Australia/Lord_Howe', '2026-10-04T02:15', '2026-10-03T15:30:00Z', 'a half-hour change'],
  ['UTC', '2026-03-08T02:30', '2026-03-08T02:30:00Z', 'UTC has no gaps'],
];
for (const [zone, local, expected, what] of resolveCases) {
  Resolve(`${zone} ${local}: ${what}`, () => {
    const parsed = parseLocalDateTime(local);
    assert.ok(parsed);
    assert.is(new Date(resolveLocal(parsed, zone)).toISOString(), new Date(expected).toISOString());
  });
}
Resolve('minutes past 24:00 roll over to the next day', () => {
  assert.is(new Date(resolveLocal({ year: 2026, month: 10, day: 24, minute: 1440 }, 'Europe/Paris')).toISOString(), '2026-10-24T22:00:00.000Z');
});

const Local = suite('toLocal and offsetAt');
Local('reads both sides of the New York fall-back hour', () => {
  assert.equal(toLocal(Date.parse('2026-11-01T05:30:00Z'), 'America/New_York'), { year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 });
  assert.equal(toLocal(Date.parse('2026-11-01T06:30:00Z'), 'America/New_York'), { year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 });
  assert.is(offsetAt(Date.parse('2026-11-01T05:59:59Z'), 'America/New_York'), -4 * 3_600_000);
  assert.is(offsetAt(Date.parse('2026-11-01T06:00:00Z'), 'America/New_York'), -5 * 3_600_000);
});
Local('an offset change inside a cached hour is read exactly', () => {
  assert.is(offsetAt(Date.parse('2026-03-29T00:59:59Z'), 'Europe/Paris'), 3_600_000);
  assert.is(offsetAt(Date.parse('2026-03-29T01:00:00Z'), 'Europe/Paris'), 7_200_000);
  assert.is(offsetAt(Date.parse('2026-10-03T15:29:59Z'), 'Australia/Lord_Howe'), 10.5 * 3_600_000);
  assert.is(offsetAt(Date.parse('2026-10-03T15:30:00Z'), 'Australia/Lord_Howe'), 11 * 3_600_000);
});
Local('formats local time for people', () => {
  assert.is(formatLocal(Date.parse('2026-11-22T08:00:00Z'), 'America/New_York'), '2026-11-22 03:00');
});

const Parse = suite('parsing');
Parse('dates, date-times and times', () => {
  assert.equal(parseLocalDate('2026-02-28'), { year: 2026, month: 2, day: 28 });
  assert.is(parseLocalDate('2026-02-30'), undefined);
  assert.is(parseLocalDateTime('2027-01-16T21:00')?.hour, 21);
  assert.is(parseLocalDateTime('2027-01-16 21:00'), undefined);
  assert.is(parseLocalTime('24:00'), 1440);
  assert.is(parseLocalTime('24:01'), undefined);
  assert.is(parseLocalTime('06:30'), 390);
});
Parse('calendar arithmetic', () => {
  assert.equal(addDays({ year: 2026, month: 12, day: 31 }, 1), { year: 2027, month: 1, day: 1 });
  assert.is(weekdayOf({ year: 2026, month: 11, day: 22 }), 0);
  assert.is(isValidTimeZone('Europe/Paris'), true);
  assert.is(isValidTimeZone('Mars/Olympus'), false);
});

Resolve.run();
Local.run();
Parse.run();
