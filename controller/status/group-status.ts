// A DeviceGroup's status from the plan: conditions, counts, failing devices, rollouts, window, clamps, refusals, conflicts.
import type { Conflict, DeviceGroupStatus } from '../model/manifests.generated.ts';
import type { DevicePlan, GroupSummary, Plan } from '../model/plan.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { mergeConditions, stalledConditions, timestamp, type ConditionValue } from './conditions.ts';
import { progressConditions, stopOf, withSuspendedUntil } from './progress-conditions.ts';
import { ownRefusals, policyAttention } from './refusal-attention.ts';
import { clampsOf, countStates, failingOf, listLimit, notable, refusalCounts, refusalsOf, rolloutOf, windowOf } from './status-fields.ts';
import type { Conditions, Rollouts, StatusOptions, StatusSubject } from './status-subject.ts';

/** A valid DeviceGroup's status; Stalled NotPlanned when the plan has no summary of it. */
export function groupStatus(summary: GroupSummary | undefined, devices: readonly DevicePlan[], plan: Plan, s: StatusSubject, options: StatusOptions): DeviceGroupStatus {
  const previous = s.previous as DeviceGroupStatus | undefined;
  if (!summary) {
    return { conditions: mergeConditions(previous?.conditions, stalledConditions('NotPlanned', 'the group was not part of the plan'), options.now, s.metadata.generation) as Conditions };
  }
  const counts = countStates(devices);
  const entries = notable(devices);
  const policy = summary.policy === undefined ? undefined : plan.policies.find((p) => p.key === summary.policy);
  let values: ConditionValue[];
  if (summary.missingPolicy !== undefined) {
    values = stalledConditions('PolicyNotFound', `the UpdatePolicy ${displayName(summary.missingPolicy)} named in policyRef does not exist or is invalid; the devices get no automatic update`);
  } else {
    const retry = policy ? `a newer version is eligible or spec.resume is set on the UpdatePolicy ${displayName(policy.key)}` : 'a newer version is eligible';
    values = withSuspendedUntil(progressConditions(counts, summary.nextActionTime, stopOf(summary.rollouts, policy?.suspended, policy ? displayName(policy.key) : undefined), policyAttention(entries, retry)), policy?.suspended);
  }
  const status: DeviceGroupStatus = {
    conditions: mergeConditions(previous?.conditions, values, options.now, s.metadata.generation) as Conditions,
    devices: summary.deviceIds.length,
    phase: summary.phase,
    updates: counts,
  };
  const failing = failingOf(entries, options);
  if (failing.length) status.failing = failing;
  if (summary.rollouts.length) status.rollouts = summary.rollouts.map(rolloutOf) as Rollouts;
  const window = windowOf(summary.nextWindow);
  if (window) status.nextWindow = window;
  if (summary.nextActionTime !== undefined) status.nextActionTime = timestamp(summary.nextActionTime);
  const members = new Set(summary.deviceIds);
  const clamps = clampsOf([...entries.map((e) => e.clamp), ...plan.clamps.filter((c) => members.has(c.deviceId))].filter(unique()));
  if (clamps.length) status.clamps = clamps;
  const own = ownRefusals(entries);
  const refused = refusalCounts(own);
  if (refused) status.refused = refused;
  const refusals = refusalsOf(own);
  if (refusals.length) status.refusals = refusals;
  const conflicts: Conflict[] = plan.conflicts
    .filter((c) => c.groups.includes(summary.key))
    .slice(0, listLimit)
    .map((c) => ({ deviceId: c.deviceId, groups: c.groups.map(displayName), chosen: displayName(c.chosen), reason: c.reason }));
  if (conflicts.length) status.conflicts = conflicts;
  return status;
}

function unique<T>(): (value: T) => boolean {
  const seen = new Set<T>();
  return (value) => {
    if (seen.has(value)) return false;
    seen.add(value);
    return true;
  };
}
