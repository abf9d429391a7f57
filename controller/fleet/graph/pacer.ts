// Client-side pacing, so the tenant's limit (30 requests a second per app for Teams) is met by
// waiting here instead of collecting 429s. Graph counts every request inside a $batch, so
// callers pay one unit per inner request.
//
// Shape: a sliding window (at most `limit` units in any window), which stays within a server's
// limit whether it counts with a token bucket, a fixed window or a sliding log; a token bucket
// on this side would allow a burst plus a full second's rate, which a sliding-log server
// refuses. The window is a little longer than a second (`marginMs`) because requests reach the
// server with a jitter the client cannot see.
//
// Spread: besides the window, at most a `spread`-th of the limit (rounded up) goes in any
// `spread`-th of the window (a sub-window, counted the same way), so a window's worth is sent as
// a few small groups instead of one burst. Both bounds hold at once: the window bound is what a
// sliding-log server checks; the sub-window keeps a token-bucket server's bucket from being
// emptied in one go, so a late group meeting the next on-time one (the server's event loop
// stalled, a GC, a slow hop) stays inside its saved-up tokens. One burst per window tolerated
// only `marginMs` of such lateness: a 10,000-device run collected 429s even after AIMD cut the
// rate to 22 a second (issue 17). With a spread of 3, lateness up to about two thirds of a
// window is absorbed. A request larger than the sub-window's share waits for an empty sub-window.
//
// A grant is counted from the moment it is granted until one window after its request was
// SENT: the caller stamps it when the request leaves (GraphHttp: when undici writes its
// headers), or when it failed before leaving. Until then its units are in flight and never
// leave the window. Counting from the grant alone let a stall between grant and send (token,
// GC, a busy event loop) carry a window's requests into the next one: up to twice the limit
// reached the server within a second (issue 16).
//
// Rate: AIMD. It starts at the configured rate, which is also its ceiling; a 429 (or 503)
// multiplies it by `decrease` and lowers the ceiling to just under the rate that was refused;
// every clean window adds `increase` until the ceiling. After a quiet `ceilingRecoveryMs` the
// ceiling rises again by one, up to the configured rate, in case the limit was raised.
//
// A clock stepped back (NTP, a VM restored; the default pacing clock is the wall clock) would
// leave sends and pauses stamped in the future and hold every request back for as long as the
// step: every stamp is moved back by the step instead, as if the clock had not jumped.
import type { Clock } from '../../model/clock.ts';
import { SerialQueue } from '../../model/serial-queue.ts';

export interface PacerOptions {
  /** Starting rate and ceiling, units per second. Default 30 (the documented Teams limit). */
  readonly ratePerSecond?: number;
  /** Never slower than this. Default 1. */
  readonly minRatePerSecond?: number;
  /** Added to each window to absorb arrival jitter (ms). Default 50. */
  readonly marginMs?: number;
  /** Multiplier applied on a throttle signal. Default 0.7. */
  readonly decrease?: number;
  /** Units per second added per clean window. Default 1. */
  readonly increase?: number;
  /** Quiet time after which the ceiling rises by one (ms). Default 60 s. */
  readonly ceilingRecoveryMs?: number;
  /** Sub-windows per window: at most ceil(limit / spread) units in any windowMs / spread. Default 3; 1 turns it off. */
  readonly spread?: number;
}

export interface PacerStats {
  readonly rate: number;
  readonly ceiling: number;
  readonly cuts: number;
  readonly granted: number;
}

/**
 * Units granted for one request. They count against the window until one window after
 * `stamp()`; a grant never stamped holds its units for good, so every grant must be stamped.
 */
export interface Grant {
  readonly units: number;
  /** The request left now (or failed before leaving): its units leave the window one window later. Later calls do nothing. */
  stamp(): void;
}

/** A grant as the window holds it: `at` is the send time, undefined while in flight. */
interface Slot extends Grant {
  at: number | undefined;
}

