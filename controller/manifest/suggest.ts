// "Did you mean …?": the closest candidate by edit distance, when it is close enough to be a typo.
//
// Lint and every reconcile parse the whole repository, so suggestion work must stay linear in
// the number of mistakes: a repository of 40,000 dangling references must not compare each of
// them with every name (issue 18). Hence names are indexed once (NameIndex); a lookup compares
// the word's neighbours in sorted order first, then other names of a length within reach, at
// most `perLookup` of them; and one parse shares a SuggestBudget: once it is spent, lookups
// still find case-only differences (a map look-up) but compute no more edit distances. A
// message without "did you mean" is still a whole message.

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent swaps), case-sensitive. Stops
 * early and returns max + 1 once the distance is known to exceed `max`; with a finite `max` it
 * only fills the diagonal band of width 2·max + 1, so a call costs O(length × max).
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > max) return max + 1;
  const band = Math.min(max, Math.max(m, n));
  const far = band + 1;
  // Three rows rotate; a cell outside the band reads as `far` (more than max).
  let prev2 = new Int32Array(n + 1).fill(far);
  let prev = new Int32Array(n + 1).fill(far);
  let row = new Int32Array(n + 1).fill(far);
  for (let j = 0; j <= Math.min(n, band); j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(1, i - band);
    const hi = Math.min(n, i + band);
    // The row slot was last used two rows ago: reset the cells the next rows read at the edges.
    row[0] = i <= band ? i : far;
    if (lo > 1) row[lo - 1] = far;
    if (hi < n) row[hi + 1] = far;
    let best = row[0]!;
    const ai = a.charCodeAt(i - 1);
    const aBefore = i > 1 ? a.charCodeAt(i - 2) : -1;
    for (let j = lo; j <= hi; j++) {
      const bj = b.charCodeAt(j - 1);
      let d = prev[j - 1]! + (ai === bj ? 0 : 1);
      const up = prev[j]! + 1;
      if (up < d) d = up;
      const left = row[j - 1]! + 1;
      if (left < d) d = left;
      if (j > 1 && ai === b.charCodeAt(j - 2) && aBefore === bj) {
        const swap = prev2[j - 2]! + 1;
        if (swap < d) d = swap;
      }
      row[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    const oldest = prev2;
    prev2 = prev;
    prev = row;
    row = oldest;
  }
  const d = prev[n]!;
  return d > max ? max + 1 : d;
}

/** How far `word` may be from a candidate: at most 2 edits, and fewer than half its letters. */
function reachOf(word: string): number {
  return Math.max(0, Math.min(2, Math.floor((word.length - 1) / 2)));
}

/** The "did you mean" work one parse may do, shared by its lookups. */
export interface SuggestBudget {
  /** Most candidates a single lookup compares. */
  readonly perLookup: number;
  /**
   * Work left, in cells of the edit-distance table: comparing a word of n letters costs
   * (n + 1) × (2 × reach + 1), so long names use the budget up faster than short ones.
   */
  remaining: number;
  /** Edit distances computed so far (what tests and benchmarks read). */
  spent: number;
}

/**
 * A fresh budget. Defaults: 500 candidates per lookup; 5,000,000 cells in all, which is some
 * 90,000 comparisons of 10-letter names or 4,000 of 253-letter ones, tens of milliseconds.
 */
export function createSuggestBudget(limits: { perLookup?: number; cells?: number } = {}): SuggestBudget {
  return { perLookup: limits.perLookup ?? 500, remaining: limits.cells ?? 5_000_000, spent: 0 };
}

/** A name and its lower case. */
interface Indexed {
  readonly name: string;
  readonly lower: string;
}

/** Names prepared once for many lookups. */
export interface NameIndex {
  readonly size: number;
  /** Every name by its lower case (for case-only differences). */
  readonly byLower: ReadonlyMap<string, readonly string[]>;
  /** By length, each list in the original order. */
  readonly byLength: ReadonlyMap<number, readonly Indexed[]>;
  /** In code-unit order of the lower-case name: a typo near the end keeps its neighbours. */
  readonly byPrefix: readonly { key: string; item: Indexed }[];
  /** In code-unit order of the lower-case name read backwards: a typo near the start keeps its neighbours. */
  readonly bySuffix: readonly { key: string; item: Indexed }[];
}

/** Indexes `names` (empty names and repeats are left out). */
export function indexNames(names: Iterable<string>): NameIndex {
  const byLower = new Map<string, string[]>();
  const byLength = new Map<number, Indexed[]>();
  const items: Indexed[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    const item = { name, lower: name.toLowerCase() };
    items.push(item);
    const same = byLower.get(item.lower);
    if (same) same.push(name);
    else byLower.set(item.lower, [name]);
    const sized = byLength.get(name.length);
    if (sized) sized.push(item);
    else byLength.set(name.length, [item]);
  }
  const sorted = (key: (item: Indexed) => string) => items.map((item) => ({ key: key(item), item })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { size: items.length, byLower, byLength, byPrefix: sorted((i) => i.lower), bySuffix: sorted((i) => backwards(i.lower)) };
}

function backwards(text: string): string {
  return text.split('').reverse().join('');
}

/** Where `key` would be inserted in `list` (binary search). */
function position(list: readonly { key: string }[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many neighbours on each side, in each sorted order, a lookup compares first. */
const neighbours = 8;

/**
 * The names worth comparing with `lower`, best bets first: its neighbours in prefix and in
 * suffix order (one typo leaves the text before or after it intact, so the intended name
 * sorts next to the word in one of the two orders), then every name of a length within
 * reach in the original order, same length first. May repeat a name; the caller skips repeats.
 */
function* candidatesFor(index: NameIndex, lower: string, reach: number): Generator<Indexed> {
  const orders = [
    { list: index.byPrefix, at: position(index.byPrefix, lower) },
    { list: index.bySuffix, at: position(index.bySuffix, backwards(lower)) },
  ];
  // Nearest first, alternating orders and sides.
  for (let k = 0; k < neighbours; k++) {
    for (const { list, at } of orders) {
      const after = list[at + k];
      if (after) yield after.item;
      const before = list[at - 1 - k];
      if (before) yield before.item;
    }
  }
  // Lengths in the order: same, one shorter, one longer, two shorter, two longer.
  for (let step = 0; step <= 2 * reach; step++) {
    const length = lower.length + (step % 2 === 0 ? step / 2 : -(step + 1) / 2);
    yield* index.byLength.get(length) ?? [];
  }
}

/**
 * The indexed name `word` was most likely meant to be, or undefined. A case-only difference
 * always counts (and costs no budget); otherwise a name within reach (at most 2 edits, and
 * fewer than half the letters of the word): the first at 1 edit among the candidates in
 * candidatesFor's order, else the first at 2. Computes at most `budget.perLookup` edit
 * distances and stops when the budget is spent, so a name past the cap may go unsuggested.
 */
export function suggestName(index: NameIndex, word: string, budget: SuggestBudget): string | undefined {
  const lower = word.toLowerCase();
  const caseOnly = index.byLower.get(lower)?.find((name) => name !== word);
  if (caseOnly !== undefined) return caseOnly;
  const reach = reachOf(word);
  if (reach === 0 || index.size === 0) return undefined;
  const cost = (word.length + 1) * (2 * reach + 1);
  let allowed = Math.min(budget.perLookup, Math.floor(budget.remaining / cost));
  let best: string | undefined;
  let bestDistance = reach + 1;
  const compared = new Set<Indexed>();
  for (const item of candidatesFor(index, lower, reach)) {
    if (allowed <= 0) break;
    // A name k letters longer or shorter is at least k edits away.
    if (Math.abs(item.lower.length - lower.length) >= bestDistance || item.lower === lower || compared.has(item)) continue;
    compared.add(item);
    allowed--;
    budget.remaining -= cost;
    budget.spent++;
    const d = editDistance(lower, item.lower, bestDistance - 1);
    if (d < bestDistance) {
      best = item.name;
      bestDistance = d;
      if (d === 1) break; // 0 is a case-only difference, handled above
    }
  }
  return best;
}

/**
 * The candidate `word` was most likely meant to be, or undefined, comparing every candidate
 * (for short, fixed lists such as field names; many lookups in one list go through NameIndex).
 * A case-only difference always counts; otherwise the nearest within reach, the first on ties.
 */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const reach = reachOf(word);
  let best: string | undefined;
  let bestDistance = reach + 1;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const other = candidate.toLowerCase();
    if (other === lower) return candidate;
    if (Math.abs(other.length - lower.length) >= bestDistance) continue;
    const d = editDistance(lower, other, bestDistance - 1);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
