// JSON batching: up to 20 requests per POST /$batch, per-item results correlated by id (the
// service may answer in any order). Graph throttles each inner request on its own, so the
// pacer is charged one unit per inner request, and an inner 429/503 is retried for that item
// alone after its own Retry-After (which also pauses everyone: the limit is per app).
//
// Inner POSTs (updateSoftware) are re-sent only when the service certainly did not act:
// an inner 429 or 424, or an outer answer that never reached the items. Anything else that
// leaves the outcome open (timeout, dropped connection, 5xx) comes back as `outcomeUnknown`.
// Outer answers and items are classified and retried by the same table as single requests
// (classify-answer.ts); only how the wait is taken differs (a per-item "not before").
//
// A chunk's pacer grant goes with it to GraphHttp.exchangePaced, which stamps it when the
// $batch is sent (pacer.ts): the units count until one window after the send, not the grant.
import { FleetError } from '../../model/fleet.ts';
import type { GraphHttp } from './graph-http.ts';
import type { Grant } from './pacer.ts';
import { TransportError } from './transport.ts';
import { fleetErrorFromResponse, giveUpError } from './graph-error.ts';
import { nextStep, type AnswerClass, type AnswerStep } from './classify-answer.ts';
import { asObject } from './wire-values.ts';

/** Most requests the service accepts in one $batch (documented). */
export const maxBatchSize = 20;

export interface BatchItem {
  /** The caller's key for the result (unique within one run). */
  readonly key: string;
  readonly method: 'GET' | 'POST';
  /** Relative to the version root, e.g. /teamwork/devices/{id}/health */
  readonly path: string;
  readonly body?: unknown;
}

export type BatchResult =
  | { readonly kind: 'response'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: unknown }
  | { readonly kind: 'error'; readonly error: FleetError };

export interface BatchOptions {
  readonly signal?: AbortSignal | undefined;
  /** Requests per $batch, at most 20. */
  readonly batchSize?: number;
  /** $batch requests in flight at once. Default 4. */
  readonly concurrency?: number;
  /** What the items do, for messages ("read health"). */
  readonly what: string;
  /**
   * Receives each result as it arrives; the returned map then stays empty. Lets a caller turn a
   * large body into a small value at once instead of holding thousands of raw bodies.
   */
  readonly onResult?: (key: string, result: BatchResult) => void;
}

interface Pending {
  readonly item: BatchItem;
  attempts: number;
  notBefore: number;
}

function lowerKeys(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const object = asObject(value);
  if (!object) return out;
  for (const [k, v] of Object.entries(object)) if (typeof v === 'string' || typeof v === 'number') out[k.toLowerCase()] = String(v);
  return out;
}

function readInnerBody(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    try {
      return JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    } catch {
      return value;
    }
  }
}

