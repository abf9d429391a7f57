import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SerialQueue } from '../../controller/model/serial-queue.ts';

/** A task that records its start and end and settles only when released. */
function gated(log: string[], name: string, outcome: 'ok' | 'fail' = 'ok') {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const task = async () => {
    log.push(`${name} start`);
    await gate;
    log.push(`${name} end`);
    if (outcome === 'fail') throw new Error(`${name} failed`);
    return name;
  };
  return { task, release };
}

test('tasks run one at a time, in the order asked, each settling as it does', async () => {
  const queue = new SerialQueue();
  const log: string[] = [];
  const a = gated(log, 'a');
  const b = gated(log, 'b');
  const ra = queue.run(a.task);
  const rb = queue.run(b.task);
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(log, ['a start'], 'b waits while a runs');
  b.release(); // b is ready first, yet still waits for a
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(log, ['a start']);
  a.release();
  assert.is(await ra, 'a');
  assert.is(await rb, 'b');
  assert.equal(log, ['a start', 'a end', 'b start', 'b end']);
});

test('a failing task rejects for its caller only; the next one still runs', async () => {
  const queue = new SerialQueue();
  const log: string[] = [];
  const a = gated(log, 'a', 'fail');
  const b = gated(log, 'b');
  const ra = queue.run(a.task);
  const rb = queue.run(b.task);
  a.release();
  b.release();
  const failure = await ra.then(() => undefined, (error: Error) => error.message);
  assert.is(failure, 'a failed');
  assert.is(await rb, 'b');
  assert.equal(log, ['a start', 'a end', 'b start', 'b end']);
});

test('idle() waits for every task queued so far and never rejects', async () => {
  const queue = new SerialQueue();
  const log: string[] = [];
  const a = gated(log, 'a', 'fail');
  queue.run(a.task).catch(() => undefined);
  let idle = false;
  const waiting = queue.idle().then(() => (idle = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.is(idle, false);
  a.release();
  await waiting;
  assert.equal(log, ['a start', 'a end']);
  await queue.idle(); // nothing queued: settles at once
});

test.run();
