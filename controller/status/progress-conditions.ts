// Ready, Reconciling and Stalled of a group, policy or ScheduledUpdate from its counts, stops and refusals.
import type { DeviceCounts } from '../model/manifests.generated.ts';
import type { PolicySummary, RolloutView } from '../model/plan.ts';
import { stalledConditions, timestamp, type ConditionValue } from './conditions.ts';
import { plural, type Attention } from './refusal-attention.ts';

/** "updates: 2 upToDate, 1 failed; next start …": the counts in words, for the Ready message. */
export function summaryText(counts: Required<DeviceCounts>, nextAction: number | undefined): string {
  const parts = (Object.keys(counts) as (keyof DeviceCounts)[]).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
  const next = nextAction === undefined ? '' : `; next start ${timestamp(nextAction)}`;
  // "updates": each device counts once per software type, as in status.updates.
  return `${parts.length ? `updates: ${parts.join(', ')}` : 'no devices'}${next}`;
}

/**
 * Ready, Reconciling and Stalled from counts and stops, following the contract in
 * conditions.ts: Reconciling=True only while updates start or run; at rest Ready=True, or
 * Stalled=True when failed or refused updates wait for a person.
 */
export function progressConditions(counts: Required<DeviceCounts>, nextAction: number | undefined, stop: { reason: string; message: string } | undefined, attention: Attention): ConditionValue[] {
  if (stop) return stalledConditions(stop.reason, stop.message);
  const summary = summaryText(counts, nextAction);
  const working = counts.pending + counts.inProgress;
  if (working > 0) {
    // Not stalled yet: failures next to updates in flight become Stalled once those end, so
    // kstatus reads one InProgress and then one Failed rather than flapping between them.
    return [
      { type: 'Ready', status: 'False', reason: counts.failed > 0 ? 'UpdatesFailed' : 'Progressing', message: summary },
      { type: 'Reconciling', status: 'True', reason: 'Progressing', message: `${plural(working, 'update')} starting or in flight` },
      { type: 'Stalled', status: 'False', reason: 'Progressing', message: 'not stalled while updates start or run' },
    ];
  }
  const idle = nextAction === undefined ? 'no update is starting or in flight' : `no update is starting or in flight; the next starts at ${timestamp(nextAction)}`;
  // Failed and refused updates wait for a person (or a newer release), so at rest they are
  // Stalled: Ready=False alone would read as InProgress to kstatus forever and hide the failure.
  // Failures come first: they are what a person has to act on soonest.
  if (counts.failed > 0) return stalledConditions('UpdatesFailed', `${plural(counts.failed, 'update')} failed and ${counts.failed === 1 ? 'is' : 'are'} not retried until ${attention.retry} (${summary}; status.needsAttention names the devices)`, idle);
  if (attention.refused > 0) return stalledConditions('UpdatesRefused', `${attention.refusedText} (${summary})`, idle);
  // Waiting for a window, wave, phase or scheduled time is Ready=True with Reconciling=False:
  // an admin applying with Flux `wait: true` wants the apply to finish once the controller has
  // accepted and planned the change. A rollout that rightly waits days for next week's window
  // would otherwise fail every apply on its timeout and block every Kustomization depending on
  // it; the next start is in the message and in status.nextActionTime.
  const waiting = counts.scheduled + counts.blocked > 0;
  return [
    { type: 'Ready', status: 'True', reason: waiting ? 'UpToDateForNow' : 'UpToDate', message: attention.leftAloneText ? `${summary}; ${attention.leftAloneText}` : summary },
    { type: 'Reconciling', status: 'False', reason: waiting ? 'Waiting' : 'Idle', message: waiting ? 'waiting for a phase, window, wave, scheduled time or device' : 'nothing to do' },
    { type: 'Stalled', status: 'False', reason: 'Healthy', message: 'nothing needs a person' },
  ];
}

/** The stop that stalls a rollout: a rollout the failure threshold stopped, or a suspension with no end. */
export function stopOf(rollouts: readonly RolloutView[], suspended: PolicySummary['suspended'], policyName: string | undefined): { reason: string; message: string } | undefined {
  const stopped = rollouts.find((r) => r.state === 'Stopped');
  if (stopped) return { reason: 'FailureThresholdExceeded', message: `the ${stopped.softwareType} rollout${policyName ? ` of ${policyName}` : ''} stopped: ${stopped.stoppedReason ?? 'too many failures'}` };
  if (suspended && suspended.until === undefined) return { reason: 'Suspended', message: `suspended by ${suspended.by}: ${suspended.reason}; remove spec.suspend to go on` };
  return undefined;
}

/**
 * A suspension with an end is a wait, not a stall: the controller goes on by itself, so a
 * manifest otherwise Ready stays Ready=True with reason Suspended (Ready=False here would read
 * as InProgress to kstatus until the end). Failures and updates in flight keep their conditions.
 */
export function withSuspendedUntil(conditions: ConditionValue[], suspended: PolicySummary['suspended']): ConditionValue[] {
  if (!suspended || suspended.until === undefined) return conditions;
  const message = `suspended by ${suspended.by} until ${timestamp(suspended.until)}: ${suspended.reason}`;
  return conditions.map((c) => (c.type === 'Ready' && c.status === 'True' ? { ...c, reason: 'Suspended', message } : c));
}
