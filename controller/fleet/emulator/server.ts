// An emulator of the Microsoft Graph (beta) Teams device API, on loopback, built on node:http.
// It serves the token endpoint, /beta/teamwork/devices… and /beta/$batch with the shapes of
// the spec (shared/spec/graph-teamwork-api.md), over a generated fleet whose operations run on
// a controllable clock; faults and documented quirks on demand; state optionally kept in a file.
// Start it in-process with startEmulator() or from the command line with `firmwarden emulator`.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../log/logger.ts';
import { systemClock } from '../../model/clock.ts';
import { answerBatch, type InnerRequest } from './batch.ts';
import { createControl } from './control.ts';
import { answerControl } from './control-routes.ts';
import { EmulatorClock } from './emulator-clock.ts';
import { FaultInjector } from './faults.ts';
import { createFleetSpec, findDeviceIndex } from './fleet-gen.ts';
import { EmulatorState } from './fleet-state.ts';
import { answerGraphRequest, matchAction, type GraphContext, type GraphRequest } from './graph-api.ts';
import { graphError, serverError, throttledError, type GraphAnswer } from './graph-errors.ts';
import { defaultTiming } from './operations.ts';
import { defaultQuirks, mergeQuirks } from './quirks.ts';
import { emulatorDefaults, type EmulatorHandle, type EmulatorOptions, type EmulatorSettings } from './emulator-options.ts';
import { RateLimiter } from './rate-limiter.ts';
import { RequestLog } from './request-log.ts';
import { readStateFile, stateFormat, writeStateFile, type EmulatorStateFile } from './state-file.ts';
import { answerTokenRequest } from './token-endpoint.ts';
import { readRole, readWriteRole, TokenIssuer, type AppRegistration, type TokenClaims } from './tokens.ts';
import { calendarRoles } from './calendar-api.ts';

export type { EmulatorControl } from './control.ts';
export type { FaultSettings } from './faults.ts';
export type { Quirks } from './quirks.ts';
export type { EmulatorHandle, EmulatorOptions, EmulatorSettings } from './emulator-options.ts';
export { emulatorDefaults } from './emulator-options.ts';

