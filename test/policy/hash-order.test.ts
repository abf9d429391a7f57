// orderByHash: packed-key sort by hash with a tie-break, against a plain comparator sort, in
// both the packed path and the fallback for groups of 2^bits items or more.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { orderByHash } from '../../controller/policy/hash-order.ts';

const Order = suite('orderByHash');

/** What the order must be: a comparator sort by hash, then by the names. */
function reference(hashes: readonly number[], names: readonly string[]): number[] {
  return hashes.map((_, k) => k).sort((a, b) => hashes[a]! - hashes[b]! || (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
}

const top = 2 ** 32 - 1;
const cases: [string, number[], string[], number | undefined, number[]][] = [
  ['empty', [], [], undefined, []],
  ['one item', [7], ['a'], undefined, [0]],
  ['distinct hashes: by hash, names ignored', [30, 10, 20], ['a', 'b', 'c'], undefined, [1, 2, 0]],
  ['equal hashes: by name', [5, 5, 5], ['c', 'a', 'b'], undefined, [1, 2, 0]],
  ['ties in the middle of distinct hashes', [9, 4, 4, 1, 4], ['x', 'q', 'b', 'z', 'm'], undefined, [3, 2, 4, 1, 0]],
  ['hashes at the top of 32 bits stay exact with 21 slot bits', [top, top - 1, top, 0], ['b', 'z', 'a', 'y'], undefined, [3, 1, 2, 0]],
  ['fallback (n = 2^bits) gives the same order', [3, 1, 3, 1], ['d', 'c', 'b', 'a'], 2, [3, 1, 2, 0]],
  ['packed just below the fallback (n = 2^bits - 1)', [3, 1, 3], ['d', 'c', 'b'], 2, [1, 2, 0]],
];
for (const [what, hashes, names, bits, expected] of cases) {
  Order(what, () => {
    const tie = (a: number, b: number) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0);
    const got = [...orderByHash(Float64Array.from(hashes), tie, bits)];
    assert.equal(got, expected);
    assert.equal(got, reference(hashes, names));
  });
}

Order('many ties, packed and fallback, agree with a comparator sort', () => {
  let seed = 11;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  for (const n of [2, 7, 8, 9, 100, 1000]) {
    const hashes = Array.from({ length: n }, () => next() % 5);
    const names = Array.from({ length: n }, (_, k) => `d-${(next() % 100_000).toString(36)}-${k}`);
    const tie = (a: number, b: number) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0);
    const expected = reference(hashes, names);
    for (const bits of [21, 3]) assert.equal([...orderByHash(hashes, tie, bits)], expected, `n=${n} bits=${bits}`);
  }
});

Order('items the tie-break calls equal keep their position order', () => {
  for (const bits of [21, 1]) assert.equal([...orderByHash([2, 1, 2, 1, 2], () => 0, bits)], [1, 3, 0, 2, 4]);
});

Order.run();
