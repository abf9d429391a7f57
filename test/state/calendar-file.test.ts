// The release calendar file: its text is stable (equal content, equal bytes, so no commit),
// one record per line, and reads back; hand edits that break a record cost that record only.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyCalendar, parseCalendarFile, renderCalendarFile } from '../../controller/state/calendar-file.ts';
import type { RememberedCalendar } from '../../controller/model/state.ts';

const at = (iso: string) => Date.parse(iso);
const calendar: RememberedCalendar = {
  releases: [
    { model: 'Bar', softwareType: 'teamsClient', version: '5.4.2', firstSeen: at('2027-01-10T08:00:00Z') },
    { model: 'Bar', softwareType: 'firmware', version: '1.2.3', firstSeen: at('2027-01-08T12:00:00Z') },
  ],
  rollouts: { 'default/general|teamsClient': { stoppedAt: at('2027-02-22T12:51:40Z'), reason: '2 of 13 finished updates failed' } },
};

test('renders one record per line, sorted, and reads back the same calendar', () => {
  const text = renderCalendarFile(calendar);
  const lines = text.split('\n');
  assert.ok(lines.some((l) => l.trim() === '{"model":"Bar","softwareType":"firmware","version":"1.2.3","firstSeenTime":"2027-01-08T12:00:00Z"},'));
  assert.ok(lines.findIndex((l) => l.includes('"firmware"')) < lines.findIndex((l) => l.includes('"teamsClient","version"')));
  assert.match(text, '"writtenBy": "firmwarden"');
  const read = parseCalendarFile(text);
  assert.ok(read.ok);
  if (!read.ok) return;
  assert.is(read.skipped, 0);
  assert.equal(new Set(read.calendar.releases.map((r) => JSON.stringify(r))), new Set(calendar.releases.map((r) => JSON.stringify(r))));
  assert.equal(read.calendar.rollouts, calendar.rollouts);
});

test('equal calendars in another order render the same bytes; an empty one is valid', () => {
  const shuffled = { releases: [...calendar.releases].reverse(), rollouts: calendar.rollouts };
  assert.is(renderCalendarFile(shuffled), renderCalendarFile(calendar));
  const empty = parseCalendarFile(renderCalendarFile(emptyCalendar));
  assert.ok(empty.ok && empty.calendar.releases.length === 0);
});

const broken: [string, string, RegExp][] = [
  ['not JSON', '{"releases": [', /\.firmwarden\/releases\.json is not valid JSON .*delete it/],
  ['another layout', '{"version": 2, "releases": []}', /not a firmwarden release calendar of version 1/],
  ['not an object', '[]', /not a firmwarden release calendar/],
];
for (const [name, text, message] of broken) {
  test(`a file that cannot be read says so and what to do: ${name}`, () => {
    const read = parseCalendarFile(text);
    assert.not.ok(read.ok);
    if (!read.ok) assert.match(read.problem, message);
  });
}

test('a record broken by hand is skipped and counted; the others still count', () => {
  const text = JSON.stringify({
    version: 1,
    releases: [
      { model: 'Bar', softwareType: 'firmware', version: '1.2.3', firstSeenTime: '2027-01-08T12:00:00Z' },
      { model: 'Bar', softwareType: 'toaster', version: '1', firstSeenTime: '2027-01-08T12:00:00Z' },
      { model: 'Bar', softwareType: 'firmware', version: '1.2.4', firstSeenTime: 'yesterday' },
    ],
    stoppedRollouts: [{ rollout: 'no-bar', stoppedTime: '2027-01-08T12:00:00Z' }],
  });
  const read = parseCalendarFile(text);
  assert.ok(read.ok);
  if (!read.ok) return;
  assert.is(read.skipped, 3);
  assert.equal(read.calendar.releases.map((r) => r.version), ['1.2.3']);
});

test('evidence for versions reads back, its healthy time to the day; a calendar without evidence has no evidence key', () => {
  const evidence = [
    { group: 'default/lab', deviceId: 'd2', softwareType: 'firmware' as const, version: '1.2.3', since: at('2027-01-09T02:00:00Z'), healthyUntil: at('2027-01-12T17:45:10Z'), healthBefore: ['online' as const, 'roomCamera' as const] },
    { group: 'default/lab', deviceId: 'd1', softwareType: 'firmware' as const, version: '1.2.3', since: at('2027-01-09T02:00:00Z'), healthyUntil: at('2027-01-09T02:00:00Z'), healthBefore: ['online' as const], regressedAt: at('2027-01-09T05:00:00Z'), left: true },
  ];
  const text = renderCalendarFile({ ...calendar, evidence });
  assert.ok(text.split('\n').some((l) => l.trim() === '{"evidence":"default/lab","deviceId":"d2","softwareType":"firmware","version":"1.2.3","sinceTime":"2027-01-09T02:00:00Z","healthyUntilTime":"2027-01-12T00:00:00Z","healthBefore":["online","roomCamera"]}'));
  // A health read an hour later changes nothing in the file: no commit at every reconcile.
  assert.is(renderCalendarFile({ ...calendar, evidence: [{ ...evidence[0]!, healthyUntil: evidence[0]!.healthyUntil + 3_600_000 }, evidence[1]!] }), text);
  const read = parseCalendarFile(text);
  assert.ok(read.ok);
  if (!read.ok) return;
  assert.is(read.skipped, 0);
  assert.equal(read.calendar.evidence, [{ ...evidence[1]! }, { ...evidence[0]!, healthyUntil: at('2027-01-12T00:00:00Z') }]);
  assert.not.match(renderCalendarFile(calendar), '"evidence"');
  const bad = parseCalendarFile(JSON.stringify({ version: 1, releases: [], evidence: [{ evidence: 'default/lab', deviceId: 'd', softwareType: 'firmware', version: '1', sinceTime: 'x', healthyUntilTime: 'y', healthBefore: [] }, { evidence: 'default/lab', deviceId: 'd', softwareType: 'firmware', version: '1', sinceTime: '2027-01-09T02:00:00Z', healthyUntilTime: '2027-01-09T02:00:00Z', healthBefore: ['toaster'] }] }));
  assert.ok(bad.ok && bad.skipped === 2 && bad.calendar.evidence === undefined);
});

test.run();
