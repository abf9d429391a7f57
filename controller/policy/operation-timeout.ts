// How long an update may stay queued, scheduled or running before firmwarden stops waiting for
// it: the policy's spec.rollout.operationTimeout, 4 hours when it gives none.
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import { parseDuration } from './duration.ts';

/** The timeout when a policy sets none (and for updates of devices under no policy): 4 hours. */
export const defaultOperationTimeoutMs = 4 * 3_600_000;

/** Milliseconds of a policy's operation timeout; the default without a policy or a readable value. */
export function operationTimeoutMs(policy: UpdatePolicy | undefined): number {
  const text = policy?.spec.rollout?.operationTimeout;
  return (text === undefined ? undefined : parseDuration(text)) ?? defaultOperationTimeoutMs;
}
