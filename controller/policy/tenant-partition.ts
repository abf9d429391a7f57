// Which tenant each manifest acts on. The boundary is the namespace: a Tenant binds every
// manifest of its namespace and nothing else, so a reconciler given one partition can only ever
// reach that tenant's devices: a reference or a device id naming something of another namespace
// simply finds nothing there. Without any Tenant, everything is one implicit tenant (the one the
// flags and environment name), as before Tenants existed. Pure.
import type { Tenant } from '../model/manifests.generated.ts';

/** What the partition needs of a manifest (the loader's ManifestEntry fits). */
export interface PartitionedManifest {
  readonly kind: string;
  readonly valid: boolean;
  readonly manifest: unknown;
}

/** The manifests one tenant acts on. */
export interface TenantPartition<M> {
  /** The Tenant's namespace; undefined for the implicit tenant of flags and environment. */
  readonly namespace: string | undefined;
  /** The Tenant (valid); undefined for the implicit tenant. */
  readonly tenant: M | undefined;
  /** Every other manifest of the namespace (all of them for the implicit tenant), in input order. */
  readonly manifests: readonly M[];
}

/**
 * Why a namespace's manifests act on no tenant. NoTenant: Tenants exist, none in this namespace;
 * TenantInvalid: its only Tenant is not valid; TenantConflict: two Tenants in the namespace, or
 * its Tenant names the same tenant id as another namespace's (then both namespaces stop).
 */
export type UnboundReason = 'NoTenant' | 'TenantInvalid' | 'TenantConflict';

/** A namespace whose manifests are not acted upon, and why. */
export interface UnboundNamespace<M> {
  readonly namespace: string;
  readonly reason: UnboundReason;
  /** The namespace's Tenants (none for NoTenant). */
  readonly tenants: readonly M[];
  readonly manifests: readonly M[];
}

export interface TenantPartitions<M> {
  /** One per namespace with exactly one valid, unshared Tenant, by namespace; or the one implicit tenant. */
  readonly tenants: readonly TenantPartition<M>[];
  /** Namespaces acted upon by no tenant, by namespace (always empty without Tenants). */
  readonly unbound: readonly UnboundNamespace<M>[];
}

/** metadata.namespace, or 'default' (as references resolve). */
export function namespaceOfManifest(manifest: unknown): string {
  const ns = (manifest as { metadata?: { namespace?: unknown } } | null)?.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}

/**
 * Splits `manifests` by the `tenants` (Tenant manifests, valid or not; Tenants among `manifests`
 * are ignored there). Any Tenant at all, even an invalid one, ends the implicit tenant: a
 * namespace whose Tenant is broken must stop, never fall back on the flags' tenant.
 */
export function partitionByTenant<M extends PartitionedManifest>(manifests: readonly M[], tenants: readonly M[]): TenantPartitions<M> {
  const others = manifests.filter((m) => m.kind !== 'Tenant');
  if (tenants.length === 0) return { tenants: [{ namespace: undefined, tenant: undefined, manifests: others }], unbound: [] };

  const tenantsByNamespace = groupBy(tenants, (t) => namespaceOfManifest(t.manifest));
  const manifestsByNamespace = groupBy(others, (m) => namespaceOfManifest(m.manifest));
  // A tenant id claimed from two namespaces: both stop, since either could act on the other's devices.
  const namespacesByTenantId = new Map<string, Set<string>>();
  for (const [namespace, list] of tenantsByNamespace) {
    for (const t of list) {
      if (!t.valid) continue;
      const id = (t.manifest as Tenant).spec.tenantId.toLowerCase();
      const set = namespacesByTenantId.get(id) ?? new Set<string>();
      set.add(namespace);
      namespacesByTenantId.set(id, set);
    }
  }

  const bound: TenantPartition<M>[] = [];
  const unbound: UnboundNamespace<M>[] = [];
  for (const namespace of [...new Set([...tenantsByNamespace.keys(), ...manifestsByNamespace.keys()])].sort()) {
    const own = tenantsByNamespace.get(namespace) ?? [];
    const list = manifestsByNamespace.get(namespace) ?? [];
    const tenant = own[0];
    const reason: UnboundReason | undefined =
      tenant === undefined ? 'NoTenant'
      : own.length > 1 ? 'TenantConflict'
      : !tenant.valid ? 'TenantInvalid'
      : namespacesByTenantId.get((tenant.manifest as Tenant).spec.tenantId.toLowerCase())!.size > 1 ? 'TenantConflict'
      : undefined;
    if (reason === undefined) bound.push({ namespace, tenant, manifests: list });
    else unbound.push({ namespace, reason, tenants: own, manifests: list });
  }
  return { tenants: bound, unbound };
}

function groupBy<M>(items: readonly M[], keyOf: (item: M) => string): Map<string, M[]> {
  const out = new Map<string, M[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}
