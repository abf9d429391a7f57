// Sharding with real processes against a real kube-apiserver: three replicas (fixtures/
// shard-process.ts) share 16 shards, one is killed with SIGKILL, the two others take its shards
// within the bound, a fourth joins and gets shards handed over, all stop gracefully. Every
// process prints when its gate (owns) opens and closes; the test checks that, per shard, no two
// processes' open gates ever overlap in time (so no tenant could be reconciled twice).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { eventually } from './clients.ts';

const shards = 16;
const leaseDurationMs = 3_000;
const retryPeriodMs = 500;
// Start-up of a child, scheduling on a busy 2-core machine: slack on top of the bound.
const marginMs = 2_500;

interface Replica {
  id: string;
  child: ChildProcess;
  lines: string[];
  owned: Set<number>;
  /** Per shard, [opened, closed] times of the gate; closed undefined while open. */
  gates: [number, number, number | undefined][];
}

function startReplica(env: KubeEnv, id: string): Replica {
  const script = fileURLToPath(new URL('./fixtures/shard-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', script, env.adminKubeconfig, 'sharding', 'proc', id], { stdio: ['ignore', 'pipe', 'inherit'] });
  const replica: Replica = { id, child, lines: [], owned: new Set(), gates: [] };
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    pending += d.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const line of parts) {
      replica.lines.push(line);
      const [word, shard, at] = line.split(' ');
      if (word === 'OWN') (replica.owned.add(Number(shard)), replica.gates.push([Number(shard), Number(at), undefined]));
      if (word === 'DROP') {
        replica.owned.delete(Number(shard));
        const open = replica.gates.findLast((g) => g[0] === Number(shard) && g[2] === undefined);
        if (open) open[2] = Number(at);
      }
    }
  });
  return replica;
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
const total = (rs: Replica[]) => rs.reduce((n, r) => n + r.owned.size, 0);
const balanced = (rs: Replica[]) => () => (total(rs) === shards && Math.max(...rs.map((r) => r.owned.size)) - Math.min(...rs.map((r) => r.owned.size)) <= 1 ? true : undefined);

type Ctx = { env: KubeEnv | undefined };
const test = suite<Ctx>('sharding with replica processes', { env: undefined });
test.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await ctx.env.ensureNamespace('sharding');
});
test.after(async (ctx) => {
  await ctx.env?.close();
});

test('three replicas, one kill -9ed: its shards are taken within leaseDuration + retryPeriod, a fourth joins, no shard ever has two open gates', async ({ env }) => {
  const [a, b, c] = ['replica-a', 'replica-b', 'replica-c'].map((id) => startReplica(env!, id)) as [Replica, Replica, Replica];
  const all = [a, b, c];
  try {
    await eventually('three replicas to share the shards', balanced([a, b, c]), 30_000);
    assert.equal([a, b, c].map((r) => r.owned.size).sort(), [5, 5, 6]);

    const killedAt = Date.now();
    b.child.kill('SIGKILL');
    await exited(b.child);
    for (const g of b.gates) if (g[2] === undefined) g[2] = killedAt; // a dead process does nothing more
    const lost = [...b.owned];
    b.owned.clear();
    await eventually('the survivors to take the killed replica\'s shards', () => (total([a, c]) === shards ? true : undefined), 20_000);
    const takenAt = Math.max(...lost.map((s) => [a, c].flatMap((r) => r.gates.filter((g) => g[0] === s).map((g) => g[1]))).map((ts) => Math.max(...ts)));
    const took = takenAt - killedAt;
    if (process.env.FIRMWARDEN_SHARD_FIGURES) console.log(`kill -9 -> all ${lost.length} shards taken over: ${took} ms`);
    assert.ok(took >= leaseDurationMs - retryPeriodMs, `taken over after ${took} ms: too early for the lease to have expired`);
    assert.ok(took <= leaseDurationMs + retryPeriodMs + marginMs, `taken over after ${took} ms`);

    const d = startReplica(env!, 'replica-d');
    all.push(d);
    await eventually('the new replica to get its share', balanced([a, c, d]), 30_000);
    assert.equal([a, c, d].map((r) => r.owned.size).sort(), [5, 5, 6]);

    for (const r of [a, c, d]) r.child.kill('SIGTERM');
    await Promise.all([a, c, d].map((r) => exited(r.child)));
    for (const r of [a, c, d]) assert.ok(r.lines.includes(`EXIT ${r.id}`), `${r.id}: ${r.lines.slice(-3).join(' | ')}`);
    const leases = (await env!.request('GET', '/apis/coordination.k8s.io/v1/namespaces/sharding/leases')).body as { items: { metadata: { name: string }; spec?: { holderIdentity?: string } }[] };
    assert.equal(leases.items.filter((l) => l.metadata.name.startsWith('proc-shard-') && l.spec?.holderIdentity).map((l) => l.metadata.name), [], 'a graceful stop releases every shard');
    assert.equal(leases.items.filter((l) => l.metadata.name.startsWith('proc-member-')).map((l) => l.metadata.name), ['proc-member-replica-b'], 'only the killed replica\'s member Lease is left (deleted by others after 4 lease durations)');

    for (let s = 0; s < shards; s++) {
      const gates = all.flatMap((r) => r.gates.filter((g) => g[0] === s).map((g) => ({ id: r.id, from: g[1], to: g[2] ?? Infinity }))).sort((x, y) => x.from - y.from);
      for (let i = 1; i < gates.length; i++) {
        assert.ok(gates[i]!.from >= gates[i - 1]!.to, `shard ${s}: ${gates[i - 1]!.id} [${gates[i - 1]!.from}, ${gates[i - 1]!.to}] overlaps ${gates[i]!.id} from ${gates[i]!.from}`);
      }
    }
    const moves = all.reduce((n, r) => n + r.gates.length, 0);
    assert.ok(moves >= shards + lost.length + 5, `gates opened ${moves} times`);
  } finally {
    for (const r of all) r.child.kill('SIGKILL');
    await Promise.all(all.map((r) => exited(r.child)));
  }
});

test.run();
