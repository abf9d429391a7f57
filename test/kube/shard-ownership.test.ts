// ShardOwnership against a real kube-apiserver, three (then four) replicas in this process, each
// with its own manual clock (skewed), driven round by round: after every round no shard is owned
// by two replicas (a killed replica's clock keeps running, so its gate is checked too) and every
// owner is the shard Lease's holder. Timing 3 s / 2 s / 0.5 s.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { ShardOwnership, type ShardChange } from '../../controller/kube/shard-ownership.ts';
import type { KubeClient } from '../../controller/kube/kube-client.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor } from './clients.ts';

const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };
const shards = 16;
const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);

type Ctx = { env: KubeEnv | undefined; client: KubeClient | undefined };
const server = suite<Ctx>('shard ownership against kube-apiserver', { env: undefined, client: undefined });

server.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await ctx.env.ensureNamespace('sharding');
  ctx.client = await clientFor(ctx.env.adminKubeconfig);
});
server.after(async (ctx) => {
  ctx.client?.close();
  await ctx.env?.close();
});

interface Replica {
  id: string;
  clock: ManualClock;
  own: ShardOwnership;
  alive: boolean;
  changes: ShardChange[];
}

/** A set of replicas sharing one time line (each clock skewed by its own offset). */
class Cluster {
  readonly replicas: Replica[] = [];
  elapsed = 0;
  readonly log: string[] = [];
  readonly env: KubeEnv;
  readonly client: KubeClient;
  readonly prefix: string;
  readonly beforeRelease: ((id: string, shard: number) => Promise<void>) | undefined;
  constructor(env: KubeEnv, client: KubeClient, prefix: string, beforeRelease?: (id: string, shard: number) => Promise<void>) {
    this.env = env;
    this.client = client;
    this.prefix = prefix;
    this.beforeRelease = beforeRelease;
  }

  add(id: string): Replica {
    const clock = new ManualClock(t0 + this.replicas.length * 77_777 + this.elapsed);
    const changes: ShardChange[] = [];
    const own = new ShardOwnership({
      client: this.client, namespace: 'sharding', identity: id, shards, timing, clock, logger: silentLogger(),
      shardLeasePrefix: `${this.prefix}-shard-`, memberLeasePrefix: `${this.prefix}-member-`,
      onChange: (c) => (changes.push(c), this.log.push(`${c.owned ? 'acquired' : 'stopped'} ${c.shard} ${id}`)),
      ...(this.beforeRelease ? { beforeRelease: (s: number) => this.beforeRelease!(id, s) } : {}),
    });
    const replica = { id, clock, own, alive: true, changes };
    this.replicas.push(replica);
    return replica;
  }

  async holders(): Promise<Map<number, string>> {
    const r = await this.env.request('GET', '/apis/coordination.k8s.io/v1/namespaces/sharding/leases');
    const map = new Map<number, string>();
    for (const l of (r.body as { items: { metadata: { name: string }; spec?: { holderIdentity?: string } }[] }).items) {
      const m = new RegExp(`^${this.prefix}-shard-(\\d+)$`).exec(l.metadata.name);
      if (m && l.spec?.holderIdentity) map.set(Number(m[1]), l.spec.holderIdentity);
    }
    return map;
  }

  /** Every live replica runs one round (concurrently, so they race); then the invariant is checked and time moves on. */
  async round(): Promise<void> {
    await Promise.all(this.replicas.filter((r) => r.alive).map((r) => r.own.tick()));
    await new Promise((r) => setTimeout(r, 5)); // let beforeRelease hooks settle
    const holders = await this.holders();
    for (let s = 0; s < shards; s++) {
      const owners = this.replicas.filter((r) => r.own.owns(s)).map((r) => r.id);
      assert.ok(owners.length <= 1, `shard ${s} owned by ${owners} at +${this.elapsed} ms`);
      if (owners.length === 1) assert.is(holders.get(s), owners[0], `shard ${s}: owner is the Lease's holder`);
    }
    for (const r of this.replicas) r.clock.advance(timing.retryPeriodMs);
    this.elapsed += timing.retryPeriodMs;
  }

  counts(): number[] {
    return this.replicas.filter((r) => r.alive).map((r) => r.own.owned().length);
  }

  async until(what: string, done: () => boolean, maxRounds: number): Promise<number> {
    const start = this.elapsed;
    for (let i = 0; i < maxRounds; i++) {
      await this.round();
      if (done()) return this.elapsed - start;
    }
    throw new Error(`${what}: not after ${maxRounds} rounds; counts ${this.counts()}`);
  }
}

