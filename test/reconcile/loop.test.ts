import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { ReconcileLoop } from '../../controller/reconcile/loop.ts';
import type { ReconcileOutcome } from '../../controller/model/reconcile.ts';

const tick = () => new Promise((r) => setImmediate(r));

test('reconciles at start, then again when the interval has passed', async () => {
  const clock = new ManualClock(0);
  const calls: string[][] = [];
  const loop = new ReconcileLoop(async ({ reasons }) => (calls.push(reasons), { kind: 'success' }), { clock, logger: silentLogger(), random: () => 0 });
  const stop = new AbortController();
  const running = loop.run(stop.signal);
  await tick();
  assert.equal(calls, [['start']]);
  clock.advance(59_999);
  await tick();
  assert.is(calls.length, 1);
  clock.advance(1);
  await tick();
  await tick();
  assert.equal(calls[1], ['requeue']);
  stop.abort();
  await running;
});

test('a trigger during a reconcile runs one more right after, never two at once', async () => {
  const clock = new ManualClock(0);
  let active = 0;
  let maxActive = 0;
  let release: () => void = () => {};
  const seen: string[][] = [];
  const loop = new ReconcileLoop(
    async ({ reasons }) => {
      active++;
      maxActive = Math.max(maxActive, active);
      seen.push(reasons);
      if (seen.length === 1) await new Promise<void>((r) => (release = r));
      active--;
      return { kind: 'success' } as ReconcileOutcome;
    },
    { clock, logger: silentLogger(), random: () => 0 },
  );
  const stop = new AbortController();
  const running = loop.run(stop.signal);
  await tick();
  loop.trigger('webhook');
  loop.trigger('revision');
  release();
  await tick();
  await tick();
  assert.equal(seen, [['start'], ['webhook', 'revision']]);
  assert.is(maxActive, 1);
  stop.abort();
  await running;
});

test('errors back off and a thrown error does not end the loop', async () => {
  const clock = new ManualClock(0);
  let n = 0;
  const loop = new ReconcileLoop(
    async () => {
      n++;
      if (n === 1) throw new Error('boom');
      return { kind: 'success' };
    },
    { clock, logger: silentLogger(), random: () => 1 },
  );
  const stop = new AbortController();
  const running = loop.run(stop.signal);
  await tick();
  assert.is(n, 1);
  clock.advance(999);
  await tick();
  assert.is(n, 1);
  clock.advance(1);
  await tick();
  await tick();
  assert.is(n, 2);
  stop.abort();
  await running;
});

test('waiting comes back at the time it names', async () => {
  const clock = new ManualClock(0);
  let n = 0;
  const loop = new ReconcileLoop(async () => (n++, { kind: 'waiting', until: 5_000 }), { clock, logger: silentLogger(), random: () => 0 });
  const stop = new AbortController();
  const running = loop.run(stop.signal);
  await tick();
  clock.advance(4_999);
  await tick();
  assert.is(n, 1);
  clock.advance(1);
  await tick();
  await tick();
  assert.is(n, 2);
  stop.abort();
  await running;
});

test.run();
