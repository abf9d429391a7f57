// The cluster of the tenants benchmark's replicas: the tests' real etcd and kube-apiserver
// (test/kube/envtest.ts, binaries from scripts/provision-kube.sh), the CRDs of crds/, one
// namespace per tenant holding its Tenant, UpdatePolicy and DeviceGroup as custom resources,
// and the namespace of the shard and member Leases. The replicas use the admin identity: the
// benchmark measures the controller, not RBAC (test/kube/shard-rbac.test.ts checks the Role).
import { startKubeEnv, type KubeEnv } from '../../test/kube/envtest.ts';
import { KubeBinariesMissing } from '../../test/kube/envtest-binaries.ts';
import { BenchError } from './report.ts';
import { namespaceOf, tenantManifests, type TenantList } from './tenant-fleet.ts';

const root = new URL('../..', import.meta.url).pathname;
const plurals: Readonly<Record<string, string>> = { Tenant: 'tenants', UpdatePolicy: 'updatepolicies', DeviceGroup: 'devicegroups' };

/** Where the replicas keep their Leases and state ConfigMaps. */
export const leaseNamespace = 'firmwarden';

/** Starts the API server and installs the CRDs; a missing binary is a BenchError saying how to get it. */
export async function startTenantCluster(): Promise<KubeEnv> {
  let env: KubeEnv;
  try {
    env = await startKubeEnv();
  } catch (error) {
    if (error instanceof KubeBinariesMissing) throw new BenchError(`--replicas 3 runs the replicas against a real kube-apiserver: ${error.message}`);
    throw error;
  }
  try {
    await env.kubectlOk(['apply', '-f', 'crds/'], { cwd: root });
    await env.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/tenants.firmwarden.dev', 'crd/devicegroups.firmwarden.dev', 'crd/updatepolicies.firmwarden.dev']);
    await env.ensureNamespace(leaseNamespace);
    return env;
  } catch (error) {
    await env.close();
    throw error;
  }
}

/** Creates every tenant's namespace and its three objects, a few tenants at a time. */
export async function applyTenants(env: KubeEnv, list: TenantList, secrets: ReadonlyMap<string, string>): Promise<void> {
  const apply = async (index: number) => {
    const tenant = list.tenants[index]!;
    const ns = namespaceOf(tenant);
    await env.ensureNamespace(ns);
    for (const object of tenantManifests(tenant, secrets.get(ns)!)) {
      const kind = (object as { kind: string }).kind;
      const r = await env.request('POST', `/apis/firmwarden.dev/v1alpha1/namespaces/${ns}/${plurals[kind]}`, object);
      if (r.status !== 201) throw new BenchError(`creating ${kind} in namespace ${ns}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    }
  };
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < list.tenants.length) await apply(next++);
  }));
}

/** Every shard Lease's holder now (name → identity), to show how the replicas split the work. */
export async function shardHolders(env: KubeEnv): Promise<Map<string, string>> {
  const r = await env.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${leaseNamespace}/leases`);
  const items = (r.body as { items?: { metadata: { name: string }; spec?: { holderIdentity?: string } }[] } | undefined)?.items ?? [];
  return new Map(items.filter((l) => l.metadata.name.startsWith('firmwarden-shard-') && l.spec?.holderIdentity).map((l) => [l.metadata.name, l.spec!.holderIdentity!]));
}
