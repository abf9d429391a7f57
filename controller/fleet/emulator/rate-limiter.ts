// Per-app throttling: a token bucket per client id, refilled in real (monotonic) time because
// it protects real throughput whatever the emulator clock says. Each Graph request takes one
// token — each inner request of a $batch too, as Graph evaluates them one by one.

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export class RateLimiter {
  #rate: number;
  #capacity: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** `ratePerSecond` 0 disables limiting; `burst` (default: one second's worth) caps saved-up tokens. */
  constructor(ratePerSecond: number, now: () => number, burst?: number) {
    this.#now = now;
    this.#rate = checkRate(ratePerSecond);
    this.#capacity = burst ?? Math.max(1, ratePerSecond);
  }

  get ratePerSecond(): number {
    return this.#rate;
  }

  /** Changes the rate (and resets the burst to one second's worth); existing buckets refill at the new rate. */
  setRate(ratePerSecond: number, burst?: number): void {
    this.#rate = checkRate(ratePerSecond);
    this.#capacity = burst ?? Math.max(1, ratePerSecond);
  }

  /** Takes one token for `key`, or says how many whole seconds to wait (at least 1). */
  take(key: string): TakeResult {
    if (this.#rate === 0) return { ok: true };
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    // Retry-After is whole seconds; never 0, which clients would read as "retry at once".
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate)) };
  }
}

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0) throw new RangeError(`rate limit must be a number of requests per second >= 0, got ${rate}`);
  return rate;
}
