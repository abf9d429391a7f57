// Requests under /beta: the bearer token names the tenant (its tid, verified with that tenant's
// key), and everything after happens in that tenant's world only — its faults, its rate
// limit (then the cap across tenants), its devices, its request log. A device id of another
// tenant is simply not found there (404), as Graph answers for an id outside the caller's tenant.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerBatch, type InnerRequest } from './batch.ts';
import type { EmulatorClock } from './emulator-clock.ts';
import { findDeviceIndex } from './fleet-gen.ts';
import { answerGraphRequest, matchAction, type GraphContext, type GraphRequest } from './graph-api.ts';
import { graphError, serverError, throttledError, type GraphAnswer } from './graph-errors.ts';
import { delay, readBody, writeAnswer } from './http-io.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { TenantDirectory, TenantWorld } from './tenant-world.ts';
import { peekTenantId, type TokenClaims } from './tokens.ts';

export interface GraphHandlerDeps {
  readonly tenants: TenantDirectory;
  readonly clock: EmulatorClock;
  /** Requests per second across all tenants (rate 0: no cap). */
  readonly globalLimiter: RateLimiter;
  /** Requests left unanswered by the hang fault (closing the emulator drops them). */
  readonly hung: Set<ServerResponse>;
  /** Aborts when the emulator closes (cuts injected latency short). */
  readonly signal: AbortSignal;
  readonly graphBaseUrl: () => string;
}

type Lost = { dropped: boolean };

