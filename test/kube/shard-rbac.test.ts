// examples/deploy/sharding/ on a real API server: the base Role (one Lease, by name) is not
// enough for sharding; with the opt-in Role added, ShardOwnership runs as the controller's
// ServiceAccount (member Lease, shard Leases, graceful stop), still only in its own namespace.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { ShardOwnership } from '../../controller/kube/shard-ownership.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor } from './clients.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const controllerSA = 'system:serviceaccount:firmwarden:firmwarden';
const timing = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

const test = suite<{ env: KubeEnv | undefined }>('examples/deploy/sharding on kube-apiserver', { env: undefined });
test.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await ctx.env.kubectlOk(['apply', '-k', 'examples/deploy/'], { cwd: root });
});
test.after(async (ctx) => {
  await ctx.env?.close();
});

async function ownership(env: KubeEnv, clock: ManualClock): Promise<ShardOwnership> {
  const client = await clientFor(await env.serviceAccountKubeconfig('firmwarden', 'firmwarden'));
  return new ShardOwnership({ client, namespace: 'firmwarden', identity: 'firmwarden-7d9f-abcde', shards: 4, timing, clock, logger: silentLogger() });
}

async function rounds(own: ShardOwnership, clock: ManualClock, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await own.tick();
    clock.advance(timing.retryPeriodMs);
  }
}

test('the base Role alone cannot shard; with examples/deploy/sharding/ the ServiceAccount holds the shards and stops cleanly', async ({ env }) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9));
  const before = await ownership(env!, clock);
  await rounds(before, clock, 3);
  assert.equal(before.owned(), [], 'listing Leases is forbidden by the base Role');

  await env!.kubectlOk(['apply', '-f', 'examples/deploy/sharding/'], { cwd: root });
  const own = await ownership(env!, clock);
  await rounds(own, clock, 3);
  assert.equal(own.owned(), [0, 1, 2, 3]);
  const stopping = own.stop();
  for (let i = 0; i < 6; i++) {
    clock.advance(timing.retryPeriodMs);
    await new Promise((r) => setTimeout(r, 30));
  }
  await stopping;
  const leases = (await env!.request('GET', '/apis/coordination.k8s.io/v1/namespaces/firmwarden/leases')).body as { items: { metadata: { name: string }; spec?: { holderIdentity?: string } }[] };
  assert.equal(leases.items.map((l) => [l.metadata.name, l.spec?.holderIdentity ?? '']).sort(), [
    ['firmwarden-shard-0', ''], ['firmwarden-shard-1', ''], ['firmwarden-shard-2', ''], ['firmwarden-shard-3', ''],
  ], 'shards released, member Lease deleted');
});

test('the sharding Role reaches Leases in the controller\'s namespace only', async ({ env }) => {
  const can = async (verb: string, resource: string, ns: string) => (await env!.kubectl(['auth', 'can-i', verb, resource, '-n', ns, `--as=${controllerSA}`])).stdout.trim() === 'yes';
  assert.is(await can('delete', 'leases.coordination.k8s.io/firmwarden-member-x', 'firmwarden'), true);
  assert.is(await can('list', 'leases.coordination.k8s.io', 'firmwarden'), true);
  assert.is(await can('update', 'leases.coordination.k8s.io/firmwarden-shard-0', 'kube-system'), false);
  assert.is(await can('list', 'leases.coordination.k8s.io', 'kube-system'), false);
  assert.is(await can('get', 'secrets', 'firmwarden'), false);
});

test.run();
