// A tiny scripted Graph for the adapter's tests: token endpoint, bearer check, $batch fan-out
// to the same handler, and a log of every request stamped with the test's clock.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../../controller/model/clock.ts';

export interface FakeRequest {
  readonly method: string;
  /** Path after /beta, e.g. /teamwork/devices */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly via: 'direct' | 'batch';
  /** The test clock's time when the request arrived. */
  readonly at: number;
}

export type FakeReply = { status: number; headers?: Record<string, string>; body?: unknown } | 'hang' | 'drop';
export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeGraph {
  readonly baseUrl: string;
  readonly loginUrl: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly secret: string;
  /** Every Graph request (inner $batch requests included, the $batch itself not). */
  readonly requests: FakeRequest[];
  readonly batches: { at: number; size: number }[];
  tokenRequests: number;
  /** Tokens accepted by the API; clear it to make the next call answer 401. */
  readonly validTokens: Set<string>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => resolve(text));
  });
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the fake on 127.0.0.1:0. `reverseBatch` answers $batch items in reverse order. */
export async function startFakeGraph(options: { clock: Clock; handle: FakeHandler; reverseBatch?: boolean; tokenLifetimeS?: number }): Promise<FakeGraph> {
  const hung = new Set<ServerResponse>();
  let tokenSeq = 0;
  const fake = {
    requests: [] as FakeRequest[],
    batches: [] as { at: number; size: number }[],
    tokenRequests: 0,
    validTokens: new Set<string>(),
    tenant: 'contoso',
    clientId: 'app-1',
    secret: 'Sup3r-Secret-Value!',
  };
  const send = (res: ServerResponse, reply: Exclude<FakeReply, 'hang' | 'drop'>) => {
    const headers = { ...(reply.body === undefined ? {} : { 'content-type': 'application/json' }), ...reply.headers };
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  };
  const server = createServer(async (req, res) => {
    const text = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === `/${fake.tenant}/oauth2/v2.0/token`) {
      fake.tokenRequests++;
      const form = new URLSearchParams(text);
      if (form.get('client_id') !== fake.clientId || form.get('client_secret') !== fake.secret) {
        return send(res, { status: 401, body: { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided (${form.get('client_secret')}).` } });
      }
      const token = `tok-${++tokenSeq}`;
      fake.validTokens.add(token);
      return send(res, { status: 200, body: { token_type: 'Bearer', expires_in: options.tokenLifetimeS ?? 3599, access_token: token } });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !fake.validTokens.has(token)) {
      return send(res, { status: 401, body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } } });
    }
    if (!url.pathname.startsWith('/beta/')) return send(res, { status: 404, body: { error: { code: 'notFound' } } });
    const path = url.pathname.slice('/beta'.length);
    const at = options.clock.now();
    if (req.method === 'POST' && path === '/$batch') {
      const requests = ((parseJson(text) as { requests?: { id: string; method: string; url: string; body?: unknown }[] })?.requests ?? []);
      fake.batches.push({ at, size: requests.length });
      const responses: unknown[] = [];
      for (const inner of requests) {
        const innerUrl = new URL(inner.url, 'http://127.0.0.1');
        const request = { method: inner.method, path: innerUrl.pathname, query: innerUrl.searchParams, body: inner.body, via: 'batch' as const, at };
        fake.requests.push(request);
        const reply = await options.handle(request);
        if (reply === 'hang') {
          hung.add(res);
          return;
        }
        if (reply === 'drop') return res.socket?.destroy();
        responses.push({ id: inner.id, status: reply.status, headers: reply.headers ?? {}, body: reply.body ?? null });
      }
      if (options.reverseBatch) responses.reverse();
      return send(res, { status: 200, body: { responses } });
    }
    const request = { method: req.method ?? 'GET', path, query: url.searchParams, body: parseJson(text), via: 'direct' as const, at };
    fake.requests.push(request);
    const reply = await options.handle(request);
    if (reply === 'hang') {
      hung.add(res);
      return;
    }
    if (reply === 'drop') return res.socket?.destroy();
    send(res, reply);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}/beta`,
    loginUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const res of hung) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
