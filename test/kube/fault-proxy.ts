// A TLS proxy between a client under test and the real kube-apiserver that can misbehave on
// demand: freeze open watch streams (a silent, half-dead connection), cut them, answer with
// errors, or rewrite the next watch's resourceVersion to one the server has compacted away
// (so the server itself answers 410 Expired). It serves with the harness's serving
// certificate and talks upstream as cluster-admin, so clients only need the CA.
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { KubeEnv } from './envtest.ts';

interface Stream {
  res: ServerResponse;
  upstream: IncomingMessage;
  frozen: boolean;
}

/** One request that passed through, for assertions. */
export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
}

/** The proxy; start() it, point a kubeconfig at `url`, close() it. */
export class FaultProxy {
  readonly env: KubeEnv;
  readonly requests: ProxiedRequest[] = [];
  #server: Server | undefined;
  #streams = new Set<Stream>();
  #failNext: { count: number; status: number } = { count: 0, status: 500 };
  #staleNextWatch = false;
  port = 0;

  constructor(env: KubeEnv) {
    this.env = env;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** A kubeconfig (text) that reaches the API server through this proxy. */
  kubeconfigText(): string {
    return this.env.kubeconfigText({ token: 'not-checked-by-the-proxy' }).replace(this.env.server, this.url);
  }

  async start(): Promise<void> {
    const { certs } = this.env;
    this.#server = createServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) }, (req, res) => this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  /** Stops forwarding data on every open watch, without closing them. */
  freezeWatches(): void {
    for (const s of this.#streams) {
      s.frozen = true;
      s.upstream.pause();
    }
  }

  /** Closes every open watch abruptly. */
  cutWatches(): void {
    for (const s of this.#streams) {
      s.res.socket?.destroy();
      s.upstream.destroy();
    }
    this.#streams.clear();
  }

  /** Answers the next `count` requests with `status` instead of forwarding them. */
  failNext(count: number, status = 500): void {
    this.#failNext = { count, status };
  }

  /** Makes the next watch ask for resourceVersion 1, long compacted: the server answers 410. */
  staleNextWatch(): void {
    this.#staleNextWatch = true;
  }

  /** Open watch streams right now. */
  get openWatches(): number {
    return this.#streams.size;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.env.server);
    const isWatch = url.searchParams.get('watch') === '1' || url.searchParams.get('watch') === 'true';
    if (this.#failNext.count > 0) {
      this.#failNext.count--;
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, status: this.#failNext.status });
      res.writeHead(this.#failNext.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'injected by the fault proxy', reason: 'InternalError', code: this.#failNext.status }));
      return;
    }
    if (isWatch && this.#staleNextWatch) {
      this.#staleNextWatch = false;
      url.searchParams.set('resourceVersion', '1');
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    delete headers.host;
    const upstream = httpsRequest(
      url,
      { method: req.method, headers, ca: this.env.certs.caPem, cert: this.env.certs.adminCertPem, key: this.env.certs.adminKeyPem },
      (up) => {
        this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, status: up.statusCode ?? 0 });
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!isWatch) {
          up.pipe(res);
          return;
        }
        const stream: Stream = { res, upstream: up, frozen: false };
        this.#streams.add(stream);
        up.on('data', (chunk: Buffer) => {
          if (!stream.frozen) res.write(chunk);
        });
        up.on('end', () => {
          this.#streams.delete(stream);
          if (!stream.frozen) res.end();
        });
        up.on('error', () => this.#streams.delete(stream));
        res.on('close', () => {
          this.#streams.delete(stream);
          up.destroy();
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    this.cutWatches();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
