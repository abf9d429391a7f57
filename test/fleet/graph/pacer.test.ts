import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { Pacer, type Grant } from '../../../controller/fleet/graph/pacer.ts';
import { drive } from './drive.ts';

const pacer = suite('Pacer');

/** A grant whose request went at once: stamped when granted. */
async function sentAtOnce(grant: Promise<Grant>): Promise<number> {
  const g = await grant;
  g.stamp();
  return g.units;
}

/** Largest number of units granted within any window of `windowMs` (half-open). */
function maxInWindow(grants: { at: number; n: number }[], windowMs: number): number {
  let max = 0;
  for (const g of grants) {
    const sum = grants.filter((h) => h.at >= g.at && h.at < g.at + windowMs).reduce((s, h) => s + h.n, 0);
    max = Math.max(max, sum);
  }
  return max;
}

pacer('never grants more than the rate in any one-second window, whatever the request sizes', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
  const grants: { at: number; n: number }[] = [];
  const work = (async () => {
    let left = 600;
    while (left > 0) {
      const n = await sentAtOnce(p.acquireUpTo(Math.min(20, left)));
      grants.push({ at: clock.now(), n });
      left -= n;
    }
  })();
  await drive(clock, work);
  assert.ok(maxInWindow(grants, 1000) <= 30, `max ${maxInWindow(grants, 1000)}`);
  // 600 units at 30/s: the last grant comes no earlier than 19 s and not much later.
  const last = grants.at(-1)?.at ?? 0;
  assert.ok(last >= 19_000 && last <= 20_000, `last grant at ${last}`);
});

pacer('acquireUpTo hands out what the window holds instead of waiting for a full batch', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
  assert.is(await sentAtOnce(p.acquireUpTo(20)), 20);
  assert.is(await sentAtOnce(p.acquireUpTo(20)), 10);
  const third = sentAtOnce(p.acquireUpTo(20));
  clock.advance(1000);
  assert.is(await third, 20);
});

pacer('with a floor, grants never crumble below it, and the rate is kept', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, spread: 1 });
  const grants: { at: number; n: number }[] = [];
  const work = (async () => {
    // Odd sizes on purpose: 7 of 20 would leave 3-unit crumbs without the floor.
    const sizes = [20, 7, 20, 13, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20];
    for (const size of sizes) {
      const n = await sentAtOnce(p.acquireUpTo(size, undefined, Math.min(size, 10)));
      grants.push({ at: clock.now(), n });
    }
  })();
  await drive(clock, work);
  assert.ok(grants.every((g) => g.n >= 7), grants.map((g) => g.n).join(','));
  assert.ok(maxInWindow(grants, 1000) <= 30);
  const units = grants.reduce((s, g) => s + g.n, 0);
  const seconds = ((grants.at(-1)?.at ?? 0) + 1000) / 1000;
  assert.ok(units / seconds >= 27, `${units} units in ${seconds} s`);
});

pacer('a throttle signal cuts the rate, pauses for Retry-After, and the rate creeps back to just under the refused one', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, ceilingRecoveryMs: 1e12, spread: 1 });
  await sentAtOnce(p.acquire(1));
  p.onThrottled(5_000);
  assert.is(p.stats().rate, 21);
  assert.is(p.stats().ceiling, 28.5);
  const next = p.acquire(1);
  let granted = false;
  void next.then(() => (granted = true));
  clock.advance(4_999);
  await new Promise((r) => setTimeout(r, 5));
  assert.is(granted, false, 'granted during the pause');
  clock.advance(1);
  await next;
  for (let i = 0; i < 40; i++) {
    clock.advance(1_100);
    p.onSuccess();
  }
  assert.is(p.stats().rate, 28.5);
  assert.is(p.stats().cuts, 1);
});

pacer('several 429s of one burst cut once; the ceiling recovers after a quiet minute', () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 0, ceilingRecoveryMs: 60_000, spread: 1 });
  p.onThrottled();
  p.onThrottled();
  p.onThrottled();
  assert.is(p.stats().cuts, 1);
  for (let i = 0; i < 200; i++) {
    clock.advance(1_000);
    p.onSuccess();
  }
  assert.is(p.stats().rate, 30);
  assert.is(p.stats().ceiling, 30);
});

pacer('acquire is abortable', async () => {
  const clock = new ManualClock(0);
  const p = new Pacer(clock, { ratePerSecond: 1, marginMs: 0, spread: 1 });
  await sentAtOnce(p.acquire(1));
  const controller = new AbortController();
  const waiting = p.acquire(1, controller.signal);
  controller.abort(new Error('stop'));
  await waiting.then(() => assert.unreachable(), (e: Error) => assert.is(e.message, 'stop'));
});

pacer.run();
