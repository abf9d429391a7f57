// What a reconcile ended with, and when the next one runs. Pure: no clock read here.

/** Failures that no retry can fix until the input changes (an invalid manifest, an untrusted revision). */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
  readonly reason: string;
  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export type ReconcileOutcome =
  /** Everything done for now: come back after the interval. */
  | { readonly kind: 'success' }
  /** Waiting for a time (a window opens, a wave has baked, a schedule is due). */
  | { readonly kind: 'waiting'; readonly until: number }
  /** Cannot progress until the input changes. */
  | { readonly kind: 'terminal'; readonly reason: string; readonly message: string }
  /** Anything else: back off. */
  | { readonly kind: 'error'; readonly message: string };

export interface RequeuePolicy {
  /** Default: 60 s. */
  readonly intervalMs: number;
  /** Share of the interval added at random, so replicas and groups do not beat in step. Default: 0.1. */
  readonly jitter: number;
  /** First back-off after an error. Default: 1 s. */
  readonly backoffBaseMs: number;
  /** Longest back-off. Default: 5 min. */
  readonly backoffMaxMs: number;
  /** Shortest wait between two reconciles, so a time already past cannot spin the loop. Default: 1 s. */
  readonly minDelayMs: number;
}

export const defaultRequeuePolicy: RequeuePolicy = { intervalMs: 60_000, jitter: 0.1, backoffBaseMs: 1_000, backoffMaxMs: 300_000, minDelayMs: 1_000 };

/**
 * Delay before the next reconcile. `failures` counts consecutive errors (including this one);
 * `random` is a number in [0, 1). A terminal outcome still comes back after the interval, so
 * that a fixed input (or a new revision) is noticed even without a change notification.
 */
export function nextDelay(outcome: ReconcileOutcome, failures: number, now: number, random: number, policy: RequeuePolicy = defaultRequeuePolicy): number {
  const interval = policy.intervalMs * (1 + policy.jitter * random);
  switch (outcome.kind) {
    case 'success':
    case 'terminal':
      return interval;
    case 'waiting':
      return Math.max(policy.minDelayMs, Math.min(outcome.until - now, interval));
    case 'error': {
      const exp = policy.backoffBaseMs * 2 ** Math.max(0, failures - 1);
      return Math.min(policy.backoffMaxMs, exp) * (0.5 + random / 2);
    }
  }
}
