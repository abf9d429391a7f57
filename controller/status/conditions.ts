// Kubernetes-style conditions. A condition's lastTransitionTime changes only when its status
// changes, so status written back to Git does not churn on every reconcile.
//
// The contract, which kstatus (Flux's health checks, `flux ... --wait`) and `kubectl wait` read:
// - Reconciling=True only while updates are starting or in flight: work the controller is doing.
//   Meanwhile Ready=False carries Reconciling's reason (Progressing) unless something already
//   went wrong (UpdatesFailed); Events tell a rollout starting (Normal) from a failure that way.
// - At rest (nothing starting or in flight) a manifest is either Ready=True (everything is where
//   the rules want it for now, possibly waiting for a window, wave, phase or scheduled time), or
//   Stalled=True with Ready=False carrying the same reason (a person must act: invalid manifest,
//   failed or refused updates, failure threshold reached, suspended without an end).
// - Refused means refused in a way only a person can resolve: a ScheduledUpdate's downgrade,
//   versions that cannot be compared or an unreported installed version stall that
//   ScheduledUpdate (not the group or policy of its devices); a policy's versions.maximum older
//   than a device runs stalls the policy and its groups. A device on unknown firmware (or on a
//   version that cannot be ordered) is left alone by the automatic rule on purpose, which is
//   normal: Ready=True with the count in the message, never Stalled, or Flux `wait: true`
//   would fail that group for as long as one device runs such firmware.
// Ready=False with Reconciling=False and Stalled=False must never be written: kstatus reads it
// as InProgress forever, so a failure would surface only as a timeout.
import type { Condition } from '../model/manifests.generated.ts';

export type ConditionType = Condition['type'];
export const conditionOrder: readonly ConditionType[] = ['Ready', 'Reconciling', 'Stalled', 'MeetingsUnavailable'];

/** A condition before its times are filled in. */
export interface ConditionValue {
  readonly type: ConditionType;
  readonly status: Condition['status'];
  readonly reason: string;
  readonly message: string;
}

/** Formats an instant as RFC 3339 UTC without milliseconds. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The new conditions, in the order Ready, Reconciling, Stalled. Each keeps the previous
 * lastTransitionTime when its status is unchanged; otherwise it takes `now`.
 */
export function mergeConditions(previous: readonly Condition[] | undefined, next: readonly ConditionValue[], now: number, observedGeneration: number | undefined): Condition[] {
  const byType = new Map((previous ?? []).map((c) => [c.type, c]));
  return [...next]
    .sort((a, b) => conditionOrder.indexOf(a.type) - conditionOrder.indexOf(b.type))
    .map((c) => {
      const before = byType.get(c.type);
      const lastTransitionTime = before && before.status === c.status ? before.lastTransitionTime : timestamp(now);
      const condition: Condition = { type: c.type, status: c.status, reason: c.reason, message: c.message.slice(0, 32768), lastTransitionTime };
      if (observedGeneration !== undefined) condition.observedGeneration = observedGeneration;
      return condition;
    });
}

/** The Ready / Reconciling / Stalled triple for a manifest that cannot progress without a person. */
export function stalledConditions(reason: string, message: string, reconcilingMessage = 'nothing is done until a person changes the manifest'): ConditionValue[] {
  return [
    { type: 'Ready', status: 'False', reason, message },
    { type: 'Reconciling', status: 'False', reason, message: reconcilingMessage },
    { type: 'Stalled', status: 'True', reason, message },
  ];
}
