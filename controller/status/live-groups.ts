// The device groups on the live page: progress, rollouts, the window open now and the next, freeze and conditions.
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { DevicePlan, GroupSummary, Plan } from '../model/plan.ts';
import { scheduleFor } from '../plan/group-context.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { conditionsOf, type LiveConditions } from './live-conditions.ts';
import { liveRollouts, type LiveRollout } from './live-rollouts.ts';
import { tallyOf, type LiveTally } from './live-state.ts';
import { liveTime, type LiveTime } from './live-time.ts';

/** A window occurrence in the group's zone; `open`: it is open now. */
export interface LiveWindow {
  readonly name: string;
  readonly start: LiveTime;
  readonly end: LiveTime;
  readonly open: boolean;
}

/** One device group, as the page shows it. */
export interface LiveGroup {
  readonly key: string;
  readonly name: string;
  readonly policy: string | undefined;
  readonly missingPolicy: string | undefined;
  readonly timeZone: string;
  readonly phase: string;
  readonly license: string;
  /** Members (the status's `devices`). */
  readonly devices: number;
  readonly tally: LiveTally;
  readonly rollouts: readonly LiveRollout[];
  /** The window open now, if any. */
  readonly currentWindow: LiveWindow | undefined;
  /** The next window to open (after the current one). */
  readonly nextWindow: LiveWindow | undefined;
  readonly freeze: { readonly name: string; readonly reason: string | undefined; readonly until: LiveTime } | undefined;
  readonly nextAction: LiveTime | undefined;
  readonly conditions: LiveConditions;
}

/** The window open now and the next one, in the group's zone. */
export function windowsOf(g: GroupSummary, policy: UpdatePolicy | undefined, now: number): { current: LiveWindow | undefined; next: LiveWindow | undefined } {
  const w = g.nextWindow;
  const view = (x: { name: string; start: number; end: number }, open: boolean): LiveWindow => ({
    name: x.name,
    start: liveTime(x.start, g.timeZone, now),
    end: liveTime(x.end, g.timeZone, now),
    open,
  });
  if (!w) return { current: undefined, next: undefined };
  if (w.start > now) return { current: undefined, next: view(w, false) };
  // Open now: the next one is the first that opens once this one has closed.
  const following = scheduleFor(policy, g.timeZone).currentOrNextWindow(w.end);
  return { current: view(w, true), next: following && following.start >= w.end ? view(following, false) : undefined };
}

/** Every group of the plan for the page; statuses by `Kind/namespace/name`, policies by `namespace/name`. */
export function liveGroups(plan: Plan, policyByKey: ReadonlyMap<string, UpdatePolicy>, statusByKey: ReadonlyMap<string, unknown>): LiveGroup[] {
  const now = plan.now;
  const byGroup = new Map<string | undefined, DevicePlan[]>();
  for (const d of plan.devices) (byGroup.get(d.group) ?? byGroup.set(d.group, []).get(d.group)!).push(d);
  return plan.groups.map((g): LiveGroup => {
    const policy = g.policy === undefined ? undefined : policyByKey.get(g.policy);
    const windows = windowsOf(g, policy, now);
    return {
      key: g.key,
      name: displayName(g.key),
      policy: g.policy === undefined ? undefined : displayName(g.policy),
      missingPolicy: g.missingPolicy === undefined ? undefined : displayName(g.missingPolicy),
      timeZone: g.timeZone,
      phase: g.phase,
      license: g.license,
      devices: g.deviceIds.length,
      tally: tallyOf(byGroup.get(g.key) ?? [], g.deviceIds.length),
      rollouts: liveRollouts(g.rollouts, g.timeZone, now),
      currentWindow: windows.current,
      nextWindow: windows.next,
      freeze: g.freeze ? { name: g.freeze.name, reason: g.freeze.reason, until: liveTime(g.freeze.end, g.timeZone, now) } : undefined,
      nextAction: g.nextActionTime === undefined ? undefined : liveTime(g.nextActionTime, g.timeZone, now),
      conditions: conditionsOf(statusByKey.get(`DeviceGroup/${g.key}`)),
    };
  });
}