/** Sliding-window pacer with an AIMD rate; all waiting goes through the injected clock. */
export class Pacer {
  readonly #clock: Clock;
  readonly #maxRate: number;
  readonly #minRate: number;
  readonly #marginMs: number;
  readonly #decrease: number;
  readonly #increase: number;
  readonly #ceilingRecoveryMs: number;
  readonly #spread: number;
  #rate: number;
  #ceiling: number;
  /** Grants still counted: in flight (no `at`) or sent within the last window, in grant order. */
  #sends: Slot[] = [];
  /** Wakes an acquirer waiting for in-flight grants to be stamped. */
  #onStamp: (() => void) | undefined;
  #pausedUntil = Number.NEGATIVE_INFINITY;
  #lastCutAt = Number.NEGATIVE_INFINITY;
  #lastIncreaseAt = Number.NEGATIVE_INFINITY;
  #lastCeilingRaiseAt = Number.NEGATIVE_INFINITY;
  #cuts = 0;
  #granted = 0;
  #latest = Number.NEGATIVE_INFINITY;
  /** Acquirers are served one at a time, in order (FIFO), so a big batch is not starved by small ones. */
  readonly #turn = new SerialQueue();

  constructor(clock: Clock, options: PacerOptions = {}) {
    this.#clock = clock;
    this.#maxRate = options.ratePerSecond ?? 30;
    this.#minRate = Math.min(options.minRatePerSecond ?? 1, this.#maxRate);
    this.#marginMs = options.marginMs ?? 50;
    this.#decrease = options.decrease ?? 0.7;
    this.#increase = options.increase ?? 1;
    this.#ceilingRecoveryMs = options.ceilingRecoveryMs ?? 60_000;
    this.#spread = Math.max(1, Math.floor(options.spread ?? 3));
    this.#rate = this.#maxRate;
    this.#ceiling = this.#maxRate;
  }

