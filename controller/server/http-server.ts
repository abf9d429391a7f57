// The controller's HTTP endpoints: GET /healthz (liveness), GET /readyz (readiness, 503 with the
// reason until ready), GET /metrics (Prometheus text), POST /hooks/git (a shared-secret
// webhook that asks the source for an immediate sync). Bounded: request bodies, header and
// request time; the webhook is off unless a secret is configured (never unauthenticated), and a
// delivery id already received has no second effect (webhook-replay.ts). When given, the
// read-only live view (GET /, /api/view, /api/events: live-view-http.ts) is served too.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from './metrics.ts';
import type { ReadinessCheck } from './readiness.ts';
import type { LiveViewRoutes } from './live-view-http.ts';
import { readPushedBranch, verifyWebhook } from './webhook-auth.ts';
import { maxDeliveryIdLength, readDeliveryId, RecentDeliveries, type RecentDeliveriesOptions } from './webhook-replay.ts';

export interface WebhookOptions {
  /** The shared secret (HMAC key for X-Hub-Signature-256, or the X-Firmwarden-Token value); a Secret is revealed at each request, so a FileSecret's rotation applies at once. */
  readonly secret: string | { reveal(): string };
  /** Called for an authenticated push (or any authenticated event without a branch). */
  readonly onTrigger: (info: { readonly event: string | undefined; readonly branch: string | undefined }) => void;
  /** When set, push events for other branches are acknowledged but do not trigger. */
  readonly branch?: string;
  /** Largest body accepted. Default: 4 MiB. */
  readonly maxBodyBytes?: number;
  /** How many delivery ids, and for how long, are remembered to refuse replays. Defaults: webhook-replay.ts. */
  readonly deliveries?: RecentDeliveriesOptions;
}

export interface HttpServerOptions {
  /** Default: 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. Default: 8080. */
  readonly port?: number;
  readonly metrics: Metrics;
  readonly readiness: ReadinessCheck;
  /** Liveness beyond "the process answers" (e.g. the loop is not wedged). Default: always alive. */
  readonly liveness?: () => { readonly alive: boolean; readonly reason: string };
  /** Absent: POST /hooks/git answers 404. */
  readonly webhook?: WebhookOptions;
  /** The live view's routes (createLiveViewRoutes). Absent: its paths answer 404. */
  readonly liveView?: LiveViewRoutes;
  /** Time given to open requests on close before connections are cut. Default: 5 s. */
  readonly closeTimeoutMs?: number;
  readonly logger: Logger;
}

export interface RunningHttpServer {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, lets open requests finish (up to closeTimeoutMs), then resolves. */
  close(): Promise<void>;
}

class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, `${JSON.stringify(body)}\n`, 'application/json');
}

/** Starts listening; resolves once the port is bound. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const log = options.logger.child({ component: 'http' });
  const host = options.host ?? '127.0.0.1';
  const recentDeliveries = new RecentDeliveries(options.webhook?.deliveries);

  const handleWebhook = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const hook = options.webhook;
    if (hook === undefined) return send(res, 404, 'not found\n');
    let body: Buffer;
    try {
      body = await readBody(req, hook.maxBodyBytes ?? 4 << 20);
    } catch (error) {
      options.metrics.countWebhook('rejected');
      if (error instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        return send(res, 413, 'payload too large\n');
      }
      throw error;
    }
    const verdict = verifyWebhook(req.headers, body, typeof hook.secret === 'string' ? hook.secret : hook.secret.reveal());
    if (!verdict.ok) {
      options.metrics.countWebhook('rejected');
      log.warn({ reason: verdict.reason, remote: req.socket.remoteAddress }, 'webhook rejected');
      return send(res, 401, 'unauthorized\n');
    }
    // Only after authentication: a forged request must not use up the id of a genuine one.
    const delivery = readDeliveryId(req.headers);
    if (delivery === 'invalid') {
      options.metrics.countWebhook('rejected');
      return send(res, 400, `the delivery id header must be 1 to ${maxDeliveryIdLength} characters\n`);
    }
    if (delivery !== undefined && !recentDeliveries.remember(delivery.id)) {
      // 2xx, not 409: GitHub's Redeliver button reuses the id, and the first delivery already had
      // its effect; a failure status would keep redelivery scripts retrying it.
      options.metrics.countWebhook('duplicate');
      log.info({ header: delivery.header, deliveryId: delivery.id }, 'webhook delivery already received; ignored');
      return sendJson(res, 200, { sync: false, reason: `delivery ${delivery.id} already received` });
    }
    const eventHeader = req.headers['x-github-event'] ?? req.headers['x-gitlab-event'] ?? req.headers['x-gitea-event'];
    const event = Array.isArray(eventHeader) ? eventHeader[0] : eventHeader;
    if (event === 'ping') {
      options.metrics.countWebhook('ignored');
      return sendJson(res, 200, { sync: false, reason: 'ping' });
    }
    const branch = readPushedBranch(body, req.headers['content-type']);
    if (hook.branch !== undefined && branch !== undefined && branch !== hook.branch) {
      options.metrics.countWebhook('ignored');
      log.debug({ branch }, 'webhook for another branch ignored');
      return sendJson(res, 202, { sync: false, reason: `push to ${branch}, not ${hook.branch}` });
    }
    options.metrics.countWebhook('accepted');
    log.info({ event, branch, method: verdict.method }, 'webhook accepted; sync requested');
    hook.onTrigger({ event, branch });
    return sendJson(res, 202, { sync: true });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const isRead = method === 'GET' || method === 'HEAD';
    switch (path) {
      case '/healthz': {
        if (!isRead) return send(res, 405, 'method not allowed\n');
        const live = options.liveness?.() ?? { alive: true, reason: 'ok' };
        return send(res, live.alive ? 200 : 503, `${live.reason}\n`);
      }
      case '/readyz': {
        if (!isRead) return send(res, 405, 'method not allowed\n');
        const { ready, reason } = options.readiness.check();
        return send(res, ready ? 200 : 503, ready ? 'ok\n' : `not ready: ${reason}\n`);
      }
      case '/metrics': {
        if (!isRead) return send(res, 405, 'method not allowed\n');
        const text = await options.metrics.registry.metrics();
        return send(res, 200, text, options.metrics.registry.contentType);
      }
      case '/hooks/git':
        if (method !== 'POST') return send(res, 405, 'method not allowed\n');
        return handleWebhook(req, res);
      default:
        if (options.liveView?.owns(path)) return options.liveView.handle(req, res, url);
        return send(res, 404, 'not found\n');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error, path: req.url }, 'request failed');
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  log.info({ host, port }, 'listening');
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), options.closeTimeoutMs ?? 5_000);
        // Event streams never finish by themselves: end them, or close would wait for the timer.
        options.liveView?.close();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