/** Runs the items through $batch requests; every item gets exactly one result. */
export async function runBatch(http: GraphHttp, items: readonly BatchItem[], options: BatchOptions): Promise<Map<string, BatchResult>> {
  const results = new Map<string, BatchResult>();
  const queue: Pending[] = items.map((item) => ({ item, attempts: 0, notBefore: Number.NEGATIVE_INFINITY }));
  const size = Math.max(1, Math.min(maxBatchSize, options.batchSize ?? maxBatchSize));
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const signal = options.signal;
  const clock = http.clock;
  const log = http.logger;
  let inflight = 0;
  let tokenRefreshed = false;
  let wake: () => void = () => undefined;
  let woken = new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    const w = wake;
    woken = new Promise<void>((resolve) => (wake = resolve));
    w();
  };

  const settled = new Set<string>();
  const settle = (pending: Pending, result: BatchResult) => {
    settled.add(pending.item.key);
    if (options.onResult) options.onResult(pending.item.key, result);
    else results.set(pending.item.key, result);
  };
  /** Queues an item again after `waitMs`; nextStep already checked its attempts. */
  const retryLater = (pending: Pending, waitMs: number) => {
    pending.attempts++;
    if (waitMs > 0) pending.notBefore = clock.now() + waitMs;
    queue.push(pending);
  };
  /** Queues an item again after a failure that reached no answer, or settles it when out of attempts. */
  const retryOrFail = (pending: Pending, failure: () => FleetError) => {
    const waitMs = http.backoffMs(pending.attempts);
    if (pending.attempts + 1 >= http.maxAttempts) return settle(pending, { kind: 'error', error: failure() });
    retryLater(pending, waitMs);
  };
  /** The table's verdict on an answer for one item (classify-answer.ts). */
  const stepFor = (pending: Pending, answer: AnswerClass, canRefreshToken: boolean): AnswerStep =>
    nextStep(answer, {
      once: pending.item.method === 'POST',
      canRefreshToken,
      attempts: pending.attempts + 1,
      maxAttempts: http.maxAttempts,
      backoffMs: () => http.backoffMs(pending.attempts),
      maxWaitMs: http.maxRetryAfterMs,
    });
  const unknownOutcome = (pending: Pending, why: string, cause?: unknown) =>
    settle(pending, {
      kind: 'error',
      error: new FleetError(`${options.what}: ${why}; the request may have reached the server`, { retryable: true, code: 'outcomeUnknown', cause }),
    });

  async function sendChunk(chunk: Pending[], grant: Grant): Promise<void> {
    const requests = chunk.map((p, i) => ({
      id: String(i + 1),
      method: p.item.method,
      url: p.item.path,
      ...(p.item.body === undefined ? {} : { body: p.item.body, headers: { 'content-type': 'application/json' } }),
    }));
    const request = { method: 'POST' as const, url: '/$batch', body: { requests }, idempotent: false, cost: chunk.length, what: `${options.what} ($batch)` };
    let outer;
    try {
      outer = await http.exchangePaced(request, grant, signal);
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      log.debug({ what: options.what, items: chunk.length, clientRequestId: error.clientRequestId, err: error.message }, 'graph $batch failed before an answer');
      for (const p of chunk) {
        if (p.item.method === 'POST' && error.maybeSent) unknownOutcome(p, error.message, error);
        else retryOrFail(p, () => new FleetError(`${options.what}: ${error.message}`, { retryable: true, code: error.timedOut ? 'timeout' : 'networkError' }));
      }
      return;
    }
    if (outer.status !== 200) {
      const answer = http.classify(outer);
      if (answer.retryable) http.noteRetryable(answer);
      // A delivered non-200 (400: the batch itself is malformed) never reached the items: an error
      // for each. On a retry with Retry-After the pacer is paused for everyone: items wait there.
      let refresh = false;
      for (const p of chunk) {
        const next = stepFor(p, answer, !tokenRefreshed);
        if (next.step === 'refresh-token') {
          refresh = true;
          queue.push(p);
        } else if (next.step === 'deliver') settle(p, { kind: 'error', error: fleetErrorFromResponse(`${options.what} ($batch)`, outer) });
        else if (next.step === 'retry') retryLater(p, next.serverAsked ? 0 : next.waitMs);
        else settle(p, { kind: 'error', error: giveUpError(`${options.what} ($batch)`, outer, answer, next) });
      }
      if (refresh) {
        tokenRefreshed = true;
        http.invalidateToken();
      }
      return;
    }
    http.pacer.onSuccess();
    const responses = asObject(outer.body)?.['responses'];
    const byId = new Map<string, Record<string, unknown>>();
    if (Array.isArray(responses)) {
      for (const r of responses) {
        const object = asObject(r);
        const id = object?.['id'];
        if (object && (typeof id === 'string' || typeof id === 'number')) byId.set(String(id).toLowerCase(), object);
      }
    }
    chunk.forEach((p, i) => {
      const inner = byId.get(String(i + 1));
      const status = Number(inner?.['status']);
      if (!inner || !Number.isInteger(status)) {
        if (p.item.method === 'POST') return unknownOutcome(p, 'no answer for this request in the $batch response');
        return retryOrFail(p, () => new FleetError(`${options.what}: missing from the $batch response`, { retryable: true, code: 'invalidResponse' }));
      }
      const headers = lowerKeys(inner['headers']);
      const body = readInnerBody(inner['body']);
      const response = { status, headers, body };
      const answer = http.classify(response);
      const next = stepFor(p, answer, false);
      if (next.step === 'deliver' || next.step === 'refresh-token') return settle(p, { kind: 'response', ...response });
      http.noteRetryable(answer);
      if (next.step !== 'retry') return settle(p, { kind: 'error', error: giveUpError(options.what, response, answer, next) });
      http.stats.retried++;
      retryLater(p, next.waitMs);
    });
  }

  while (queue.length > 0 || inflight > 0) {
    signal?.throwIfAborted();
    const now = clock.now();
    const ready = queue.filter((p) => p.notBefore <= now);
    if (ready.length > 0 && inflight < concurrency) {
      const want = Math.min(size, ready.length);
      const grant = await http.pacer.acquireUpTo(want, signal, Math.min(want, Math.max(1, Math.floor(http.pacer.limit / 3))));
      // Nobody else takes from the queue, so the ready items are still there.
      const chunk = ready.slice(0, grant.units);
      for (const p of chunk) queue.splice(queue.indexOf(p), 1);
      inflight++;
      sendChunk(chunk, grant)
        .catch((error: unknown) => {
          const failure = error instanceof FleetError ? error : new FleetError(`${options.what}: ${(error as Error).message}`, { retryable: true, cause: error });
          for (const p of chunk) if (!settled.has(p.item.key)) settle(p, { kind: 'error', error: failure });
          log.warn({ what: options.what, err: failure.message }, 'graph batch failed');
        })
        .finally(() => {
          grant.stamp(); // exchangePaced stamps it; this only guards a failure before it was reached
          inflight--;
          notify();
        });
      continue;
    }
    const waits: Promise<unknown>[] = [woken];
    const stopSleep = new AbortController();
    if (queue.length > 0 && inflight < concurrency) {
      const earliest = Math.min(...queue.map((p) => p.notBefore));
      waits.push(clock.sleep(Math.max(1, earliest - now), stopSleep.signal).catch(() => undefined));
    }
    let onAbort: (() => void) | undefined;
    if (signal) waits.push(new Promise<void>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve()), { once: true })));
    await Promise.race(waits);
    stopSleep.abort();
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
  }
  return results;
}
