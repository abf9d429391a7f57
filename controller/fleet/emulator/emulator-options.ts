// The public face of the emulator: its options (each with its default), the handle
// startEmulator resolves to, and the default identities of the emulated tenant.
import type { Logger } from '../../log/logger.ts';
import type { Clock } from '../../model/clock.ts';
import type { EmulatorControl } from './control.ts';
import type { FaultSettings } from './faults.ts';
import type { HealthRegressionRule } from './health-regressions.ts';
import type { Quirks } from './quirks.ts';
import type { TenantOptions } from './tenants.ts';

/** Options of startEmulator; every one is optional. */
export interface EmulatorOptions {
  /** TCP port; default 0 (any free port). */
  readonly port?: number;
  /** Loopback address to listen on; default '127.0.0.1' (non-loopback addresses are refused). */
  readonly host?: string;
  /** Number of devices (per tenant); default 500 (up to 1,000,000; generated lazily). */
  readonly devices?: number;
  /** Seed of the generated fleet; default 42. */
  readonly seed?: number | string;
  /** Requests per second per app, token bucket with one second of burst; default 30; 0 = unlimited. */
  readonly rateLimit?: number;
  /** Tenant id in the token URL and tokens; default emulatorDefaults.tenant. With several tenants, the first one's. */
  readonly tenant?: string;
  /**
   * Serve several tenants: a count (the first is the tenant of the options above, the others
   * get ids, apps, secrets and fleet seeds derived from `seed`) or one entry per tenant (fields
   * left out are derived the same way); default one tenant. Not with statePath.
   */
  readonly tenants?: number | readonly TenantOptions[];
  /** Requests per second across all tenants and apps (Graph's cap per app across tenants), 0 = none; default 0. */
  readonly globalRateLimit?: number;
  /** The read-write app (TeamworkDevice.ReadWrite.All); defaults in emulatorDefaults. */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Whether the read-write app also holds Calendars.ReadBasic.All (room calendars through getSchedule; 403 without); default true. */
  readonly calendarAccess?: boolean;
  /** An app with TeamworkDevice.Read.All only (403 on the POST actions); defaults in emulatorDefaults. */
  readonly readOnlyClientId?: string;
  readonly readOnlyClientSecret?: string;
  /** Base clock; default systemClock. The emulator clock is this plus an offset, times `speed`. */
  readonly clock?: Clock;
  /** Clock acceleration; default 1 (or the speed kept in the state file). */
  readonly speed?: number;
  /** The instant the fleet is generated at (releases lie in the ~6 months before); default: the clock's now at first start. */
  readonly epoch?: number;
  /** queued → inProgress, in clock ms; default 60,000. */
  readonly queuedMs?: number;
  /** Length of the scheduled phase between queued and inProgress; default 0 (none). */
  readonly scheduledMs?: number;
  /** inProgress → succeeded/failed, in clock ms; default 240,000. */
  readonly inProgressMs?: number;
  /** Spread of each duration (0–1, ±share); default 0.25. */
  readonly durationJitter?: number;
  /** Failure rate of updates for every model; default: per model from the seed (1–8 %). */
  readonly failureRate?: number;
  /** Failure rate per model name (wins over failureRate). */
  readonly failureRates?: Readonly<Record<string, number>>;
  /**
   * Health regressions on demand: devices of a model updated (through the API) to a version go
   * offline, lose a sign-in or a peripheral (health-regressions.ts); default none.
   */
  readonly healthRegressions?: readonly HealthRegressionRule[];
  /** Lifetime of access tokens (expires_in); default 3599. Validity is checked on the emulator clock, times its speed. */
  readonly tokenLifetimeSeconds?: number;
  /** Keep fleet changes, operations and the clock offset in this JSON file across restarts; default none. */
  readonly statePath?: string;
  /** Root logger (a child with component=emulator is used); default silent. */
  readonly logger?: Logger;
  /** Documented quirks to reproduce; default all off. */
  readonly quirks?: Partial<Quirks>;
  /** Faults active from the start; default none. */
  readonly faults?: Partial<FaultSettings>;
  /** Monotonic real time in ms for rate limiting; default performance.now. */
  readonly realTime?: () => number;
  /** Serve HTTPS with this key and certificate (PEM) instead of HTTP; default HTTP. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Most action-log entries kept; default 200,000. */
  readonly maxLogEntries?: number;
}

/** What startEmulator resolves to. */
export interface EmulatorHandle {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** url + '/beta' */
  readonly graphBaseUrl: string;
  /** url: the token endpoint is `${loginBaseUrl}/${tenant}/oauth2/v2.0/token` */
  readonly loginBaseUrl: string;
  readonly tokenUrl: string;
  readonly tenant: string;
  readonly clientId: string;
  /** The secret it started with (control.setClientSecret may have replaced it since). */
  readonly clientSecret: string;
  readonly readOnlyClientId: string;
  readonly readOnlyClientSecret: string;
  /** Effective settings, for printing. */
  readonly settings: EmulatorSettings;
  /** Control of the first tenant (the only one unless `tenants` was given). */
  readonly control: EmulatorControl;
  /** Control of one tenant by id (case-insensitive); throws RangeError for a tenant the emulator does not serve. */
  tenantControl(tenantId: string): EmulatorControl;
  /** Every tenant with its credentials as they are now (also GET /_emulator/tenants). */
  tenants(): TenantList;
  /** Stops listening, drops hung requests and open connections, writes the state file. */
  close(): Promise<void>;
}

export interface EmulatorSettings {
  readonly devices: number;
  readonly seed: number | string;
  readonly epoch: string;
  readonly rateLimit: number;
  readonly speed: number;
  readonly statePath: string | null;
  /** True when the fleet came from the state file. */
  readonly restored: boolean;
  readonly queuedMs: number;
  readonly scheduledMs: number;
  readonly inProgressMs: number;
  readonly tokenLifetimeSeconds: number;
  /** How many tenants are served. */
  readonly tenants: number;
  /** Devices over all tenants. */
  readonly totalDevices: number;
  readonly globalRateLimit: number;
}

/**
 * One served tenant as it stands now, for tests and benches: its current secrets (a rotation
 * through control shows here) and rate limit, and its token URL. Part of the published TenantList,
 * so it is spelt out here rather than derived from tenants.ts's TenantConfig, the start-up decision.
 */
export interface TenantInfo {
  readonly index: number;
  readonly name: string;
  readonly tenantId: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly readOnlyClientId: string;
  readonly readOnlyClientSecret: string;
  readonly devices: number;
  readonly seed: number | string;
  readonly rateLimit: number;
}

/** The machine-readable list of tenants (GET /_emulator/tenants, `firmwarden emulator --tenants-out`). */
export interface TenantList {
  readonly format: 'firmwarden-emulator-tenants';
  readonly version: 1;
  readonly loginBaseUrl: string;
  readonly graphBaseUrl: string;
  readonly globalRateLimit: number;
  readonly tenants: readonly TenantInfo[];
}

/** Default identities of the emulated tenant. The secrets are the emulator's own demo values, not credentials of anything real. */
export const emulatorDefaults = {
  tenant: '7d3f8c2a-1b4e-4f6a-9c0d-2e5b8a1f4c37',
  clientId: 'f1d0e5a2-3c4b-4d6e-8f7a-9b0c1d2e3f4a',
  clientSecret: 'emulator-demo-secret',
  readOnlyClientId: 'a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d',
  readOnlyClientSecret: 'emulator-readonly-secret',
  devices: 500,
  seed: 42,
  rateLimit: 30,
} as const;
