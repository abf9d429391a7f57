// The pacer counts a grant from its grant until one window after its stamp (the moment the
// request was sent, or failed before it could be): a request held between grant and send
// must not let the next window's requests reach the server in the same second (issue 16).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { Pacer, type Grant } from '../../../controller/fleet/graph/pacer.ts';
import { CappedPacer, createSharedCap } from '../../../controller/fleet/graph/shared-cap.ts';
import { drive } from './drive.ts';

const test = suite('Pacer: grants held until stamped');

/** Lets pending promise callbacks and timers run (a grant that could be made is made). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

interface HeldRow {
  readonly name: string;
  /** Earlier grants: units, ms after the start at which they are stamped. */
  readonly grants: readonly { readonly units: number; readonly stampAt: number }[];
  /** Then this many units are asked for... */
  readonly next: number;
  /** ...and granted at this clock time. */
  readonly grantedAt: number;
}

// Rate 30, no margin: the window is exactly 1000 ms. Every earlier grant is made at 0.
const heldRows: HeldRow[] = [
  { name: 'stamped at once: the units leave one window after the grant', grants: [{ units: 30, stampAt: 0 }], next: 1, grantedAt: 1000 },
  { name: 'held 600 ms before its stamp: the units stay until stamp + window', grants: [{ units: 30, stampAt: 600 }], next: 1, grantedAt: 1600 },
  { name: 'held 1500 ms (longer than a window): still counted until stamp + window', grants: [{ units: 30, stampAt: 1500 }], next: 1, grantedAt: 2500 },
  { name: 'a held grant and a sent one: the sent one frees its units first', grants: [{ units: 10, stampAt: 0 }, { units: 20, stampAt: 600 }], next: 10, grantedAt: 1000 },
  { name: 'more than the sent one frees: waits for the held one too', grants: [{ units: 10, stampAt: 0 }, { units: 20, stampAt: 600 }], next: 15, grantedAt: 1600 },
  { name: 'stamped in the other order than granted: the earlier stamp frees first', grants: [{ units: 20, stampAt: 900 }, { units: 10, stampAt: 300 }], next: 10, grantedAt: 1300 },
];

for (const row of heldRows) {
  test(row.name, async () => {
    const clock = new ManualClock(0);
    const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
    const grants: Grant[] = [];
    for (const g of row.grants) grants.push(await p.acquire(g.units));
    const stamps = row.grants.map((g, i) => clock.sleep(g.stampAt).then(() => grants[i]!.stamp()));
    const next = await drive(clock, Promise.all([p.acquire(row.next), ...stamps]).then(([grant]) => ({ grant, at: clock.now() })));
    assert.is(next.at, row.grantedAt);
    assert.is(next.grant.units, row.next);
  });
}

test('a grant never stamped never leaves the window; stamping it lets the next one through a window later', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
  const held = await p.acquire(30);
  let grantedAt: number | undefined;
  const next = p.acquire(1).then((g) => {
    grantedAt = clock.now();
    g.stamp();
  });
  clock.advance(3_600_000);
  await settle();
  assert.is(grantedAt, undefined, 'granted while 30 units were still in flight');
  held.stamp();
  await drive(clock, next);
  assert.is(grantedAt, 3_600_000 + 1000);
});

test('stamping twice keeps the first stamp', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
  const grant = await p.acquire(30);
  clock.advance(200);
  grant.stamp();
  clock.advance(500);
  grant.stamp();
  await drive(clock, p.acquire(1));
  assert.is(clock.now(), 1200);
});

test('an abort while waiting for a stamp rejects, and a later stamp does no harm', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
  const held = await p.acquire(30);
  const abort = new AbortController();
  const waiting = p.acquire(1, abort.signal);
  await settle();
  abort.abort(new Error('stop'));
  const error = await waiting.then(() => undefined, (e: unknown) => e);
  assert.match(String(error), /stop/);
  held.stamp();
  await drive(clock, p.acquire(1));
  assert.is(clock.now(), 1000);
});

test('a pause still holds back a grant whose window is free', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
  (await p.acquire(1)).stamp();
  p.onThrottled(5_000);
  await drive(clock, p.acquire(1));
  assert.is(clock.now(), 5_000);
});

test('AIMD is unchanged: a throttle cuts 30 to 21, a held grant counts against the smaller limit', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, ceilingRecoveryMs: 1e12, spread: 1 });
  const held = await p.acquire(21);
  p.onThrottled();
  assert.is(p.stats().rate, 21);
  assert.is(p.limit, 21);
  clock.advance(400);
  held.stamp();
  await drive(clock, p.acquire(1));
  assert.is(clock.now(), 1400);
});

test('a clock stepped back while a grant is in flight: its stamp is taken on the stepped clock', async () => {
  const clock = new ManualClock(10_000_000);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
  const held = await p.acquire(30);
  clock.advance(-3_600_000);
  held.stamp();
  const from = clock.now();
  await drive(clock, p.acquire(1));
  assert.is(clock.now() - from, 1000);
});

test('under a shared cap: the tenant grant is held until stamped, the cap\'s units go by time alone', async () => {
  const clock = new ManualClock(0);
  const cap = createSharedCap(clock, 30);
  const a = new CappedPacer(clock, { ratePerSecond: 30, marginMs: 0 }, cap);
  const b = new CappedPacer(clock, { ratePerSecond: 30, marginMs: 0 }, cap);
  const held = await a.acquire(30);
  let aAgainAt: number | undefined;
  const aAgain = a.acquire(1).then((g) => {
    aAgainAt = clock.now();
    g.stamp();
  });
  clock.advance(1000);
  await settle();
  (await b.acquire(1)).stamp();
  assert.is(clock.now(), 1000, 'b waited for a held grant of a');
  assert.is(aAgainAt, undefined, 'a was granted again while its 30 units were in flight');
  clock.advance(500);
  held.stamp();
  await drive(clock, aAgain);
  assert.is(aAgainAt, 2500);
});

test.run();
