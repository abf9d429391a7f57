// The HTTP core every Graph call goes through: base URL, bearer token, timeout, pacing, retries
// and error classification. Callers get the final response (2xx, or a non-retryable 4xx they
// interpret) or a FleetError.
//
// Non-idempotent requests (updateSoftware) are never re-sent here once they may have reached
// the server: a timeout, a dropped connection or a 5xx after sending throws `outcomeUnknown`,
// and the caller checks the device's operations before deciding anything. A 429 or 401 is safe
// to repeat: the service did not act on the request.
import type { Clock } from '../../model/clock.ts';
import { FleetError } from '../../model/fleet.ts';
import type { Logger } from '../../log/logger.ts';
import type { Pacer } from './pacer.ts';
import type { TokenSource } from './token-source.ts';
import { computeBackoffMs, defaultBackoff, isRetryableStatus, isThrottleStatus, parseRetryAfter, type BackoffPolicy } from './retry-policy.ts';
import { fleetErrorFromResponse } from './graph-error.ts';
import { resolveGraphUrl } from './graph-urls.ts';

export interface GraphRequest {
  readonly method: 'GET' | 'POST';
  /** Relative to the base (`/teamwork/devices`) or absolute on the same host. */
  readonly url: string;
  readonly body?: unknown;
  /** May it be sent again when its outcome is unknown? GETs and $batch of GETs: yes. */
  readonly idempotent: boolean;
  /** Pacer units: 1, or the number of inner requests of a $batch. */
  readonly cost?: number;
  /** What the call does, for error messages and logs ("list devices"). */
  readonly what: string;
}

export interface GraphResponse {
  readonly status: number;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  readonly body: unknown;
}

export interface GraphHttpOptions {
  /** Graph base including the version, e.g. https://graph.microsoft.com/beta */
  readonly baseUrl: string;
  readonly tokens: TokenSource;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly pacer: Pacer;
  /** Per request, headers and body included (ms). Default 30 s. */
  readonly timeoutMs?: number;
  /** Attempts per request, the first included. Default 6. */
  readonly maxAttempts?: number;
  /** A Retry-After longer than this is not slept through: the error goes up with `retryAfterMs`. Default 5 min. */
  readonly maxRetryAfterMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  /** Largest response body accepted (bytes). Default 16 MiB. */
  readonly maxBodyBytes?: number;
  /** Counts responses by status and requests to slow down (the controller's Prometheus metrics). Default: none. */
  readonly metrics?: FleetRequestMetrics | undefined;
}

/** What the client reports to metrics (the server's Metrics object fits). */
export interface FleetRequestMetrics {
  /** One HTTP response by status code, or 'error' when none came (timeout, network). A $batch counts once. */
  countFleetRequest(code: number | 'error'): void;
  /** One answer asking to slow down (429 or 503), outer or inside a $batch. */
  countFleetThrottled(): void;
}

export interface GraphHttpStats {
  /** HTTP requests sent (a $batch counts once). */
  httpRequests: number;
  /** Requests as Graph counts them (each inner request of a $batch counts). */
  units: number;
  /** 429 answers, outer and inner. */
  throttled: number;
  /** Requests sent again after a retryable failure (units). */
  retried: number;
  timeouts: number;
}

/** A failure before any response: timed out, refused, reset. `maybeSent` is false only when the connection was refused. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly timedOut: boolean;
  readonly maybeSent: boolean;
  constructor(message: string, timedOut: boolean, maybeSent: boolean, cause: unknown) {
    super(message, { cause });
    this.timedOut = timedOut;
    this.maybeSent = maybeSent;
  }
}

const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`response body larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Graph over HTTP with pacing, retries and classification. */
export class GraphHttp {
  readonly baseUrl: string;
  readonly pacer: Pacer;
  readonly clock: Clock;
  readonly #tokens: TokenSource;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #maxRetryAfterMs: number;
  readonly #backoff: BackoffPolicy;
  readonly #random: () => number;
  readonly #fetch: typeof fetch;
  readonly #maxBodyBytes: number;
  readonly #metrics: FleetRequestMetrics | undefined;
  readonly stats: GraphHttpStats = { httpRequests: 0, units: 0, throttled: 0, retried: 0, timeouts: 0 };

  constructor(options: GraphHttpOptions) {
    this.baseUrl = options.baseUrl;
    this.pacer = options.pacer;
    this.clock = options.clock;
    this.#tokens = options.tokens;
    this.#log = options.logger;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 5 * 60_000;
    this.#backoff = options.backoff ?? defaultBackoff;
    this.#random = options.random ?? Math.random;
    this.#fetch = options.fetch ?? fetch;
    this.#maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
    this.#metrics = options.metrics;
  }

  /** Forgets the cached token (a 401 answered a request sent with it). */
  invalidateToken(): void {
    this.#tokens.invalidate();
  }

  /** Lets a caller that paced and sent by itself (the $batch runner) log through the same logger. */
  get logger(): Logger {
    return this.#log;
  }

  get maxAttempts(): number {
    return this.#maxAttempts;
  }

