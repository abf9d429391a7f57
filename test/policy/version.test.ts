import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareVersions, isComparableVersion, parseVersion } from '../../controller/policy/version.ts';

const orderCases: [string, string, -1 | 0 | 1 | undefined][] = [
  ['1.2.3', '1.2.4', -1],
  ['1.10.0', '1.9.9', 1],
  ['1.2', '1.2.0', 0],
  ['5.3.88.0', '5.3.88.0', 0],
  ['1449/1.0.96.2024060302', '1449/1.0.95.2024122001', 1],
  ['10.0.19045.4412', '10.0.19045.5247', -1],
  ['1.2-beta', '1.2', undefined],
  ['latest', '1.0', undefined],
  ['', '1.0', undefined],
];

for (const [a, b, expected] of orderCases) {
  test(`compareVersions orders ${a || '(empty)'} against ${b} as ${String(expected)}`, () => {
    assert.is(compareVersions(a, b), expected);
    if (expected !== undefined) assert.is(compareVersions(b, a), expected === 0 ? 0 : (-expected as -1 | 1));
  });
}

test('parseVersion keeps every numeric part', () => {
  assert.equal(parseVersion('1449/1.0.96'), [1449, 1, 0, 96]);
  assert.is(parseVersion('1..2'), undefined);
  assert.is(isComparableVersion('2025.3.1.4'), true);
  assert.is(isComparableVersion('v1.2'), false);
});

test('parseVersion answers the same when asked again (memoized), and its parts cannot be changed', () => {
  for (const text of ['1.2.3', ' 1.2.3 ', 'latest', '1449/1.0.96']) {
    const first = parseVersion(text);
    assert.equal(parseVersion(text), first, text);
    if (first) assert.ok(Object.isFrozen(first), text);
  }
  assert.equal(parseVersion(' 1.2.3 '), [1, 2, 3]);
  assert.is(parseVersion('latest'), undefined);
  // Past the memo's limit it starts over and still answers right.
  for (let k = 0; k < 5000; k++) assert.equal(parseVersion(`1.${k}`), [1, k]);
  assert.equal(parseVersion('1.2.3'), [1, 2, 3]);
});

test.run();
