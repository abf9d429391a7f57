// What a reconcile ended with, and when the next one runs; the one place where an error a step
// threw becomes a failure (its condition reason and whether retrying can help) and failures
// become the loop's outcome. Pure: no clock read here.
import { SourceError } from '../model/source.ts';
import { FleetError } from '../model/fleet.ts';
import type { PassFailure, ReconcileOutcome, Step } from '../model/reconcile.ts';

// Re-exported for files written against its old home (run/tenant-world.ts); it lives in model/reconcile.ts.
export type { ReconcileOutcome };

/** The reason a step's failure gets when the error carries none. */
const stepReasons: Readonly<Record<Step, string>> = {
  sync: 'SourceUnavailable',
  state: 'StateUnavailable',
  fleet: 'FleetUnavailable',
  start: 'StartFailed',
  save: 'StateUnavailable',
  status: 'StatusWriteFailed',
};

const stepWords: Readonly<Record<Step, string>> = {
  sync: 'the source could not be synced',
  state: 'the state could not be read',
  fleet: 'the fleet could not be read',
  start: 'updates could not be started',
  save: 'the state could not be saved',
  status: 'the status could not be written',
};

/**
 * The failure an error thrown by `step` stands for: a SourceError's reason and retryability, a
 * FleetError's retryability (SignInFailed for a refused sign-in), anything else retryable (a bug or an outage: backing off is safe).
 */
export function failureOf(step: Step, error: unknown): PassFailure {
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${stepWords[step]}: ${detail}`;
  if (error instanceof SourceError) {
    const last = error.lastSnapshot?.revision;
    const meanwhile = last === undefined ? '' : `; revision ${last.replace(/^([0-9a-f]{12})[0-9a-f]+$/, '$1')}, the last one read, keeps reconciling`;
    return { step, reason: error.reason, message: `${message}${meanwhile}`, retryable: error.retryable };
  }
  // A refused sign-in (fleet/graph/sign-in-errors.ts words it) is its own reason: a person must fix the credentials.
  if (error instanceof FleetError) return { step, reason: error.code === 'authenticationFailed' ? 'SignInFailed' : stepReasons[step], message, retryable: error.retryable };
  return { step, reason: stepReasons[step], message, retryable: true };
}

/**
 * The outcome of a reconcile: with failures, an error to back off from when retrying may help,
 * terminal when none can; else an error when every start that failed may be retried; else
 * waiting for the earliest wake time; else success.
 */
export function passOutcome(failures: readonly PassFailure[], startErrors: readonly { readonly retryable: boolean }[], wakeTimes: readonly number[]): ReconcileOutcome {
  if (failures.length > 0) {
    const message = failures.map((f) => f.message).join('; ');
    const blocking = failures.find((f) => !f.retryable);
    return blocking && failures.every((f) => !f.retryable) ? { kind: 'terminal', reason: blocking.reason, message } : { kind: 'error', message };
  }
  if (startErrors.length > 0 && startErrors.every((e) => e.retryable)) return { kind: 'error', message: `${startErrors.length} update(s) could not be started` };
  return wakeTimes.length > 0 ? { kind: 'waiting', until: Math.min(...wakeTimes) } : { kind: 'success' };
}

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
