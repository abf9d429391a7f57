// Takes tenants in turn. Tenants with work due wait in one line; at most `concurrency` of them
// (default 4) reconcile at once; a tenant asked for again while it reconciles joins the back of
// the line when it finishes, behind everyone already waiting. So every waiting tenant is served
// before any is served twice: a 20,000-device tenant whose reconciles are long, and due again
// the moment one ends, cannot starve fifty small ones. Tenants added together join in the order
// they were last started (never started first), so the turn keeps going round from one batch of
// due tenants to the next. No clock, no I/O: the caller decides what is due and does the work.

/** What a TenantQueue needs; every option has its default. */
export interface TenantQueueOptions {
  /** Reconciles at once, at most. Default 4. */
  readonly concurrency?: number;
  /** Told when a tenant's work throws (work should not: the queue goes on regardless). Default: nothing. */
  readonly onError?: (tenant: string, error: unknown) => void;
}

/**
 * The default number of tenants reconciled at once: 12. A tenant in flight mostly waits on its
 * own API limit (30 requests a second per tenant), not on this process, so more at once cost
 * little: 40 emulated tenants × 200 devices reached their first reconcile in 44 s at 12 against
 * 107 s at 4, peak RSS 188 MB against 171 MB (`npm run bench -- tenants --tenants 40 --devices
 * 200 --replicas 1 --tenant-concurrency 12`, load 2.6).
 */
export const defaultTenantConcurrency = 12;

/** A fair line of tenants with work due, served round robin, a bounded number at once. */
export class TenantQueue {
  readonly #concurrency: number;
  readonly #onError: ((tenant: string, error: unknown) => void) | undefined;
  /** Waiting tenants, in the order they are taken. */
  #line: string[] = [];
  readonly #running = new Set<string>();
  /** Tenants asked for again while running: they rejoin at the back when they finish. */
  readonly #again = new Set<string>();
  /** When each tenant was last started (a counter, not a time). */
  readonly #lastStarted = new Map<string, number>();
  #starts = 0;
  #wake: (() => void) | undefined;
  #draining = false;

  constructor(options: TenantQueueOptions = {}) {
    const k = options.concurrency ?? defaultTenantConcurrency;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`concurrency must be a whole number of at least 1 (got ${k})`);
    this.#concurrency = k;
    this.#onError = options.onError;
  }

  /** Tenants waiting, in the order they will be taken. */
  get waiting(): readonly string[] {
    return [...this.#line];
  }

  /** Tenants reconciling now. */
  get running(): ReadonlySet<string> {
    return new Set(this.#running);
  }

  /**
   * Asks for a reconcile of each tenant: one already waiting keeps its place; one running
   * rejoins at the back when it ends; the others join the back, least recently started first.
   */
  add(tenants: Iterable<string>): void {
    const fresh: string[] = [];
    for (const t of tenants) {
      if (this.#running.has(t)) this.#again.add(t);
      else if (!this.#line.includes(t) && !fresh.includes(t)) fresh.push(t);
    }
    const last = (t: string) => this.#lastStarted.get(t) ?? -1;
    // A stable sort: tenants never started keep the order they were given.
    fresh.sort((a, b) => last(a) - last(b));
    this.#line.push(...fresh);
    this.#wake?.();
  }

  /** Drops tenants from the line (their shard moved away); those running finish and do not rejoin. */
  remove(tenants: Iterable<string>): void {
    const gone = new Set(tenants);
    this.#line = this.#line.filter((t) => !gone.has(t));
    for (const t of gone) this.#again.delete(t);
  }

  /**
   * Runs `work` for tenants as they are taken, at most `concurrency` at once, until no tenant
   * waits or runs (tenants added meanwhile are served too). With `signal` aborted nothing new
   * starts; it resolves once the running ones have finished. One drain at a time.
   */
  async drain(work: (tenant: string) => Promise<void>, signal?: AbortSignal): Promise<void> {
    if (this.#draining) throw new Error('TenantQueue.drain is already running');
    this.#draining = true;
    const onAbort = () => this.#wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        while (!signal?.aborted && this.#running.size < this.#concurrency && this.#line.length > 0) {
          this.#start(this.#line.shift()!, work);
        }
        if (this.#running.size === 0 && (this.#line.length === 0 || signal?.aborted)) return;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
    } finally {
      this.#draining = false;
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #start(tenant: string, work: (tenant: string) => Promise<void>): void {
    this.#running.add(tenant);
    this.#lastStarted.set(tenant, this.#starts++);
    const finish = () => {
      this.#running.delete(tenant);
      if (this.#again.delete(tenant)) this.#line.push(tenant);
      this.#wake?.();
    };
    let running: Promise<void>;
    try {
      running = work(tenant);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.catch((error: unknown) => this.#onError?.(tenant, error)).finally(finish);
  }
}
