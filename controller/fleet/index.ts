// The fleet backends behind the port, wired from the connection options: the Graph adapter
// against a national cloud or an emulator started apart, or an emulator started here in the
// process (demo, plan without credentials). The engine only ever sees `Fleet`.
import type { Clock } from '../model/clock.ts';
import { systemClock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { FleetOptions } from '../config/fleet-options.ts';
import { FileSecret, Secret } from '../config/secret.ts';
import { createTokenSource, type GraphAuth } from './graph/credentials.ts';
import { graphScopeFor } from './graph/clouds.ts';
import { GraphFleet } from './graph/graph-fleet.ts';
import { GraphHttp, type FleetRequestMetrics } from './graph/graph-http.ts';
import { Pacer } from './graph/pacer.ts';
import { normalizeGraphBase } from './graph/graph-urls.ts';
import type { EmulatorHandle, EmulatorOptions } from './emulator/server.ts';

export { GraphFleet } from './graph/graph-fleet.ts';
export { waitForOperation } from './wait-for-operation.ts';

export interface CreateFleetDeps {
  readonly logger: Logger;
  /** Domain time: token expiry, and the in-process emulator's clock (share it with the engine). */
  readonly clock: Clock;
  /**
   * Network time: pacing, Retry-After and backoff. Default: the system clock, because rate
   * limits (the emulator's included) count real seconds even when the domain clock runs fast.
   */
  readonly pacingClock?: Clock;
  /** Options for the in-process emulator (devices, seed, faults…); its clock defaults to `clock`. */
  readonly emulator?: Partial<EmulatorOptions>;
  readonly fetch?: typeof fetch;
  /** Counts fleet API responses and throttles (firmwarden_fleet_requests_total, firmwarden_fleet_throttled_total). Default: none. */
  readonly metrics?: FleetRequestMetrics;
}

export interface FleetConnection {
  /** The port, plus the Graph adapter's extras (stats, startUpdates). */
  readonly fleet: GraphFleet;
  readonly target: 'emulator' | 'graph';
  /** Graph base URL in use (the emulator's when in-process). */
  readonly graphUrl: string;
  /** The in-process emulator, when target is `emulator` (control endpoints, request log). */
  readonly emulator: EmulatorHandle | undefined;
  /** Stops the in-process emulator, if any. */
  close(): Promise<void>;
}

function authFrom(options: FleetOptions): GraphAuth {
  const tenant = options.tenant ?? '';
  const clientId = options.clientId ?? '';
  switch (options.auth) {
    case 'secret':
      return { kind: 'secret', tenant, clientId, clientSecret: options.clientSecret ?? new Secret('') };
    case 'certificate':
      return { kind: 'certificate', tenant, clientId, certificatePath: options.certificatePath ?? '', certificatePassword: options.certificatePassword ?? undefined };
    case 'workload-identity':
      return { kind: 'workload-identity', tenant, clientId, tokenFilePath: options.federatedTokenFile ?? '' };
    case 'managed-identity':
    case null:
      return { kind: 'managed-identity', clientId: options.clientId ?? undefined };
  }
}

/** Builds the Graph adapter for explicit endpoints and credentials. */
export function createGraphFleet(
  settings: { graphUrl: string; loginUrl: string; auth: GraphAuth; rate: number; timeoutMs: number },
  deps: CreateFleetDeps,
): GraphFleet {
  const logger = deps.logger.child({ component: 'graph' });
  const graphUrl = normalizeGraphBase(settings.graphUrl);
  const pacingClock = deps.pacingClock ?? systemClock;
  const tokens = createTokenSource({
    auth: settings.auth,
    scope: graphScopeFor(graphUrl),
    loginBaseUrl: settings.loginUrl,
    clock: deps.clock,
    timeoutMs: settings.timeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const http = new GraphHttp({
    baseUrl: graphUrl,
    tokens,
    clock: pacingClock,
    logger,
    pacer: new Pacer(pacingClock, { ratePerSecond: settings.rate }),
    timeoutMs: settings.timeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    metrics: deps.metrics,
  });
  return new GraphFleet(http, logger);
}

/** Connects to the fleet the options name; close() it when done. */
export async function createFleet(options: FleetOptions, deps: CreateFleetDeps): Promise<FleetConnection> {
  if (options.target === 'graph') {
    if (options.clientSecret instanceof FileSecret) {
      const log = deps.logger.child({ component: 'graph' });
      // The path and what happened, never the value.
      options.clientSecret.onChange((event) =>
        event.kind === 'rotated'
          ? log.info({ path: event.path }, 'client secret file changed; the next sign-in uses the new secret')
          : log.warn({ path: event.path, reason: event.reason }, 'client secret file changed but cannot be used; the previous secret stays in use'),
      );
    }
    const fleet = createGraphFleet(
      { graphUrl: options.graphUrl, loginUrl: options.loginUrl, auth: authFrom(options), rate: options.rate, timeoutMs: options.timeoutMs },
      deps,
    );
    deps.logger.info({ component: 'fleet', target: 'graph', cloud: options.cloud, graphUrl: options.graphUrl, auth: options.auth }, 'fleet connected');
    return { fleet, target: 'graph', graphUrl: normalizeGraphBase(options.graphUrl), emulator: undefined, close: async () => undefined };
  }
  const { startEmulator } = await import('./emulator/server.ts');
  const emulator = await startEmulator({ clock: deps.clock, ...deps.emulator });
  try {
    const fleet = createGraphFleet(
      {
        graphUrl: emulator.graphBaseUrl,
        loginUrl: emulator.loginBaseUrl,
        auth: { kind: 'secret', tenant: emulator.tenant, clientId: emulator.clientId, clientSecret: new Secret(emulator.clientSecret) },
        rate: options.rate,
        timeoutMs: options.timeoutMs,
      },
      deps,
    );
    deps.logger.info({ component: 'fleet', target: 'emulator', graphUrl: emulator.graphBaseUrl }, 'fleet connected');
    return { fleet, target: 'emulator', graphUrl: emulator.graphBaseUrl, emulator, close: () => emulator.close() };
  } catch (error) {
    await emulator.close();
    throw error;
  }
}
