// The controller collects garbage once it is idle after a pass (controller/run/idle-gc.ts):
// never during a pass, not when the next pass starts first, not without a collector, not after
// close. Fake timers: the test drives time by firing what is scheduled.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdleCollector, exposedGc, type Collect } from '../../controller/run/idle-gc.ts';

function fixture(withCollector = true) {
  const timers = new Map<number, { fn: () => void; ms: number }>();
  let next = 0;
  const events: string[] = [];
  const collect: Collect = (options) => events.push(`gc ${options.type} ${options.flavor}`);
  const idle = new IdleCollector({
    collect: withCollector ? collect : undefined,
    delayMs: 3000,
    setTimer: (fn, ms) => {
      const id = ++next;
      timers.set(id, { fn, ms });
      return { id, unref: () => events.push('unref') } as unknown as { unref(): unknown };
    },
    clearTimer: (t) => timers.delete((t as { id: number }).id),
    onCollected: () => events.push('collected'),
  });
  const fire = () => {
    for (const [id, t] of [...timers]) {
      timers.delete(id);
      t.fn();
    }
  };
  return { idle, timers, events, fire };
}

test('one last-resort major collection after a pass ends, on an unref timer of delayMs', async () => {
  const { idle, timers, events, fire } = fixture();
  const pass = idle.wrap(async (n: number) => {
    events.push(`pass ${n}`);
    assert.is(timers.size, 0, 'nothing scheduled during the pass');
    return n * 2;
  });
  assert.is(await pass(21), 42);
  assert.equal([...timers.values()].map((t) => t.ms), [3000]);
  fire();
  assert.equal(events, ['pass 21', 'unref', 'gc major last-resort', 'collected']);
  fire();
  assert.is(events.filter((e) => e.startsWith('gc')).length, 1, 'once per pass, not repeatedly while idle');
});

test('a pass that starts before the delay cancels the collection; the last pass still gets one', async () => {
  const { idle, timers, events, fire } = fixture();
  const pass = idle.wrap(async () => 'ok');
  await pass();
  await pass();
  await pass();
  assert.is(timers.size, 1);
  fire();
  assert.is(events.filter((e) => e.startsWith('gc')).length, 1);
});

test('a pass that throws is followed by a collection too, and its error reaches the caller', async () => {
  const { idle, timers, events, fire } = fixture();
  const pass = idle.wrap(async () => {
    throw new Error('boom');
  });
  await pass().then(() => assert.unreachable('should throw'), (e: Error) => assert.is(e.message, 'boom'));
  assert.is(timers.size, 1);
  fire();
  assert.ok(events.includes('gc major last-resort'));
});

test('without a collector (no --expose-gc) and after close, nothing is scheduled', async () => {
  const none = fixture(false);
  await none.idle.wrap(async () => 1)();
  assert.is(none.timers.size, 0);
  const closed = fixture();
  const pass = closed.idle.wrap(async () => 1);
  await pass();
  closed.idle.close();
  assert.is(closed.timers.size, 0, 'close cancels the pending collection');
  await pass();
  assert.is(closed.timers.size, 0);
  closed.fire();
  assert.equal(closed.events.filter((e) => e.startsWith('gc')), []);
});

test('exposedGc finds gc only when the process exposes it', () => {
  const g = globalThis as { gc?: unknown };
  const saved = g.gc;
  try {
    g.gc = undefined;
    assert.is(exposedGc(), undefined);
    const fake = () => {};
    g.gc = fake;
    assert.is(exposedGc(), fake);
  } finally {
    g.gc = saved;
  }
});

test.run();
