// A small JSON client for the Kubernetes API over node:https: one request at a time with a
// timeout, and watches read as a stream of newline-delimited JSON events. Kept deliberately
// thin so that retries, relists and watchdogs live in the callers that know what they mean.
import { Agent, request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage, type ClientRequest } from 'node:http';
import { createHash } from 'node:crypto';
import type { KubeAccess, KubeTls } from './kube-access.ts';
import { KubeApiError, KubeTransportError, describeStatus } from './kube-error.ts';

/** One API call. */
export interface KubeRequest {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Defaults to application/json; patches pass their own (merge-patch+json, apply-patch+yaml…). */
  contentType?: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

/** One event of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

/** Options for a watch: what to call whenever bytes arrive (for inactivity watchdogs). */
export interface WatchOptions extends KubeRequest {
  onActivity?: () => void;
}

// Lists of a few thousand custom resources stay far below this; anything bigger is a bug.
const maxBodyBytes = 64 * 1024 * 1024;
const maxLineBytes = 16 * 1024 * 1024;

function fingerprint(tls: KubeTls): string {
  const h = createHash('sha256');
  for (const part of [tls.ca, tls.cert, tls.key, String(tls.rejectUnauthorized), tls.servername ?? '']) h.update(part ?? '-').update('\0');
  return h.digest('hex');
}

/** Talks to one API server with the credentials a KubeAccess provides. */
export class KubeClient {
  readonly access: KubeAccess;
  readonly #userAgent: string;
  readonly #timeoutMs: number;
  #agent: { key: string; agent: Agent } | undefined;

  constructor(access: KubeAccess, options: { userAgent?: string; timeoutMs?: number } = {}) {
    this.access = access;
    this.#userAgent = options.userAgent ?? 'firmwarden';
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The namespace of the configuration's current context, if any. */
  get namespace(): string | undefined {
    return this.access.namespace;
  }

  /** Closes pooled connections. */
  close(): void {
    this.#agent?.agent.destroy();
    this.#agent = undefined;
  }

  #agentFor(tls: KubeTls): Agent {
    const key = fingerprint(tls);
    if (this.#agent?.key !== key) {
      // Rotated client certificates get a new pool; idle sockets of the old one are closed.
      this.#agent?.agent.destroy();
      this.#agent = { key, agent: new Agent({ keepAlive: true, ...tls }) };
    }
    return this.#agent.agent;
  }

  async #open(req: KubeRequest, timeoutMs: number | undefined): Promise<{ res: IncomingMessage; clientRequest: ClientRequest; url: string }> {
    const method = req.method ?? 'GET';
    const url = new URL(this.access.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const creds = await this.access.authorize();
    const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string> = {
      ...creds.headers,
      accept: 'application/json',
      'user-agent': this.#userAgent,
      ...(payload !== undefined ? { 'content-type': req.contentType ?? 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
    };
    const isHttps = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      if (req.signal?.aborted) return reject(new KubeTransportError(`${method} ${req.path}: aborted`));
      const options = { method, headers, ...(isHttps ? { agent: this.#agentFor(creds.tls) } : {}) };
      const clientRequest = (isHttps ? httpsRequest : httpRequest)(url, options, (res) => resolve({ res, clientRequest, url: url.pathname }));
      const onAbort = () => clientRequest.destroy(new KubeTransportError(`${method} ${req.path}: aborted`));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      clientRequest.once('close', () => req.signal?.removeEventListener('abort', onAbort));
      if (timeoutMs !== undefined) {
        clientRequest.setTimeout(timeoutMs, () => clientRequest.destroy(new KubeTransportError(`${method} ${req.path}: no answer within ${timeoutMs} ms`)));
      }
      clientRequest.on('error', (error) =>
        reject(error instanceof KubeTransportError ? error : new KubeTransportError(`${method} ${req.path}: ${error.message}`, { cause: error })),
      );
      if (payload !== undefined) clientRequest.write(payload);
      clientRequest.end();
    });
  }

  async #readBody(res: IncomingMessage, method: string, path: string): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBodyBytes) {
          res.destroy();
          throw new KubeTransportError(`${method} ${path}: response larger than ${maxBodyBytes} bytes`);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (error instanceof KubeTransportError) throw error;
      throw new KubeTransportError(`${method} ${path}: ${(error as Error).message}`, { cause: error });
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  #failure(method: string, path: string, status: number, text: string): KubeApiError {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const { reason, message } = describeStatus(body, text.slice(0, 300) || `HTTP ${status}`);
    return new KubeApiError(method, path, status, reason, message);
  }

  /** Sends one request and parses the JSON answer; non-2xx answers throw KubeApiError. */
  async request<T = unknown>(req: KubeRequest): Promise<T> {
    const method = req.method ?? 'GET';
    const { res } = await this.#open(req, req.timeoutMs ?? this.#timeoutMs);
    const text = await this.#readBody(res, method, req.path);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw this.#failure(method, req.path, status, text);
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (error) {
      throw new KubeTransportError(`${method} ${req.path}: answer is not JSON`, { cause: error });
    }
  }

  /**
   * Opens a watch (the caller adds watch=true and resourceVersion to the query) and yields its
   * events until the server closes the stream. Ends quietly when `signal` aborts; a failed
   * start throws KubeApiError (410 when the resourceVersion is too old).
   */
  async *watch(req: WatchOptions): AsyncGenerator<WatchEvent> {
    const method = req.method ?? 'GET';
    let opened;
    try {
      // No request timeout: the server ends watches after timeoutSeconds, and the caller's
      // inactivity watchdog aborts silent ones.
      opened = await this.#open(req, undefined);
    } catch (error) {
      if (req.signal?.aborted) return;
      throw error;
    }
    const { res } = opened;
    const status = res.statusCode ?? 0;
    if (status !== 200) throw this.#failure(method, req.path, status, await this.#readBody(res, method, req.path));
    req.onActivity?.();
    let pending = '';
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        req.onActivity?.();
        pending += chunk.toString('utf8');
        if (pending.length > maxLineBytes) throw new KubeTransportError(`${method} ${req.path}: watch event larger than ${maxLineBytes} bytes`);
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (!line) continue;
          let event: WatchEvent;
          try {
            event = JSON.parse(line) as WatchEvent;
          } catch (error) {
            throw new KubeTransportError(`${method} ${req.path}: watch sent a line that is not JSON`, { cause: error });
          }
          yield event;
        }
      }
    } catch (error) {
      if (req.signal?.aborted) return;
      if (error instanceof KubeTransportError) throw error;
      throw new KubeTransportError(`${method} ${req.path}: watch stream failed: ${(error as Error).message}`, { cause: error });
    } finally {
      res.destroy();
    }
  }
}
