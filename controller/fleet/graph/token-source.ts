// Access tokens, cached and renewed before they expire. One fetch at a time: concurrent callers
// share it (a burst of 20 batches must not ask the identity platform for 20 tokens).
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

/** A TokenSource over a fetcher, timed by the injected clock. */
export class CachedTokenSource implements TokenSource {
  readonly #fetch: TokenFetcher;
  readonly #clock: Clock;
  #cached: { token: string; renewAt: number } | undefined;
  #inflight: Promise<string> | undefined;
  #fresh = false;
  #fetches = 0;

  constructor(fetch: TokenFetcher, clock: Clock) {
    this.#fetch = fetch;
    this.#clock = clock;
  }

  /** How many tokens were fetched (tests and stats). */
  get fetches(): number {
    return this.#fetches;
  }

  getToken(signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#clock.now() < cached.renewAt) return Promise.resolve(cached.token);
    if (!this.#inflight) {
      const fresh = this.#fresh;
      this.#fresh = false;
      this.#fetches++;
      const fetchedAt = this.#clock.now();
      // The shared fetch is not tied to one caller's signal: it would fail the others too.
      this.#inflight = this.#fetch({ signal: undefined, fresh })
        .then((t) => {
          this.#cached = { token: t.token, renewAt: computeRenewAt(fetchedAt, t.expiresInMs) };
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
