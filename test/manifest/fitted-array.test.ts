// fitted(): the same items, in order, in an array that owns no spare room (the room itself is
// V8's business and not visible here; what callers rely on is that nothing else changes).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fitted } from '../../controller/manifest/fitted-array.ts';

const cases: [string, unknown[]][] = [
  ['empty', []],
  ['one tag', ['site-10']],
  ['mixed scalars', [1, 'two', null, true]],
  ['nested', [{ a: [1] }, ['x']]],
  ['a long list', Array.from({ length: 100 }, (_, i) => i)],
];
for (const [name, list] of cases) {
  test(`fitted: ${name}`, () => {
    const pushed: unknown[] = [];
    for (const item of list) pushed.push(item);
    const out = fitted(pushed);
    assert.equal(out, list);
    assert.is(out.length, list.length);
    for (let i = 0; i < list.length; i++) assert.is(out[i], list[i], `item ${i} is the same value, not a copy`);
    if (list.length === 0) assert.is(out, pushed, 'an empty list is returned as it is');
    else assert.is.not(out, pushed, 'a new array');
  });
}

test.run();
