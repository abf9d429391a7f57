// Builds the Graph adapter the way createFleet does, against a fake, with test knobs.
import { ManualClock, type Clock } from '../../../controller/model/clock.ts';
import { Secret } from '../../../controller/config/secret.ts';
import { silentLogger, type Logger } from '../../../controller/log/logger.ts';
import { createTokenSource } from '../../../controller/fleet/graph/credentials.ts';
import { GraphFleet } from '../../../controller/fleet/graph/graph-fleet.ts';
import { GraphHttp, type FleetRequestMetrics } from '../../../controller/fleet/graph/graph-http.ts';
import { Pacer } from '../../../controller/fleet/graph/pacer.ts';
import type { FakeGraph } from './fake-graph.ts';

export interface TestClient {
  readonly fleet: GraphFleet;
  readonly http: GraphHttp;
}

/** A GraphFleet on the fake; everything waits on `clock`. */
export function createTestClient(
  fake: Pick<FakeGraph, 'baseUrl' | 'loginUrl' | 'tenant' | 'clientId' | 'secret'>,
  clock: Clock,
  options: { rate?: number; timeoutMs?: number; maxAttempts?: number; logger?: Logger; secret?: string; metrics?: FleetRequestMetrics } = {},
): TestClient {
  const logger = options.logger ?? silentLogger();
  const tokens = createTokenSource({
    auth: { kind: 'secret', tenant: fake.tenant, clientId: fake.clientId, clientSecret: new Secret(options.secret ?? fake.secret) },
    scope: `${new URL(fake.baseUrl).origin}/.default`,
    loginBaseUrl: fake.loginUrl,
    clock,
    timeoutMs: options.timeoutMs ?? 2_000,
  });
  const http = new GraphHttp({
    baseUrl: fake.baseUrl,
    tokens,
    clock,
    logger,
    pacer: new Pacer(clock, { ratePerSecond: options.rate ?? 1000 }),
    timeoutMs: options.timeoutMs ?? 2_000,
    maxAttempts: options.maxAttempts ?? 6,
    random: () => 0.5,
    metrics: options.metrics,
  });
  return { fleet: new GraphFleet(http, logger), http };
}

export { ManualClock };
