// How long to wait before trying again. Pure: `now` and the random source are parameters.
// Which answers are worth another try is the answer table's call (classify-answer.ts).

/**
 * The wait a `Retry-After` value asks for, in ms: delta-seconds (fractions accepted) or an
 * HTTP date relative to `now`. Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | number | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.ceil(value * 1000) : undefined;
  const text = value.trim();
  if (text.length === 0) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - now);
}

export interface BackoffPolicy {
  /** First retry's ceiling (ms). */
  readonly baseMs: number;
  /** Largest ceiling (ms). */
  readonly capMs: number;
}

/** Default backoff: 0.5 s doubling up to 30 s. */
export const defaultBackoff: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

/**
 * Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)]. Full jitter
 * spreads clients that failed together, so they do not come back together.
 */
export function computeBackoffMs(attempt: number, random: () => number, policy: BackoffPolicy = defaultBackoff): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
