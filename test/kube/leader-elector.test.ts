// Leader election on a real coordination.k8s.io/v1 Lease: the pure rules, the protocol against
// the API server with an injected clock (default 15 s / 10 s / 2 s timing, no waiting), and two
// real processes where the leader is killed and the standby takes over.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../controller/model/clock.ts';
import { createLogger, silentLogger } from '../../controller/log/logger.ts';
import { LeaderElector, checkTiming } from '../../controller/kube/leader-elector.ts';
import { formatMicroTime, mayAcquire, nextLeaseSpec, releasedLeaseSpec } from '../../controller/kube/lease-record.ts';
import type { KubeClient } from '../../controller/kube/kube-client.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor, eventually } from './clients.ts';

const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);

const rules = suite('lease rules');

rules('MicroTime has six fractional digits', () => {
  assert.is(formatMicroTime(t0 + 123), '2026-01-05T09:00:00.123000Z');
});

rules('who may take the lease', () => {
  const held = { spec: { holderIdentity: 'a', leaseDurationSeconds: 15 }, observedAt: t0 };
  const cases: [string, typeof held, number, boolean][] = [
    ['the holder renews', held, t0 + 1, true],
    ['another waits while the holder is fresh', held, t0 + 14_999, false],
    ['another takes it once unchanged for the lease duration', held, t0 + 15_000, true],
    ['anyone takes a released lease at once', { spec: { holderIdentity: '', leaseDurationSeconds: 1 }, observedAt: t0 }, t0, true],
  ];
  for (const [name, observed, now, expected] of cases) {
    const who = name === 'the holder renews' ? 'a' : 'b';
    assert.is(mayAcquire(who, observed, now, 15_000), expected, name);
  }
});

rules('acquire time and transitions change only when the holder changes', () => {
  const first = nextLeaseSpec('a', undefined, t0, 15_000);
  assert.is(first.leaseTransitions, 0);
  assert.is(first.leaseDurationSeconds, 15);
  const renewed = nextLeaseSpec('a', first, t0 + 2_000, 15_000);
  assert.is(renewed.acquireTime, first.acquireTime);
  assert.is(renewed.renewTime, formatMicroTime(t0 + 2_000));
  assert.is(renewed.leaseTransitions, 0);
  const taken = nextLeaseSpec('b', renewed, t0 + 20_000, 15_000);
  assert.is(taken.acquireTime, formatMicroTime(t0 + 20_000));
  assert.is(taken.leaseTransitions, 1);
  const released = releasedLeaseSpec(taken, t0 + 21_000);
  assert.is(released.holderIdentity, null);
  assert.is(released.leaseTransitions, 1);
});

rules('timing must satisfy retry < renew deadline < lease duration', () => {
  assert.throws(() => checkTiming({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }), /retryPeriod < renewDeadline < leaseDuration/);
  assert.throws(() => checkTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 1_000, retryPeriodMs: 2_000 }));
  checkTiming({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
});

rules.run();

type Ctx = { env: KubeEnv | undefined; client: KubeClient | undefined };
const server = suite<Ctx>('leader election against kube-apiserver', { env: undefined, client: undefined });

server.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await ctx.env.ensureNamespace('election');
  ctx.client = await clientFor(ctx.env.adminKubeconfig);
});
server.after(async (ctx) => {
  ctx.client?.close();
  await ctx.env?.close();
});

async function leaseSpec(env: KubeEnv, name: string): Promise<{ holderIdentity?: string; leaseTransitions?: number; leaseDurationSeconds?: number }> {
  const r = await env.request('GET', `/apis/coordination.k8s.io/v1/namespaces/election/leases/${name}`);
  return (r.body as { spec?: object }).spec ?? {};
}

function elector(client: KubeClient, name: string, identity: string, clock: ManualClock): LeaderElector {
  return new LeaderElector({ client, namespace: 'election', name, identity, clock, logger: process.env.DEBUG_KUBE ? createLogger({ level: 'debug' }) : silentLogger() });
}

server('creates the lease, keeps others out, and a standby takes over 15 s after the last renewal it saw', async ({ env, client }) => {
  const clockA = new ManualClock(t0);
  const clockB = new ManualClock(t0 + 123_456); // replicas' clocks need not agree
  const a = elector(client!, 'takeover', 'replica-a', clockA);
  const b = elector(client!, 'takeover', 'replica-b', clockB);
  assert.is(await a.tryAcquireOrRenew(), true);
  assert.is((await leaseSpec(env!, 'takeover')).holderIdentity, 'replica-a');
  assert.is(await b.tryAcquireOrRenew(), false);
  clockA.advance(2_000);
  assert.is(await a.tryAcquireOrRenew(), true, 'the holder renews');
  clockB.advance(2_000);
  assert.is(await b.tryAcquireOrRenew(), false, 'b saw a renewal: its 15 s start again');
  // replica-a dies here: it renews no more.
  clockB.advance(14_999);
  assert.is(await b.tryAcquireOrRenew(), false, 'not yet expired');
  clockB.advance(1);
  assert.is(await b.tryAcquireOrRenew(), true, 'expired: b takes over');
  const spec = await leaseSpec(env!, 'takeover');
  assert.is(spec.holderIdentity, 'replica-b');
  assert.is(spec.leaseTransitions, 1);
  assert.is(spec.leaseDurationSeconds, 15);
  clockA.advance(30_000);
  assert.is(await a.tryAcquireOrRenew(), false, 'a comes back and finds b fresh');
});

