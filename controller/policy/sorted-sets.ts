// Set operations on ascending lists of device positions (Int32Array), for resolving selectors
// over the tag postings of 100,000 devices (issue 17). Each filters a buffer in place and
// returns its new length: no array per call. Pure; indexed loops only (plan runs under Maglev
// with --no-opt, where a for-of allocates an iterator result per element).

/**
 * Keeps the first `len` items of `buf` that are also in `list` (both ascending, unique);
 * returns how many. Gallops through `list`, so a short `buf` against a long list costs about
 * len × log(gap) steps rather than the length of the list.
 */
export function intersectInPlace(buf: Int32Array, len: number, list: ArrayLike<number>): number {
  const m = list.length;
  let out = 0;
  let j = 0;
  for (let k = 0; k < len && j < m; k++) {
    const x = buf[k]!;
    if (list[j]! < x) j = lowerBoundFrom(list, j, x);
    if (j < m && list[j] === x) {
      buf[out++] = x;
      j++;
    }
  }
  return out;
}

/** Keeps the first `len` items of `buf` that are not in `list` (both ascending, unique); returns how many. */
export function differenceInPlace(buf: Int32Array, len: number, list: ArrayLike<number>): number {
  const m = list.length;
  let out = 0;
  let j = 0;
  for (let k = 0; k < len; k++) {
    const x = buf[k]!;
    if (j < m && list[j]! < x) j = lowerBoundFrom(list, j, x);
    if (j < m && list[j] === x) j++;
    else buf[out++] = x;
  }
  return out;
}

/** The first index at or after `from` whose item is >= x (list[from] < x), by galloping then halving. */
function lowerBoundFrom(list: ArrayLike<number>, from: number, x: number): number {
  const m = list.length;
  let lo = from;
  let step = 1;
  let hi = from + 1;
  while (hi < m && list[hi]! < x) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  if (hi > m) hi = m;
  lo++;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A bit per position below `n`, set for the positions in `list`. */
export function bitsetOf(list: ArrayLike<number>, n: number): Int32Array {
  const bits = new Int32Array((n + 31) >>> 5);
  for (let k = 0; k < list.length; k++) {
    const i = list[k]!;
    bits[i >>> 5] = bits[i >>> 5]! | (1 << (i & 31));
  }
  return bits;
}

/** Keeps the first `len` items of `buf` whose bit is set; returns how many (order kept). */
export function keepMarked(buf: Int32Array, len: number, bits: Int32Array): number {
  let out = 0;
  for (let k = 0; k < len; k++) {
    const i = buf[k]!;
    if ((bits[i >>> 5]! >>> (i & 31)) & 1) buf[out++] = i;
  }
  return out;
}

/** The total length of the lists: the room unionInto needs. */
export function totalLength(lists: readonly ArrayLike<number>[]): number {
  let n = 0;
  for (let k = 0; k < lists.length; k++) n += lists[k]!.length;
  return n;
}

/** Writes the union of the lists (each ascending) into `out` (room for totalLength), ascending and unique; returns its length. */
export function unionInto(lists: readonly ArrayLike<number>[], out: Int32Array): number {
  let n = 0;
  for (let l = 0; l < lists.length; l++) {
    const list = lists[l]!;
    for (let k = 0; k < list.length; k++) out[n++] = list[k]!;
  }
  if (lists.length > 1) out.subarray(0, n).sort();
  let len = 0;
  for (let k = 0; k < n; k++) if (len === 0 || out[len - 1] !== out[k]) out[len++] = out[k]!;
  return len;
}
