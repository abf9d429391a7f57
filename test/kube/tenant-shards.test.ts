// Issue 16's acceptance test against a real kube-apiserver: twenty emulated tenants (a Tenant
// CR, its client secret in a Secret, a group and a policy in each of twenty namespaces), three
// `firmwarden run --kubernetes --shards 16` replica processes, one of them `kill -9`ed while
// updates are being started. Its shards are taken over within leaseDuration + retryPeriod (plus
// a margin for a busy machine), nothing is posted twice (the emulator's request log: no device
// gets two updateSoftware for one software type and version), every tenant converges, and every
// request of a tenant was made with its own token. Short lease timings, three devices a tenant,
// the emulator's clock 120 times faster so that updates take seconds. The replicas run as the
// controller's ServiceAccount with examples/deploy/ plus its sharding/ and tenants/ Roles, and
// in each tenant's namespace the Role its Secret needs (20-rbac-controller.yaml's header).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { eventually } from './clients.ts';
import { root, start, stopAll, tail, type Proc } from './controller-process.ts';
import { roomsYaml, tenantYaml } from '../support/tenant-manifests.ts';
import { readTenantList, type ListedTenant } from '../support/tenant-list.ts';

type TenantInfo = ListedTenant;
interface Post { tenant: string; deviceId: string; softwareType: string | null; targetVersion: string | null; status: number }

const tenantCount = 20;
const leaseDurationMs = 3_000;
const retryPeriodMs = 500;
// Start-up and scheduling of three controllers, an emulator and an API server on two cores.
const marginMs = 3_000;
const namespaces = Array.from({ length: tenantCount }, (_, i) => `customer-${String(i).padStart(2, '0')}`);

function manifests(ns: string, t: TenantInfo): string {
  return `apiVersion: v1
kind: Secret
metadata: { name: graph, namespace: ${ns} }
stringData: { client-secret: "${t.clientSecret}" }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: firmwarden-tenant-secret, namespace: ${ns} }
rules: [{ apiGroups: [""], resources: [secrets], resourceNames: [graph], verbs: [get] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: firmwarden-tenant-secret, namespace: ${ns} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: firmwarden-tenant-secret }
subjects: [{ kind: ServiceAccount, name: firmwarden, namespace: firmwarden }]
---
${tenantYaml(ns, t, { name: 'graph', key: 'client-secret' })}---
${roomsYaml(ns)}`;
}

type Ctx = { env: KubeEnv | undefined; kubeconfig: string };
const test = suite<Ctx>('tenants sharded over three replicas on kube-apiserver', { env: undefined, kubeconfig: '' });
test.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await ctx.env.kubectlOk(['apply', '-k', 'examples/deploy/'], { cwd: root });
  await ctx.env.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/tenants.firmwarden.dev', 'crd/devicegroups.firmwarden.dev', 'crd/updatepolicies.firmwarden.dev']);
  await ctx.env.kubectlOk(['apply', '-f', 'examples/deploy/sharding/', '-f', 'examples/deploy/tenants/'], { cwd: root });
  ctx.kubeconfig = await ctx.env.serviceAccountKubeconfig('firmwarden', 'firmwarden');
});
test.after(async (ctx) => {
  await ctx.env?.close();
});

async function shardHolders(env: KubeEnv): Promise<Map<string, string>> {
  const r = await env.request('GET', '/apis/coordination.k8s.io/v1/namespaces/firmwarden/leases');
  const items = (r.body as { items: { metadata: { name: string }; spec?: { holderIdentity?: string } }[] }).items;
  return new Map(items.filter((l) => l.metadata.name.startsWith('firmwarden-shard-')).map((l) => [l.metadata.name, l.spec?.holderIdentity ?? '']));
}

interface PolicyStatus { updates?: Record<string, number>; currentWave?: string; conditions?: { type: string; message?: string }[] }
async function policyStatus(env: KubeEnv, ns: string): Promise<PolicyStatus | undefined> {
  const r = await env.request('GET', `/apis/firmwarden.dev/v1alpha1/namespaces/${ns}/updatepolicies/fast`);
  return (r.body as { status?: PolicyStatus }).status;
}
async function policyUpdates(env: KubeEnv, ns: string): Promise<Record<string, number> | undefined> {
  return (await policyStatus(env, ns))?.updates;
}

