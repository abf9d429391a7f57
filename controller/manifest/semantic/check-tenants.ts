// Tenants: a namespace is one Microsoft 365 tenant, so it holds at most one Tenant; no two
// Tenants name the same tenant or read the same credential (one customer's secret must never
// sign in for another); and once Tenants are declared, a manifest in a namespace without one
// acts on nothing, which lint says before the controller does.
import type { Check, CheckContext, Entry, EntryOf } from './context.ts';
import { validOf, whereIs } from './context.ts';
import { checkSecretRef } from './check-notifications.ts';
import type { SecretRef } from '../../model/manifests.generated.ts';
import type { PathSegment } from '../yaml-document.ts';

type TenantEntry = EntryOf<'Tenant'>;

/** The kinds a Tenant binds in its namespace. */
const boundKinds: ReadonlySet<string> = new Set(['DeviceGroup', 'UpdatePolicy', 'ScheduledUpdate', 'NotificationChannel', 'NotificationRule']);

function tenantsOf(entries: readonly Entry[]): TenantEntry[] {
  return entries.filter((e): e is TenantEntry => e.kind === 'Tenant');
}

/** Whether a manifest is one lint checks (not one read only to be referred to). */
function checkedBy(ctx: CheckContext): (entry: Entry) => boolean {
  if (!ctx.referable || ctx.referable === ctx.entries) return () => true;
  const checked = new Set(ctx.entries);
  return (entry) => checked.has(entry);
}

function namespaceText(namespace: string): string {
  return namespace === 'default' ? 'the default namespace' : `namespace ${namespace}`;
}

/** Where a finding about the namespace points: metadata.namespace when written, else the name. */
function namespacePath(entry: Entry): PathSegment[] {
  const written = (entry.manifest as { metadata?: { namespace?: unknown } } | null)?.metadata?.namespace;
  return written === undefined ? ['metadata', 'name'] : ['metadata', 'namespace'];
}

/**
 * Calls `clash(tenant, other)` for each Tenant lint checks that shares its key with another:
 * every one after the first of a group (in file order), and the first one itself when the other
 * was read only for reference (lint given a few files: the files given come first).
 */
function eachClash(ctx: CheckContext, tenants: readonly TenantEntry[], keyOf: (t: TenantEntry) => string | undefined, clash: (tenant: TenantEntry, other: TenantEntry) => void): void {
  const groups = new Map<string, TenantEntry[]>();
  for (const tenant of tenants) {
    const key = keyOf(tenant);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(tenant);
    else groups.set(key, [tenant]);
  }
  const isChecked = checkedBy(ctx);
  for (const [first, ...others] of groups.values() as Iterable<[TenantEntry, ...TenantEntry[]]>) {
    // The same Tenant twice (same name) is duplicate-name's finding, not this one.
    const distinct = others.filter((t) => t.key !== first.key);
    for (const tenant of distinct) if (isChecked(tenant)) clash(tenant, first);
    const unchecked = distinct.find((t) => !isChecked(t));
    if (unchecked && isChecked(first)) clash(first, unchecked);
  }
}

/** tenant-twice-in-namespace: a namespace holds at most one Tenant; the message names both places. */
export const checkTenantPerNamespace: Check = (ctx) => {
  eachClash(ctx, tenantsOf(ctx.referable ?? ctx.entries), (t) => t.namespace, (tenant, other) =>
    ctx.report(
      tenant,
      namespacePath(tenant),
      'value',
      'tenant-twice-in-namespace',
      `${namespaceText(tenant.namespace)} already has Tenant '${other.name}' (${whereIs(other)}); this is a second one (${whereIs(tenant)}). A namespace is one tenant: move Tenant '${tenant.name}' and its manifests to a namespace of their own, or delete one of the two`,
    ),
  );
};

