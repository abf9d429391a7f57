// A recording pass-through in front of the emulator's /beta, for the tenants benchmark: the
// emulator's own request log keeps only POST actions and counters, but "requests per tenant in
// any one-second window" needs the arrival time of every Graph request, reads included. The
// controller's --graph-url points here; each request is stamped when its whole body has arrived
// (the moment the emulator would evaluate it), under the tenant and app of its bearer token,
// counting each inner request of a $batch as Graph and the emulator do, then forwarded unchanged.
// Each replica gets its own URL (`/r<N>/beta`, graphUrlFor(N)), so a window over a tenant's
// limit shows whether two replicas sent into it (a tenant moving between replicas) or one.
// Sign-ins pass through too (--login-url is the tap as well), unrecorded: a client asks for a
// token to the resource it calls (`<tap origin>/.default`), which the emulator knows only under
// its own origin, so that one form field is rewritten on the way.
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Graph requests of one (tenant, app): arrival times in ms (performance.now), units and sending replica (-1: untagged) of each. */
export interface Arrivals {
  readonly tenantId: string;
  readonly appId: string;
  readonly at: number[];
  readonly units: number[];
  readonly replica: number[];
}

/** The claims of an emulator token (a JWT); undefined parts when it is none. */
export function tokenParties(authorization: string | undefined): { tenantId: string; appId: string } | undefined {
  const payload = /^Bearer\s+[^.\s]+\.([^.\s]+)\.[^.\s]+\s*$/i.exec(authorization ?? '')?.[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown; appid?: unknown };
    return typeof claims.tid === 'string' ? { tenantId: claims.tid.toLowerCase(), appId: typeof claims.appid === 'string' ? claims.appid : '' } : undefined;
  } catch {
    return undefined;
  }
}

/** Graph requests a body stands for: the inner requests of a $batch, else one. */
export function graphUnits(path: string, body: Buffer): number {
  if (!/\/\$batch$/.test(path)) return 1;
  try {
    const requests = (JSON.parse(body.toString('utf8')) as { requests?: unknown }).requests;
    return Array.isArray(requests) && requests.length > 0 ? requests.length : 1;
  } catch {
    return 1;
  }
}

/** A token request's form with its scope's resource `from` replaced by `to` (other fields as sent). */
export function rescope(body: Buffer, from: string, to: string): Buffer {
  const form = new URLSearchParams(body.toString('utf8'));
  const scope = form.get('scope');
  if (scope === null || !scope.startsWith(`${from}/`)) return body;
  form.set('scope', `${to}${scope.slice(from.length)}`);
  return Buffer.from(form.toString());
}

/**
 * The window of `windowMs` (half-open [t, t + windowMs)) holding the most units, `at` ascending:
 * its units and the indices [from, to) of its arrivals (the first such window). Every window
 * worth checking starts at an arrival, so a two-pointer sweep finds it.
 */
export function busiestWindow(at: readonly number[], units: readonly number[], windowMs = 1000): { units: number; from: number; to: number } {
  let best = { units: 0, from: 0, to: 0 };
  let sum = 0;
  let end = 0;
  for (let start = 0; start < at.length; start++) {
    while (end < at.length && at[end]! < at[start]! + windowMs) sum += units[end++]!;
    if (sum > best.units) best = { units: sum, from: start, to: end };
    sum -= units[start]!;
  }
  return best;
}

/** The most units inside any window of `windowMs`. */
export function maxInWindow(at: readonly number[], units: readonly number[], windowMs = 1000): number {
  return busiestWindow(at, units, windowMs).units;
}

/** A request path sent to a replica's URL: the replica and the path the emulator serves. */
export function replicaPath(path: string): { replica: number; path: string } {
  const m = /^\/r(\d+)(\/.*)$/.exec(path);
  return m ? { replica: Number(m[1]), path: m[2]! } : { replica: -1, path };
}

/** A running tap: its URLs and what it recorded. */
export interface RequestTap {
  /** The --login-url and --graph-url to give the controller. */
  readonly loginUrl: string;
  readonly graphUrl: string;
  /** The --graph-url of replica `n`: its requests are recorded as that replica's. */
  readonly graphUrlFor: (n: number) => string;
  /** Requests without an emulator token (sent on anyway; the emulator answers 401). */
  readonly unsigned: () => number;
  /** Per (tenant id, app id), in arrival order. */
  readonly arrivals: () => Arrivals[];
  /** Forgets everything recorded (between runs). */
  readonly reset: () => void;
  readonly close: () => Promise<void>;
}

/** Starts a tap on a free loopback port, forwarding to the emulator at `emulatorUrl` (no /beta). */
export async function startRequestTap(emulatorUrl: string): Promise<RequestTap> {
  const target = new URL(emulatorUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  let byParty = new Map<string, Arrivals>();
  let unsigned = 0;
  let origin = '';
  const record = (req: IncomingMessage, path: string, replica: number, body: Buffer) => {
    const at = performance.now();
    const parties = tokenParties(req.headers.authorization);
    if (!parties) return void unsigned++;
    const key = `${parties.tenantId} ${parties.appId}`;
    let entry = byParty.get(key);
    if (!entry) byParty.set(key, (entry = { ...parties, at: [], units: [], replica: [] }));
    entry.at.push(at);
    entry.units.push(graphUnits(new URL(path, 'http://tap').pathname, body));
    entry.replica.push(replica);
  };
  const forward = (req: IncomingMessage, res: ServerResponse, path: string, given: Buffer) => {
    const body = /\/oauth2\/v2\.0\/token$/.test(new URL(path, 'http://tap').pathname) ? rescope(given, origin, target.origin) : given;
    const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    upstream.end(body);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const { replica, path } = replicaPath(req.url ?? '/');
      if (path.startsWith('/beta')) record(req, path, replica, body);
      forward(req, res, path, body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    loginUrl: origin,
    graphUrl: `${origin}/beta`,
    graphUrlFor: (n) => `${origin}/r${n}/beta`,
    unsigned: () => unsigned,
    arrivals: () => [...byParty.values()],
    reset: () => {
      byParty = new Map();
      unsigned = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
