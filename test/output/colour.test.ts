import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { paint, plainText, renderSegments, shouldColour } from '../../controller/output/colour.ts';

// [behaviour, stdout is a terminal, environment, colour expected]
const cases: [string, boolean, Record<string, string>, boolean][] = [
  ['a terminal gets colour', true, {}, true],
  ['a pipe, a file or a CI log gets none', false, {}, false],
  ['a CI log gets none even with CI set', false, { CI: 'true', GITHUB_ACTIONS: 'true' }, false],
  ['NO_COLOR=1 turns it off on a terminal', true, { NO_COLOR: '1' }, false],
  ['NO_COLOR with any non-empty value turns it off', true, { NO_COLOR: 'no thanks' }, false],
  ['an empty NO_COLOR is no request', true, { NO_COLOR: '' }, true],
  ['FORCE_COLOR=1 colours a pipe', false, { FORCE_COLOR: '1' }, true],
  ['an empty FORCE_COLOR forces too (as Node.js reads it)', false, { FORCE_COLOR: '' }, true],
  ['FORCE_COLOR=0 turns it off on a terminal', true, { FORCE_COLOR: '0' }, false],
  ['FORCE_COLOR=false turns it off on a terminal', true, { FORCE_COLOR: 'false' }, false],
  ['FORCE_COLOR wins over NO_COLOR (the more specific request)', false, { FORCE_COLOR: '1', NO_COLOR: '1' }, true],
  ['a dumb terminal gets none', true, { TERM: 'dumb' }, false],
];
for (const [name, isTTY, env, expected] of cases) {
  test(`shouldColour: ${name}`, () => {
    assert.is(shouldColour({ isTTY }, env), expected);
  });
}

test('segments render plain without colour and wrapped in SGR codes with it, the same visible text', () => {
  const segments = [{ text: 'a ' }, { text: '✗ 2 failed', style: 'red' as const }, { text: '' , style: 'green' as const }];
  assert.is(renderSegments(segments, false), 'a ✗ 2 failed');
  assert.is(renderSegments(segments, true), 'a \x1b[31m✗ 2 failed\x1b[0m');
  assert.is(renderSegments(segments, true).replace(/\x1b\[[0-9;]*m/g, ''), plainText(segments));
  assert.is(paint('', 'red'), '', 'nothing to paint, no codes');
});

test.run();
