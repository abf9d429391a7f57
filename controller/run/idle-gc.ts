// A full garbage collection when the controller goes idle after a pass (issue 17: a 10k-device
// controller under 150 MB). A pass at 10k devices grows V8's heap by tens of MB of plan data
// that is garbage once the pass ends; V8 gives that memory back only when its memory reducer
// notices the quiet (about 10 s later), so the resident set stays high for part of each resync
// interval. This collects, shrinking the heap, a short while after a pass ends, unless another
// pass has started: while the fleet view is being filled, passes follow each other within a
// second and none is followed by a collection. The collector is `gc`, which Node.js defines
// when started with --expose-gc (bin/run-node-flags.mjs); without it this does nothing.

/** The collector: V8's `gc` of --expose-gc, called with options as V8 13+ accepts them. */
export type Collect = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface IdleCollectorDeps {
  /** Absent: no collection (the process was started without --expose-gc). */
  readonly collect: Collect | undefined;
  /** Idle time after a pass before collecting (real ms). */
  readonly delayMs: number;
  readonly setTimer: (fn: () => void, ms: number) => { unref?(): unknown };
  readonly clearTimer: (timer: unknown) => void;
  /** Told each collection's CPU time (ms) and how much heap it freed (bytes), for a debug line. */
  readonly onCollected?: (freedBytes: number, cpuMs: number) => void;
  readonly heapUsed?: () => number;
  readonly cpuMs?: () => number;
}

/** The `gc` this process was started with (--expose-gc), if any. */
export function exposedGc(): Collect | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as Collect) : undefined;
}

/** Wraps passes: a collection `delayMs` after a pass ends, cancelled when the next one starts first. */
export class IdleCollector {
  readonly #deps: IdleCollectorDeps;
  #timer: unknown;
  #closed = false;

  constructor(deps: IdleCollectorDeps) {
    this.#deps = deps;
  }

  /** `pass` run as one pass: no collection during it, one scheduled after it. */
  wrap<A extends unknown[], R>(pass: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      this.#cancel();
      try {
        return await pass(...args);
      } finally {
        this.#schedule();
      }
    };
  }

  /** No collection after this (the controller is stopping). */
  close(): void {
    this.#closed = true;
    this.#cancel();
  }

  #schedule(): void {
    const collect = this.#deps.collect;
    if (!collect || this.#closed) return;
    this.#cancel();
    const timer = this.#deps.setTimer(() => {
      this.#timer = undefined;
      const before = this.#deps.heapUsed?.() ?? 0;
      const cpu = this.#deps.cpuMs?.() ?? 0;
      collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      this.#deps.onCollected?.(before - (this.#deps.heapUsed?.() ?? 0), (this.#deps.cpuMs?.() ?? 0) - cpu);
    }, this.#deps.delayMs);
    // Never what keeps the process alive.
    timer.unref?.();
    this.#timer = timer;
  }

  #cancel(): void {
    if (this.#timer === undefined) return;
    this.#deps.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}
