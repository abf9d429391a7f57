// When a rollout must stop, and when it may go on: the failure threshold judged on the
// policy's finished updates of one software type (failures that ended before resume.after are
// forgiven), a stop that stays until a person resumes, and suspend with who, why and until.
import type { SoftwareType } from '../model/fleet.ts';
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { OperationRecord } from '../model/plan.ts';
import type { RegressionRecord, RolloutMemory } from '../model/state.ts';
import { listRegressions, soakRuleFor } from './health-soak.ts';
import { effectiveWaves } from './rollout-defaults.ts';
import { waveName } from './waves.ts';

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
 * `regressed` tells which succeeded updates regressed during their health soak: each counts as
 * failed, and a wave with more of them than its soak's maxRegressions stops the rollout too.
 */
export function judgeFailures(
  policy: UpdatePolicy, softwareType: SoftwareType, records: readonly OperationRecord[], memory: RolloutMemory | undefined, now: number,
  regressed?: (record: OperationRecord) => RegressionRecord | undefined,
): FailureJudgement {
  const after = resumeAfter(policy);
  let completed = 0;
  let failed = 0;
  const regressions: RegressionRecord[] = [];
  const byWave = new Map<number | undefined, RegressionRecord[]>();
  for (const r of records) {
    if (r.active || r.softwareType !== softwareType || r.endedAt === undefined) continue;
    if (r.outcome !== 'succeeded' && r.outcome !== 'failed') continue;
    if (after !== undefined && r.endedAt < after) continue;
    completed++;
    const regression = r.outcome === 'succeeded' ? regressed?.(r) : undefined;
    if (r.outcome === 'failed' || regression) failed++;
    if (regression) {
      regressions.push(regression);
      const list = byWave.get(r.wave);
      if (list) list.push(regression);
      else byWave.set(r.wave, [regression]);
    }
  }
  if (memory && (after === undefined || after < memory.stoppedAt)) return { stopped: memory, completed, failed };
  for (const [wave, list] of byWave) {
    const max = soakRuleFor(policy, wave)?.maxRegressions;
    if (max === undefined || list.length <= max) continue;
    const reason = `${list.length} device${list.length === 1 ? '' : 's'} of ${wave === undefined ? 'the rollout' : waveName(effectiveWaves(policy), wave)} regressed during the health soak, more than its maxRegressions of ${max}: ${listRegressions(list)}; set spec.resume to go on`;
    return { stopped: { stoppedAt: now, reason }, completed, failed };
  }
  const threshold = policy.spec.rollout?.failureThreshold;
  if (threshold) {
    const minCompleted = threshold.minCompleted ?? 5;
    if (completed >= minCompleted && (failed * 100) / completed > threshold.percent) {
      const what = regressions.length > 0 ? 'failed or regressed' : 'failed';
      const named = regressions.length > 0 ? `; regressed: ${listRegressions(regressions)}` : '';
      const reason = `${failed} of ${completed} finished updates ${what} (${Math.round((failed * 1000) / completed) / 10}%), more than the threshold of ${threshold.percent}%${named}; set spec.resume to go on`;
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
