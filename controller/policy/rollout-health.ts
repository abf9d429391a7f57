// When a rollout must stop, and when it may go on: the failure threshold judged on the
// policy's finished updates of one software type (failures that ended before resume.after are
// forgiven), a stop that stays until a person resumes, and suspend with who, why and until.
import type { SoftwareType } from '../model/fleet.ts';
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { OperationRecord, RolloutMemory } from '../model/plan.ts';

export interface FailureJudgement {
  /** Present while the rollout is stopped. */
  readonly stopped: RolloutMemory | undefined;
  /** Finished updates counted (after forgiveness). */
  readonly completed: number;
  readonly failed: number;
}

/** Milliseconds of spec.resume.after, or undefined. */
export function resumeAfter(policy: UpdatePolicy): number | undefined {
  const text = policy.spec.resume?.after;
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Judges one policy × software type. `records` are the operations this policy started for the
 * type. A stop recorded in `memory` holds until spec.resume.after is at or after it.
 */
export function judgeFailures(policy: UpdatePolicy, softwareType: SoftwareType, records: readonly OperationRecord[], memory: RolloutMemory | undefined, now: number): FailureJudgement {
  const after = resumeAfter(policy);
  let completed = 0;
  let failed = 0;
  for (const r of records) {
    if (r.active || r.softwareType !== softwareType || r.endedAt === undefined) continue;
    if (r.outcome !== 'succeeded' && r.outcome !== 'failed') continue;
    if (after !== undefined && r.endedAt < after) continue;
    completed++;
    if (r.outcome === 'failed') failed++;
  }
  if (memory && (after === undefined || after < memory.stoppedAt)) return { stopped: memory, completed, failed };
  const threshold = policy.spec.rollout?.failureThreshold;
  if (threshold) {
    const minCompleted = threshold.minCompleted ?? 5;
    if (completed >= minCompleted && (failed * 100) / completed > threshold.percent) {
      const reason = `${failed} of ${completed} finished updates failed (${Math.round((failed * 1000) / completed) / 10}%), more than the threshold of ${threshold.percent}%; set spec.resume to go on`;
      return { stopped: { stoppedAt: now, reason }, completed, failed };
    }
  }
  return { stopped: undefined, completed, failed };
}

/** The suspension in force at `now`, if any. */
export function activeSuspension(policy: UpdatePolicy, now: number): { by: string; reason: string; until: number | undefined } | undefined {
  const s = policy.spec.suspend;
  if (!s) return undefined;
  const until = s.until === undefined ? undefined : Date.parse(s.until);
  if (until !== undefined && !Number.isNaN(until) && until <= now) return undefined;
  return { by: s.by, reason: s.reason, until: until !== undefined && !Number.isNaN(until) ? until : undefined };
}
