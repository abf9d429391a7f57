// An emulator of the Microsoft Graph (beta) Teams device API, on loopback, built on node:http.
// It serves the token endpoint, /beta/teamwork/devices… and /beta/$batch with the shapes of
// the spec (shared/spec/graph-teamwork-api.md), over generated fleets whose operations run on
// a controllable clock; faults and documented quirks on demand; state optionally kept in a file.
// It serves one tenant, or several (`tenants`), each with its own apps, fleet and limits.
// Start it in-process with startEmulator() or from the command line with `firmwarden emulator`.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../log/logger.ts';
import { systemClock } from '../../model/clock.ts';
import { EmulatorClock } from './emulator-clock.ts';
import { emulatorDefaults, type EmulatorHandle, type EmulatorOptions, type EmulatorSettings, type TenantList } from './emulator-options.ts';
import { createGraphHandler } from './graph-handler.ts';
import { graphError } from './graph-errors.ts';
import { BodyTooLarge, isLoopbackHost, isLoopbackPeer, maxBodyBytes, readBody, sendJson } from './http-io.ts';
import { answerIdentity } from './identity-handler.ts';
import { defaultTiming } from './operations.ts';
import { RateLimiter } from './rate-limiter.ts';
import { readStateFile, stateFormat, writeStateFile, type EmulatorStateFile } from './state-file.ts';
import { answerTenantControl } from './tenant-routes.ts';
import { createTenantWorld, TenantDirectory } from './tenant-world.ts';
import { resolveTenants } from './tenants.ts';

