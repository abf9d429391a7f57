// The HTTP core every Graph call goes through: base URL, bearer token, timeout, pacing, retries
// and error classification (by the one answer table, classify-answer.ts, which batch.ts reads
// too). Callers get the final response (2xx, or a non-retryable 4xx they interpret) or a FleetError.
//
// Non-idempotent requests (updateSoftware) are never re-sent here once they may have reached
// the server: a timeout, a dropped connection or a 5xx after sending throws `outcomeUnknown`,
// and the caller checks the device's operations before deciding anything. A 429 or 401 is safe
// to repeat: the service did not act on the request.
//
// Pacing is stamped with the send time: each attempt carries its own `client-request-id` (also
// logged when it fails, for Graph support), and its pacer grant is stamped when undici writes
// that request's headers (transport.ts), or when fetch settles or fails first, whichever is
// earliest. A stall between the grant and the send therefore cannot push two windows' worth of
// requests into one second at the server (issue 16).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../model/clock.ts';
import { FleetError } from '../../model/fleet.ts';
import type { Logger } from '../../log/logger.ts';
import type { Grant, Pacer } from './pacer.ts';
import type { TokenSource } from './token-source.ts';
import { computeBackoffMs, defaultBackoff, type BackoffPolicy } from './retry-policy.ts';
import { giveUpError } from './graph-error.ts';
import { classifyAnswer, nextStep, type AnswerClass } from './classify-answer.ts';
import { errorCode, notSentCodes, readBounded, TransportError, watchSend } from './transport.ts';
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
  /** The client-request-id the request was sent with. */
  readonly clientRequestId?: string;
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
  /** Answers that throttled a request without acting on it (429, or a 424 naming throttling), outer and inner. */
  throttled: number;
  /** Requests sent again after a retryable failure (units). */
  retried: number;
  timeouts: number;
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

  /** The longest wait (Retry-After or backoff) this client sleeps through before giving up. */
  get maxRetryAfterMs(): number {
    return this.#maxRetryAfterMs;
  }

  /** Classifies an answer (direct, outer $batch or one item) by the one table, at the clock's now. */
  classify(response: { status: number; headers: Readonly<Record<string, string>>; body: unknown }): AnswerClass {
    return classifyAnswer(response, this.clock.now());
  }

  /** Books a retryable answer: counted, and the pacer slows down or pauses for its Retry-After. */
  noteRetryable(answer: AnswerClass): void {
    if (answer.outcome === 'throttled' && answer.notActedOn) this.stats.throttled++;
    if (answer.slowDown) this.onThrottled(answer.retryAfterMs);
    else if (answer.retryAfterMs !== undefined) this.pacer.pauseFor(answer.retryAfterMs);
  }

  /** Sends with pacing and retries; see the file comment for what is and is not repeated. */
  async send(request: GraphRequest, signal?: AbortSignal): Promise<GraphResponse> {
    let refreshedToken = false;
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      if (attempt > 0) this.stats.retried += request.cost ?? 1;
      let response: GraphResponse;
      try {
        response = await this.exchange(request, signal);
      } catch (error) {
        if (!(error instanceof TransportError)) throw error;
        if (!request.idempotent && error.maybeSent) {
          this.#log.warn({ what: request.what, clientRequestId: error.clientRequestId, err: error.message }, 'graph request failed; it may have reached the server');
          throw new FleetError(`${request.what}: ${error.message}; the request may have reached the server`, {
            retryable: true,
            code: 'outcomeUnknown',
            cause: error,
          });
        }
        if (attempt + 1 >= this.#maxAttempts) {
          this.#log.warn({ what: request.what, clientRequestId: error.clientRequestId, err: error.message, attempts: attempt + 1 }, 'graph request failed');
          throw new FleetError(`${request.what}: ${error.message} (after ${attempt + 1} attempts)`, { retryable: true, code: error.timedOut ? 'timeout' : 'networkError', cause: error });
        }
        const waitMs = this.backoffMs(attempt);
        this.#log.debug({ what: request.what, attempt, waitMs, timedOut: error.timedOut, clientRequestId: error.clientRequestId }, 'graph request failed, retrying');
        await this.clock.sleep(waitMs, signal);
        continue;
      }
      const answer = this.classify(response);
      const next = nextStep(answer, {
        once: !request.idempotent,
        canRefreshToken: !refreshedToken,
        attempts: attempt + 1,
        maxAttempts: this.#maxAttempts,
        backoffMs: () => this.backoffMs(attempt),
        maxWaitMs: this.#maxRetryAfterMs,
      });
      if (next.step === 'refresh-token') {
        // One fresh token, once: an expired or revoked token. A second 401 is delivered (terminal).
        refreshedToken = true;
        this.#tokens.invalidate();
        attempt--;
        continue;
      }
      if (next.step === 'deliver') {
        if (answer.outcome === 'ok') this.pacer.onSuccess();
        return response;
      }
      this.noteRetryable(answer);
      if (next.step !== 'retry') {
        this.#log.warn({ what: request.what, status: response.status, row: answer.row, clientRequestId: response.clientRequestId }, 'graph request failed');
        const what = next.step === 'attempts-exhausted' ? `${request.what} (after ${this.#maxAttempts} attempts)` : request.what;
        throw giveUpError(what, response, answer, next);
      }
      this.#log.debug({ what: request.what, status: response.status, attempt, waitMs: next.waitMs, clientRequestId: response.clientRequestId }, 'graph request retried');
      // With a Retry-After the pacer is paused for everyone; without one, only this request waits.
      if (!next.serverAsked) await this.clock.sleep(next.waitMs, signal);
    }
    throw new Error('unreachable: the attempt loop ends by returning or throwing');
  }

  /** An answer asked to slow down (429, 503, a 424 naming throttling): the pacer backs off, and it is counted. */
  onThrottled(retryAfterMs: number | undefined): void {
    this.#metrics?.countFleetThrottled();
    this.pacer.onThrottled(retryAfterMs);
  }

  /** One paced, authenticated attempt; transport failures become TransportError. */
  async exchange(request: GraphRequest, signal?: AbortSignal): Promise<GraphResponse> {
    const grant = await this.pacer.acquire(Math.max(1, request.cost ?? 1), signal);
    return this.exchangePaced(request, grant, signal);
  }

  /**
   * One authenticated attempt whose pacing the caller already did. Stamps `grant` when the
   * request is written to the socket, or at the latest when this settles (see the file comment).
   */
  async exchangePaced(request: GraphRequest, grant: Grant, signal?: AbortSignal): Promise<GraphResponse> {
    const clientRequestId = randomUUID();
    let stopWatching: (() => void) | undefined;
    try {
      const cost = Math.max(1, request.cost ?? 1);
      const token = await this.#tokens.getToken(signal);
      const url = resolveGraphUrl(this.baseUrl, request.url);
      const timeout = AbortSignal.timeout(this.#timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', 'client-request-id': clientRequestId };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      this.stats.httpRequests++;
      this.stats.units += cost;
      let answered = false;
      try {
        const body = request.body === undefined ? undefined : JSON.stringify(request.body);
        stopWatching = watchSend(clientRequestId, () => grant.stamp());
        const response = await this.#fetch(url, { method: request.method, headers, ...(body === undefined ? {} : { body }), signal: combined });
        answered = true;
        stopWatching();
        grant.stamp();
        this.#metrics?.countFleetRequest(response.status);
        const text = await readBounded(response, this.#maxBodyBytes);
        const responseHeaders: Record<string, string> = {};
        response.headers.forEach((value, key) => {
          responseHeaders[key.toLowerCase()] = value;
        });
        let parsed: unknown;
        if (text.length > 0) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
        }
        return { status: response.status, headers: responseHeaders, body: parsed, clientRequestId };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (!answered) this.#metrics?.countFleetRequest('error');
        if (timeout.aborted) {
          this.stats.timeouts++;
          throw new TransportError(`timed out after ${this.#timeoutMs} ms`, true, true, error, clientRequestId);
        }
        const code = errorCode(error);
        throw new TransportError(`network error${code ? ` ${code}` : ''}`, false, !(code && notSentCodes.has(code)), error, clientRequestId);
      }
    } finally {
      // Sent, answered or failed: whatever has not been stamped yet is stamped now, an upper bound of the send.
      stopWatching?.();
      grant.stamp();
    }
  }
}
