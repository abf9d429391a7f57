// Light updates that may start now under a policy already at its limit. selectStarts
// (select-starts.ts) holds every automatic update of a policy whose devices busy with an
// operation already number maxConcurrent or more: each becomes pending at the limit, and all
// of them say the same ("N updates under P are in flight or starting ..."), N the policy's
// count once ScheduledUpdates (which pass the limit, and go first) have started. A light
// update (light-updates.ts: no operation, no ScheduledUpdate, online, rollout going) of such a
// policy is therefore decided before selectStarts runs, except for N: instead of a work each
// (~7,400 a plan at 100,000 devices, made, sorted, frozen and counted one by one), its
// (decision, group, wave) settlement shares one HeldShare, whose entry is written once N is
// known, at every position it holds. Only where no room check could hold the update first
// (room-holds.ts): policies that do not avoid meetings, and devices with no reading saying they
// are in use (without one, holdRooms only notes a read for the starts, and these never start);
// and fleets whose device ids are unique (selectStarts keys devices by id). The entries, counts
// and next times are the works' own, so the plan is the same. Internal to controller/plan; pure.
import type { SoftwareType } from '../model/fleet.ts';
import type { PlanEntry, Reason } from '../model/plan.ts';
import { meetingMarginMs } from '../policy/meetings.ts';
import type { ActivityReading } from '../model/rooms.ts';
import type { DeviceIndex } from '../policy/device-index.ts';
import { decideInUse } from '../policy/in-use.ts';
import type { GroupContext, PolicyContext } from './group-context.ts';
import { previousEntry, type PreviousPlans } from './device-plans.ts';
import { noteNext } from './time-works.ts';
import { planEntry } from './work.ts';
import { HeldShare } from './held-share.ts';

/**
 * The policies (by key) whose automatic starts selectStarts holds whatever else starts: in
 * flight at or over maxConcurrent before anything starts, and not avoiding meetings.
 */
export function policiesAtLimit(policies: Iterable<PolicyContext>, inFlight: ReadonlyMap<string, number>): Set<string> {
  const out = new Set<string>();
  for (const p of policies) {
    if ((inFlight.get(p.key) ?? 0) < p.maxConcurrent) continue;
    if (meetingMarginMs(p.policy) !== undefined) continue;
    out.add(p.key);
  }
  return out;
}

/** The held light updates of one plan: their shares, and each one's entry position and share. */
export class HeldLight {
  readonly #policies: ReadonlySet<string>;
  readonly shares: HeldShare[] = [];
  readonly #at: number[] = [];
  readonly #share: HeldShare[] = [];
  readonly #activity: ReadonlyMap<string, ActivityReading> | undefined;
  readonly #index: DeviceIndex;
  readonly #now: number;

  /** `policies`: policiesAtLimit's keys (empty: nothing is held here); `activity`: the devices' activity readings (RoomObservations). */
  constructor(policies: ReadonlySet<string>, activity: ReadonlyMap<string, ActivityReading> | undefined, index: DeviceIndex, now: number) {
    this.#policies = policies;
    this.#activity = activity !== undefined && activity.size > 0 ? activity : undefined;
    this.#index = index;
    this.#now = now;
  }

  /** True when the light updates of this group that may start now are held (its policy is at its limit). */
  holds(ctx: GroupContext): boolean {
    return ctx.policy !== undefined && this.#policies.has(ctx.policy.key);
  }

  /** A new share (see HeldShare). */
  share(ctx: GroupContext, type: SoftwareType, version: string, currentVersion: string | null, start: number, likeK: number, likeI: number, likeP: number): HeldShare {
    const s = new HeldShare(ctx, type, version, currentVersion, start, likeK, likeI, likeP);
    this.shares.push(s);
    return s;
  }

  /**
   * Holds the light update of `s` of the device at position `i`, whose entry goes at position
   * `at`; false when a reading says the device is in use (holdRooms holds its work first: it takes the work path).
   */
  place(s: HeldShare, i: number, at: number): boolean {
    if (this.#activity !== undefined && decideInUse(this.#activity.get(this.#index.devices[i]!.id), this.#now).kind === 'inUse') return false;
    s.count++;
    this.#at.push(at);
    this.#share.push(s);
    return true;
  }

  /**
   * Writes every held entry into `entries` once selectStarts has run: pending, the start, the
   * limit's reason for the policy's final count (`reasonOf`), as freeze makes it from a work
   * (`previous`: the previous plan's entry of each share's first device is the one made when
   * equal); notes each share's start for its group, as the works' were.
   */
  write(entries: (PlanEntry | undefined)[], reasonOf: (policy: PolicyContext) => Reason, next: Map<number, number>, now: number, previous: PreviousPlans | undefined): void {
    // Shares come group by group: the reason of the last policy is kept at hand.
    let policy: PolicyContext | undefined;
    let reason: Reason | undefined;
    for (let k = 0; k < this.shares.length; k++) {
      const s = this.shares[k]!;
      if (s.ctx.policy !== policy) {
        policy = s.ctx.policy!;
        reason = reasonOf(policy);
      }
      const like = previous && previousEntry(previous, s.likeK, s.likeI, s.type, s.likeP);
      s.entry = planEntry(s.type, undefined, 'pending', s.currentVersion, s.version, s.start, s.ctx.rules[s.type].rule, reason!, undefined, undefined, undefined, like);
      noteNext(next, s.ctx, s.start, now);
    }
    for (let k = 0; k < this.#at.length; k++) entries[this.#at[k]!] = this.#share[k]!.entry;
  }
}