/** Starts the emulator; resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new RangeError(`the emulator listens on loopback only; ${host} is not a loopback address`);
  const logger = (options.logger ?? silentLogger()).child({ component: 'emulator' });
  const statePath = options.statePath ?? null;
  // The state file keeps one fleet: several tenants would need one per tenant.
  if (statePath && options.tenants !== undefined && (typeof options.tenants !== 'number' || options.tenants > 1)) {
    throw new RangeError('a state file keeps one tenant; start several tenants without --state');
  }
  const baseClock = options.clock ?? systemClock;
  const saved = statePath ? await readStateFile(statePath) : undefined;
  const seed = saved?.fleet.seed ?? options.seed ?? emulatorDefaults.seed;
  const deviceCount = saved?.fleet.deviceCount ?? options.devices ?? emulatorDefaults.devices;
  if (saved && ((options.seed !== undefined && options.seed !== saved.fleet.seed) || (options.devices !== undefined && options.devices !== saved.fleet.deviceCount))) {
    logger.warn({ statePath, seed: saved.fleet.seed, devices: saved.fleet.deviceCount }, 'state file fleet wins over seed/devices options');
  }
  const configs = resolveTenants({
    tenantId: options.tenant ?? emulatorDefaults.tenant,
    clientId: options.clientId ?? emulatorDefaults.clientId, clientSecret: options.clientSecret ?? emulatorDefaults.clientSecret,
    readOnlyClientId: options.readOnlyClientId ?? emulatorDefaults.readOnlyClientId, readOnlyClientSecret: options.readOnlyClientSecret ?? emulatorDefaults.readOnlyClientSecret,
    devices: deviceCount, seed, rateLimit: options.rateLimit ?? emulatorDefaults.rateLimit,
  }, options.tenants);
  const clock = new EmulatorClock(baseClock, { offsetMs: saved?.clock.offsetMs ?? 0, speed: options.speed ?? saved?.clock.speed ?? 1 });
  const epoch = saved?.fleet.epoch ?? options.epoch ?? clock.now();
  const timing = {
    queuedMs: options.queuedMs ?? defaultTiming.queuedMs,
    scheduledMs: options.scheduledMs ?? defaultTiming.scheduledMs,
    inProgressMs: options.inProgressMs ?? defaultTiming.inProgressMs,
    jitter: options.durationJitter ?? defaultTiming.jitter,
  };
  for (const [name, value] of Object.entries(timing)) {
    if (!Number.isFinite(value) || value < 0 || (name === 'jitter' && value > 1)) throw new RangeError(`${name} must be a number >= 0${name === 'jitter' ? ' and <= 1' : ''}`);
  }
  const realTime = options.realTime ?? (() => performance.now());
  const globalLimiter = new RateLimiter(options.globalRateLimit ?? 0, realTime);
  const tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
  const hung = new Set<ServerResponse>();
  const lifetime = new AbortController();

  // Closures below call saveNow and tenants only once both exist.
  const settings = { clock, epoch, timing, options, globalLimiter, settleAll: () => tenants.settleAll(), save: () => saveNow() };
  const tenants = new TenantDirectory(configs.map((config) => createTenantWorld(config, settings, config.index === 0 ? saved?.state : undefined)));
  const primary = tenants.primary;

  // ---- persistence (of the first tenant: the only one when there is a state file) ----
  let saveTimer: NodeJS.Timeout | undefined;
  let closed = false;
  let saving: Promise<void> = Promise.resolve();
  const snapshot = (): EmulatorStateFile => ({
    format: stateFormat, version: 1, savedAt: new Date(clock.now()).toISOString(),
    fleet: { seed: primary.config.seed, deviceCount: primary.config.devices, epoch }, clock: { offsetMs: clock.offsetMs, speed: clock.speed }, state: primary.state.toPersisted(),
  });
  const saveNow = (): Promise<void> => {
    if (!statePath) return Promise.resolve();
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = undefined;
    saving = saving.then(() => writeStateFile(statePath, snapshot())).catch((err: unknown) => logger.error({ err, statePath }, 'emulator state not saved'));
    return saving;
  };
  primary.state.onChange = () => {
    if (!statePath || saveTimer || closed) return;
    saveTimer = setTimeout(() => void saveNow(), 200);
  };

  let url = '';
  let graphBaseUrl = '';
  const tenantList = (): TenantList => ({
    format: 'firmwarden-emulator-tenants', version: 1, loginBaseUrl: url, graphBaseUrl, globalRateLimit: globalLimiter.ratePerSecond, tenants: tenants.describe(url),
  });
  const handleGraph = createGraphHandler({ tenants, clock, globalLimiter, hung, signal: lifetime.signal, graphBaseUrl: () => graphBaseUrl });
  const identity = { tenants, clock, url: () => url, tokenLifetimeSeconds };

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
      const answer = await answerTenantControl(tenants, tenantList, req.method ?? 'GET', path.slice('/_emulator'.length), parsed.searchParams, body);
      sendJson(res, answer.status, answer.body);
      return;
    }
    if (await answerIdentity(req, res, path, identity)) return;
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
  const emulatorSettings: EmulatorSettings = {
    devices: primary.config.devices, seed: primary.config.seed, epoch: new Date(epoch).toISOString(), rateLimit: primary.limiter.ratePerSecond, speed: clock.speed, statePath, restored: saved !== undefined,
    queuedMs: timing.queuedMs, scheduledMs: timing.scheduledMs, inProgressMs: timing.inProgressMs, tokenLifetimeSeconds,
    tenants: configs.length, totalDevices: configs.reduce((sum, t) => sum + t.devices, 0), globalRateLimit: globalLimiter.ratePerSecond,
  };
  logger.info({ url, tenants: configs.length, devices: deviceCount, seed, rateLimit: primary.limiter.ratePerSecond, restored: saved !== undefined }, 'emulator listening');
  if (statePath && !saved) await saveNow();

  let closing: Promise<void> | undefined;
  const [rwApp, roApp] = primary.apps;
  return {
    url, graphBaseUrl, loginBaseUrl: url, tokenUrl: `${url}/${primary.id}/oauth2/v2.0/token`, tenant: primary.id,
    clientId: rwApp!.clientId, clientSecret: rwApp!.clientSecret, readOnlyClientId: roApp!.clientId, readOnlyClientSecret: roApp!.clientSecret,
    settings: emulatorSettings, control: primary.control,
    tenantControl: (tenantId) => {
      const world = tenants.find(tenantId);
      if (!world) throw new RangeError(`the emulator serves no tenant ${tenantId}`);
      return world.control;
    },
    tenants: tenantList,
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
