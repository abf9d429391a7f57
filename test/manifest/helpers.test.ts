// The small pure helpers of the loader: suggestions, time zones, local times, durations,
// line positions and the pre-parse text guard.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { editDistance, suggest } from '../../controller/manifest/suggest.ts';
import { isTimeZone, suggestTimeZone } from '../../controller/manifest/time-zones.ts';
import { formatLocal as formatInZone, parseLocalDateTime, parseLocalTime, resolveLocal as zonedToEpoch } from '../../controller/policy/zoned-time.ts';
import { formatDuration, parseDuration } from '../../controller/policy/duration.ts';
import { LineIndex } from '../../controller/manifest/line-index.ts';
import { findTextProblem, utf8Length } from '../../controller/manifest/text-guards.ts';
import { fieldName, fromPointer, toPointer } from '../../controller/manifest/yaml-document.ts';

const distances: [string, string, number][] = [
  ['phse', 'phase', 1],
  ['pahse', 'phase', 1],
  ['kitten', 'sitting', 3],
  ['', 'abc', 3],
  ['same', 'same', 0],
];
for (const [a, b, d] of distances) test(`editDistance(${a || "''"}, ${b}) is ${d}`, () => assert.is(editDistance(a, b), d));

const suggestions: [string, string[], string | undefined][] = [
  ['phse', ['mode', 'phase', 'versions'], 'phase'],
  ['Phase', ['phase'], 'phase'],
  ['maxConcurent', ['waves', 'maxConcurrent'], 'maxConcurrent'],
  ['xyz', ['phase', 'mode'], undefined],
  ['ab', ['ac'], undefined],
];
for (const [word, candidates, expected] of suggestions) test(`suggest(${word}) is ${String(expected)}`, () => assert.is(suggest(word, candidates), expected));

test('time zones: canonical names, aliases, and misspellings', () => {
  for (const z of ['Europe/Paris', 'America/New_York', 'Etc/UTC', 'UTC', 'Asia/Calcutta']) assert.ok(isTimeZone(z), z);
  for (const z of ['Europe/Pariss', 'device-local', '+01:00', 'Mars/Olympus', '']) assert.not.ok(isTimeZone(z), z);
  assert.is(suggestTimeZone('Europe/Pariss'), 'Europe/Paris');
  assert.is(suggestTimeZone('Lisbon'), 'Europe/Lisbon');
});

const zoned: [string, string, string][] = [
  ['2027-01-16T21:00', 'America/New_York', '2027-01-17T02:00:00.000Z'],
  ['2026-07-01T12:00', 'Europe/Paris', '2026-07-01T10:00:00.000Z'],
  // Spring forward in Paris: 02:30 does not exist; it runs at the change, 03:00 CEST (01:00Z), as the engine does.
  ['2027-03-28T02:30', 'Europe/Paris', '2027-03-28T01:00:00.000Z'],
  // Fall back: 02:30 happens twice; the first one is taken.
  ['2026-10-25T02:30', 'Europe/Paris', '2026-10-25T00:30:00.000Z'],
];
for (const [local, zone, utc] of zoned) {
  test(`${local} in ${zone} is ${utc}`, () => assert.is(new Date(zonedToEpoch(parseLocalDateTime(local)!, zone)).toISOString(), utc));
}

test('local date-times: real dates only, formatted back in a zone', () => {
  assert.is(parseLocalDateTime('2027-02-29T10:00'), undefined);
  assert.ok(parseLocalDateTime('2028-02-29T10:00'));
  assert.is(formatInZone(Date.parse('2026-12-22T08:00:00Z'), 'America/New_York'), '2026-12-22 03:00');
});

test('durations and local times', () => {
  assert.is(parseDuration('1h30m'), 90 * 60_000);
  assert.is(parseDuration('7d'), 7 * 86_400_000);
  assert.is(parseDuration('2 hours'), undefined);
  assert.is(parseLocalTime('24:00'), 1440);
  assert.is(parseLocalTime('9:00'), undefined);
  assert.is(formatDuration(90 * 60_000), '1h 30m');
});

test('line index: 1-based positions, trailing blanks trimmed from ranges, CRLF lines', () => {
  const index = new LineIndex('a: 1\r\nbb: 2\n\n');
  assert.equal(index.position(0), { line: 1, column: 1 });
  assert.equal(index.position(6), { line: 2, column: 1 });
  assert.equal(index.range(6, 14), { line: 2, column: 1, endLine: 2, endColumn: 6 });
  assert.is(index.lineText(1), 'a: 1');
});

test('JSON pointers and field names', () => {
  assert.is(toPointer(['spec', 'a/b', 0, 'x~y']), '/spec/a~1b/0/x~0y');
  assert.equal(fromPointer('/spec/a~1b/0/x~0y'), ['spec', 'a/b', 0, 'x~y']);
  assert.is(fieldName(['spec', 'maintenanceWindows', 0, 'start']), 'spec.maintenanceWindows[0].start');
});

test('text guard: UTF-8 length and the shapes it refuses', () => {
  assert.is(utf8Length('aé€😀'), 1 + 2 + 3 + 4);
  assert.is(findTextProblem('a: [1, [2, {b: 3}]]\nc: "{{{{"\n# {{{{{{{\n'), undefined);
  assert.is(findTextProblem(`a: ${'['.repeat(33)}`)?.kind, 'flow-depth');
  assert.is(findTextProblem(`a: ${'[]'.repeat(1000)}`), undefined);
  // An apostrophe in a plain scalar does not hide what follows.
  assert.is(findTextProblem(`a: it's\nb: ${'{'.repeat(40)}`)?.kind, 'flow-depth');
  // A quote inside a flow plain scalar is text; the braces after it still count.
  assert.is(findTextProblem(`[x "${'{'.repeat(40)}"]`)?.kind, 'flow-depth');
  assert.is(findTextProblem(`${' '.repeat(300)}a: 1`)?.kind, 'block-depth');
  assert.is(findTextProblem('a: x\u0000')?.kind, 'nul');
});

test.run();