/** Builds the handler of /beta requests. */
export function createGraphHandler(deps: GraphHandlerDeps): (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) => Promise<void> {
  const { clock } = deps;
  const contexts = new WeakMap<TenantWorld, GraphContext>();
  const contextOf = (world: TenantWorld): GraphContext => {
    let ctx = contexts.get(world);
    if (!ctx) {
      ctx = { state: world.state, quirks: () => world.quirks.current, decideStuck: () => world.faults.decideStuck(), get graphBaseUrl() { return deps.graphBaseUrl(); } };
      contexts.set(world, ctx);
    }
    return ctx;
  };

  const recordAction = (world: TenantWorld, method: string, path: string, body: unknown, answer: GraphAnswer, via: 'direct' | 'batch', appId: string | null, answerLost = false): void => {
    const match = matchAction(method, path);
    if (!match) return;
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const now = clock.now();
    const index = findDeviceIndex(world.state.spec, match.deviceId);
    world.log.recordAction({
      tenant: world.id, at: new Date(now).toISOString(), atMs: now, action: match.action, appId, deviceId: match.deviceId,
      softwareType: typeof b.softwareType === 'string' ? b.softwareType : null,
      requestedVersion: typeof b.softwareVersion === 'string' ? b.softwareVersion : null,
      targetVersion: answer.action?.targetVersion ?? null, fromVersion: answer.action?.fromVersion ?? null,
      status: answer.status, operationId: answer.action?.operationId ?? null, via, ...(answerLost ? { answerLost } : {}),
      ...(index === undefined ? {} : { activityState: world.state.device(index).activityState }),
    });
  };

  /**
   * Throttles (this tenant's limit per app, then the cap across tenants), answers, counts and
   * logs one Graph request (direct or inner). Sets `lost.dropped` when the dropAnswer fault
   * strikes: the caller then closes the connection without answering.
   */
  const evaluate = (world: TenantWorld, req: GraphRequest, via: 'direct' | 'batch', lost?: Lost): GraphAnswer => {
    const ownLimit = world.limiter.take(req.claims.appid);
    // A request over its tenant's limit never reaches the shared cap: one busy tenant does not eat the others' share.
    const taken = ownLimit.ok ? deps.globalLimiter.take('*') : ownLimit;
    const answer = taken.ok
      ? answerGraphRequest(contextOf(world), req)
      : throttledError(taken.retryAfterSeconds, { now: clock.now(), requestId: req.requestId, clientRequestId: req.headers['client-request-id'] });
    // Only an action that was carried out loses its answer: the case where a client that simply
    // posts again would start a second operation.
    const dropped = lost !== undefined && answer.status === 202 && answer.action !== undefined && world.faults.decideDropAnswer();
    if (dropped) lost.dropped = true;
    world.log.countGraph(answer.status);
    recordAction(world, req.method, req.path, req.body, answer, via, req.claims.appid, dropped);
    return answer;
  };

  const evaluateInner = (world: TenantWorld, inner: InnerRequest, claims: TokenClaims, requestId: string, lost: Lost): GraphAnswer => {
    const ids = { now: clock.now(), requestId, clientRequestId: inner.headers['client-request-id'] };
    const parsed = new URL(inner.url, 'http://inner');
    if (parsed.pathname === '/$batch') {
      const answer = graphError(400, 'BadRequest', 'A batch cannot contain another batch.', ids);
      world.log.countGraph(answer.status);
      return answer;
    }
    if (world.faults.decideInnerThrottle()) {
      const answer = throttledError(world.faults.settings.retryAfterSeconds, ids);
      world.log.countGraph(answer.status);
      recordAction(world, inner.method, parsed.pathname, inner.body, answer, 'batch', claims.appid);
      return answer;
    }
    return evaluate(world, { method: inner.method, path: parsed.pathname, query: parsed.searchParams, headers: inner.headers, body: inner.body, claims, requestId }, 'batch', lost);
  };

  return async (req, res, url, requestId) => {
    // Whose key verifies the token; a token naming no served tenant fails the first tenant's check (401).
    const world = deps.tenants.find(peekTenantId(req.headers.authorization)) ?? deps.tenants.primary;
    const { log, faults, quirks } = world;
    const versionPath = url.pathname.slice('/beta'.length) || '/';
    const isBatch = versionPath === '/$batch';
    log.countHttp(isBatch ? 'batch' : 'graph');
    const clientRequestId = typeof req.headers['client-request-id'] === 'string' ? req.headers['client-request-id'] : undefined;
    const method = (req.method ?? 'GET').toUpperCase();
    const text = await readBody(req);
    let body: unknown;
    let bodyError = false;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        bodyError = true;
      }
    }
    // A $batch carrying an action is held like a direct action: the chaos harness kills while it is held.
    const holdsAction = isBatch ? method === 'POST' && batchHoldsAction(body) : matchAction(method, versionPath) !== undefined;
    const latency = faults.settings.latencyMs + (holdsAction ? faults.settings.actionLatencyMs : 0);
    if (latency > 0) await delay(latency, deps.signal);
    const ids = () => ({ now: clock.now(), requestId, clientRequestId });
    const finish = (answer: GraphAnswer, appId: string | null): void => {
      if (!isBatch || answer.status !== 200) log.countGraph(answer.status);
      if (!isBatch) recordAction(world, method, versionPath, body, answer, 'direct', appId);
      writeAnswer(res, answer, requestId, clientRequestId);
    };
    const verified = world.issuer.verifyHeader(req.headers.authorization, clock.now());
    if (!verified.ok) {
      const message = verified.reason === 'missing' ? 'Access token is empty.' : verified.reason === 'expired' ? 'Access token has expired or is not yet valid.' : 'Access token validation failure. Invalid signature or audience.';
      finish(graphError(401, 'InvalidAuthenticationToken', message, ids(), { 'WWW-Authenticate': `Bearer realm="", authorization_uri="${url.origin}/${world.id}/oauth2/v2.0/authorize", client_id="00000003-0000-0000-c000-000000000000"` }), null);
      return;
    }
    const claims = verified.claims;
    const fault = faults.decideOuter();
    if (fault?.kind === 'hang') {
      // Never answered: the client's timeout is what is under test. close() drops the socket.
      deps.hung.add(res);
      log.countHung();
      if (!isBatch) recordAction(world, method, versionPath, body, { status: 0, headers: {} }, 'direct', claims.appid);
      res.on('close', () => deps.hung.delete(res));
      return;
    }
    if (fault?.kind === 'status') {
      finish(fault.status === 429 ? throttledError(fault.retryAfterSeconds ?? 1, ids()) : serverError(fault.status, fault.retryAfterSeconds, ids()), claims.appid);
      return;
    }
    if (bodyError) {
      finish(graphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.', ids()), claims.appid);
      return;
    }
    if (isBatch) {
      if (method !== 'POST') {
        finish(graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', ids(), { Allow: 'POST' }), claims.appid);
        return;
      }
      const lost = { dropped: false };
      const answer = answerBatch(body, ids(), (inner) => evaluateInner(world, inner, claims, requestId, lost), { reverse: quirks.current.reverseBatchResponses });
      if (lost.dropped) res.destroy();
      else finish(answer, claims.appid);
      return;
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const lost = { dropped: false };
    const answer = evaluate(world, { method, path: versionPath, query: url.searchParams, headers, body, claims, requestId }, 'direct', lost);
    if (lost.dropped) res.destroy();
    else writeAnswer(res, answer, requestId, clientRequestId);
  };
}

/** True when a $batch body holds an action POST (updateSoftware, restart, …). */
function batchHoldsAction(body: unknown): boolean {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  return Array.isArray(requests) && requests.some((r: { method?: unknown; url?: unknown } | null) =>
    typeof r?.method === 'string' && typeof r.url === 'string' && matchAction(r.method, r.url.split('?')[0] ?? '') !== undefined);
}
