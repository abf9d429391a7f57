// The run's options for serving Tenants (issue 16.2) and how a Tenant becomes a Fleet in this
// process: `--global-rate` (requests per second across all tenants, default 2000: the shared
// cap every tenant's pacer also takes from) and `--tenant-concurrency` (tenants reconciled at
// once, default 12). Each tenant's Fleet is its own (config/tenant-connection.ts: own
// credentials, token and pacer at its rateLimitPerSecond) under that one cap, and counts its
// requests under its tenant label. Without Tenants in the manifests none of this is used.
import type { Tenant } from '../model/manifests.generated.ts';
import type { Clock } from '../model/clock.ts';
import type { Fleet } from '../model/fleet.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../server/metrics.ts';
import type { SecretSources } from '../notify/secret-ref.ts';
import type { FleetOptions } from './fleet-options.ts';
import { connectTenant } from './tenant-connection.ts';
import { createSharedCap, defaultGlobalRate } from '../fleet/graph/shared-cap.ts';
import { defaultTenantConcurrency } from '../reconcile/tenant-queue.ts';
import { UsageError } from './usage-error.ts';

/** The flags, to spread into `run`'s and `run --kubernetes`'s option tables. */
export const tenantRunFlags = {
  'global-rate': { type: 'string' },
  'tenant-concurrency': { type: 'string' },
} as const;

/** Their help lines. */
export const tenantRunHelp = `Tenants (when the manifests declare Tenants; see README, Many tenants):
  --global-rate N          requests per second across all tenants, at most (default 2000)
                                                                                       FIRMWARDEN_GLOBAL_RATE
  --tenant-concurrency K   tenants reconciled at once, taken in turn (default 12)     FIRMWARDEN_TENANT_CONCURRENCY`;

/** Checked tenant settings. */
export interface TenantRunOptions {
  readonly globalRate: number;
  readonly concurrency: number;
}

function wholeNumber(value: string | undefined, from: string, fallback: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${from}: ${JSON.stringify(value)} is not a whole number from 1 to ${max}`);
  return n;
}

/** The settings from flag values, else the environment, else the defaults. */
export function resolveTenantRunOptions(values: { 'global-rate'?: string | undefined; 'tenant-concurrency'?: string | undefined }, env: Readonly<Record<string, string | undefined>>): TenantRunOptions {
  const pick = (flag: 'global-rate' | 'tenant-concurrency', name: string) =>
    values[flag] !== undefined ? { value: values[flag], from: `--${flag}` } : { value: env[name], from: name };
  const rate = pick('global-rate', 'FIRMWARDEN_GLOBAL_RATE');
  const k = pick('tenant-concurrency', 'FIRMWARDEN_TENANT_CONCURRENCY');
  return { globalRate: wholeNumber(rate.value, rate.from, defaultGlobalRate, 1_000_000), concurrency: wholeNumber(k.value, k.from, defaultTenantConcurrency, 256) };
}

/** What connecting Tenants needs from the run. */
export interface TenantConnectorDeps {
  readonly logger: Logger;
  /** Domain time (tokens). */
  readonly clock: Clock;
  /** Network time (pacing); default: the system clock. */
  readonly pacingClock?: Clock;
  readonly metrics: Metrics;
  /** Where a Tenant's secretRef is read (environment, files, Kubernetes Secrets). */
  readonly secrets: SecretSources;
}

/**
 * Connects Tenants, all under one shared cap. A fleet given by a plain-http --graph-url (an
 * emulator on loopback serving several tenants) is where every tenant's requests and sign-ins
 * go; otherwise each Tenant's own cloud.
 */
export function tenantConnector(options: TenantRunOptions, fleet: FleetOptions, deps: TenantConnectorDeps): (tenant: Tenant) => Fleet {
  const pacingClock = deps.pacingClock;
  const cap = createSharedCap(pacingClock ?? deps.clock, options.globalRate);
  const emulated = fleet.target === 'graph' && fleet.graphUrl.startsWith('http:');
  return (tenant) => {
    const namespace = tenant.metadata.namespace ?? 'default';
    return connectTenant(
      tenant,
      { secrets: deps.secrets, timeoutMs: fleet.timeoutMs, ...(emulated ? { endpoints: { graphUrl: fleet.graphUrl, loginUrl: fleet.loginUrl } } : {}) },
      { logger: deps.logger, clock: deps.clock, ...(pacingClock ? { pacingClock } : {}), sharedCap: cap, metrics: deps.metrics.tenantFleetMetrics(namespace) },
    ).fleet;
  };
}
