// The order of items by a 32-bit hash, ties broken by a comparison (issue 17: the waves of
// 100,000 devices). Each key hash × 2^bits + item sorts as a plain number (exact below 2^53),
// so the sort runs without calling back into JavaScript; only runs of equal hashes call the
// tie-break. Groups of 2^bits items or more fall back to one sort with a comparator. Pure.

/** Items per sort for the packed keys: hash (< 2^32) × 2^21 + item stays below 2^53. */
export const packedSlotBits = 21;

/**
 * Positions 0…n-1 ordered by `hashes[k]` (whole numbers in [0, 2^32)) ascending, equal hashes by
 * `tie` (which must order distinct items; items it calls equal keep their position order).
 * `slotBits` is for tests of the fallback; at most 21.
 */
export function orderByHash(hashes: ArrayLike<number>, tie: (a: number, b: number) => number, slotBits = packedSlotBits): Int32Array {
  const n = hashes.length;
  const order = new Int32Array(n);
  const slots = 2 ** slotBits;
  if (n >= slots) {
    for (let k = 0; k < n; k++) order[k] = k;
    return order.sort((a, b) => hashes[a]! - hashes[b]! || tie(a, b));
  }
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) keys[k] = hashes[k]! * slots + k;
  keys.sort();
  for (let k = 0; k < n; k++) order[k] = keys[k]! % slots;
  // Runs of equal hashes (rare: 32 bits over a group) are sorted in place by the tie-break.
  for (let a = 0; a < n; ) {
    const h = hashes[order[a]!]!;
    let b = a + 1;
    while (b < n && hashes[order[b]!] === h) b++;
    if (b - a > 1) order.subarray(a, b).sort(tie);
    a = b;
  }
  return order;
}
