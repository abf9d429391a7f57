// The pacer when its clock is stepped back (NTP, a VM restored): sends and pauses stamped
// "in the future" must not hold every request back for as long as the step.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { Pacer } from '../../../controller/fleet/graph/pacer.ts';
import { drive } from './drive.ts';

const hour = 3_600_000;
const pacer = suite('Pacer and a clock stepped back');

pacer('a full window, then the clock stepped back an hour: the next send waits at most one window', async () => {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const p = new Pacer(clock, { ratePerSecond: 30, marginMs: 50 });
  (await drive(clock, p.acquire(30))).stamp();
  clock.advance(-hour);
  const from = clock.now();
  await drive(clock, p.acquire(1));
  assert.ok(clock.now() - from <= p.windowMs, `waited ${clock.now() - from} ms`);
  assert.ok(clock.now() - from > 0, 'the window still counts the sends made just before the step');
});

pacer('a Retry-After pause, then the clock stepped back an hour: the pause keeps its length', async () => {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const p = new Pacer(clock, { ratePerSecond: 30 });
  p.pauseFor(10_000);
  clock.advance(-hour);
  const from = clock.now();
  await drive(clock, p.acquire(1));
  assert.is(clock.now() - from, 10_000);
});

pacer('a clock stepped forward ends a pause early (a server still throttling answers 429 again)', async () => {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const p = new Pacer(clock, { ratePerSecond: 30 });
  p.pauseFor(10_000);
  clock.advance(hour);
  const from = clock.now();
  await drive(clock, p.acquire(1));
  assert.is(clock.now(), from);
});

pacer.run();