  /** The wait before retry number `attempt` when the server named none. */
  backoffMs(attempt: number): number {
    return computeBackoffMs(attempt, this.#random, this.#backoff);
  }

  /** The wait a Retry-After header asks for, if any. */
  retryAfterOf(headers: Readonly<Record<string, string>>): number | undefined {
    return parseRetryAfter(headers['retry-after'], this.clock.now());
  }

  /** Throws the "wait too long" error when a Retry-After exceeds what this client sleeps through. */
  checkRetryAfter(what: string, waitMs: number, status: number): void {
    if (waitMs > this.#maxRetryAfterMs) {
      throw new FleetError(`${what}: throttled, retry after ${Math.ceil(waitMs / 1000)} s`, { retryable: true, status, code: 'throttled', retryAfterMs: waitMs });
    }
  }

  /** Sends with pacing and retries; see the file comment for what is and is not repeated. */
  async send(request: GraphRequest, signal?: AbortSignal): Promise<GraphResponse> {
    let refreshedToken = false;
    let last: GraphResponse | undefined;
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      if (attempt > 0) this.stats.retried += request.cost ?? 1;
      let response: GraphResponse;
      try {
        response = await this.exchange(request, signal);
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        if (!request.idempotent && error.maybeSent) {
          throw new FleetError(`${request.what}: ${error.message}; the request may have reached the server`, {
            retryable: true,
            code: 'outcomeUnknown',
            cause: error,
          });
        }
        if (attempt + 1 >= this.#maxAttempts) {
          throw new FleetError(`${request.what}: ${error.message} (after ${attempt + 1} attempts)`, { retryable: true, code: error.timedOut ? 'timeout' : 'networkError', cause: error });
        }
        const waitMs = this.backoffMs(attempt);
        this.#log.debug({ what: request.what, attempt, waitMs, timedOut: error.timedOut }, 'graph request failed, retrying');
        await this.clock.sleep(waitMs, signal);
        continue;
      }
      last = response;
      if (response.status === 401 && !refreshedToken) {
        // One fresh token, once: an expired or revoked token. A second 401 is terminal.
        refreshedToken = true;
        this.#tokens.invalidate();
        attempt--;
        continue;
      }
      if (!isRetryableStatus(response.status)) {
        if (response.status < 400) this.pacer.onSuccess();
        return response;
      }
      const retryAfterMs = this.retryAfterOf(response.headers);
      if (response.status === 429) this.stats.throttled++;
      if (isThrottleStatus(response.status)) this.onThrottled(retryAfterMs);
      else if (retryAfterMs !== undefined) this.pacer.pauseFor(retryAfterMs);
      if (!request.idempotent && response.status !== 429) {
        const detail = fleetErrorFromResponse(request.what, response);
        throw new FleetError(`${detail.message}; the request may have been acted on`, {
          retryable: true,
          status: response.status,
          code: 'outcomeUnknown',
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      const waitMs = retryAfterMs ?? this.backoffMs(attempt);
      this.checkRetryAfter(request.what, waitMs, response.status);
      if (attempt + 1 >= this.#maxAttempts) break;
      this.#log.debug({ what: request.what, status: response.status, attempt, waitMs }, 'graph request retried');
      // With a Retry-After the pacer is paused for everyone; without one, only this request waits.
      if (retryAfterMs === undefined) await this.clock.sleep(waitMs, signal);
    }
    const final = last as GraphResponse;
    const retryAfterMs = this.retryAfterOf(final.headers);
    throw fleetErrorFromResponse(`${request.what} (after ${this.#maxAttempts} attempts)`, final, retryAfterMs === undefined ? {} : { retryAfterMs });
  }

  /** An answer asked to slow down (429 or 503): the pacer backs off, and it is counted. */
  onThrottled(retryAfterMs: number | undefined): void {
    this.#metrics?.countFleetThrottled();
    this.pacer.onThrottled(retryAfterMs);
  }

  /** One paced, authenticated attempt; transport failures become TransportError. */
  async exchange(request: GraphRequest, signal?: AbortSignal): Promise<GraphResponse> {
    const cost = Math.max(1, request.cost ?? 1);
    await this.pacer.acquire(cost, signal);
    return this.exchangePaced(request, signal);
  }

  /** One authenticated attempt whose pacing the caller already did. */
  async exchangePaced(request: GraphRequest, signal?: AbortSignal): Promise<GraphResponse> {
    const cost = Math.max(1, request.cost ?? 1);
    const token = await this.#tokens.getToken(signal);
    const url = resolveGraphUrl(this.baseUrl, request.url);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    this.stats.httpRequests++;
    this.stats.units += cost;
    let answered = false;
    try {
      const response = await this.#fetch(url, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: combined,
      });
      answered = true;
      this.#metrics?.countFleetRequest(response.status);
      const text = await readBounded(response, this.#maxBodyBytes);
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, key) => {
        responseHeaders[key.toLowerCase()] = value;
      });
      let body: unknown;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
      }
      return { status: response.status, headers: responseHeaders, body };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!answered) this.#metrics?.countFleetRequest('error');
      if (timeout.aborted) {
        this.stats.timeouts++;
        throw new TransportError(`timed out after ${this.#timeoutMs} ms`, true, true, error);
      }
      const code = errorCode(error);
      throw new TransportError(`network error${code ? ` ${code}` : ''}`, false, !(code && notSentCodes.has(code)), error);
    }
  }
}
