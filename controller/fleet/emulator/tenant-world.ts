// One served tenant's world: its apps and token key, its fleet state, faults, quirks, rate
// limiter (per app in this tenant), request log and control. Tenants share only the clock and
// the cap across tenants; nothing else of one tenant is reachable from another's token.
import { calendarRoles } from './calendar-api.ts';
import { createControl, type EmulatorControl } from './control.ts';
import type { EmulatorClock } from './emulator-clock.ts';
import type { EmulatorOptions, TenantInfo } from './emulator-options.ts';
import { FaultInjector } from './faults.ts';
import { createFleetSpec } from './fleet-gen.ts';
import { EmulatorState, type PersistedFleetState } from './fleet-state.ts';
import type { OperationTiming } from './operations.ts';
import { defaultQuirks, mergeQuirks, type Quirks } from './quirks.ts';
import { RateLimiter } from './rate-limiter.ts';
import { RequestLog } from './request-log.ts';
import type { TenantConfig } from './tenants.ts';
import { readRole, readWriteRole, TokenIssuer, type AppRegistration } from './tokens.ts';

/** Everything of one tenant. */
export interface TenantWorld {
  readonly config: TenantConfig;
  /** The tenant id as configured (tokens carry it as tid). */
  readonly id: string;
  /** Read-write app first, read-only second; control.setClientSecret replaces entries in place. */
  readonly apps: AppRegistration[];
  readonly issuer: TokenIssuer;
  readonly state: EmulatorState;
  readonly faults: FaultInjector;
  readonly quirks: { current: Quirks };
  readonly limiter: RateLimiter;
  readonly log: RequestLog;
  readonly control: EmulatorControl;
}

/** What every tenant's world is built with. */
export interface WorldSettings {
  readonly clock: EmulatorClock;
  readonly epoch: number;
  readonly timing: OperationTiming;
  readonly options: EmulatorOptions;
  readonly globalLimiter: RateLimiter;
  /** Settles every tenant before the shared clock moves. */
  readonly settleAll: () => void;
  /** Writes the state file (the first tenant's; a no-op without one). */
  readonly save: () => Promise<void>;
}

/** Builds one tenant's world from its configuration (and what a state file kept of it). */
export function createTenantWorld(config: TenantConfig, settings: WorldSettings, saved?: PersistedFleetState): TenantWorld {
  const { options, clock } = settings;
  const apps: AppRegistration[] = [
    {
      clientId: config.clientId, clientSecret: config.clientSecret, displayName: 'firmwarden (emulated app)',
      roles: options.calendarAccess === false ? [readWriteRole] : [readWriteRole, calendarRoles[0]!],
    },
    { clientId: config.readOnlyClientId, clientSecret: config.readOnlyClientSecret, displayName: 'read-only reporting (emulated app)', roles: [readRole] },
  ];
  const spec = createFleetSpec({ seed: config.seed, deviceCount: config.devices, epoch: settings.epoch });
  const state = new EmulatorState(spec, clock, settings.timing);
  // Restored first: the options given at this start win over the settings kept in the file.
  if (saved) state.restore(saved);
  const failureRate = config.failureRate ?? options.failureRate;
  if (failureRate !== undefined) state.setFailureRate('*', failureRate);
  for (const [model, rate] of Object.entries(options.failureRates ?? {})) state.setFailureRate(model, rate);
  for (const rule of options.healthRegressions ?? []) state.addHealthRegression(rule);
  const faults = new FaultInjector(spec.seed, options.faults);
  const quirks = { current: mergeQuirks(defaultQuirks, options.quirks ?? {}) };
  const limiter = new RateLimiter(config.rateLimit, options.realTime ?? (() => performance.now()));
  const log = new RequestLog(options.maxLogEntries ?? 200_000);
  // The key material of the single-tenant emulator, per tenant: tokens survive a restart with the same settings.
  const issuer = new TokenIssuer(config.tenantId, `${String(config.seed)}\0${config.tenantId}\0${config.clientSecret}\0${config.readOnlyClientSecret}`);
  const control = createControl({
    state, clock, faults, quirks, limiter, log, tenant: config.tenantId, seed: config.seed, save: settings.save, apps,
    globalLimiter: settings.globalLimiter, settleAll: settings.settleAll,
  });
  return { config, id: config.tenantId, apps, issuer, state, faults, quirks, limiter, log, control };
}

/** The tenants of one emulator, found by id. */
export class TenantDirectory {
  readonly all: readonly TenantWorld[];
  readonly #byId = new Map<string, TenantWorld>();

  constructor(worlds: readonly TenantWorld[]) {
    if (worlds.length === 0) throw new RangeError('an emulator serves at least one tenant');
    this.all = worlds;
    for (const world of worlds) this.#byId.set(world.id.toLowerCase(), world);
  }

  /** The first tenant: the one of the single-tenant options, and of /_emulator/ without a tenant. */
  get primary(): TenantWorld {
    return this.all[0]!;
  }

  /** The tenant with this id (case-insensitive, as Entra ID compares them). */
  find(tenantId: string | undefined): TenantWorld | undefined {
    return tenantId === undefined ? undefined : this.#byId.get(tenantId.toLowerCase());
  }

  /** Settles every tenant's finished operations. */
  settleAll(): void {
    for (const world of this.all) world.state.settleAll();
  }

  /** Every tenant with its current credentials; `loginBaseUrl` builds the token URLs. */
  describe(loginBaseUrl: string): TenantInfo[] {
    return this.all.map((w) => {
      const [rw, ro] = w.apps as [AppRegistration, AppRegistration];
      return {
        index: w.config.index, name: w.config.name, tenantId: w.id, tokenUrl: `${loginBaseUrl}/${w.id}/oauth2/v2.0/token`,
        clientId: rw.clientId, clientSecret: rw.clientSecret, readOnlyClientId: ro.clientId, readOnlyClientSecret: ro.clientSecret,
        devices: w.config.devices, seed: w.config.seed, rateLimit: w.limiter.ratePerSecond,
      };
    });
  }
}
