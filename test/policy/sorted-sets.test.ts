// The in-place set operations on ascending position lists that DeviceIndex.selectView resolves
// tags with: tables of edge cases (empty, disjoint, equal, subset, short against long) and a
// check against plain Set arithmetic on random lists.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bitsetOf, differenceInPlace, intersectInPlace, keepMarked, totalLength, unionInto } from '../../controller/policy/sorted-sets.ts';

const Sets = suite('sorted-sets');

const range = (from: number, to: number, step = 1) => Array.from({ length: Math.ceil((to - from) / step) }, (_, k) => from + k * step);
const inPlace = (op: (buf: Int32Array, len: number, list: ArrayLike<number>) => number, a: number[], b: number[]) => {
  const buf = Int32Array.from([...a, -7, -7]); // items past len must be left alone
  const len = op(buf, a.length, Int32Array.from(b));
  assert.equal([...buf.subarray(a.length)], [-7, -7]);
  return [...buf.subarray(0, len)];
};

// [what, a, b, a ∩ b, a − b]
const pairs: [string, number[], number[], number[], number[]][] = [
  ['both empty', [], [], [], []],
  ['empty buffer', [], [1, 2], [], []],
  ['empty list', [1, 2], [], [], [1, 2]],
  ['disjoint, interleaved', [1, 3, 5], [0, 2, 4, 6], [], [1, 3, 5]],
  ['disjoint, all below', [1, 2], [5, 6], [], [1, 2]],
  ['disjoint, all above', [8, 9], [1, 2], [], [8, 9]],
  ['equal', [2, 4, 6], [2, 4, 6], [2, 4, 6], []],
  ['subset', [4, 6], [2, 4, 5, 6, 9], [4, 6], []],
  ['superset', [2, 4, 5, 6, 9], [4, 6], [4, 6], [2, 5, 9]],
  ['first and last only', [0, 500, 999], range(0, 1000, 999), [0, 999], [500]],
  ['short against a long list (galloping)', [3, 700, 701, 4095, 9999], range(0, 10_000, 7), [700, 4095], [3, 701, 9999]],
  ['long against a short list', range(0, 1000), [10, 500, 999, 1000], [10, 500, 999], range(0, 1000).filter((x) => x !== 10 && x !== 500 && x !== 999)],
];
for (const [what, a, b, both, only] of pairs) {
  Sets(`intersectInPlace: ${what}`, () => assert.equal(inPlace(intersectInPlace, a, b), both));
  Sets(`differenceInPlace: ${what}`, () => assert.equal(inPlace(differenceInPlace, a, b), only));
  Sets(`keepMarked: ${what}`, () => {
    const n = Math.max(1, ...a, ...b) + 1;
    const buf = Int32Array.from(a);
    assert.equal([...buf.subarray(0, keepMarked(buf, a.length, bitsetOf(b, n)))], both);
  });
}

// [what, lists, union]
const unions: [string, number[][], number[]][] = [
  ['no lists', [], []],
  ['one list', [[1, 5, 9]], [1, 5, 9]],
  ['empty lists', [[], []], []],
  ['disjoint', [[1, 5], [0, 7]], [0, 1, 5, 7]],
  ['overlapping', [[1, 2, 3], [2, 3, 4], [3]], [1, 2, 3, 4]],
  ['equal', [[4, 8], [4, 8]], [4, 8]],
  ['large positions sort as numbers, not as text', [[100_000, 99_999], [3]].map((l) => l.sort((x, y) => x - y)), [3, 99_999, 100_000]],
];
for (const [what, lists, expected] of unions) {
  Sets(`unionInto: ${what}`, () => {
    const typed = lists.map((l) => Int32Array.from(l));
    const out = new Int32Array(totalLength(typed));
    assert.equal([...out.subarray(0, unionInto(typed, out))], expected);
  });
}

Sets('bits at word edges (31, 32, 63) of a bitset', () => {
  const bits = bitsetOf([31, 32, 63], 64);
  const buf = Int32Array.from(range(0, 64));
  assert.equal([...buf.subarray(0, keepMarked(buf, 64, bits))], [31, 32, 63]);
});

Sets('random lists agree with Set arithmetic', () => {
  let seed = 5;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  const list = (n: number, density: number) => range(0, n).filter(() => next() % 1000 < density);
  for (let round = 0; round < 40; round++) {
    const a = list(3000, 1 + (next() % 900));
    const b = list(3000, 1 + (next() % 900));
    const inB = new Set(b);
    assert.equal(inPlace(intersectInPlace, a, b), a.filter((x) => inB.has(x)));
    assert.equal(inPlace(differenceInPlace, a, b), a.filter((x) => !inB.has(x)));
    const out = new Int32Array(a.length + b.length);
    assert.equal([...out.subarray(0, unionInto([Int32Array.from(a), Int32Array.from(b)], out))], [...new Set([...a, ...b])].sort((x, y) => x - y));
  }
});

Sets.run();
