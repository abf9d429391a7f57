// The Graph adapter behind the Fleet port, built for explicit endpoints and credentials. The
// wiring from the command line's options (a national cloud, or an emulator started here in the
// process) is config/fleet-connection.ts, above this folder. The engine only ever sees `Fleet`.
import type { Clock } from '../model/clock.ts';
import { systemClock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import { createTokenSource, type GraphAuth } from './graph/credentials.ts';
import { graphScopeFor } from './graph/clouds.ts';
import { GraphFleet } from './graph/graph-fleet.ts';
import { GraphHttp, type FleetRequestMetrics } from './graph/graph-http.ts';
import { Pacer } from './graph/pacer.ts';
import { CappedPacer } from './graph/shared-cap.ts';
import { normalizeGraphBase } from './graph/graph-urls.ts';
import type { EmulatorOptions } from './emulator/emulator-options.ts';

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
  /** A cap shared with other tenants' fleets (graph/shared-cap.ts): each request also takes a unit of it. Default: none. */
  readonly sharedCap?: Pacer;
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
    pacer: deps.sharedCap ? new CappedPacer(pacingClock, { ratePerSecond: settings.rate }, deps.sharedCap) : new Pacer(pacingClock, { ratePerSecond: settings.rate }),
    timeoutMs: settings.timeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    metrics: deps.metrics,
  });
  return new GraphFleet(http, logger);
}
