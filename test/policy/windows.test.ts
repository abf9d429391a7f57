import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Freeze, MaintenanceWindow } from '../../controller/model/manifests.generated.ts';
import {
  WindowSchedule, compileFreezes, compileWindows, isInsideWindow, nextWindowStart, windowsBetween,
} from '../../controller/policy/windows.ts';

const iso = (ms: number | undefined) => (ms === undefined ? 'none' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const at = (text: string) => Date.parse(text);

// Occurrences across the DST nights: [zone, windows, from, to, expected occurrences "start/end", what]
const Occurrences = suite('windowsBetween across daylight-saving changes');
const nightly: MaintenanceWindow[] = [{ name: 'night', start: '22:00', end: '05:00' }];
const cases: [string, MaintenanceWindow[], string, string, string[], string][] = [
  ['America/New_York', nightly, '2026-03-07T12:00:00Z', '2026-03-08T12:00:00Z', ['2026-03-08T03:00:00Z/2026-03-08T09:00:00Z'],
    'the spring-forward night across midnight lasts 6 hours, not lost'],
  ['America/New_York', nightly, '2026-10-31T12:00:00Z', '2026-11-01T12:00:00Z', ['2026-11-01T02:00:00Z/2026-11-01T10:00:00Z'],
    'the fall-back night across midnight lasts 8 hours, not doubled'],
  ['Europe/Paris', nightly, '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z', ['2026-03-28T21:00:00Z/2026-03-29T03:00:00Z'],
    'Paris spring-forward night: 22:00 CET to 05:00 CEST'],
  ['Europe/Paris', nightly, '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z', ['2026-10-24T20:00:00Z/2026-10-25T04:00:00Z'],
    'Paris fall-back night: 22:00 CEST to 05:00 CET'],
  ['America/New_York', [{ start: '02:30', end: '03:30', days: ['Sun'] }], '2026-03-08T00:00:00Z', '2026-03-09T00:00:00Z',
    ['2026-03-08T07:00:00Z/2026-03-08T07:30:00Z'], 'a window opening in the gap opens at the change'],
  ['America/New_York', [{ start: '01:30', end: '02:30', days: ['Sun'] }], '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z',
    ['2026-11-01T05:30:00Z/2026-11-01T07:30:00Z'], 'a window opening in the repeated hour opens once, at the first 01:30'],
  ['America/New_York', [{ start: '01:30', duration: '30m', days: ['Sun'] }], '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z',
    ['2026-11-01T05:30:00Z/2026-11-01T06:00:00Z'], 'a duration is elapsed time'],
  ['Europe/Paris', [{ start: '02:00', end: '03:00', days: ['Sun'] }], '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z',
    ['2026-03-29T01:00:00Z/2026-03-29T02:00:00Z'], 'a window wholly inside the gap keeps its written length'],
  ['Europe/Paris', [{ start: '02:30', end: '04:00', days: ['Sun'] }], '2026-10-25T00:00:00Z', '2026-10-26T00:00:00Z',
    ['2026-10-25T00:30:00Z/2026-10-25T03:00:00Z'], 'Paris ambiguous start takes CEST'],
  ['Europe/Paris', [{ name: 'weekend', days: ['Sat'], start: '00:00', duration: '48h' }], '2026-10-23T00:00:00Z', '2026-10-27T00:00:00Z',
    ['2026-10-23T22:00:00Z/2026-10-25T22:00:00Z'], 'a 48h weekend over fall back ends at 23:00 local on Sunday'],
  ['Europe/Paris', [{ start: '22:00', end: '24:00', days: ['Mon'] }], '2026-11-23T00:00:00Z', '2026-11-24T00:00:00Z',
    ['2026-11-23T21:00:00Z/2026-11-23T23:00:00Z'], '24:00 is the end of the day'],
  ['Europe/Paris', [{ start: '22:00', end: '05:00', days: ['Fri'], timeZone: 'America/New_York' }], '2026-11-20T00:00:00Z', '2026-11-22T00:00:00Z',
    ['2026-11-21T03:00:00Z/2026-11-21T10:00:00Z'], 'a named time zone beats device-local'],
  ['Europe/Paris', [{ start: '09:00', end: '09:00', days: ['Wed'] }], '2026-11-25T00:00:00Z', '2026-11-27T00:00:00Z',
    ['2026-11-25T08:00:00Z/2026-11-26T08:00:00Z'], 'an end equal to the start is 24 hours'],
];
for (const [zone, windows, from, to, expected, what] of cases) {
  Occurrences(`${zone}: ${what}`, () => {
    const got = windowsBetween(windows, zone, at(from), at(to)).map((o) => `${iso(o.start)}/${iso(o.end)}`);
    assert.equal(got, expected);
  });
}
Occurrences('every day of a DST week yields exactly one nightly window', () => {
  for (const [zone, from] of [['America/New_York', '2026-03-05T12:00:00Z'], ['America/New_York', '2026-10-29T12:00:00Z'], ['Europe/Paris', '2026-03-26T12:00:00Z'], ['Europe/Paris', '2026-10-22T12:00:00Z']] as const) {
    const got = windowsBetween(nightly, zone, at(from), at(from) + 7 * 86_400_000);
    assert.is(got.length, 7, zone + from);
  }
});

const Next = suite('nextWindowStart and isInsideWindow');
// [zone, windows, from, expected next start, inside at from]
const nextCases: [string, MaintenanceWindow[] | undefined, string, string, boolean, string][] = [
  ['Europe/Paris', undefined, '2026-11-20T11:00:00Z', '2026-11-20T19:00:00Z', false, 'default windows: Friday noon waits for 20:00 local'],
  ['Europe/Paris', undefined, '2026-11-21T11:00:00Z', '2026-11-21T11:00:00Z', true, 'default windows: Saturday is open all day'],
  ['Europe/Paris', undefined, '2026-11-23T04:59:00Z', '2026-11-23T04:59:00Z', true, 'default windows: Monday 05:59 local still open'],
  ['Europe/Paris', undefined, '2026-11-23T05:00:00Z', '2026-11-23T19:00:00Z', false, 'default windows: Monday 06:00 closed until 20:00'],
  ['America/New_York', undefined, '2026-11-24T16:00:00Z', '2026-11-25T01:00:00Z', false, 'default windows in New York time'],
  [undefined as unknown as string, undefined, '2026-11-24T16:00:00Z', '2026-11-24T20:00:00Z', false, 'no zone: UTC'],
  ['America/New_York', nightly, '2026-03-08T08:30:00Z', '2026-03-08T08:30:00Z', true, 'inside the shortened spring night'],
  ['America/New_York', nightly, '2026-03-08T09:00:00Z', '2026-03-09T02:00:00Z', false, 'closed at 05:00 EDT, reopens 22:00 EDT'],
  ['America/New_York', [{ start: '02:30', end: '03:30', days: ['Sun'] }], '2026-03-08T05:00:00Z', '2026-03-08T07:00:00Z', false, 'next start in a gap is the change'],
];
for (const [zone, windows, from, expected, inside, what] of nextCases) {
  Next(what, () => {
    assert.is(iso(nextWindowStart(windows, zone, at(from))), iso(at(expected)));
    assert.is(isInsideWindow(windows, zone, at(from)), inside);
  });
}

const Freezes = suite('freezes');
const vipWindows: MaintenanceWindow[] = [
  { name: 'saturday-night', days: ['Sat'], start: '20:00', end: '06:00' },
  { name: 'sunday', days: ['Sun'], start: '08:00', duration: '12h' },
];
const yearEnd: Freeze[] = [{ name: 'year-end', start: '2026-12-18', end: '2027-01-04', reason: 'briefings' }];
const freezeCases: [MaintenanceWindow[], Freeze[], string, string, string][] = [
  [vipWindows, yearEnd, '2026-12-12T12:00:00Z', '2026-12-12T19:00:00Z', 'before the freeze the Saturday window opens'],
  [vipWindows, yearEnd, '2026-12-17T12:00:00Z', '2027-01-09T19:00:00Z', 'the freeze skips every window to the first Saturday after it'],
  [nightly, yearEnd, '2027-01-04T20:00:00Z', '2027-01-04T23:00:00Z', 'a window open at the end of the freeze starts at local midnight'],
  [nightly, [{ start: '2026-11-25', end: '2026-11-25' }], '2026-11-25T12:00:00Z', '2026-11-25T23:00:00Z', 'a one-day freeze blocks its whole local date'],
  [nightly, [{ start: '2026-11-25', end: '2026-11-25', timeZone: 'America/New_York' }], '2026-11-25T12:00:00Z', '2026-11-26T21:00:00Z', 'a freeze counted in another zone covers the whole Paris night'],
];
for (const [windows, freezes, from, expected, what] of freezeCases) {
  Freezes(what, () => {
    const schedule = new WindowSchedule(compileWindows(windows, 'Europe/Paris'), compileFreezes(freezes, 'Europe/Paris'));
    const next = schedule.nextOpening(at(from));
    assert.is(iso(next), iso(at(expected)));
    if (next !== undefined) assert.ok(schedule.isOpen(next));
  });
}
Freezes('the freeze covers whole local dates, inclusive', () => {
  const [f] = compileFreezes(yearEnd, 'Europe/Paris');
  assert.is(iso(f?.start), '2026-12-17T23:00:00Z');
  assert.is(iso(f?.end), '2027-01-04T23:00:00Z');
});
Freezes('a year-long freeze gives no opening rather than looping', () => {
  const schedule = new WindowSchedule(compileWindows(nightly, 'UTC'), compileFreezes([{ start: '2026-01-01', end: '2030-12-31' }], 'UTC'));
  assert.is(schedule.nextOpening(at('2026-06-01T00:00:00Z')), undefined);
});
Freezes('currentOrNextWindow names the window', () => {
  const schedule = new WindowSchedule(compileWindows(vipWindows, 'Europe/Paris'));
  const w = schedule.currentOrNextWindow(at('2026-11-23T10:00:00Z'));
  assert.is(w?.name, 'saturday-night');
  assert.is(iso(w?.start), '2026-11-28T19:00:00Z');
  assert.is(iso(w?.end), '2026-11-29T05:00:00Z');
});

Occurrences.run();
Next.run();
Freezes.run();