test('twenty tenants, three replicas, one kill -9ed mid-rollout: taken over within the bound, nothing posted twice, every tenant converges', async ({ env, kubeconfig }) => {
  const procs: Proc[] = [];
  try {
    const listFile = join(env!.dir, 'tenants.json');
    const emulator = start(['emulator', '--port', '0', '--rate-limit', '0', '--tenants', String(tenantCount), '--devices', '3', '--seed', '5', '--speed', '120', '--tenants-out', listFile]);
    procs.push(emulator);
    const list = await readTenantList(emulator, listFile);
    const origin = list.graphBaseUrl.replace(/\/beta\/?$/, '');
    for (const ns of namespaces) await env!.ensureNamespace(ns);
    await env!.kubectlOk(['apply', '-f', '-'], { input: namespaces.map((ns, i) => manifests(ns, list.tenants[i]!)).join('---\n') });
    const replica = (identity: string) => start(['run', '--kubernetes', '--kubeconfig', kubeconfig, '--shards', '16', '--lease-namespace', 'firmwarden',
      '--identity', identity, '--listen', '127.0.0.1:0', '--lease-duration', `${leaseDurationMs}ms`, '--lease-renew-deadline', '2s', '--lease-retry-period', `${retryPeriodMs}ms`,
      // No single-tenant flags: every Tenant brings its own credentials; --graph-url points them all at the emulator.
      '--resync', '2s', '--graph-url', list.graphBaseUrl, '--tenant-concurrency', '4']);
    const replicas = new Map(['replica-a', 'replica-b', 'replica-c'].map((id) => [id, replica(id)]));
    procs.push(...replicas.values());
    const posts = async () => (await Promise.all(list.tenants.map(async (t) => (await (await fetch(`${origin}/_emulator/tenants/${t.tenantId}/requests?action=updateSoftware`)).json()) as Post[]))).flat();

    // Every shard held, by the three replicas; then kill the busiest while updates are being started.
    const holders = await eventually('the three replicas to share 16 shards', async () => {
      const h = await shardHolders(env!);
      return h.size === 16 && [...h.values()].every((v) => replicas.has(v)) && new Set(h.values()).size === 3 ? h : undefined;
    }, 40_000);
    await eventually(`updates to be started\n${[...replicas.values()].map(tail).join('\n---\n')}`, async () => ((await posts()).length >= 5 ? true : undefined), 40_000);
    const count = (id: string) => [...holders.values()].filter((v) => v === id).length;
    const victim = [...replicas.keys()].sort((a, b) => count(b) - count(a))[0]!;
    const lost = [...holders].filter(([, v]) => v === victim).map(([name]) => name);
    const killedAt = Date.now();
    replicas.get(victim)!.child.kill('SIGKILL');
    await replicas.get(victim)!.exited;
    await eventually(`the survivors to take ${lost.length} shards of ${victim}`, async () => {
      const h = await shardHolders(env!);
      return lost.every((name) => { const v = h.get(name); return v !== undefined && v !== victim && replicas.has(v); }) ? true : undefined;
    }, 30_000);
    const took = Date.now() - killedAt;
    assert.ok(took <= leaseDurationMs + retryPeriodMs + marginMs, `taken over in ${took} ms, bound ${leaseDurationMs + retryPeriodMs} ms + ${marginMs} ms margin`);

    // Every tenant converges (nothing pending, scheduled or in flight; something succeeded).
    const survivors = [...replicas].filter(([id]) => id !== victim).map(([, p]) => p);
    const converged = async (ns: string) => {
      const u = await policyUpdates(env!, ns);
      return u !== undefined && u.pending === 0 && u.scheduled === 0 && u.inProgress === 0 && (u.succeeded ?? 0) > 0;
    };
    try {
      await eventually('every tenant to converge', async () => {
        for (const ns of namespaces) if (!(await converged(ns))) return undefined;
        return true;
      }, 120_000);
    } catch (error) {
      const behind = [];
      for (const [i, ns] of namespaces.entries()) {
        if (await converged(ns)) continue;
        const state = (await env!.request('GET', `/api/v1/namespaces/firmwarden/configmaps/firmwarden-state-${ns}`)).text;
        const own = await (await fetch(`${origin}/_emulator/tenants/${list.tenants[i]!.tenantId}/requests?action=updateSoftware`)).json();
        const status = await policyStatus(env!, ns);
        // The counts, and in words why the rest waits: the rollout line and the Ready message.
        const why = [status?.currentWave, status?.conditions?.find((c) => c.type === 'Ready')?.message].filter(Boolean).join(' | ');
        behind.push(`${ns}: ${JSON.stringify(status?.updates)} ${why}\nstate: ${state.slice(0, 3000)}\nposts: ${JSON.stringify(own)}`);
      }
      throw new Error(`${(error as Error).message}\n${behind.join('\n')}\n${survivors.map(tail).join('\n---\n')}`, { cause: error });
    }

    const all = await posts();
    const seen = new Map<string, number>();
    for (const p of all) seen.set(`${p.tenant}|${p.deviceId}|${p.softwareType}|${p.targetVersion}`, (seen.get(`${p.tenant}|${p.deviceId}|${p.softwareType}|${p.targetVersion}`) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1);
    assert.equal(twice, [], 'no device got two updateSoftware for one software type and version');
    for (const [i, t] of list.tenants.entries()) {
      const own = await (await fetch(`${origin}/_emulator/tenants/${t.tenantId}/requests?action=updateSoftware`)).json() as Post[];
      assert.ok(own.length > 0, `${namespaces[i]} posted updates`);
      assert.ok(own.every((p) => p.tenant === t.tenantId), `${namespaces[i]}: only its own token`);
    }
    process.stderr.write(`tenant-shards: ${lost.length} shards of ${victim} taken over in ${took} ms; ${all.length} updates posted, none twice\n`);

    // A graceful stop hands every shard back (released, not left to expire) and exits 0.
    for (const p of survivors) p.child.kill('SIGTERM');
    assert.equal(await Promise.all(survivors.map((p) => p.exited)), [0, 0], survivors.map(tail).join('\n---\n'));
    assert.ok([...(await shardHolders(env!)).values()].every((h) => h === ''), 'every shard Lease released');
  } finally {
    await stopAll(procs);
  }
});

test.run();
