import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ScheduledUpdateSpec, UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import { buildPlan, type PlanInput } from '../../controller/plan/build-plan.ts';
import { explainDevice } from '../../controller/plan/explain-device.ts';
import { readHolidayCalendar } from '../../controller/policy/holiday-calendar.ts';
import { holidayRange } from '../../controller/policy/holidays.ts';
import { at, day, device, entries, group, iso, policy, release, scheduled, software } from './fixtures.ts';

const christmasIcs = [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//firmwarden//test//EN',
  'BEGIN:VEVENT', 'UID:xmas', 'DTSTART;VALUE=DATE:20271225', 'RRULE:FREQ=YEARLY', 'SUMMARY:Christmas Day', 'END:VEVENT',
  'END:VCALENDAR', '',
].join('\r\n');

function calendar(now: number) {
  const { fromDay, toDay } = holidayRange(now);
  const r = readHolidayCalendar(christmasIcs, 'holidays.ics', fromDay, toDay);
  if (!r.ok) throw new Error(r.message);
  return r.days;
}

/** An Auckland room and a Paris room under one policy; the Auckland group has holidays.ics. */
function input(now: number, spec: UpdatePolicySpec = {}, sus: ScheduledUpdateSpec[] = []): PlanInput {
  const devices = [device('akl-1', { tags: ['akl'] }), device('par-1', { tags: ['par'] })];
  return {
    now,
    groups: [
      group('akl', { policyRef: { name: 'p' }, selector: { tags: ['akl'] }, timeZone: 'Pacific/Auckland' }),
      group('par', { policyRef: { name: 'p' }, selector: { tags: ['par'] }, timeZone: 'Europe/Paris' }),
    ],
    policies: [policy('p', spec)],
    scheduledUpdates: sus.map((s, i) => scheduled(`su${i + 1}`, s)),
    devices,
    software: new Map(devices.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'] })])),
    operations: [],
    releases: [release('Bar', 'firmware', '1.1', at('2027-09-01T00:00:00Z'))],
    holidayCalendars: new Map([['default/DeviceGroup/akl', calendar(now)]]),
  };
}

const Holidays = suite('plan and why name the holiday that closes a window');
// Saturday 25 December 2027, 01:00 in Auckland (12:00 UTC on the 24th): the weekend window is
// open by the clock, but it is Christmas there. In Paris it is Friday 13:00, before the weekend.
const christmasNight = at('2027-12-24T12:00:00Z');
Holidays('an Auckland holiday that began while it is still the 24th in UTC holds the Auckland room only', () => {
  const p = buildPlan(input(christmasNight));
  assert.equal(p.actions, []);
  const akl = entries(p).find((e) => e.deviceId === 'akl-1')!;
  assert.is(akl.state, 'scheduled');
  assert.is(akl.reason.code, 'OutsideWindow');
  assert.is(akl.reason.message, 'closed for Christmas Day (holidays.ics) in Pacific/Auckland; next window weekend (default) opens 2027-12-26 00:00 Pacific/Auckland');
  assert.is(iso(akl.earliestStart), '2027-12-25T11:00:00Z');
  const par = entries(p).find((e) => e.deviceId === 'par-1')!;
  assert.match(par.reason.message, /^waits for the maintenance window weekend \(default\), opening 2027-12-24 20:00 Europe\/Paris/);
  const why = explainDevice(p, input(christmasNight).devices[0]!);
  assert.ok(why.lines.includes('What holds it right now: firmware: closed for Christmas Day (holidays.ics) in Pacific/Auckland; next window weekend (default) opens 2027-12-26 00:00 Pacific/Auckland.'), why.lines.join('\n'));
});
Holidays('the yearly event closes the next Christmas too; a written date of the policy closes every group in its own zone', () => {
  const next = buildPlan(input(at('2028-12-24T12:00:00Z')));
  assert.match(entries(next).find((e) => e.deviceId === 'akl-1')!.reason.message, /^closed for Christmas Day \(holidays\.ics\) in Pacific\/Auckland/);
  // Friday 24 December 2027, 21:00 in Paris: the weekend window is open; the policy's 12-24 closes it.
  const p = buildPlan(input(at('2027-12-24T20:00:00Z'), { holidays: { dates: [{ date: '12-24', name: 'Christmas Eve' }] } }));
  assert.is(entries(p).find((e) => e.deviceId === 'par-1')!.reason.message, 'closed for Christmas Eve (UpdatePolicy p) in Europe/Paris; next window weekend (default) opens 2027-12-25 00:00 Europe/Paris');
  assert.is(entries(p).find((e) => e.deviceId === 'akl-1')!.reason.message.startsWith('closed for Christmas Day (holidays.ics)'), true, 'in Auckland it is already the 25th');
});
Holidays('without holidays the window is open: the room starts now', () => {
  const i = input(christmasNight);
  const p = buildPlan({ ...i, holidayCalendars: new Map() });
  assert.equal(p.actions.map((a) => a.deviceId), ['akl-1']);
});

const Freezes = suite('a freeze stops ScheduledUpdates too, unless they override it');
// Wednesday 22 December 2027 in Paris, during the year-end freeze; firmware is manual, so only
// ScheduledUpdates start anything.
const frozen: UpdatePolicySpec = {
  software: { firmware: { mode: 'manual' } },
  freezes: [{ name: 'year-end', start: '2027-12-20', end: '2027-12-31', reason: 'change freeze' }],
};
const midFreeze = at('2027-12-22T12:00:00Z');
const now: ScheduledUpdateSpec = { targets: { deviceIds: ['par-1'] }, software: [{ type: 'firmware', version: '1.1' }] };
Freezes('a ScheduledUpdate that ignores windows waits for the end of the freeze', () => {
  const p = buildPlan(input(midFreeze, frozen, [now]));
  assert.equal(p.actions, []);
  const e = p.scheduledUpdates[0]!.records[0]!.entries[0]!;
  assert.is(e.reason.code, 'Frozen');
  assert.is(e.reason.message, 'the freeze year-end (2027-12-20 to 2027-12-31: change freeze) blocks starts until 2028-01-01 00:00 Europe/Paris; a ScheduledUpdate passes a freeze only with spec.freezeOverride');
  assert.is(iso(e.earliestStart), '2027-12-31T23:00:00Z');
  assert.is(p.scheduledUpdates[0]!.freezeOverride, undefined);
});
Freezes('with spec.freezeOverride it starts now, says so, and the plan records the freeze passed', () => {
  const p = buildPlan(input(midFreeze, frozen, [{ ...now, freezeOverride: { reason: 'CVE-2027-0001 fix' } }]));
  assert.equal(p.actions.map((a) => [a.deviceId, a.version]), [['par-1', '1.1']]);
  const e = p.scheduledUpdates[0]!.records[0]!.entries[0]!;
  assert.is(e.reason.message, 'su1 asks for 1.1; starts now; passes the freeze year-end (2027-12-20 to 2027-12-31: change freeze) with spec.freezeOverride: CVE-2027-0001 fix');
  assert.equal(p.scheduledUpdates[0]!.freezeOverride, { reason: 'CVE-2027-0001 fix', freezes: ['UpdatePolicy p: the freeze year-end (2027-12-20 to 2027-12-31: change freeze)'] });
});
Freezes('an override passes the freeze but not the windows or holidays of a ScheduledUpdate that respects them', () => {
  const spec: UpdatePolicySpec = { ...frozen, holidays: { dates: [{ date: '2027-12-24', name: 'Christmas Eve' }] } };
  // Thursday 23 December, 13:00 in Paris: the next window opens at 20:00.
  const p = buildPlan(input(at('2027-12-23T12:00:00Z'), spec, [{ ...now, respectMaintenanceWindows: true, freezeOverride: { reason: 'incident 42' } }]));
  const e = p.scheduledUpdates[0]!.records[0]!.entries[0]!;
  assert.is(iso(e.earliestStart), '2027-12-23T19:00:00Z');
  assert.match(e.reason.message, /passes the freeze year-end .* with spec\.freezeOverride: incident 42$/);
  // On Christmas Eve itself, the holiday holds it until the weekend window of the 25th.
  const eve = buildPlan(input(at('2027-12-24T12:00:00Z'), spec, [{ ...now, respectMaintenanceWindows: true, freezeOverride: { reason: 'incident 42' } }]));
  const f = eve.scheduledUpdates[0]!.records[0]!.entries[0]!;
  assert.is(iso(f.earliestStart), '2027-12-24T23:00:00Z');
  assert.match(f.reason.message, /closed for Christmas Eve \(UpdatePolicy p\) in Europe\/Paris/);
});
Freezes('an expired freeze holds nothing', () => {
  const p = buildPlan(input(midFreeze + 30 * day, frozen, [now]));
  assert.equal(p.actions.map((a) => a.deviceId), ['par-1']);
});

Holidays.run();
Freezes.run();
