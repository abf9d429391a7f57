// A failed step of a reconcile (the source could not be synced, the fleet or the state could not
// be read) shown on every manifest's conditions, within the kstatus rules of conditions.ts:
// - one that retrying may fix (a remote down) is work still going on: Ready=False carries its
//   reason and Reconciling=True (kstatus: InProgress), while the last good revision keeps
//   reconciling; Reconciling that is already True for updates in flight keeps its own reason;
// - one that only a person can fix (credentials refused, a branch gone, an untrusted head)
//   stalls the manifest: Ready=False, Reconciling=False, Stalled=True with its reason;
// - a manifest already stalled for a reason of its own keeps it: that is what a person must fix
//   first, and its Ready message names the failure too.
// Other conditions (MeetingsUnavailable) are kept. PURE.
import type { Condition } from '../model/manifests.generated.ts';
import { stalledConditions, type ConditionValue } from './conditions.ts';
import type { StepFailure } from '../model/engine.ts';

// Kept for importers not yet moved to model/engine.ts, where StepFailure lives.
export type { StepFailure };

function value(c: Condition): ConditionValue {
  return { type: c.type, status: c.status, reason: c.reason, message: c.message ?? '' };
}

/**
 * The conditions to write when `failures` happened, from the ones the manifest would have had
 * without them (`current`, in any order). No failure: `current` as it is.
 */
export function withFailures(current: readonly Condition[] | undefined, failures: readonly StepFailure[]): ConditionValue[] {
  const values = (current ?? []).map(value);
  if (failures.length === 0) return values;
  const message = failures.map((f) => f.message).join('; ');
  const byType = new Map(values.map((c) => [c.type, c]));
  const others = values.filter((c) => c.type !== 'Ready' && c.type !== 'Reconciling' && c.type !== 'Stalled');
  const ready = byType.get('Ready');
  if (byType.get('Stalled')?.status === 'True' && ready) {
    return values.map((c) => (c === ready ? { ...ready, message: `${ready.message}; also: ${message}` } : c));
  }
  const blocking = failures.find((f) => !f.retryable);
  if (blocking) return [...stalledConditions(blocking.reason, message, 'nothing new is read until a person fixes this; the last good revision keeps reconciling'), ...others];
  const reason = failures[0]!.reason;
  const reconciling = byType.get('Reconciling');
  return [
    { type: 'Ready', status: 'False', reason, message },
    reconciling?.status === 'True' ? reconciling : { type: 'Reconciling', status: 'True', reason, message: 'retrying with back-off; the last good revision keeps reconciling' },
    { type: 'Stalled', status: 'False', reason, message: 'retrying may fix it' },
    ...others,
  ];
}