/** The credential a Tenant reads, as one comparable text, with the field it is written in; undefined for workload identity (one pod token is meant to be shared). */
function credentialOf(tenant: TenantEntry): { id: string; path: PathSegment[]; ref: SecretRef } | undefined {
  const credentials = tenant.manifest.spec.credentials;
  const way = credentials.clientSecret ? 'clientSecret' : credentials.certificate ? 'certificate' : undefined;
  const ref = way && credentials[way]?.secretRef;
  if (!way || !ref) return undefined;
  // A Kubernetes Secret is read in the Tenant's own namespace: the same name elsewhere is another Secret.
  const id = ref.file !== undefined ? `file ${ref.file.replace(/\/+/g, '/')}` : ref.env !== undefined ? `environment variable ${ref.env}` : `Secret ${tenant.namespace}/${ref.name ?? ''} key ${ref.key ?? ''}`;
  return { id, path: ['spec', 'credentials', way, 'secretRef'], ref };
}

/**
 * tenant-credentials-shared: two Tenants naming one tenant id, or reading their client secret or
 * certificate from one place; secret-ref-form for a Tenant's secretRef, as for a NotificationChannel's.
 */
export const checkTenantCredentials: Check = (ctx) => {
  const valid = tenantsOf(ctx.referable ?? ctx.entries).filter((t) => t.schemaValid);
  eachClash(ctx, valid, (t) => t.manifest.spec.tenantId.toLowerCase(), (tenant, other) =>
    ctx.report(
      tenant,
      ['spec', 'tenantId'],
      'value',
      'tenant-credentials-shared',
      `tenant ${tenant.manifest.spec.tenantId} is also declared by Tenant '${other.name}' in ${namespaceText(other.namespace)} (${whereIs(other)}); one Microsoft 365 tenant is one Tenant: keep its manifests in one namespace and delete the other Tenant`,
    ),
  );
  eachClash(ctx, valid, (t) => credentialOf(t)?.id, (tenant, other) => {
    const credential = credentialOf(tenant)!;
    ctx.report(
      tenant,
      credential.path,
      'key',
      'tenant-credentials-shared',
      `Tenant '${other.name}' (${whereIs(other)}) also reads its credential from the ${credential.id}; credentials are never shared between tenants: keep this tenant's credential in a place of its own`,
    );
  });
  for (const tenant of validOf(ctx, 'Tenant')) {
    const credential = credentialOf(tenant);
    if (credential) checkSecretRef(ctx, tenant, credential.ref, credential.path);
  }
};

/**
 * no-tenant-in-namespace: once any Tenant is declared, a manifest of a namespace without one is
 * not acted upon; warned once per manifest, at its namespace.
 */
export const checkManifestsHaveTenant: Check = (ctx) => {
  // Only a Tenant among the files lint checks makes Tenants "declared". A Tenant read for
  // reference (lint given a few files) may belong to another configuration in the same
  // repository (another folder another controller reads), and a warning there would be false;
  // linting the folder itself, as CI does, still warns.
  if (tenantsOf(ctx.entries).length === 0) return;
  const tenants = tenantsOf(ctx.referable ?? ctx.entries);
  const withTenant = new Set(tenants.map((t) => t.namespace));
  const declared = [...withTenant].sort();
  const shown = declared.length > 3 ? `${declared.slice(0, 3).join(', ')} and ${declared.length - 3} more` : declared.join(', ');
  for (const entry of ctx.entries) {
    if (!boundKinds.has(entry.kind) || withTenant.has(entry.namespace)) continue;
    ctx.report(
      entry,
      namespacePath(entry),
      'value',
      'no-tenant-in-namespace',
      `no Tenant in ${namespaceText(entry.namespace)}, so this ${entry.kind} acts on no tenant's devices (Tenants are declared in ${declared.length === 1 ? 'namespace' : 'namespaces'} ${shown}); add a Tenant to ${namespaceText(entry.namespace)}, or move the manifest into the namespace of its tenant`,
    );
  }
};

/** Every Tenant check, in the order they run. */
export const tenantChecks: readonly Check[] = [checkTenantPerNamespace, checkTenantCredentials, checkManifestsHaveTenant];
