// The UpdatePolicies on the live page, and the stops they say: suspended policies and rollouts the failure threshold stopped.
import type { SoftwareType } from '../model/fleet.ts';
import type { DevicePlan, Plan } from '../model/plan.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { conditionsOf, type LiveConditions } from './live-conditions.ts';
import { liveRollouts, type LiveRollout } from './live-rollouts.ts';
import { tallyOf, type LiveTally } from './live-state.ts';
import { liveTime, type LiveTime } from './live-time.ts';

/** One UpdatePolicy, as the page shows it. */
export interface LivePolicy {
  readonly key: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly devices: number;
  readonly tally: LiveTally;
  readonly rollouts: readonly LiveRollout[];
  readonly suspended: LiveStop | undefined;
  readonly conditions: LiveConditions;
}

/** A suspended policy or a rollout the failure threshold stopped: who, why and until when. */
export interface LiveStop {
  readonly kind: 'suspended' | 'stopped';
  readonly policy: string;
  readonly softwareType: SoftwareType | undefined;
  readonly by: string;
  readonly reason: string;
  readonly since: LiveTime | undefined;
  /** When it ends by itself; absent: it waits for a person (`untilText` says what to do). */
  readonly until: LiveTime | undefined;
  readonly untilText: string;
}

/** Every policy of the plan for the page, and the stops in policy order (a suspension before its stopped rollouts). */
export function livePolicies(plan: Plan, statusByKey: ReadonlyMap<string, unknown>): { policies: LivePolicy[]; stops: LiveStop[] } {
  const now = plan.now;
  const byPolicy = new Map<string | undefined, DevicePlan[]>();
  for (const d of plan.devices) (byPolicy.get(d.policy) ?? byPolicy.set(d.policy, []).get(d.policy)!).push(d);
  const stops: LiveStop[] = [];
  const policies = plan.policies.map((p): LivePolicy => {
    const name = displayName(p.key);
    const suspended: LiveStop | undefined = p.suspended
      ? {
          kind: 'suspended',
          policy: name,
          softwareType: undefined,
          by: p.suspended.by,
          reason: p.suspended.reason,
          since: undefined,
          until: p.suspended.until === undefined ? undefined : liveTime(p.suspended.until, undefined, now),
          untilText: p.suspended.until === undefined ? 'until spec.suspend is removed' : 'then it goes on by itself',
        }
      : undefined;
    if (suspended) stops.push(suspended);
    for (const r of p.rollouts) {
      if (r.state !== 'Stopped') continue;
      stops.push({
        kind: 'stopped',
        policy: name,
        softwareType: r.softwareType,
        by: 'the failure threshold',
        reason: r.stoppedReason ?? 'too many failures',
        since: r.stoppedTime === undefined ? undefined : liveTime(r.stoppedTime, undefined, now),
        until: undefined,
        untilText: 'until a person sets spec.resume.after',
      });
    }
    return {
      key: p.key,
      name,
      groups: p.groups.map(displayName),
      devices: p.devices,
      tally: tallyOf(byPolicy.get(p.key) ?? [], p.devices),
      rollouts: liveRollouts(p.rollouts, undefined, now),
      suspended,
      conditions: conditionsOf(statusByKey.get(`UpdatePolicy/${p.key}`)),
    };
  });
  return { policies, stops };
}