  /** Units allowed per window at the current rate. */
  get limit(): number {
    return Math.max(1, Math.floor(this.#rate));
  }

  /** The window the limit applies to (ms). */
  get windowMs(): number {
    return (this.limit / this.#rate) * 1000 + this.#marginMs;
  }

  /** Units allowed per sub-window (see Spread in the file comment): the largest grant that goes without waiting for an empty sub-window. */
  get burst(): number {
    return Math.ceil(this.limit / this.#spread);
  }

  /** What is left of a window for its last sub-window when the others took their whole share (at least 1). */
  get smallestShare(): number {
    return Math.max(1, this.limit - (this.#spread - 1) * this.burst);
  }

  stats(): PacerStats {
    return { rate: this.#rate, ceiling: this.#ceiling, cuts: this.#cuts, granted: this.#granted };
  }

  /**
   * Waits until `units` may be sent now (a request larger than the limit waits for an empty
   * window). Stamp the grant when the request is sent.
   */
  acquire(units: number, signal?: AbortSignal): Promise<Grant> {
    return this.#serialize(() => this.#take(Math.max(1, units), Math.max(1, units), signal));
  }

  /**
   * Waits until at least `atLeast` units (default 1) may be sent; grants up to `max` (what the
   * window allows now). A floor above 1 keeps batches from crumbling: grants come back free in
   * the sizes they were taken, so once-small grants would stay small. Stamp the grant when the
   * request is sent. A floor above `smallestShare` is lowered to it, or the last sub-window of
   * every window would go unused.
   */
  acquireUpTo(max: number, signal?: AbortSignal, atLeast = 1): Promise<Grant> {
    const ceiling = Math.max(1, max);
    return this.#serialize(() => this.#take(Math.min(ceiling, Math.max(1, atLeast), this.smallestShare), ceiling, signal));
  }

  /**
   * Waits, in turn, until `atLeast` units could be granted, and grants nothing: the units free
   * now (at least `atLeast`, or the largest grant that goes without waiting). Lets a caller that
   * must take from another budget first (shared-cap.ts) take it when this one has room, not
   * before, then acquire here without waiting.
   */
  ready(atLeast = 1, signal?: AbortSignal): Promise<number> {
    return this.#serialize(() => this.#free(Math.max(1, atLeast), signal));
  }

  /** Stops all sending for `ms` (a Retry-After is for the whole app, not one request). */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + Math.max(0, ms));
  }

  /** A throttle signal (429, 503): slows down, at most once per window. */
  onThrottled(retryAfterMs?: number): void {
    const now = this.#now();
    if (retryAfterMs !== undefined) this.pauseFor(retryAfterMs);
    if (now - this.#lastCutAt < this.windowMs) return;
    this.#ceiling = Math.max(this.#minRate, Math.min(this.#ceiling, this.#rate * 0.95));
    this.#rate = Math.max(this.#minRate, this.#rate * this.#decrease);
    this.#lastCutAt = now;
    this.#lastIncreaseAt = now;
    this.#cuts++;
  }

  /** A request went through: creeps the rate back up, once per window. */
  onSuccess(): void {
    const now = this.#now();
    const sinceQuiet = now - Math.max(this.#lastCutAt, this.#lastCeilingRaiseAt);
    if (this.#ceiling < this.#maxRate && this.#rate >= this.#ceiling && sinceQuiet >= this.#ceilingRecoveryMs) {
      this.#ceiling = Math.min(this.#maxRate, this.#ceiling + 1);
      this.#lastCeilingRaiseAt = now;
    }
    if (this.#rate < this.#ceiling && now - this.#lastIncreaseAt >= this.windowMs) {
      this.#rate = Math.min(this.#ceiling, this.#rate + this.#increase);
      this.#lastIncreaseAt = now;
    }
  }

  /** The clock's time, after moving every stamp back by a backward step (see the file comment). */
  #now(): number {
    const now = this.#clock.now();
    const back = this.#latest - now;
    if (back > 0) {
      for (const send of this.#sends) if (send.at !== undefined) send.at -= back;
      this.#pausedUntil -= back;
      this.#lastCutAt -= back;
      this.#lastIncreaseAt -= back;
      this.#lastCeilingRaiseAt -= back;
    }
    this.#latest = now;
    return now;
  }

  #serialize<T>(task: () => Promise<T>): Promise<T> {
    return this.#turn.run(task);
  }

  /** A new slot, in flight until stamped. */
  #slot(units: number): Slot {
    const slot: Slot = {
      units,
      at: undefined,
      stamp: () => {
        if (slot.at !== undefined) return;
        slot.at = this.#now();
        const wake = this.#onStamp;
        this.#onStamp = undefined;
        wake?.();
      },
    };
    return slot;
  }

  async #take(min: number, max: number, signal?: AbortSignal): Promise<Grant> {
    const free = await this.#free(min, signal);
    const slot = this.#slot(Math.max(min, Math.min(max, free)));
    this.#sends.push(slot);
    this.#granted += slot.units;
    return slot;
  }

  /** Waits until `min` units fit in the window and the sub-window (see `ready`); the units free now. */
  async #free(min: number, signal?: AbortSignal): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#now();
      if (this.#pausedUntil > now) {
        await this.#clock.sleep(this.#pausedUntil - now, signal);
        continue;
      }
      const windowMs = this.windowMs;
      const subMs = windowMs / this.#spread;
      this.#sends = this.#sends.filter((s) => counted(s, now, windowMs));
      const bounds = [
        { ms: windowMs, free: this.limit - unitsCounted(this.#sends, now, windowMs), need: Math.min(min, this.limit) },
        { ms: subMs, free: this.burst - unitsCounted(this.#sends, now, subMs), need: Math.min(min, this.burst) },
      ];
      if (bounds.every((b) => b.free >= b.need)) return Math.min(...bounds.map((b) => b.free));
      // Sleep until enough sent grants leave each bound; in-flight ones leave only after their stamp.
      const wakes = bounds.map((b) => (b.free >= b.need ? now : freedAt(this.#sends, now, b.ms, b.free, b.need)));
      if (wakes.some((w) => w === undefined)) await this.#nextStamp(signal);
      else await this.#clock.sleep(Math.max(1, Math.max(...(wakes as number[])) - now), signal);
    }
  }

  /** Resolves at the next stamp (only one acquirer waits at a time: turns are serial). */
  #nextStamp(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.#onStamp = undefined;
        reject(signal?.reason ?? new Error('aborted'));
      };
      this.#onStamp = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Is a grant still counted in a bound of `ms` at `now`: in flight, or sent less than `ms` ago? (`at + ms`, as wake-ups are computed.) */
function counted(slot: Slot, now: number, ms: number): boolean {
  return slot.at === undefined || slot.at + ms > now;
}

/** Units of the grants counted in a bound of `ms` at `now`. */
function unitsCounted(sends: readonly Slot[], now: number, ms: number): number {
  let sum = 0;
  for (const s of sends) if (counted(s, now, ms)) sum += s.units;
  return sum;
}

/**
 * When sent grants counted in a bound of `ms` free `need` units, `free` being free now: the send
 * time, plus `ms`, of the one that completes it; undefined when only in-flight grants could (a stamp first).
 */
function freedAt(sends: readonly Slot[], now: number, ms: number, free: number, need: number): number | undefined {
  const sent = sends.filter((s) => s.at !== undefined && counted(s, now, ms)).sort((a, b) => a.at! - b.at!);
  let freed = free;
  for (const send of sent) {
    freed += send.units;
    if (freed >= need) return send.at! + ms;
  }
  return undefined;
}
