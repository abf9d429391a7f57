// What the statuses say when a namespace's manifests act on no tenant, or a tenant cannot sign
// in: every named group, policy and ScheduledUpdate of the namespace stalls with the reason
// (NoTenant, TenantInvalid, TenantConflict, SignInFailed) and a sentence saying what to do;
// nothing else in their status changes (failure-statuses.ts). Other tenants are not touched. PURE.
import type { ManifestEntry } from '../model/desired.ts';
import type { StatusUpdate } from '../model/source.ts';
import type { StepFailure } from '../status/failure-conditions.ts';
import type { UnboundNamespace } from '../policy/tenant-partition.ts';
import { failureOnlyStatuses } from './failure-statuses.ts';

/** The condition reason of a tenant whose sign-in (or connection) fails. */
export const signInFailedReason = 'SignInFailed';

/** Why a namespace's manifests act on no tenant, as a failure only a person can fix. */
export function unboundFailure(u: UnboundNamespace<ManifestEntry>): StepFailure {
  const ns = u.namespace;
  const stop = `nothing in namespace ${ns} is acted upon until then`;
  const files = u.tenants.map((t) => t.file).join(', ');
  switch (u.reason) {
    case 'NoTenant':
      return { reason: 'NoTenant', message: `no Tenant in namespace ${ns}; add one or move the manifest`, retryable: false };
    case 'TenantInvalid':
      return { reason: 'TenantInvalid', message: `the Tenant of namespace ${ns} (${files}) is not valid: run firmwarden lint on it and fix it; ${stop}`, retryable: false };
    case 'TenantConflict':
      return u.tenants.length > 1
        ? { reason: 'TenantConflict', message: `namespace ${ns} has ${u.tenants.length} Tenants (${files}); keep one; ${stop}`, retryable: false }
        : { reason: 'TenantConflict', message: `the Tenant of namespace ${ns} (${files}) names a tenant id another namespace's Tenant names too; give each tenant id one namespace; ${stop}`, retryable: false };
  }
}

/** A tenant that could not sign in (or be connected at all), as a failure of its manifests: `sentence` says why and what to do. */
export function signInFailure(namespace: string, sentence: string, retryable = false): StepFailure {
  return { reason: signInFailedReason, message: `tenant ${namespace}: ${sentence}`, retryable };
}

/** The statuses of `manifests` read back, with `failure` on their conditions. */
export function tenantFailureStatuses(manifests: readonly ManifestEntry[], failure: StepFailure, now: number): StatusUpdate[] {
  return failureOnlyStatuses(manifests, [failure], now);
}