const maxBodyBytes = 4 * 1024 * 1024;

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isLoopbackPeer(address: string | undefined): boolean {
  return address !== undefined && (address === '::1' || /^(::ffff:)?127\./.test(address));
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new BodyTooLarge());
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** Starts the emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new RangeError(`the emulator listens on loopback only; ${host} is not a loopback address`);
  const logger = (options.logger ?? silentLogger()).child({ component: 'emulator' });
  const tenant = options.tenant ?? emulatorDefaults.tenant;
  const apps: AppRegistration[] = [
    {
      clientId: options.clientId ?? emulatorDefaults.clientId, clientSecret: options.clientSecret ?? emulatorDefaults.clientSecret, displayName: 'firmwarden (emulated app)',
      roles: options.calendarAccess === false ? [readWriteRole] : [readWriteRole, calendarRoles[0]!],
    },
    { clientId: options.readOnlyClientId ?? emulatorDefaults.readOnlyClientId, clientSecret: options.readOnlyClientSecret ?? emulatorDefaults.readOnlyClientSecret, displayName: 'read-only reporting (emulated app)', roles: [readRole] },
  ];
  const [rwApp, roApp] = apps as [AppRegistration, AppRegistration];
  const baseClock = options.clock ?? systemClock;
  const statePath = options.statePath ?? null;
  const saved = statePath ? await readStateFile(statePath) : undefined;
  const seed = saved?.fleet.seed ?? options.seed ?? emulatorDefaults.seed;
  const deviceCount = saved?.fleet.deviceCount ?? options.devices ?? emulatorDefaults.devices;
  if (saved && ((options.seed !== undefined && options.seed !== saved.fleet.seed) || (options.devices !== undefined && options.devices !== saved.fleet.deviceCount))) {
    logger.warn({ statePath, seed: saved.fleet.seed, devices: saved.fleet.deviceCount }, 'state file fleet wins over seed/devices options');
  }
  const clock = new EmulatorClock(baseClock, { offsetMs: saved?.clock.offsetMs ?? 0, speed: options.speed ?? saved?.clock.speed ?? 1 });
  const epoch = saved?.fleet.epoch ?? options.epoch ?? clock.now();
  const spec = createFleetSpec({ seed, deviceCount, epoch });
  const timing = {
    queuedMs: options.queuedMs ?? defaultTiming.queuedMs,
    scheduledMs: options.scheduledMs ?? defaultTiming.scheduledMs,
    inProgressMs: options.inProgressMs ?? defaultTiming.inProgressMs,
    jitter: options.durationJitter ?? defaultTiming.jitter,
  };
  for (const [name, value] of Object.entries(timing)) {
    if (!Number.isFinite(value) || value < 0 || (name === 'jitter' && value > 1)) throw new RangeError(`${name} must be a number >= 0${name === 'jitter' ? ' and <= 1' : ''}`);
  }
  const state = new EmulatorState(spec, clock, timing);
  if (saved) state.restore(saved.state);
  if (options.failureRate !== undefined) state.setFailureRate('*', options.failureRate);
  for (const [model, rate] of Object.entries(options.failureRates ?? {})) state.setFailureRate(model, rate);
  for (const rule of options.healthRegressions ?? []) state.addHealthRegression(rule);
  const faults = new FaultInjector(spec.seed, options.faults);
  const quirks = { current: mergeQuirks(defaultQuirks, options.quirks ?? {}) };
  const limiter = new RateLimiter(options.rateLimit ?? emulatorDefaults.rateLimit, options.realTime ?? (() => performance.now()));
  const log = new RequestLog(options.maxLogEntries ?? 200_000);
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
  const issuer = new TokenIssuer(tenant, `${String(seed)}\0${tenant}\0${rwApp.clientSecret}\0${roApp.clientSecret}`);
  const hung = new Set<ServerResponse>();
  const lifetime = new AbortController();

  // ---- persistence ----
  let saveTimer: NodeJS.Timeout | undefined;
  let closed = false;
  let saving: Promise<void> = Promise.resolve();
  const snapshot = (): EmulatorStateFile => ({
    format: stateFormat, version: 1, savedAt: new Date(clock.now()).toISOString(),
    fleet: { seed, deviceCount, epoch }, clock: { offsetMs: clock.offsetMs, speed: clock.speed }, state: state.toPersisted(),
  });
  const saveNow = (): Promise<void> => {
    if (!statePath) return Promise.resolve();
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    saving = saving.then(() => writeStateFile(statePath, snapshot())).catch((err: unknown) => logger.error({ err, statePath }, 'emulator state not saved'));
    return saving;
  };
  state.onChange = () => {
    if (!statePath || saveTimer || closed) return;
    saveTimer = setTimeout(() => void saveNow(), 200);
  };

  let url = '';
  let graphBaseUrl = '';
  const graphContext: GraphContext = {
    state, quirks: () => quirks.current, decideStuck: () => faults.decideStuck(),
    get graphBaseUrl() { return graphBaseUrl; },
  };
  const control = createControl({ state, clock, faults, quirks, limiter, log, tenant, seed, save: saveNow, apps });

  const recordAction = (method: string, path: string, body: unknown, answer: GraphAnswer, via: 'direct' | 'batch', appId: string | null, answerLost = false): void => {
    const match = matchAction(method, path);
    if (!match) return;
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const now = clock.now();
    const index = findDeviceIndex(spec, match.deviceId);
    log.recordAction({
      at: new Date(now).toISOString(), atMs: now, action: match.action, appId, deviceId: match.deviceId,
      softwareType: typeof b.softwareType === 'string' ? b.softwareType : null,
      requestedVersion: typeof b.softwareVersion === 'string' ? b.softwareVersion : null,
      targetVersion: answer.action?.targetVersion ?? null, fromVersion: answer.action?.fromVersion ?? null,
      status: answer.status, operationId: answer.action?.operationId ?? null, via, ...(answerLost ? { answerLost } : {}),
      ...(index === undefined ? {} : { activityState: state.device(index).activityState }),
    });
  };

  /**
   * Throttles, answers, counts and logs one Graph request (direct or inner). Sets `lost.dropped`
   * when the dropAnswer fault strikes: the caller then closes the connection without answering.
   */
  const evaluate = (req: GraphRequest, via: 'direct' | 'batch', lost?: { dropped: boolean }): GraphAnswer => {
    const taken = limiter.take(req.claims.appid);
    const answer = taken.ok
      ? answerGraphRequest(graphContext, req)
      : throttledError(taken.retryAfterSeconds, { now: clock.now(), requestId: req.requestId, clientRequestId: req.headers['client-request-id'] });
    // Only an action that was carried out loses its answer: the case where a client that simply
    // posts again would start a second operation.
    const dropped = lost !== undefined && answer.status === 202 && answer.action !== undefined && faults.decideDropAnswer();
    if (dropped) lost.dropped = true;
    log.countGraph(answer.status);
    recordAction(req.method, req.path, req.body, answer, via, req.claims.appid, dropped);
    return answer;
  };

  const evaluateInner = (inner: InnerRequest, claims: TokenClaims, requestId: string, lost: { dropped: boolean }): GraphAnswer => {
    const ids = { now: clock.now(), requestId, clientRequestId: inner.headers['client-request-id'] };
    const parsed = new URL(inner.url, 'http://inner');
    if (parsed.pathname === '/$batch') {
      const answer = graphError(400, 'BadRequest', 'A batch cannot contain another batch.', ids);
      log.countGraph(answer.status);
      return answer;
    }
    if (faults.decideInnerThrottle()) {
      const answer = throttledError(faults.settings.retryAfterSeconds, ids);
      log.countGraph(answer.status);
      recordAction(inner.method, parsed.pathname, inner.body, answer, 'batch', claims.appid);
      return answer;
    }
    return evaluate({ method: inner.method, path: parsed.pathname, query: parsed.searchParams, headers: inner.headers, body: inner.body, claims, requestId }, 'batch', lost);
  };

  const writeAnswer = (res: ServerResponse, answer: GraphAnswer, requestId: string, clientRequestId: string | undefined): void => {
    const headers: Record<string, string> = { ...answer.headers, 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId };
    if (answer.body === undefined) {
      res.writeHead(answer.status, { ...headers, 'Content-Length': '0' });
      res.end();
    } else {
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, { ...headers, 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
    }
  };

  const handleGraph = async (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> => {
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
    const latency = faults.settings.latencyMs + (!isBatch && matchAction(method, versionPath) ? faults.settings.actionLatencyMs : 0);
    if (latency > 0) await delay(latency, lifetime.signal);
    const ids = () => ({ now: clock.now(), requestId, clientRequestId });
    const finish = (answer: GraphAnswer, appId: string | null): void => {
      if (!isBatch || answer.status !== 200) log.countGraph(answer.status);
      if (!isBatch) recordAction(method, versionPath, body, answer, 'direct', appId);
      writeAnswer(res, answer, requestId, clientRequestId);
    };
    const verified = issuer.verifyHeader(req.headers.authorization, clock.now());
    if (!verified.ok) {
      const message = verified.reason === 'missing' ? 'Access token is empty.' : verified.reason === 'expired' ? 'Access token has expired or is not yet valid.' : 'Access token validation failure. Invalid signature or audience.';
      finish(graphError(401, 'InvalidAuthenticationToken', message, ids(), { 'WWW-Authenticate': `Bearer realm="", authorization_uri="${url.origin}/${tenant}/oauth2/v2.0/authorize", client_id="00000003-0000-0000-c000-000000000000"` }), null);
      return;
    }
    const claims = verified.claims;
    const fault = faults.decideOuter();
    if (fault?.kind === 'hang') {
      // Never answered: the client's timeout is what is under test. close() drops the socket.
      hung.add(res);
      log.countHung();
      if (!isBatch) recordAction(method, versionPath, body, { status: 0, headers: {} }, 'direct', claims.appid);
      res.on('close', () => hung.delete(res));
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
      const answer = answerBatch(body, ids(), (inner) => evaluateInner(inner, claims, requestId, lost), { reverse: quirks.current.reverseBatchResponses });
      if (lost.dropped) res.destroy();
      else finish(answer, claims.appid);
      return;
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const lost = { dropped: false };
    const answer = evaluate({ method, path: versionPath, query: url.searchParams, headers, body, claims, requestId }, 'direct', lost);
    if (lost.dropped) res.destroy();
    else writeAnswer(res, answer, requestId, clientRequestId);
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse, tenantInPath: string): Promise<void> => {
    log.countHttp('token');
    const body = await readBody(req);
    if ((req.method ?? '').toUpperCase() !== 'POST') {
      sendJson(res, 405, { error: 'invalid_request', error_description: 'AADSTS900561: The endpoint only accepts POST requests.', error_codes: [900561] });
      return;
    }
    const answer = answerTokenRequest(
      { tenant: tenantInPath, contentType: req.headers['content-type'], authorization: req.headers.authorization, body },
      // Tokens expire by the emulator clock, stretched by its speed so that a client caching a token for
      // expires_in real seconds does not see it expire a thousand times sooner on an accelerated clock.
      { tenant, apps, issuer, now: clock.now(), lifetimeSeconds: tokenLifetimeSeconds, validitySeconds: Math.round(tokenLifetimeSeconds * clock.speed), origin: url },
    );
    sendJson(res, answer.status, answer.body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  };

  const openIdConfiguration = () => ({
    token_endpoint: `${url}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    jwks_uri: `${url}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${url}/${tenant}/v2.0`,
    authorization_endpoint: `${url}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${url}/${tenant}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${url}/${tenant}/oauth2/v2.0/logout`,
    http_logout_supported: true,
    request_uri_parameter_supported: false,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'emulator',
    msgraph_host: new URL(url).host,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const started = performance.now();
    res.on('finish', () => logger.debug({ method: req.method, path: (req.url ?? '').split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) }, 'emulator request'));
    if (!isLoopbackPeer(req.socket.remoteAddress)) {
      sendJson(res, 403, { error: 'the emulator answers loopback clients only' });
      return;
    }
    const parsed = new URL(req.url ?? '/', url);
    const path = parsed.pathname;
    if (path === '/_emulator' || path.startsWith('/_emulator/')) {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = text.trim() === '' ? undefined : JSON.parse(text);
      } catch {
        sendJson(res, 400, { error: 'the body is not JSON' });
        return;
      }
      const answer = await answerControl(control, req.method ?? 'GET', path.slice('/_emulator'.length), parsed.searchParams, body);
      sendJson(res, answer.status, answer.body);
      return;
    }
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (token?.[1]) return handleToken(req, res, decodeURIComponent(token[1]));
    const wellKnown = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (wellKnown?.[1]) {
      if (decodeURIComponent(wellKnown[1]).toLowerCase() !== tenant.toLowerCase()) sendJson(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${wellKnown[1]}' not found.` });
      else sendJson(res, 200, openIdConfiguration());
      return;
    }
    if (path === '/common/discovery/instance') {
      const hostName = new URL(url).host;
      sendJson(res, 200, {
        tenant_discovery_endpoint: `${url}/${tenant}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1',
        metadata: [{ preferred_network: hostName, preferred_cache: hostName, aliases: [hostName] }],
      });
      return;
    }
    if (path === '/beta' || path.startsWith('/beta/')) return handleGraph(req, res, parsed, requestId);
    if (path.startsWith('/v1.0/')) {
      sendJson(res, 400, graphError(400, 'BadRequest', 'The Teams device API exists in the beta version only; use /beta.', { now: clock.now(), requestId }).body);
      return;
    }
    sendJson(res, 404, { error: { code: 'NotFound', message: `Nothing is served at ${path}.` } });
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        if (!res.headersSent) sendJson(res, 413, { error: { code: 'RequestEntityTooLarge', message: `The body is larger than ${maxBodyBytes} bytes.` } });
        return;
      }
      if (lifetime.signal.aborted) return;
      logger.error({ err }, 'emulator request failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'generalException', message: 'The emulator failed on this request.' } });
      else res.destroy();
    });
  };
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttpServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `${options.tls ? 'https' : 'http'}://${hostPart}:${address.port}`;
  graphBaseUrl = `${url}/beta`;
  const settings: EmulatorSettings = {
    devices: deviceCount, seed, epoch: new Date(epoch).toISOString(), rateLimit: limiter.ratePerSecond, speed: clock.speed, statePath, restored: saved !== undefined,
    queuedMs: timing.queuedMs, scheduledMs: timing.scheduledMs, inProgressMs: timing.inProgressMs, tokenLifetimeSeconds,
  };
  logger.info({ url, devices: deviceCount, seed, rateLimit: limiter.ratePerSecond, restored: saved !== undefined }, 'emulator listening');
  if (statePath && !saved) await saveNow();

  let closing: Promise<void> | undefined;
  return {
    url, graphBaseUrl, loginBaseUrl: url, tokenUrl: `${url}/${tenant}/oauth2/v2.0/token`, tenant,
    clientId: rwApp.clientId, clientSecret: rwApp.clientSecret, readOnlyClientId: roApp.clientId, readOnlyClientSecret: roApp.clientSecret,
    settings, control,
    close: () => {
      closing ??= (async () => {
        lifetime.abort();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const res of hung) res.destroy();
        hung.clear();
        server.closeAllConnections();
        await stopped;
        // Settling inside the last save may ask for another one: `closed` stops that.
        closed = true;
        await saveNow();
        if (saveTimer) clearTimeout(saveTimer);
        logger.info({ url }, 'emulator stopped');
      })();
      return closing;
    },
  };
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('emulator closing'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('emulator closing'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
