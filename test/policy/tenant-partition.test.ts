// partitionByTenant, table-driven: each case gives manifests and Tenants and the exact partition
// (namespace -> the keys of its manifests), the unbound namespaces with their reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ManifestEntry } from '../../controller/model/desired.ts';
import { partitionByTenant, type TenantPartitions } from '../../controller/policy/tenant-partition.ts';

function entry(kind: string, name: string, namespace: string | undefined, spec: Record<string, unknown> = {}, valid = true): ManifestEntry {
  const metadata = namespace === undefined ? { name } : { name, namespace };
  return { key: `${namespace ?? 'default'}/${kind}/${name}`, kind, file: `${namespace ?? 'default'}/${name}.yaml`, docIndex: 0, valid, manifest: { apiVersion: 'firmwarden.dev/v1alpha1', kind, metadata, spec } };
}
const tenant = (name: string, namespace: string | undefined, tenantId: string, valid = true) =>
  entry('Tenant', name, namespace, { tenantId, clientId: '00000000-0000-4000-8000-000000000009', credentials: { workloadIdentity: {} } }, valid);
const policy = (name: string, ns?: string) => entry('UpdatePolicy', name, ns, { software: { firmware: { phase: 'General' } } });
const group = (name: string, ns: string | undefined, policyName: string) => entry('DeviceGroup', name, ns, { policyRef: { name: policyName }, selector: { tags: ['rooms'] } });
const scheduled = (name: string, ns: string | undefined, deviceIds: string[]) => entry('ScheduledUpdate', name, ns, { targets: { deviceIds }, software: [{ type: 'teamsClient' }] });

const contoso = tenant('contoso', 'contoso', 'contoso.onmicrosoft.com');
const fabrikam = tenant('fabrikam', 'fabrikam', '7d3f8c2a-1b4e-4f6a-9c0d-2e5b8a1f4c37');

/** namespace (or '*' for the implicit tenant) -> manifest keys; unbound as "namespace reason: keys". */
function shape(p: TenantPartitions<ManifestEntry>): { tenants: Record<string, string[]>; unbound: string[] } {
  return {
    tenants: Object.fromEntries(p.tenants.map((t) => [t.namespace ?? '*', t.manifests.map((m) => m.key)])),
    unbound: p.unbound.map((u) => `${u.namespace} ${u.reason}: ${[...u.tenants, ...u.manifests].map((m) => m.key).join(' ')}`),
  };
}

const cases: [name: string, manifests: ManifestEntry[], tenants: ManifestEntry[], expect: ReturnType<typeof shape>][] = [
  [
    'no Tenant: one implicit tenant with everything, every namespace (as today)',
    [policy('p'), group('g', undefined, 'p'), policy('p', 'lab'), scheduled('s', 'lab', ['d1'])],
    [],
    { tenants: { '*': ['default/UpdatePolicy/p', 'default/DeviceGroup/g', 'lab/UpdatePolicy/p', 'lab/ScheduledUpdate/s'] }, unbound: [] },
  ],
  [
    'two Tenants: each gets its namespace, nothing else',
    [policy('p', 'contoso'), group('g', 'contoso', 'p'), policy('p', 'fabrikam'), group('g', 'fabrikam', 'p')],
    [contoso, fabrikam],
    { tenants: { contoso: ['contoso/UpdatePolicy/p', 'contoso/DeviceGroup/g'], fabrikam: ['fabrikam/UpdatePolicy/p', 'fabrikam/DeviceGroup/g'] }, unbound: [] },
  ],
  [
    "a group in A naming a policy that exists only in B stays in A; B's partition never gets it",
    [group('rooms', 'contoso', 'vip'), policy('vip', 'fabrikam')],
    [contoso, fabrikam],
    { tenants: { contoso: ['contoso/DeviceGroup/rooms'], fabrikam: ['fabrikam/UpdatePolicy/vip'] }, unbound: [] },
  ],
  [
    "a ScheduledUpdate in A listing a device id of B's fleet stays in A (it is checked against A's fleet only)",
    [scheduled('now', 'contoso', ['fabrikam-device-1'])],
    [contoso, fabrikam],
    { tenants: { contoso: ['contoso/ScheduledUpdate/now'], fabrikam: [] }, unbound: [] },
  ],
  [
    'Tenants declared: a namespace without one is unbound (NoTenant), the default namespace included',
    [policy('p'), policy('p', 'contoso'), entry('NotificationChannel', 'c', 'stray')],
    [contoso],
    { tenants: { contoso: ['contoso/UpdatePolicy/p'] }, unbound: ['default NoTenant: default/UpdatePolicy/p', 'stray NoTenant: stray/NotificationChannel/c'] },
  ],
  [
    'an invalid Tenant stops its namespace, and still ends the implicit tenant',
    [policy('p', 'contoso'), policy('q')],
    [tenant('contoso', 'contoso', 'contoso.onmicrosoft.com', false)],
    { tenants: {}, unbound: ['contoso TenantInvalid: contoso/Tenant/contoso contoso/UpdatePolicy/p', 'default NoTenant: default/UpdatePolicy/q'] },
  ],
  [
    'two Tenants in one namespace: it stops (which one would be a guess)',
    [policy('p', 'contoso')],
    [contoso, tenant('other', 'contoso', 'other.onmicrosoft.com'), fabrikam],
    { tenants: { fabrikam: [] }, unbound: ['contoso TenantConflict: contoso/Tenant/contoso contoso/Tenant/other contoso/UpdatePolicy/p'] },
  ],
  [
    'one tenant id claimed by two namespaces (case aside): both stop, the third goes on',
    [policy('p', 'a'), policy('p', 'b'), policy('p', 'fabrikam')],
    [tenant('a', 'a', 'Contoso.onmicrosoft.com'), tenant('b', 'b', 'contoso.onmicrosoft.com'), fabrikam],
    { tenants: { fabrikam: ['fabrikam/UpdatePolicy/p'] }, unbound: ['a TenantConflict: a/Tenant/a a/UpdatePolicy/p', 'b TenantConflict: b/Tenant/b b/UpdatePolicy/p'] },
  ],
  [
    'Tenant manifests among the manifests are heads of partitions, not members',
    [contoso, policy('p', 'contoso')],
    [contoso],
    { tenants: { contoso: ['contoso/UpdatePolicy/p'] }, unbound: [] },
  ],
];

for (const [name, manifests, tenants, expect] of cases) {
  test(name, () => {
    assert.equal(shape(partitionByTenant(manifests, tenants)), expect);
  });
}

test('every manifest lands in exactly one place, and the partition carries its Tenant', () => {
  const manifests = [policy('p', 'contoso'), group('g', 'contoso', 'p'), policy('p', 'fabrikam'), policy('x', 'stray')];
  const result = partitionByTenant(manifests, [contoso, fabrikam]);
  const placed = [...result.tenants.flatMap((t) => t.manifests), ...result.unbound.flatMap((u) => u.manifests)];
  assert.equal(placed.map((m) => m.key).sort(), manifests.map((m) => m.key).sort());
  assert.is(result.tenants.find((t) => t.namespace === 'contoso')!.tenant, contoso);
});

test.run();
