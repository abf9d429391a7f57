// A ScheduledUpdate's status: computed from the plan while it runs, its remembered outcome once it has completed.
import type { DeviceCounts, ScheduledUpdateStatus } from '../model/manifests.generated.ts';
import type { ScheduledSummary } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import { mergeConditions, stalledConditions, timestamp, type ConditionValue } from './conditions.ts';
import { freezeOverrideStatus } from './freeze-override-status.ts';
import { progressConditions, summaryText } from './progress-conditions.ts';
import { scheduledAttention } from './refusal-attention.ts';
import { rememberedCompletion } from '../plan/remembered.ts';
import { clampsOf, countStates, failingOf, notable, refusalCounts, refusalsOf } from './status-fields.ts';
import type { Conditions, StatusOptions, StatusSubject } from './status-subject.ts';

/**
 * The status of a completed ScheduledUpdate once the status read back holds the completion of
 * this spec: its outcome as written when it completed (counts, the devices named, failures,
 * refusals), with conditions that follow from those counts. Never recomputed from the ledger:
 * it forgets an operation 14 days after it ended, and "2 succeeded, 1 failed, Stalled" would
 * turn into "3 upToDate, Ready" with nothing done. Undefined on the pass that completes it
 * (computed from the ledger like any other) and once the spec changes (it re-arms).
 */
export function completedStatus(summary: ScheduledSummary | undefined, s: StatusSubject, options: StatusOptions): ScheduledUpdateStatus | undefined {
  const previous = s.previous as ScheduledUpdateStatus | undefined;
  if (previous === undefined || summary?.completionTime === undefined || s.specDigest === undefined) return undefined;
  if (rememberedCompletion(previous, s.metadata, s.specDigest) !== summary.completionTime) return undefined;
  // Conditions are computed again from the remembered counts, not kept: those written while the
  // spec was invalid (InvalidManifest) must go once it is valid again. Same counts, same conditions.
  const counts = previous.updates === undefined ? undefined : { ...countStates([]), ...previous.updates };
  const { conditions } = scheduledStatus(summary, s, options, counts);
  return conditions === undefined ? { ...previous } : { ...previous, conditions };
}

/** A valid ScheduledUpdate's status from the plan; `remembered`: the tally of a completed ScheduledUpdate as its status keeps it (default: counted from the plan). */
export function scheduledStatus(summary: ScheduledSummary | undefined, s: StatusSubject, options: StatusOptions, remembered?: Required<DeviceCounts>): ScheduledUpdateStatus {
  const previous = s.previous as ScheduledUpdateStatus | undefined;
  if (!summary) {
    return { conditions: mergeConditions(previous?.conditions, stalledConditions('NotPlanned', 'the ScheduledUpdate was not part of the plan'), options.now, s.metadata.generation) as Conditions };
  }
  const counts = remembered ?? countStates(summary.records);
  const records = notable(summary.records);
  let values: ConditionValue[];
  if (summary.deviceIds.length === 0) {
    values = [
      { type: 'Ready', status: 'False', reason: 'NoTargets', message: 'no device matches the targets' },
      { type: 'Reconciling', status: 'False', reason: 'NoTargets', message: 'nothing to do' },
      { type: 'Stalled', status: 'True', reason: 'NoTargets', message: 'no device matches the targets; check groupRef, selector and deviceIds' },
    ];
  } else {
    values = progressConditions(counts, summary.nextActionTime, undefined, scheduledAttention(summary, records));
    // Completed cleanly says Completed; completed with failures or refusals stays Stalled.
    if (summary.completionTime !== undefined && values[0]!.status === 'True') {
      values = [
        { type: 'Ready', status: 'True', reason: 'Completed', message: `completed: ${summaryText(counts, undefined)}` },
        { type: 'Reconciling', status: 'False', reason: 'Completed', message: 'every targeted device has finished' },
        { type: 'Stalled', status: 'False', reason: 'Healthy', message: 'nothing needs a person' },
      ];
    }
  }
  const status: ScheduledUpdateStatus = {
    conditions: mergeConditions(previous?.conditions, values, options.now, s.metadata.generation) as Conditions,
    devices: summary.deviceIds.length,
    updates: counts,
  };
  if (summary.scheduledTime !== undefined) status.scheduledTime = timestamp(summary.scheduledTime);
  const failing = failingOf(records, options);
  if (failing.length) status.failing = failing;
  const clamps = clampsOf(records.map((r) => r.clamp));
  if (clamps.length) status.clamps = clamps;
  const refused = refusalCounts(records.filter((e) => e.state === 'blocked' && RefusalCodes.has(e.reason.code)));
  if (refused) status.refused = refused;
  const refusals = refusalsOf(records);
  if (refusals.length) status.refusals = refusals;
  if (summary.nextActionTime !== undefined) status.nextActionTime = timestamp(summary.nextActionTime);
  if (summary.completionTime !== undefined) status.completionTime = timestamp(summary.completionTime);
  const passed = freezeOverrideStatus(summary, previous, options.now);
  if (passed) status.freezeOverride = passed;
  return status;
}
