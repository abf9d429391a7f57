// An UpdatePolicy's status from the plan: conditions (meetings included), counts, rollouts, releases and their eligible times.
import type { DevicePlan, Plan, PolicySummary } from '../model/plan.ts';
import type { ReleaseStatus, UpdatePolicy, UpdatePolicyStatus } from '../model/manifests.generated.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { CalendarIndex } from '../policy/release-calendar.ts';
import { eligibleTime } from '../policy/automatic.ts';
import { effectiveRule } from '../policy/software-rules.ts';
import { mergeConditions, stalledConditions, timestamp } from './conditions.ts';
import { meetingsConditions } from './meetings-condition.ts';
import { progressConditions, stopOf, withSuspendedUntil } from './progress-conditions.ts';
import { ownRefusals, policyAttention } from './refusal-attention.ts';
import { countStates, failingOf, notable, refusalCounts, refusalsOf, rolloutOf, windowOf } from './status-fields.ts';
import type { Conditions, Rollouts, StatusOptions, StatusSubject } from './status-subject.ts';

/** A valid UpdatePolicy's status; Stalled NotPlanned when the plan has no summary of it. */
export function policyStatus(summary: PolicySummary | undefined, devices: readonly DevicePlan[], plan: Plan, s: StatusSubject, options: StatusOptions): UpdatePolicyStatus {
  const previous = s.previous as UpdatePolicyStatus | undefined;
  if (!summary) {
    return { conditions: mergeConditions(previous?.conditions, stalledConditions('NotPlanned', 'the policy was not part of the plan'), options.now, s.metadata.generation) as Conditions };
  }
  const counts = countStates(devices);
  const entries = notable(devices);
  const attention = policyAttention(entries, 'a newer version is eligible or spec.resume.after is set later than the failure');
  const values = [
    ...withSuspendedUntil(progressConditions(counts, summary.nextActionTime, stopOf(summary.rollouts, summary.suspended, undefined), attention), summary.suspended),
    ...meetingsConditions(s.policy, plan),
  ];
  const status: UpdatePolicyStatus = {
    conditions: mergeConditions(previous?.conditions, values, options.now, s.metadata.generation) as Conditions,
    groups: summary.groups.map(displayName).slice(0, 1000),
    devices: summary.devices,
    suspended: summary.suspended !== undefined,
    updates: counts,
  };
  const failing = failingOf(entries, options);
  if (failing.length) status.failing = failing;
  if (summary.rollouts.length) status.rollouts = summary.rollouts.map(rolloutOf) as Rollouts;
  const releases = releasesOf(plan, summary, s.policy);
  if (releases.length) status.releases = releases;
  const window = windowOf(summary.nextWindow);
  if (window) status.nextWindow = window;
  if (summary.nextActionTime !== undefined) status.nextActionTime = timestamp(summary.nextActionTime);
  const own = ownRefusals(entries);
  const refused = refusalCounts(own);
  if (refused) status.refused = refused;
  const refusals = refusalsOf(own);
  if (refusals.length) status.refusals = refusals;
  return status;
}

/** Releases offered to the policy's device models (at most 200, the most recently seen), with when each becomes eligible. */
export function releasesOf(plan: Plan, summary: PolicySummary, policy: UpdatePolicy | undefined): ReleaseStatus[] {
  const models = new Set(summary.models);
  const mine = plan.releases.filter((r) => models.has(r.model));
  const recent = [...mine].sort((a, b) => b.firstSeen - a.firstSeen).slice(0, 200);
  const keep = new Set(recent);
  const calendar = new CalendarIndex(mine);
  return mine
    .filter((r) => keep.has(r))
    .map((r) => {
      const out: ReleaseStatus = { softwareType: r.softwareType, model: r.model, version: r.version, firstSeenTime: timestamp(r.firstSeen) };
      const rule = effectiveRule(policy, r.softwareType, 'Pro');
      if (policy && rule.mode === 'automatic') {
        const versions = calendar.versions(r.model, r.softwareType);
        const i = versions.findIndex((v) => v.version === r.version);
        if (i >= 0) {
          const t = eligibleTime(rule, versions, i);
          if (Number.isFinite(t)) out.eligibleTime = timestamp(t);
        }
      }
      return out;
    });
}
