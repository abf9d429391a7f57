import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import { dayText } from '../../controller/policy/holidays.ts';
import { run } from '../cli/lint-support.ts';

const now = Date.parse('2027-06-01T08:00:00Z');
const ics = (...lines: string[]) => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//firmwarden//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
const thanksgiving = ics('BEGIN:VEVENT', 'UID:thx', 'DTSTART;VALUE=DATE:20201126', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', 'SUMMARY:Thanksgiving', 'END:VEVENT');

const group = (holidays: string) => `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: nyc
spec:
  selector: {}
  timeZone: America/New_York
  holidays:
${holidays}`;
const policy = (freezes: string) => `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: p
spec:
  freezes:
${freezes}`;

const lines = (r: ReturnType<typeof parseManifests>) => r.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule} ${f.message}`);

const Files = suite('holiday calendars beside the manifests');
Files('a calendar referenced by a path relative to the manifest is read: its days ride on the manifest', () => {
  const r = parseManifests([
    { path: 'groups/nyc.yaml', text: group('    calendars:\n      - file: ../calendars/us.ics\n') },
    { path: 'calendars/us.ics', text: thanksgiving },
  ], { now });
  assert.equal(lines(r), []);
  const m = r.manifests.find((x) => x.kind === 'DeviceGroup')!;
  assert.is(m.valid, true);
  assert.ok(m.holidayDays!.some((d) => dayText(d.day) === '2027-11-25' && d.name === 'Thanksgiving' && d.source === '../calendars/us.ics'));
  assert.equal(r.missingCalendars, []);
  assert.equal(r.documents.map((d) => d.file), ['groups/nyc.yaml'], 'the .ics file is not read as YAML');
});
// [what, calendar text or undefined for missing, reference, expected finding]
const bad: [string, string | undefined, string, string][] = [
  ['a missing file, with where it was looked for and what to do in Kubernetes', undefined, 'holidays.ics',
    'groups/nyc.yaml:10:15 error holiday-calendar-unreadable groups/holidays.ics was not found (the path is relative to groups/nyc.yaml); calendar files are read from a Git repository or folder only: in Kubernetes list the days in spec.holidays.dates'],
  ['a broken line, named by the calendar\'s file and line', thanksgiving.replace('SUMMARY:Thanksgiving', 'SUMMARY Thanksgiving'), 'holidays.ics',
    'groups/nyc.yaml:10:15 error holiday-calendar-unreadable groups/holidays.ics:8: the file is not an iCalendar file: invalid line (no token ";" or ":") "SUMMARY Thanksgiving"'],
  ['a path leading above the folder read', thanksgiving, '../../etc/holidays.ics',
    'groups/nyc.yaml:10:15 error holiday-calendar-unreadable ../../etc/holidays.ics leads above the folder firmwarden reads; keep the .ics file with the manifests'],
];
for (const [what, text, ref, finding] of bad) {
  Files(`unreadable: ${what}; the group is invalid`, () => {
    const files = [{ path: 'groups/nyc.yaml', text: group(`    calendars:\n      - file: ${ref}\n`) }];
    if (text !== undefined) files.push({ path: 'groups/holidays.ics', text });
    const r = parseManifests(files, { now });
    assert.equal(lines(r), [finding]);
    assert.is(r.manifests[0]!.valid, false);
  });
}
Files('a manifest read from outside the working directory finds its calendar; a reference climbing higher than it does not', () => {
  const files = [
    { path: '../repo/groups/nyc.yaml', text: group('    calendars:\n      - file: ../calendars/us.ics\n') },
    { path: '../repo/calendars/us.ics', text: thanksgiving },
  ];
  assert.equal(lines(parseManifests(files, { now })), []);
  const higher = parseManifests([{ path: '../repo/groups/nyc.yaml', text: group('    calendars:\n      - file: ../../../etc/us.ics\n') }], { now });
  assert.equal(lines(higher).map((l) => l.replace(/^.* error /, '')), ['holiday-calendar-unreadable ../../../etc/us.ics leads above the folder firmwarden reads; keep the .ics file with the manifests']);
});
Files('missing calendars are listed so a caller can read them and parse again', () => {
  const r = parseManifests([{ path: 'groups/nyc.yaml', text: group('    calendars:\n      - file: holidays.ics\n') }], { now });
  assert.equal(r.missingCalendars, ['groups/holidays.ics']);
});

const Dates = suite('holiday dates and freezes');
Dates('a date that does not exist, once or every year, is an error; 02-29 every year is allowed', () => {
  const r = parseManifests([{ path: 'g.yaml', text: group('    dates:\n      - date: "2027-02-30"\n      - date: "02-30"\n      - date: "02-29"\n        name: leap day\n') }], { now });
  assert.equal(lines(r), [
    'g.yaml:10:15 error invalid-date 2027-02-30 is not a date in the calendar',
    'g.yaml:11:15 error invalid-date 02-30 is never a date (MM-DD)',
  ]);
});
Dates('a freeze whose last day is over everywhere warns; one still running somewhere on Earth does not', () => {
  const r = parseManifests([{ path: 'p.yaml', text: policy([
    '    - name: spring',
    '      start: "2027-04-01"',
    '      end: "2027-04-30"',
    '      reason: migration',
    // 31 May is over in UTC-12 at 12:00 UTC on 1 June; it is 1 June 08:00 UTC: still 31 May in Samoa's neighbours.
    '    - name: may',
    '      start: "2027-05-20"',
    '      end: "2027-05-31"',
    '      reason: audit',
  ].join('\n') + '\n') }], { now });
  assert.equal(lines(r), ["p.yaml:9:12 warning freeze-expired freeze 'spring' ended on 2027-04-30: it no longer stops anything and can be removed"]);
  assert.is(r.manifests[0]!.valid, true, 'a warning only');
});

const Cli = suite('firmwarden lint given one manifest');
let tmp = '';
Cli.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firmwarden-holidays-'));
  mkdirSync(join(tmp, 'groups'));
});
Cli.after(() => rmSync(tmp, { recursive: true, force: true }));
Cli('reads the calendar it names, and reports a broken one with its file and line', async () => {
  writeFileSync(join(tmp, 'groups/nyc.yaml'), group('    calendars:\n      - file: us.ics\n'));
  writeFileSync(join(tmp, 'groups/us.ics'), thanksgiving);
  const ok = await run(['lint', 'groups/nyc.yaml', '--now', '2027-06-01T08:00:00Z'], { cwd: tmp });
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  writeFileSync(join(tmp, 'groups/us.ics'), thanksgiving.replace('RRULE:FREQ=YEARLY', 'RRULE:FREQ=FORTNIGHTLY'));
  const broken = await run(['lint', 'groups/nyc.yaml', '--now', '2027-06-01T08:00:00Z'], { cwd: tmp });
  assert.is(broken.code, 1);
  assert.match(broken.stdout, /^groups\/nyc\.yaml:10:15 error holiday-calendar-unreadable groups\/us\.ics:7: the file is not an iCalendar file: invalid frequency "FORTNIGHTLY"/);
});

Files.run();
Dates.run();
Cli.run();
