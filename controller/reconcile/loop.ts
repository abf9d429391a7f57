// Runs reconciles one at a time: after each, waits as the outcome says (interval, a named
// time, or back-off) unless something asks for one sooner (a new revision, a webhook).
// A trigger that arrives during a reconcile is kept and runs right after it, never in parallel.
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { RequeuePolicy } from './outcome.ts';
import type { ReconcileOutcome } from '../model/reconcile.ts';
import { defaultRequeuePolicy, nextDelay } from './outcome.ts';

export type ReconcileFn = (info: { reconcileId: number; reasons: string[]; signal: AbortSignal }) => Promise<ReconcileOutcome>;

export interface LoopObserver {
  /** Called after every reconcile with its outcome and duration (ms, clock time). */
  onReconciled?(outcome: ReconcileOutcome, durationMs: number): void;
}

export class ReconcileLoop {
  readonly #reconcile: ReconcileFn;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #policy: RequeuePolicy;
  readonly #random: () => number;
  readonly #observer: LoopObserver;
  #pending: string[] = [];
  #wake: AbortController | undefined;
  #count = 0;

  constructor(
    reconcile: ReconcileFn,
    deps: { clock: Clock; logger: Logger; policy?: RequeuePolicy; random?: () => number; observer?: LoopObserver },
  ) {
    this.#reconcile = reconcile;
    this.#clock = deps.clock;
    this.#log = deps.logger.child({ component: 'reconcile-loop' });
    this.#policy = deps.policy ?? defaultRequeuePolicy;
    this.#random = deps.random ?? Math.random;
    this.#observer = deps.observer ?? {};
  }

  /** Asks for a reconcile as soon as the current one (if any) has finished. */
  trigger(reason: string): void {
    this.#pending.push(reason);
    this.#wake?.abort();
  }

  /** Number of reconciles run so far. */
  get count(): number {
    return this.#count;
  }

  /** Loops until `signal` aborts; resolves after the reconcile in progress has finished. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    this.#pending.push('start');
    while (!signal.aborted) {
      const reasons = this.#pending.splice(0);
      const reconcileId = ++this.#count;
      const started = this.#clock.now();
      let outcome: ReconcileOutcome;
      try {
        outcome = await this.#reconcile({ reconcileId, reasons, signal });
      } catch (error) {
        outcome = { kind: 'error', message: error instanceof Error ? error.message : String(error) };
        this.#log.error({ reconcileId, err: error }, 'reconcile failed');
      }
      failures = outcome.kind === 'error' ? failures + 1 : 0;
      this.#observer.onReconciled?.(outcome, this.#clock.now() - started);
      if (signal.aborted) break;
      const delay = nextDelay(outcome, failures, this.#clock.now(), this.#random(), this.#policy);
      this.#log.debug({ reconcileId, outcome: outcome.kind, delayMs: Math.round(delay) }, 'reconcile done');
      if (this.#pending.length > 0) continue;
      this.#wake = new AbortController();
      try {
        await this.#clock.sleep(delay, AbortSignal.any([signal, this.#wake.signal]));
        this.#pending.push('requeue');
      } catch {
        // woken by a trigger or stopped: the loop condition decides
      } finally {
        this.#wake = undefined;
      }
    }
  }
}
