import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { CappedPacer, createSharedCap } from '../../../controller/fleet/graph/shared-cap.ts';
import { drive } from './drive.ts';

const test = suite('CappedPacer (a tenant pacer under a shared cap)');

type Grant = { at: number; n: number; tenant: number };

/** Largest number of units granted within any window of `windowMs` (half-open). */
function maxInWindow(grants: readonly Grant[], windowMs: number): number {
  let max = 0;
  for (const g of grants) {
    const sum = grants.filter((h) => h.at >= g.at && h.at < g.at + windowMs).reduce((s, h) => s + h.n, 0);
    max = Math.max(max, sum);
  }
  return max;
}

/** `tenants` greedy callers, each asking batches of `batch` until `untilMs`; the grants they got. */
async function run(clock: ManualClock, pacers: readonly CappedPacer[], batch: number, untilMs: number, mode: 'upTo' | 'exact'): Promise<Grant[]> {
  const grants: Grant[] = [];
  const work = Promise.all(pacers.map(async (p, tenant) => {
    while (clock.now() < untilMs) {
      const grant = mode === 'upTo' ? await p.acquireUpTo(batch) : await p.acquire(batch);
      grant.stamp();
      const n = grant.units;
      if (clock.now() < untilMs) grants.push({ at: clock.now(), n, tenant });
    }
  }));
  await drive(clock, work);
  return grants;
}

const cases = [
  { name: 'a generous cap does not slow tenants below their own rate', rates: [30, 30, 30], cap: 2000, batch: 5, mode: 'upTo' as const, each: [270, 300] },
  { name: 'a tight cap holds the sum of all tenants to it, each tenant still within its own rate', rates: [30, 30, 30], cap: 50, batch: 5, mode: 'upTo' as const, each: [140, 180] },
  { name: 'one-unit requests (acquire) under a tight cap', rates: [30, 30, 30, 30], cap: 40, batch: 1, mode: 'exact' as const, each: [90, 110] },
  { name: 'tenants with different limits: each within its own, the sum within the cap', rates: [10, 30, 60], cap: 80, batch: 10, mode: 'upTo' as const, each: [0, 600] },
];

for (const c of cases) {
  test(c.name, async () => {
    const clock = new ManualClock(0);
    const cap = createSharedCap(clock, c.cap);
    const pacers = c.rates.map((rate) => new CappedPacer(clock, { ratePerSecond: rate, marginMs: 0 }, cap));
    const grants = await run(clock, pacers, c.batch, 10_000, c.mode);
    assert.ok(maxInWindow(grants, 1000) <= c.cap, `sum ${maxInWindow(grants, 1000)} > cap ${c.cap}`);
    c.rates.forEach((rate, t) => {
      const own = grants.filter((g) => g.tenant === t);
      assert.ok(maxInWindow(own, 1000) <= rate, `tenant ${t}: ${maxInWindow(own, 1000)} in a second > ${rate}`);
      const total = own.reduce((s, g) => s + g.n, 0);
      assert.ok(total >= Math.min(c.each[0]!, rate * 9) && total <= c.each[1]!, `tenant ${t} got ${total} in 10 s`);
    });
  });
}

test('a request needs a unit from both: a tenant with room waits while the cap is used up', async () => {
  const clock = new ManualClock(0);
  const cap = createSharedCap(clock, 10);
  const a = new CappedPacer(clock, { ratePerSecond: 30, marginMs: 0 }, cap);
  const b = new CappedPacer(clock, { ratePerSecond: 30, marginMs: 0 }, cap);
  const first = await a.acquireUpTo(20);
  first.stamp();
  assert.is(first.units, 10, 'the cap gives at most 10 even though the tenant has 30');
  let got: number | undefined;
  const waiting = b.acquire(1).then((g) => (got = g.units));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.is(got, undefined, 'b has its own units but none of the cap');
  clock.advance(1000);
  await waiting;
  assert.is(got, 1);
  assert.is(a.stats().granted, 10, 'the tenant window counts only what it sent');
});

test('a throttle slows only the tenant it came from', async () => {
  const clock = new ManualClock(0);
  const cap = createSharedCap(clock, 2000);
  const throttled = new CappedPacer(clock, { ratePerSecond: 30, marginMs: 0 }, cap);
  const other = new CappedPacer(clock, { ratePerSecond: 30, marginMs: 0 }, cap);
  throttled.onThrottled();
  assert.ok(throttled.stats().rate < 30);
  assert.is(other.stats().rate, 30);
  assert.is(cap.stats().rate, 2000);
});

test('an abort while waiting for the cap rejects and takes nothing from the tenant', async () => {
  const clock = new ManualClock(0);
  const cap = createSharedCap(clock, 5);
  const a = new CappedPacer(clock, { ratePerSecond: 30, marginMs: 0 }, cap);
  const b = new CappedPacer(clock, { ratePerSecond: 30, marginMs: 0 }, cap);
  (await a.acquire(5)).stamp();
  const abort = new AbortController();
  const waiting = b.acquire(1, abort.signal);
  abort.abort(new Error('stop'));
  const error = await waiting.then(() => undefined, (e: unknown) => e);
  assert.match(String(error), /stop/);
  assert.is(b.stats().granted, 0);
});

test.run();
