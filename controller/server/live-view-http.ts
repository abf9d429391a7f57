// The live view over HTTP: GET / (the page), /ui/live-view.css, /ui/live-view.js, its icon, /api/view
// (the view model as JSON) and /api/events (server-sent events: the view again each time a
// reconcile has made a new one); with Tenants, /api/tenants lists them and ?tenant=<namespace>
// picks one on both (default: the first). Read-only by construction: GET and HEAD only, no route
// changes anything. Every byte comes from this process (no CDN: the page works without
// internet), under a strict Content-Security-Policy with no inline script or style. Access:
// live-view-access.ts.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.ts';
import { checkLiveViewAccess, sessionCookieName, sessionCookieValue, type LiveViewAccess } from './live-view-access.ts';

/** Where the page's view comes from (run/live-view-feed.ts). */
export interface LiveViewSource {
  /** The latest view as JSON text, or undefined before the first reconcile. */
  json(): string | undefined;
  /** Calls `listener` each time a new view is ready; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/** A tenant the live view can show (with Tenants declared). */
export interface LiveViewTenant {
  readonly namespace: string;
  readonly displayName?: string | undefined;
}

/** The live views per tenant (run/tenant-live-views.ts). */
export interface LiveViewTenants {
  /** The tenants served now, by namespace; empty when no Tenant is declared. */
  list(): LiveViewTenant[];
  /** The view of `namespace` (default: the first), or undefined when it is not served here. */
  source(namespace: string | undefined): LiveViewSource | undefined;
}

export interface LiveViewHttpOptions {
  readonly access: LiveViewAccess;
  /** The view without Tenants (and while none is declared). */
  readonly source: LiveViewSource;
  /** The views per tenant, chosen with ?tenant=<namespace>. Absent: the single view only. */
  readonly tenants?: LiveViewTenants | undefined;
  /** Event streams open at once, at most. Default: 50. */
  readonly maxStreams?: number;
  /** A comment line keeps idle streams open through proxies this often (real ms). Default: 20 s. */
  readonly heartbeatMs?: number;
}

/** The page's routes, for the HTTP server. */
export interface LiveViewRoutes {
  /** True for the paths this serves (even while off: they answer 404 then). */
  owns(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void;
  /** Ends every event stream (the server is closing). */
  close(): void;
}

// default-src 'none' and nothing inline: a value that slipped into markup still could not run.
export const liveViewCsp =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': liveViewCsp,
  'x-content-type-options': 'nosniff',
  // The token may be in the URL once: never send it on.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

const assetDir = new URL('./live-view/', import.meta.url);
const assetFiles = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/live-view.css': { file: 'live-view.css', type: 'text/css; charset=utf-8' },
  '/ui/live-view.js': { file: 'live-view.js', type: 'text/javascript; charset=utf-8' },
  '/ui/tenant-picker.js': { file: 'tenant-picker.js', type: 'text/javascript; charset=utf-8' },
  '/ui/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
} as const;
const apiPaths = new Set(['/api/view', '/api/events', '/api/tenants']);

function send(res: ServerResponse, status: number, body: string, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...securityHeaders, 'content-type': type, ...extra });
  res.end(body);
}

/** The routes; reads the page's three files once. */
export function createLiveViewRoutes(options: LiveViewHttpOptions, logger: Logger): LiveViewRoutes {
  const log = logger.child({ component: 'live-view' });
  const assets = new Map(Object.entries(assetFiles).map(([path, a]) => [path, { body: readFileSync(new URL(a.file, assetDir), 'utf8'), type: a.type }]));
  const streams = new Set<ServerResponse>();
  const maxStreams = options.maxStreams ?? 50;
  const heartbeatMs = options.heartbeatMs ?? 20_000;

  const openStream = (req: IncomingMessage, res: ServerResponse, source: LiveViewSource) => {
    if (streams.size >= maxStreams) return send(res, 503, 'too many live views open; close one or use /api/view\n', 'text/plain; charset=utf-8', { 'retry-after': '30' });
    res.writeHead(200, { ...securityHeaders, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    if (req.method === 'HEAD') return res.end();
    streams.add(res);
    // JSON.stringify escapes CR and LF inside strings, so a view is always one `data:` line.
    const push = () => {
      const json = source.json();
      if (json !== undefined) res.write(`event: view\ndata: ${json}\n\n`);
    };
    res.write('retry: 5000\n\n');
    push();
    const unsubscribe = source.subscribe(push);
    const heartbeat = setInterval(() => res.write(': still here\n\n'), heartbeatMs);
    heartbeat.unref();
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    res.on('close', end);
    req.on('close', end);
  };

  return {
    owns: (path) => path in assetFiles || apiPaths.has(path),
    handle(req, res, url) {
      const path = url.pathname;
      const verdict = checkLiveViewAccess(options.access, {
        host: req.headers.host,
        cookie: req.headers.cookie,
        authorization: req.headers.authorization,
        queryToken: path === '/' ? (url.searchParams.get('token') ?? undefined) : undefined,
      });
      if (verdict === 'off') return send(res, 404, 'not found\n', 'text/plain; charset=utf-8');
      // Nothing here changes anything: no method but GET (and HEAD) is ever accepted.
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed: the live view is read-only\n', 'text/plain; charset=utf-8', { allow: 'GET, HEAD' });
      if (verdict === 'unauthorized') {
        log.debug({ path, remote: req.socket.remoteAddress }, 'live view request without a valid token');
        return send(res, 401, 'the live view needs its token: open /?token=<the content of --ui-token-file> once in the browser (it keeps a cookie), or send Authorization: Bearer <token>\n', 'text/plain; charset=utf-8');
      }
      if (verdict === 'exchange') {
        const token = options.access.mode === 'token' ? options.access.token.reveal() : '';
        // The token leaves the address bar and the history at once; the cookie is HttpOnly and
        // Lax, which still comes with the redirect when the link was opened from elsewhere.
        // The chosen tenant survives the exchange (encoded again: it goes into a header).
        const tenant = url.searchParams.get('tenant');
        return send(res, 303, 'see /\n', 'text/plain; charset=utf-8', {
          location: tenant ? `/?tenant=${encodeURIComponent(tenant)}` : '/',
          'set-cookie': `${sessionCookieName}=${sessionCookieValue(token)}; Path=/; HttpOnly; SameSite=Lax`,
        });
      }
      const asset = assets.get(path);
      if (asset) return send(res, 200, asset.body, asset.type);
      const served = options.tenants?.list() ?? [];
      if (path === '/api/tenants') return send(res, 200, `${JSON.stringify({ tenants: served })}\n`, 'application/json; charset=utf-8');
      // Without a Tenant declared ?tenant= means nothing: the one view, as before Tenants.
      const asked = url.searchParams.get('tenant') ?? undefined;
      const source = served.length === 0 ? options.source : options.tenants!.source(asked);
      if (!source) {
        const known = served.map((t) => t.namespace).join(', ');
        return send(res, 404, `no tenant "${asked?.slice(0, 100)}" is served by this replica; the tenants it serves: ${known} (ask for one with ?tenant=<namespace>)\n`, 'text/plain; charset=utf-8');
      }
      if (path === '/api/view') {
        const json = source.json();
        return json === undefined
          ? send(res, 503, '{"waiting":"the first reconcile has not finished yet"}\n', 'application/json; charset=utf-8', { 'retry-after': '5' })
          : send(res, 200, json, 'application/json; charset=utf-8');
      }
      return openStream(req, res, source);
    },
    close() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
