import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SoftwareState } from '../../controller/model/fleet.ts';
import type { Phase } from '../../controller/model/manifests.generated.ts';
import { CalendarIndex } from '../../controller/policy/release-calendar.ts';
import { decideScheduled, resolveLatest, scheduledInstant } from '../../controller/policy/scheduled.ts';
import { release, scheduled } from '../plan/fixtures.ts';

const day = 86_400_000;
const now = Date.parse('2026-11-22T08:00:00Z');
const calendar = new CalendarIndex([
  release('Bar', 'firmware', '1.1', now - 40 * day),
  release('Bar', 'firmware', '1.2', now - 10 * day),
  release('Bar', 'teamsClient', '5.2', now - 5 * day),
]);
const fw = (current: string | null, available: string | null = null, freshness: SoftwareState['freshness'] = 'updateAvailable'): SoftwareState => ({ softwareType: 'firmware', currentVersion: current, availableVersion: available, freshness });

const Instant = suite('scheduledInstant');
const instantCases: [string, string, string, string][] = [
  ['2027-01-16T21:00', 'America/New_York', '2027-01-17T02:00:00.000Z', 'a winter evening in New York'],
  ['2026-03-08T02:30', 'America/New_York', '2026-03-08T07:00:00.000Z', 'a time skipped by spring forward runs at the change'],
  ['2026-11-01T01:30', 'America/New_York', '2026-11-01T05:30:00.000Z', 'a repeated time runs at its first occurrence'],
  ['2026-10-25T02:30', 'Europe/Paris', '2026-10-25T00:30:00.000Z', 'Paris repeated hour'],
  ['2026-03-29T02:15', 'Europe/Paris', '2026-03-29T01:00:00.000Z', 'Paris skipped hour'],
];
for (const [atText, zone, expected, what] of instantCases) {
  Instant(what, () => assert.is(new Date(scheduledInstant(scheduled('s', { targets: { deviceIds: ['d'] }, software: [{ type: 'firmware' }], at: atText, timeZone: zone }))!).toISOString(), expected));
}
Instant('no at: now', () => assert.is(scheduledInstant(scheduled('s', { targets: { deviceIds: ['d'] }, software: [{ type: 'firmware' }] })), undefined));

const Latest = suite('resolveLatest');
Latest('the newest known for the model beats an older availableVersion', () => assert.is(resolveLatest(calendar, 'Bar', fw('1.0', '1.1')), '1.2'));
Latest('a device offered something the calendar does not know yet', () => assert.is(resolveLatest(calendar, 'Bar', fw('1.0', '1.3')), '1.3'));
Latest('another model: only its own availableVersion', () => assert.is(resolveLatest(calendar, 'Pad', fw('1.0', '7.0')), '7.0'));
Latest('nothing offered', () => assert.is(resolveLatest(calendar, 'Pad', fw('1.0')), undefined));

const Decide = suite('decideScheduled');
interface Case { name: string; version?: string; at?: number; state: SoftwareState; phase?: Phase; outcome: string; code: string; target?: string; start?: number; clampedTo?: number }
const cases: Case[] = [
  { name: 'now: the latest', state: fw('1.0', '1.2'), outcome: 'update', code: 'Starting', target: '1.2', start: now },
  { name: 'an explicit version, even unverified and unknown to the calendar', version: '1.1.7', state: fw('1.0'), outcome: 'update', code: 'Starting', target: '1.1.7' },
  { name: 'a device on unknown firmware can be updated this way', state: fw('0.9', null, 'unknown'), outcome: 'update', code: 'Starting', target: '1.2' },
  { name: 'within the General delay: the time given', at: now + 5 * day, state: fw('1.0'), outcome: 'update', code: 'ScheduledTime', start: now + 5 * day },
  { name: 'after the General delay: clamped to 30 days after release', at: now + 60 * day, state: fw('1.0'), outcome: 'update', code: 'ScheduledTime', target: '1.2', start: now + 20 * day, clampedTo: now + 20 * day },
  { name: 'Final: clamped to 90 days after release', at: now + 100 * day, phase: 'Final', state: fw('1.0'), outcome: 'update', code: 'ScheduledTime', start: now + 80 * day, clampedTo: now + 80 * day },
  { name: 'Test: no clamp', at: now + 100 * day, phase: 'Test', state: fw('1.0'), outcome: 'update', code: 'ScheduledTime', start: now + 100 * day },
  { name: 'a version without a known release date is not clamped', version: '1.3', at: now + 100 * day, state: fw('1.0'), outcome: 'update', code: 'ScheduledTime', start: now + 100 * day },
  { name: 'already there', version: '1.2', state: fw('1.2'), outcome: 'stay', code: 'UpToDate' },
  { name: 'an equal version written differently', version: '1.2.0', state: fw('1.2'), outcome: 'stay', code: 'UpToDate' },
  { name: 'a downgrade is refused', version: '1.1', state: fw('1.2'), outcome: 'blocked', code: 'Downgrade' },
  { name: 'versions that cannot be compared are refused', version: '1.3-rc', state: fw('1.2'), outcome: 'blocked', code: 'NotComparable' },
  { name: 'a device that does not report its installed version is refused: nothing proves an upgrade', version: '1.2', state: fw(null, '1.2'), outcome: 'blocked', code: 'UnknownVersion', target: '1.2' },
  { name: 'latest on a device that does not report its installed version is refused too', state: fw(null, '1.2', 'unknown'), outcome: 'blocked', code: 'UnknownVersion', target: '1.2' },
  { name: 'nothing offered: nothing to do', state: { softwareType: 'partnerAgent', currentVersion: '1', availableVersion: null, freshness: 'latest' }, outcome: 'stay', code: 'NoNewerVersion' },
  { name: 'the Teams app is never clamped', at: now + 100 * day, state: { softwareType: 'teamsClient', currentVersion: '5.1', availableVersion: '5.2', freshness: 'updateAvailable' }, outcome: 'update', code: 'ScheduledTime', start: now + 100 * day },
];
for (const c of cases) {
  Decide(c.name, () => {
    const d = decideScheduled({ version: c.version }, c.at, calendar, 'Bar', c.state, c.phase ?? 'General', now);
    assert.is(d.outcome, c.outcome, d.reason.message);
    assert.is(d.reason.code, c.code);
    if (c.target) assert.is(d.version, c.target);
    if (c.start !== undefined) assert.is(d.startAt, c.start);
    assert.is(d.clampedTo, c.clampedTo);
    if (c.clampedTo !== undefined) assert.match(d.clampText ?? '', /installs firmware at most (30|90) days after its release/);
  });
}

Instant.run();
Latest.run();
Decide.run();
