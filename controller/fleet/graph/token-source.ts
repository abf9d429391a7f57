// Access tokens, cached and renewed before they expire. One fetch at a time: concurrent callers
// share it (a burst of 20 batches must not ask the identity platform for 20 tokens).
//
// Two clocks decide renewal, whichever says "due" first: the injected clock (the demo's fast
// clock, the emulator's) and a monotonic one. A token lives a real duration, and a wall clock
// stepped back (NTP, a VM resumed) would otherwise keep it past its real expiry; a wall clock
// stepped forward simply makes the renewal due at once.
import type { Clock } from '../../model/clock.ts';

/** What a token fetcher returns: the token and how long it lives from now (ms). */
export interface FetchedToken {
  readonly token: string;
  readonly expiresInMs: number;
}

/** Fetches a new token; `fresh` asks to bypass any cache below (after a 401). */
export type TokenFetcher = (options: { signal: AbortSignal | undefined; fresh: boolean }) => Promise<FetchedToken>;

/** The bearer tokens the HTTP core sends. */
export interface TokenSource {
  /** A valid token, fetched only when the cached one is missing or close to expiry. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Forgets the cached token (the API answered 401 with it). */
  invalidate(): void;
}

/** Renews 5 minutes before expiry, or at half the lifetime for short-lived tokens. */
export function computeRenewAt(fetchedAt: number, expiresInMs: number): number {
  const lifetime = Math.max(0, expiresInMs);
  return fetchedAt + Math.max(lifetime - 5 * 60_000, lifetime / 2);
}

/** A TokenSource over a fetcher, timed by the injected clock and by elapsed real time. */
export class CachedTokenSource implements TokenSource {
  readonly #fetch: TokenFetcher;
  readonly #clock: Clock;
  readonly #elapsed: () => number;
  #cached: { token: string; renewAt: number; renewAtElapsed: number } | undefined;
  #inflight: Promise<string> | undefined;
  #fresh = false;
  #fetches = 0;

  /** `monotonicNow`: milliseconds that never go back (default performance.now; tests inject one). */
  constructor(fetch: TokenFetcher, clock: Clock, monotonicNow: () => number = () => performance.now()) {
    this.#fetch = fetch;
    this.#clock = clock;
    this.#elapsed = monotonicNow;
  }

  /** How many tokens were fetched (tests and stats). */
  get fetches(): number {
    return this.#fetches;
  }

  getToken(signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached) {
      const dueByClock = this.#clock.now() >= cached.renewAt;
      const dueByElapsed = this.#elapsed() >= cached.renewAtElapsed;
      if (!dueByClock && !dueByElapsed) return Promise.resolve(cached.token);
      // Real time says due while the clock says not: the clock went back, and a cache below
      // (MSAL's reads the wall clock too) would hand back the same expired token.
      if (dueByElapsed && !dueByClock) this.#fresh = true;
      this.#cached = undefined;
    }
    if (!this.#inflight) {
      const fresh = this.#fresh;
      this.#fresh = false;
      this.#fetches++;
      const fetchedAt = this.#clock.now();
      const fetchedAtElapsed = this.#elapsed();
      // The shared fetch is not tied to one caller's signal: it would fail the others too.
      this.#inflight = this.#fetch({ signal: undefined, fresh })
        .then((t) => {
          this.#cached = { token: t.token, renewAt: computeRenewAt(fetchedAt, t.expiresInMs), renewAtElapsed: computeRenewAt(fetchedAtElapsed, t.expiresInMs) };
          return t.token;
        })
        .finally(() => {
          this.#inflight = undefined;
        });
    }
    const inflight = this.#inflight;
    if (!signal) return inflight;
    return new Promise<string>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      inflight.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  invalidate(): void {
    this.#cached = undefined;
    this.#fresh = true;
  }
}
