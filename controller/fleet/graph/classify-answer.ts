// One table for every Graph answer — a direct response, the outer answer of a $batch, or one item
// inside it: HTTP status, Graph's error codes (error.code and each nested innerError.code) and
// Retry-After (delta-seconds or an HTTP date; a $batch item carries it in its own `headers`)
// become one AnswerClass, and `nextStep` says what a sender does with it. Pure: `now` is a parameter.
//
// Both graph-http.ts (single requests) and batch.ts ($batch items) read this table; a rule
// changed here changes both, which is the point.
import { parseRetryAfter } from './retry-policy.ts';
import { asObject, asOptionalString } from './wire-values.ts';

/** What an answer means, whatever carried it. */
export type AnswerOutcome = 'ok' | 'auth' | 'not-found' | 'conflict' | 'throttled' | 'transient' | 'permanent';

/** One Graph answer, classified. */
export interface AnswerClass {
  readonly outcome: AnswerOutcome;
  readonly status: number;
  /** The table row that matched (its name), for tests and logs. */
  readonly row: string;
  /** error.code, then each nested innerError.code, outermost first. */
  readonly codes: readonly string[];
  /** Sending the same request later can help (throttled or transient); also the FleetError's `retryable`. */
  readonly retryable: boolean;
  /** The service certainly did not act on the request, so even a POST may be sent again. */
  readonly notActedOn: boolean;
  /** The answer asks the app to send less: the pacer backs off, and it is counted as throttling. */
  readonly slowDown: boolean;
  /** The wait the answer asks for (Retry-After), ms; undefined when absent or unreadable. */
  readonly retryAfterMs: number | undefined;
}

interface Row {
  readonly row: string;
  readonly when: (status: number, codes: readonly string[]) => boolean;
  readonly outcome: AnswerOutcome;
  readonly notActedOn?: boolean;
  readonly slowDown?: boolean;
}

// Codes that name throttling: TooManyRequests with innerError.code "429" is the documented 429
// body; activityLimitReached is in Graph's error list ("the app or user has been throttled").
const throttleCodes = new Set(['toomanyrequests', 'activitylimitreached', '429']);
const namesThrottling = (codes: readonly string[]) => codes.some((c) => throttleCodes.has(c.toLowerCase()));

/** The table, first match wins. Exported so a test can list every row. */
export const answerTable: readonly Row[] = [
  { row: 'success', when: (s) => s < 400, outcome: 'ok' },
  // A 401 was refused before anything ran; one fresh token is worth a try.
  { row: '401', when: (s) => s === 401, outcome: 'auth', notActedOn: true },
  { row: '403', when: (s) => s === 403, outcome: 'auth' },
  { row: '404', when: (s) => s === 404, outcome: 'not-found' },
  { row: '409', when: (s) => s === 409, outcome: 'conflict' },
  { row: '429', when: (s) => s === 429, outcome: 'throttled', notActedOn: true, slowDown: true },
  // 424: a $batch item that was not run. Older docs answered throttled batch items this way
  // (spec ambiguity A10); the error codes tell the two apart.
  { row: '424 naming throttling', when: (s, c) => s === 424 && namesThrottling(c), outcome: 'throttled', notActedOn: true, slowDown: true },
  { row: '424', when: (s) => s === 424, outcome: 'transient', notActedOn: true },
  // 503 may carry Retry-After and means "too much load": it slows the pacer, but a POST may have run.
  { row: '503', when: (s) => s === 503, outcome: 'throttled', slowDown: true },
  { row: '408 or 5xx', when: (s) => s === 408 || s >= 500, outcome: 'transient' },
  { row: 'other 4xx', when: () => true, outcome: 'permanent' },
];

/** error.code (or the OAuth `error` string), then each nested innerError.code. */
export function readErrorCodes(body: unknown): string[] {
  const top = asObject(body)?.['error'];
  if (typeof top === 'string') return [top];
  const codes: string[] = [];
  let current = asObject(top);
  for (let depth = 0; current && depth < 8; depth++) {
    const code = asOptionalString(current['code']);
    if (code) codes.push(code);
    current = asObject(current['innerError'] ?? current['innererror']);
  }
  return codes;
}

/** Classifies one answer. `headers` have lower-cased names; `now` dates an HTTP-date Retry-After. */
export function classifyAnswer(answer: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: unknown }, now: number): AnswerClass {
  const codes = answer.status < 400 ? [] : readErrorCodes(answer.body);
  const match = answerTable.find((r) => r.when(answer.status, codes)) as Row;
  const retryable = match.outcome === 'throttled' || match.outcome === 'transient';
  return {
    outcome: match.outcome,
    status: answer.status,
    row: match.row,
    codes,
    retryable,
    notActedOn: match.notActedOn ?? false,
    slowDown: match.slowDown ?? false,
    retryAfterMs: retryable ? parseRetryAfter(answer.headers['retry-after'], now) : undefined,
  };
}

/** Where the sender stands when an answer arrives. */
export interface StepContext {
  /** The request must not run twice (a POST action): re-sent only when the answer says it did not run. */
  readonly once: boolean;
  /** A fresh token may still be tried (once per request; never for an item inside a $batch). */
  readonly canRefreshToken: boolean;
  /** Attempts made so far, this one included, and the most allowed. */
  readonly attempts: number;
  readonly maxAttempts: number;
  /** The sender's backoff for this attempt (ms); called only when the answer names no wait (it may draw a random number). */
  readonly backoffMs: () => number;
  /** A longer wait is not slept through: the request gives up with the wait in its error (ms). */
  readonly maxWaitMs: number;
}

/** What a sender does next with a classified answer. */
export type AnswerStep =
  | { readonly step: 'deliver' }
  | { readonly step: 'refresh-token' }
  | { readonly step: 'retry'; readonly waitMs: number; readonly serverAsked: boolean }
  | { readonly step: 'outcome-unknown' }
  | { readonly step: 'wait-too-long'; readonly waitMs: number }
  | { readonly step: 'attempts-exhausted' };

/** The one retry rule: deliver, refresh the token, wait and retry, or give up (and why). */
export function nextStep(answer: AnswerClass, context: StepContext): AnswerStep {
  if (answer.status === 401 && context.canRefreshToken) return { step: 'refresh-token' };
  if (!answer.retryable) return { step: 'deliver' };
  if (context.once && !answer.notActedOn) return { step: 'outcome-unknown' };
  const waitMs = answer.retryAfterMs ?? context.backoffMs();
  if (waitMs > context.maxWaitMs) return { step: 'wait-too-long', waitMs };
  if (context.attempts >= context.maxAttempts) return { step: 'attempts-exhausted' };
  return { step: 'retry', waitMs, serverAsked: answer.retryAfterMs !== undefined };
}
