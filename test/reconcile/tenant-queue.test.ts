import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TenantQueue } from '../../controller/reconcile/tenant-queue.ts';

const test = suite('TenantQueue');

/** A promise the test settles. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Deterministic pseudo-random numbers in [0, 1). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const small = Array.from({ length: 50 }, (_, i) => `small-${String(i).padStart(2, '0')}`);

for (const k of [1, 4, 8]) {
  test(`with one huge tenant due again the moment it ends and 50 small ones, each small tenant starts before the huge one's second reconcile (K=${k})`, async () => {
    const q = new TenantQueue({ concurrency: k });
    const starts: string[] = [];
    let hugeRuns = 0;
    let most = 0;
    const random = prng(k);
    q.add(['huge', ...small]);
    await q.drain(async (tenant) => {
      starts.push(tenant);
      most = Math.max(most, q.running.size);
      if (tenant === 'huge') {
        // The huge tenant's reconcile ends first of all, and it has work due again at once, twice.
        hugeRuns++;
        if (hugeRuns < 3) q.add(['huge']);
        return;
      }
      // Small tenants take a few turns of the event loop, in a shuffled order.
      for (let i = Math.floor(random() * 5); i >= 0; i--) await tick();
    });
    const secondHuge = starts.indexOf('huge', 1);
    assert.ok(secondHuge > 0, 'the huge tenant ran again');
    for (const s of small) assert.ok(starts.indexOf(s) < secondHuge, `${s} started after the huge tenant's second reconcile`);
    assert.is(starts.filter((t) => t === 'huge').length, 3);
    assert.ok(most <= k, `${most} at once with K=${k}`);
    assert.ok(most === Math.min(k, 51) || k === 1, `the queue used its ${k} slots (at most ${most})`);
  });
}

test('with every tenant always due and reconciles of random length, a tenant due again starts only after every tenant waiting when it rejoined', async () => {
  const errors: unknown[] = [];
  const q = new TenantQueue({ concurrency: 3, onError: (_t, e) => errors.push(e) });
  const tenants = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const starts: string[] = [];
  const ahead = new Map<string, { at: number; waiting: readonly string[] }>();
  const random = prng(7);
  q.add(tenants);
  await q.drain(async (tenant) => {
    const before = ahead.get(tenant);
    if (before) {
      const since = starts.slice(before.at);
      for (const w of before.waiting) assert.ok(since.includes(w), `${tenant} started again before ${w}, which was waiting when it rejoined`);
    }
    starts.push(tenant);
    for (let i = Math.floor(random() * 6); i >= 0; i--) await tick();
    if (starts.length < 70) {
      q.add([tenant]);
      ahead.set(tenant, { at: starts.length, waiting: q.waiting });
    }
  });
  assert.equal(errors, []);
  assert.ok(starts.length >= 70);
  for (const t of tenants) assert.ok(starts.filter((s) => s === t).length >= 8, `${t}: ${starts.filter((s) => s === t).length} starts`);
});

test('a tenant added while waiting keeps its place; one added while running runs once more, after the others', async () => {
  const q = new TenantQueue({ concurrency: 1 });
  const starts: string[] = [];
  const gate = deferred();
  q.add(['a', 'b', 'c']);
  const done = q.drain(async (tenant) => {
    starts.push(tenant);
    if (tenant === 'a' && starts.length === 1) await gate.promise;
  });
  await tick();
  assert.equal(q.waiting, ['b', 'c']);
  q.add(['c', 'a', 'a', 'b']);
  assert.equal(q.waiting, ['b', 'c'], 'waiting tenants keep their place, the running one does not join twice');
  gate.resolve();
  await done;
  assert.equal(starts, ['a', 'b', 'c', 'a']);
});

test('tenants added together join least recently started first, so the turn goes on round', async () => {
  const q = new TenantQueue({ concurrency: 1 });
  const starts: string[] = [];
  const work = async (tenant: string) => {
    starts.push(tenant);
  };
  q.add(['a', 'b', 'c', 'd']);
  await q.drain(work);
  q.add(['b', 'c']);
  await q.drain(work);
  q.add(['a', 'b', 'c', 'd', 'new']);
  assert.equal(q.waiting, ['new', 'a', 'd', 'b', 'c']);
  await q.drain(work);
  assert.equal(starts, ['a', 'b', 'c', 'd', 'b', 'c', 'new', 'a', 'd', 'b', 'c']);
});

test('remove drops waiting tenants, and a running one removed does not run again', async () => {
  const q = new TenantQueue({ concurrency: 1 });
  const starts: string[] = [];
  const gate = deferred();
  q.add(['a', 'b', 'c']);
  const done = q.drain(async (tenant) => {
    starts.push(tenant);
    if (tenant === 'a') await gate.promise;
  });
  await tick();
  q.add(['a']);
  q.remove(['a', 'b']);
  gate.resolve();
  await done;
  assert.equal(starts, ['a', 'c']);
});

test('after an abort nothing new starts, and drain resolves once the running reconciles end', async () => {
  const q = new TenantQueue({ concurrency: 2 });
  const starts: string[] = [];
  const gates = new Map(['a', 'b'].map((t) => [t, deferred()]));
  const abort = new AbortController();
  q.add(['a', 'b', 'c']);
  let resolved = false;
  const done = q.drain(async (tenant) => {
    starts.push(tenant);
    await gates.get(tenant)?.promise;
  }, abort.signal).then(() => (resolved = true));
  await tick();
  abort.abort();
  gates.get('a')!.resolve();
  await tick();
  assert.is(resolved, false, 'b still runs');
  gates.get('b')!.resolve();
  await done;
  assert.equal(starts, ['a', 'b']);
  assert.equal(q.waiting, ['c'], 'c stays in line for the next drain');
});

test('a reconcile that throws is reported and the others go on', async () => {
  const errors: string[] = [];
  const q = new TenantQueue({ concurrency: 2, onError: (tenant, error) => errors.push(`${tenant}: ${(error as Error).message}`) });
  const starts: string[] = [];
  q.add(['a', 'b', 'c']);
  await q.drain(async (tenant) => {
    starts.push(tenant);
    if (tenant === 'b') throw new Error('boom');
  });
  assert.equal(starts, ['a', 'b', 'c']);
  assert.equal(errors, ['b: boom']);
});

test('concurrency must be a whole number of at least one', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new TenantQueue({ concurrency: bad }), /at least 1/);
});

test.run();
