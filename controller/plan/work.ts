// The unit of work of the plan builder: one device × software type being decided, and the
// small helpers that create, choose and freeze it. Internal to controller/plan.
import type { Device, DeviceSoftware, SoftwareState, SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { ScheduledUpdate } from '../model/manifests.generated.ts';
import type { ClampRecord, EntryState, FailureInfo, OperationRecord, PlanEntry, Reason, Rule, ScheduledRefusal } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import type { AutoDecision } from '../policy/automatic.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { sameReason, sameValue } from './device-plans.ts';
import type { GroupContext } from './group-context.ts';

/** Position of each software type in the API's order. */
export const typeOrder = new Map<SoftwareType, number>(SoftwareTypes.map((t, i) => [t, i]));
/** The rule of an entry a ScheduledUpdate decides. */
export const scheduledRule = (key: string): Rule => ({ code: 'ScheduledUpdate', text: `ScheduledUpdate ${displayName(key)}` });

/** A device × software type being decided (mutable while the plan is built). */
export interface Work {
  readonly device: Device;
  readonly deviceIdx: number;
  readonly type: SoftwareType;
  readonly state: SoftwareState;
  readonly ctx: GroupContext;
  readonly source: 'auto' | 'scheduled';
  readonly su: ScheduledCtx | undefined;
  readonly rule: Rule;
  version: string | undefined;
  status: EntryState;
  reason: Reason;
  /** True while it needs an update whose start time is still to be decided. */
  needs: boolean;
  /** The earliest the update could start before waves and windows. */
  t0: number;
  /** Why t0 is later than now (its reason), if it is. */
  t0Reason: Reason | undefined;
  readonly respectWindows: boolean;
  earliest: number | undefined;
  wave: number | undefined;
  clamp: ClampRecord | undefined;
  failure: FailureInfo | undefined;
  /** Refusals of the ScheduledUpdates this work beat for its entry (set when it is the main work). */
  refused: ScheduledRefusal[] | undefined;
  readonly owner: string | undefined;
  /** True when it decides its entry (not a ScheduledUpdate record beaten by another work). */
  isMain?: boolean;
  /** Its entry, once frozen. */
  entry?: PlanEntry | undefined;
}

/**
 * What the light updates of one decision in one group share (light-updates.ts), kept on the
 * decision itself rather than in an object per decision and group: the walk and the settling
 * both visit a group's light updates together and never return to a group, so the decision
 * only holds the group it is in. While walking: that group and its wave unit. While settling:
 * that group, and per wave the shared waiting entry or the start when its devices may go now.
 */
export interface LightShare {
  walkCtx: GroupContext | undefined;
  walkUnit: import('./wave-unit.ts').UnitStats | undefined;
  settleCtx: GroupContext | undefined;
  settleUnit: import('./wave-unit.ts').UnitStats | undefined;
  settleType: SoftwareType | undefined;
  byWave: (PlanEntry | number | import('./held-share.ts').HeldShare | undefined)[] | undefined;
  /** Per wave, the position in ReasonCodes of byWave's waiting entry's reason (where lightWaits counts it). */
  byWaveCode: number[] | undefined;
}

/** The state of the t-th software type in the API's order (named reads: faster than a variable key). */
export function stateAt(s: DeviceSoftware['software'], t: number): SoftwareState | undefined {
  switch (t) {
    case 0: return s.adminAgent;
    case 1: return s.operatingSystem;
    case 2: return s.teamsClient;
    case 3: return s.firmware;
    case 4: return s.partnerAgent;
    default: return s.companyPortal;
  }
}

/**
 * The state when the device really has that software: the API reports types a device lacks as
 * freshness unknown with no versions at all (a Windows room has no firmware), which is not
 * unknown firmware but no firmware.
 */
export function reported(st: SoftwareState | undefined): SoftwareState | undefined {
  return st && (st.currentVersion !== null || st.availableVersion !== null || st.freshness !== 'unknown') ? st : undefined;
}

/**
 * A plan entry. Every entry of a plan is made here, so every one has the same keys in the same
 * order, which lets a repeated plan compare entries field by field (device-plans.ts sameEntry).
 * `like`: the previous plan's entry in its place, returned instead of a new object when every
 * field is equal (a repeated plan then neither allocates nor compares it again).
 */
export function planEntry(
  softwareType: SoftwareType, scheduledUpdate: string | undefined, state: EntryState, currentVersion: string | null, desiredVersion: string | undefined,
  earliestStart: number | undefined, rule: Rule, reason: Reason, clamp: ClampRecord | undefined, failure: FailureInfo | undefined, refused: readonly ScheduledRefusal[] | undefined,
  like?: PlanEntry,
): PlanEntry {
  if (like !== undefined && like.softwareType === softwareType && like.state === state && like.earliestStart === earliestStart && like.currentVersion === currentVersion
    && like.desiredVersion === desiredVersion && like.scheduledUpdate === scheduledUpdate && sameReason(like.reason, reason) && sameValue(like.rule, rule)
    && sameValue(like.clamp, clamp) && sameValue(like.failure, failure) && sameValue(like.refused, refused)) return like;
  return { softwareType, scheduledUpdate, state, currentVersion, desiredVersion, earliestStart, rule, reason, clamp, failure, refused };
}

/** The entry of a decision that needs no operation, wave or window (shared by every device it fits). */
export function settledEntry(st: SoftwareState, ctx: GroupContext, d: AutoDecision): PlanEntry {
  const blocked = d.outcome === 'blocked';
  return planEntry(st.softwareType, undefined, blocked ? 'blocked' : 'upToDate', st.currentVersion, blocked ? d.version : undefined, undefined, ctx.rules[st.softwareType].rule, d.reason, undefined, undefined, undefined);
}

/** A ScheduledUpdate with its targets resolved, and its records as they are built. */
export interface ScheduledCtx {
  readonly su: ScheduledUpdate;
  readonly key: string;
  readonly owner: string;
  /** Digest of its spec: its operations under another spec are not its own (it was edited). */
  readonly specDigest: string;
  readonly at: number | undefined;
  readonly completedAt: number | undefined;
  readonly deviceIdx: number[];
  /** Records per targeted device position, one per targeted software type the device reports. */
  readonly records: Map<number, Work[]>;
  /** Freezes its spec.freezeOverride lets it pass, as status words (filled while timing its works). */
  readonly passedFreezes: Map<string, string>;
}

/** The failure an ended operation reports. */
export function failureOf(r: OperationRecord): FailureInfo {
  return { code: r.errorCode, message: r.errorMessage, time: r.endedAt };
}

/** Texts of instants already written (a plan writes the same few in many reasons: a suspension's end, a bake's). */
const dayTexts = new Map<number, string>();

/** An instant as "YYYY-MM-DD HH:MM UTC", for reasons. */
export function dayText(ms: number): string {
  let text = dayTexts.get(ms);
  if (text === undefined) {
    if (dayTexts.size >= 4096) dayTexts.clear(); // a bound, not a policy: the texts are cheap to write again
    text = new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
    dayTexts.set(ms, text);
  }
  return text;
}

/** Code-unit order of two strings (locale-free, so plans never depend on the machine). */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The earliest of the times after `now`. */
export function minFuture(times: Iterable<number | undefined>, now: number): number | undefined {
  let best: number | undefined;
  for (const t of times) if (t !== undefined && t > now && (best === undefined || t < best)) best = t;
  return best;
}

/** True when a ScheduledUpdate's work is a refusal (downgrade, versions not comparable, installed version unknown). */
export function isRefusedWork(w: Work): boolean {
  return w.source === 'scheduled' && w.status === 'blocked' && RefusalCodes.has(w.reason.code);
}

/**
 * The refusals among the ScheduledUpdate works that `main` beat for its entry. Whatever decides
 * the entry, a refused ScheduledUpdate stays visible on it: a person asked for something that
 * will not happen, and the automatic rule's plan must not hide that.
 */
export function refusalsBeside(main: Work, suWorks: readonly Work[]): ScheduledRefusal[] | undefined {
  let out: ScheduledRefusal[] | undefined;
  for (let k = 0; k < suWorks.length; k++) { // indexed: no iterator per entry (plan's --no-opt)
    const w = suWorks[k]!;
    if (w === main || !isRefusedWork(w)) continue;
    (out ??= []).push({ scheduledUpdate: w.su!.key, version: w.version, reason: w.reason });
  }
  return out;
}

/** The work that decides an entry: an operation in flight, else whatever can start first (ties: the ScheduledUpdate). */
export function chooseMain(auto: Work | undefined, suWorks: readonly Work[], device: Device, type: SoftwareType): Work {
  // Alone, the automatic rule's work decides (most entries: no ScheduledUpdate targets the device).
  if (auto && suWorks.length === 0) return auto;
  const all = auto ? [auto, ...suWorks] : [...suWorks];
  const running = all.find((w) => w.status === 'inProgress');
  if (running) return running;
  let best: Work | undefined;
  for (const w of suWorks) if (w.needs && (!best || w.t0 < best.t0)) best = w;
  if (auto?.needs && (!best || auto.t0 < best.t0)) best = auto;
  if (best) return best;
  // A ScheduledUpdate's outcome or refusal says more than "up to date".
  const done = suWorks.find((w) => w.status === 'succeeded' || w.status === 'failed' || w.status === 'blocked');
  if (done && (!auto || auto.status === 'upToDate')) return done;
  if (auto) return auto;
  if (suWorks[0]) return suWorks[0];
  throw new Error(`no work for ${device.id} ${type}`);
}

/** The entry a decided work becomes (`like`: the previous plan's in its place, see planEntry). */
export function freeze(w: Work, like?: PlanEntry): PlanEntry {
  return planEntry(
    w.type, w.su?.key, w.status, w.state.currentVersion, w.status === 'upToDate' ? undefined : w.version,
    w.status === 'scheduled' || w.status === 'pending' ? w.earliest : undefined, w.rule, w.reason, w.clamp, w.failure, w.refused, like,
  );
}

