// Time as a port. The pure core never reads the clock: it takes `now` as a parameter. The
// I/O edges (reconcile loop, emulator, pollers) take a Clock so tests and the demo can run
// weeks of rollout in seconds by sharing one manual or accelerated clock.

export interface Clock {
  /** Milliseconds since the epoch, in this clock's time. */
  now(): number;
  /** Resolves after `ms` of this clock's time (or rejects when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: realSleep,
};

/** A clock that runs `speed` times faster than real time from `start` (the demo's clock). */
export class AcceleratedClock implements Clock {
  readonly #origin: number;
  readonly #realOrigin: number;
  #speed: number;
  #offset = 0;
  constructor(start: number, speed: number, readRealTime: () => number = Date.now) {
    this.#origin = start;
    this.#realOrigin = readRealTime();
    this.#speed = speed;
    this.#readRealTime = readRealTime;
  }
  readonly #readRealTime: () => number;
  now(): number {
    return this.#origin + this.#offset + (this.#readRealTime() - this.#realOrigin) * this.#speed;
  }
  get speed(): number {
    return this.#speed;
  }
  /** Jumps forward (or back) by `ms` of clock time. */
  advance(ms: number): void {
    this.#offset += ms;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return realSleep(ms / this.#speed, signal);
  }
}

/** A clock that moves only when told to; sleepers wake when time passes their deadline. */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: { until: number; resolve: () => void }[] = [];
  constructor(start: number) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  set(ms: number): void {
    this.#now = ms;
    this.#wake();
  }
  advance(ms: number): void {
    this.set(this.#now + ms);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const sleeper = { until: this.#now + Math.max(0, ms), resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          reject(signal.reason ?? new Error('aborted'));
        },
        { once: true },
      );
      this.#wake();
    });
  }
  /** Moves time to the earliest pending sleeper's deadline; false when nobody sleeps. */
  advanceToNextSleeper(): boolean {
    const next = this.#sleepers.reduce<number | undefined>((m, s) => (m === undefined || s.until < m ? s.until : m), undefined);
    if (next === undefined) return false;
    this.set(Math.max(this.#now, next));
    return true;
  }
  #wake(): void {
    const due = this.#sleepers.filter((s) => s.until <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.until > this.#now);
    for (const s of due) s.resolve();
  }
}