const balanced = (cluster: Cluster) => () => {
  const counts = cluster.counts();
  return counts.reduce((a, b) => a + b, 0) === shards && Math.max(...counts) - Math.min(...counts) <= 1;
};

server('three replicas share 16 shards 6/5/5; one killed: the others take its shards within leaseDuration + retryPeriod', async ({ env, client }) => {
  const cluster = new Cluster(env!, client!, 'kill');
  const [a, b, c] = [cluster.add('replica-a'), cluster.add('replica-b'), cluster.add('replica-c')];
  await cluster.until('balance', balanced(cluster), 10);
  assert.equal(cluster.counts().sort(), [5, 5, 6]);
  for (const r of [a, b, c]) assert.ok(r.changes.every((ch) => ch.owned), `${r.id} took its share without giving any back at start`);

  // replica-b is killed (no release); its clock goes on, so its gate must close by itself.
  const lostShards = b.own.owned();
  await b.own.abandon();
  b.alive = false;
  const took = await cluster.until('takeover', () => cluster.counts().reduce((x, y) => x + y, 0) === shards && b.own.owned().length === 0, 20);
  assert.ok(took <= timing.leaseDurationMs + timing.retryPeriodMs, `taken over after ${took} ms (the bound is leaseDuration + retryPeriod)`);
  assert.equal(cluster.counts(), [8, 8]);
  const holders = await cluster.holders();
  for (const s of lostShards) assert.ok(['replica-a', 'replica-c'].includes(holders.get(s)!), `shard ${s} held by ${holders.get(s)}`);
});

server('a joining replica gets shards handed over: the old holder\'s beforeRelease finishes before the new one acquires', async ({ env, client }) => {
  let gate: (() => void) | undefined;
  const hold = new Promise<void>((r) => (gate = r));
  const cluster: Cluster = new Cluster(env!, client!, 'join', async (id, shard) => {
    cluster.log.push(`work stopping ${shard} ${id}`);
    await hold; // the shard's in-flight operations take a few rounds to finish
    cluster.log.push(`work stopped ${shard} ${id}`);
  });
  cluster.add('replica-a');
  cluster.add('replica-b');
  await cluster.until('two replicas balanced', balanced(cluster), 10);
  assert.equal(cluster.counts(), [8, 8]);
  cluster.add('replica-c');
  // While the old holders' work is stopping, nobody may take those shards.
  for (let i = 0; i < 6; i++) await cluster.round();
  assert.equal(cluster.counts().slice(0, 2).sort(), [5, 6], 'the old holders closed the gate on their extras at once');
  assert.is(cluster.counts()[2], 0, 'the new replica waits for the work to stop');
  gate!();
  await cluster.until('three replicas balanced', balanced(cluster), 10);
  assert.equal([...cluster.counts()].sort(), [5, 5, 6]);
  const handed = cluster.log.filter((l) => l.startsWith('acquired') && l.endsWith('replica-c')).map((l) => Number(l.split(' ')[1]));
  assert.ok(handed.length >= 5);
  for (const s of handed) {
    const stopped = cluster.log.findIndex((l) => l.startsWith(`work stopped ${s} `));
    assert.ok(stopped >= 0 && stopped < cluster.log.indexOf(`acquired ${s} replica-c`), `shard ${s}: ${cluster.log.filter((l) => l.includes(` ${s} `)).join(' | ')}`);
  }
});

server('a graceful stop hands every shard over and leaves: the others take them at once', async ({ env, client }) => {
  const cluster = new Cluster(env!, client!, 'stop');
  const [a, b] = [cluster.add('replica-a'), cluster.add('replica-b')];
  await cluster.until('balance', balanced(cluster), 10);
  const stopping = a.own.stop(); // runs its own rounds on its clock
  for (let i = 0; i < 4 && a.own.owned().length + (await cluster.holders()).size > 0; i++) {
    a.clock.advance(timing.retryPeriodMs);
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopping;
  a.alive = false;
  assert.ok(a.changes.filter((c) => !c.owned).every((c) => c.reason === 'stopping'));
  // The member Lease is gone and the shards are free: b takes all within a round or two.
  const took = await cluster.until('b takes all', () => b.own.owned().length === shards, 6);
  assert.ok(took <= 2 * timing.retryPeriodMs, `took ${took} ms`);
});

server.run();
