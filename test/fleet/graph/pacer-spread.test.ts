// The pacer spreads a window's worth over its sub-windows (pacer.ts, Spread): at most
// ceil(limit / spread) units in any windowMs / spread, on top of the window bound. Without it a
// whole window's worth went as one burst, and a burst arriving late at a token-bucket server
// met the next on-time one there: 429s whenever the lateness passed the 50 ms margin (issue 17).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { Pacer, type Grant } from '../../../controller/fleet/graph/pacer.ts';
import { RateLimiter } from '../../../controller/fleet/emulator/rate-limiter.ts';
import { drive } from './drive.ts';

const test = suite('Pacer: spread over sub-windows');

interface Sent {
  readonly at: number;
  readonly n: number;
}

/** Largest number of units sent within any window of `windowMs` (half-open). */
function maxInWindow(sent: readonly Sent[], windowMs: number): number {
  let max = 0;
  for (const s of sent) max = Math.max(max, sent.filter((t) => t.at >= s.at && t.at < s.at + windowMs).reduce((sum, t) => sum + t.n, 0));
  return max;
}

/** A greedy caller taking `size` units at a time (acquireUpTo with a floor, as the $batch runner does, or acquire) for `untilMs`; each grant is sent at once. */
async function greedy(clock: ManualClock, p: Pacer, size: number, mode: 'upTo' | 'exact', untilMs: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const work = (async () => {
    while (clock.now() < untilMs) {
      const grant = mode === 'upTo' ? await p.acquireUpTo(size, undefined, Math.min(size, Math.max(1, Math.floor(p.limit / 3)))) : await p.acquire(size);
      grant.stamp();
      if (clock.now() < untilMs) sent.push({ at: clock.now(), n: grant.units });
    }
  })();
  await drive(clock, work);
  return sent;
}

interface SpreadRow {
  readonly name: string;
  readonly rate: number;
  readonly marginMs: number;
  readonly size: number;
  readonly mode: 'upTo' | 'exact';
  /** Most units in any sub-window of (window / 3). */
  readonly perSub: number;
}

const rows: SpreadRow[] = [
  { name: '$batch-sized grants at 30/s: 10 per third of a window, not 20 then 10', rate: 30, marginMs: 0, size: 20, mode: 'upTo', perSub: 10 },
  { name: 'with the default 50 ms margin', rate: 30, marginMs: 50, size: 20, mode: 'upTo', perSub: 10 },
  { name: 'one-unit requests at 30/s', rate: 30, marginMs: 50, size: 1, mode: 'exact', perSub: 10 },
  { name: 'at 21/s (after one AIMD cut): 7 per third', rate: 21, marginMs: 50, size: 20, mode: 'upTo', perSub: 7 },
  { name: 'a rate that does not divide by three rounds the share up: 4 per third at 10/s', rate: 10, marginMs: 0, size: 20, mode: 'upTo', perSub: 4 },
];

for (const row of rows) {
  test(row.name, async () => {
    const clock = new ManualClock(0);
    const p = new Pacer(clock, { ratePerSecond: row.rate, marginMs: row.marginMs });
    const sent = await greedy(clock, p, row.size, row.mode, 20_000);
    const windowMs = 1000 + row.marginMs;
    // A sub-window is a third of the window; a hair less, so stamps on its edges count apart.
    assert.ok(maxInWindow(sent, windowMs / 3 - 0.001) <= row.perSub, `${maxInWindow(sent, windowMs / 3 - 0.001)} in a sub-window`);
    assert.ok(maxInWindow(sent, windowMs) <= row.rate, `${maxInWindow(sent, windowMs)} in a window`);
    // The long-run rate is the window's: spreading costs no throughput.
    const units = sent.reduce((s, g) => s + g.n, 0);
    const expected = (row.rate * 20_000) / windowMs;
    assert.ok(units >= expected - row.rate, `${units} units in 20 s, expected about ${Math.round(expected)}`);
  });
}

test('a grant held in flight counts against the sub-window until one sub-window after its stamp', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0 });
  const held = await p.acquire(10);
  const stamped = clock.sleep(200).then(() => held.stamp());
  const next = await drive(clock, Promise.all([p.acquire(1), stamped]).then(([g]: [Grant, void]) => ({ g, at: clock.now() })));
  assert.is(next.at, 200 + 1000 / 3);
});

test('a request larger than the sub-window\'s share waits for an empty sub-window, then goes whole', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0 });
  (await p.acquire(1)).stamp();
  const big = await drive(clock, p.acquire(25).then((g) => ({ units: g.units, at: clock.now() })));
  assert.is(big.units, 25);
  assert.is(big.at, 1000 / 3);
});

test('spread 1 is the plain window: a window\'s worth at once', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
  assert.is((await p.acquireUpTo(30)).units, 30);
});

interface LateRow {
  readonly name: string;
  readonly spread: number;
  /** Whatever is sent in every fourth second reaches the server this much later (a stall there). */
  readonly lateMs: number;
  readonly refused: 'none' | 'some';
}

// A token-bucket server as the emulator runs it (capacity one second's worth, refilled at the
// rate), at the pacer's own rate, with the default margin.
const lateRows: LateRow[] = [
  { name: 'one burst per window: bursts 200 ms late meet the next on-time ones, 429s', spread: 1, lateMs: 200, refused: 'some' },
  { name: 'spread over thirds: groups 200 ms late fit', spread: 3, lateMs: 200, refused: 'none' },
  { name: 'spread over thirds: groups 600 ms late fit', spread: 3, lateMs: 600, refused: 'none' },
];

for (const row of lateRows) {
  test(row.name, async () => {
    const clock = new ManualClock(0);
    const p = new Pacer(clock, { ratePerSecond: 30, spread: row.spread });
    const sent = await greedy(clock, p, 20, 'upTo', 30_000);
    const arrivals = sent.map((s) => ({ at: s.at + (Math.floor(s.at / 1000) % 4 === 3 ? row.lateMs : 0), n: s.n })).sort((a, b) => a.at - b.at);
    let now = 0;
    const server = new RateLimiter(30, () => now);
    let refused = 0;
    for (const a of arrivals) {
      now = a.at;
      for (let u = 0; u < a.n; u++) if (!server.take('app').ok) refused++;
    }
    if (row.refused === 'none') assert.is(refused, 0);
    else assert.ok(refused > 0, 'no 429 at all: the case shows nothing');
  });
}

test.run();