server('two electors racing for a free lease: exactly one wins each time', async ({ client }) => {
  for (let round = 0; round < 5; round++) {
    const clock = new ManualClock(t0);
    const a = elector(client!, `race-${round}`, 'replica-a', clock);
    const b = elector(client!, `race-${round}`, 'replica-b', clock);
    // Round 0 races to create the lease; later rounds race to update a released one.
    if (round > 0) {
      const c = elector(client!, `race-${round}`, 'replica-c', clock);
      assert.is(await c.tryAcquireOrRenew(), true);
      await c.release();
    }
    const results = await Promise.all([a.tryAcquireOrRenew(), b.tryAcquireOrRenew()]);
    assert.is(results.filter(Boolean).length, 1, `round ${round}: ${results}`);
  }
});

server('run() leads, and on shutdown stops the work before releasing the lease for the next replica', async ({ env, client }) => {
  const clock = new ManualClock(t0);
  const a = elector(client!, 'release', 'replica-a', clock);
  const stop = new AbortController();
  const log: string[] = [];
  let leading!: () => void;
  const started = new Promise<void>((r) => (leading = r));
  const running = a.run(stop.signal, async (signal) => {
    log.push('lead');
    leading();
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    log.push('work stopped');
  });
  await started;
  assert.is(a.isLeader, true);
  stop.abort();
  assert.is(await running, 'stopped');
  assert.equal(log, ['lead', 'work stopped']);
  assert.is(a.isLeader, false);
  assert.is((await leaseSpec(env!, 'release')).holderIdentity, undefined, 'released: no holder');
  const b = elector(client!, 'release', 'replica-b', new ManualClock(t0));
  assert.is(await b.tryAcquireOrRenew(), true, 'the next replica takes it without waiting');
});

server('a leader that cannot renew within the renew deadline steps down', async ({ env, client }) => {
  const clock = new ManualClock(t0);
  const a = elector(client!, 'deadline', 'replica-a', clock);
  const stop = new AbortController();
  let leaderSignal: AbortSignal | undefined;
  const running = a.run(stop.signal, async (signal) => {
    leaderSignal = signal;
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
  });
  await eventually('leadership', () => (a.isLeader ? true : undefined));
  // Someone else forcibly takes the lease (as after a network partition); a's next renewal fails.
  const r = await env!.request('GET', '/apis/coordination.k8s.io/v1/namespaces/election/leases/deadline');
  const lease = r.body as { spec: Record<string, unknown> };
  lease.spec.holderIdentity = 'replica-z';
  assert.is((await env!.request('PUT', '/apis/coordination.k8s.io/v1/namespaces/election/leases/deadline', lease)).status, 200);
  while (a.isLeader) {
    clock.advance(2_000);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.is(await running, 'lost');
  assert.is(leaderSignal?.aborted, true, 'the leader work was told to stop');
  assert.is((await leaseSpec(env!, 'deadline')).holderIdentity, 'replica-z', 'a lost leader does not release someone else\'s lease');
});

function startReplica(env: KubeEnv, identity: string): { child: ChildProcess; lines: string[] } {
  const script = fileURLToPath(new URL('./fixtures/elector-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', script, env.adminKubeconfig, 'election', 'processes', identity], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    pending += d.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts);
  });
  return { child, lines };
}

server('two controller processes: the leader is killed and the other takes over', async ({ env }) => {
  const a = startReplica(env!, 'process-a');
  const b = startReplica(env!, 'process-b');
  const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
  try {
    const leader = await eventually('a leader', () => [a, b].find((p) => p.lines.some((l) => l.startsWith('LEADING'))));
    const standby = leader === a ? b : a;
    await eventually('the standby to start', () => (standby.lines.includes(`STANDBY ${standby === a ? 'process-a' : 'process-b'}`) ? true : undefined));
    const leaderId = leader === a ? 'process-a' : 'process-b';
    const standbyId = leader === a ? 'process-b' : 'process-a';
    assert.is(standby.lines.some((l) => l.startsWith('LEADING')), false, 'only one leads');
    leader.child.kill('SIGKILL');
    await exited(leader.child);
    const seenAtKill = standby.lines.length;
    await eventually('the standby to take over', () => (standby.lines.includes(`LEADING ${standbyId}`) ? true : undefined), 15_000);
    assert.ok(standby.lines.indexOf(`LEADING ${standbyId}`) >= seenAtKill, 'the standby led only after the leader died');
    const spec = await leaseSpec(env!, 'processes');
    assert.is(spec.holderIdentity, standbyId);
    assert.is.not(spec.holderIdentity, leaderId);
    // A graceful stop releases the lease.
    standby.child.kill('SIGTERM');
    await exited(standby.child);
    assert.ok(standby.lines.includes(`EXIT ${standbyId} stopped`), standby.lines.join('|'));
    assert.is((await leaseSpec(env!, 'processes')).holderIdentity, undefined);
  } finally {
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
    await Promise.all([exited(a.child), exited(b.child)]);
  }
});

server.run();
