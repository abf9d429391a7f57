// The status of every manifest, computed from the plan: conditions, counts, failing devices,
// rollouts, next window and action time, clamps, refusals, conflicts and releases. Everything is
// sorted and bounded so that status written back to Git changes only when something did.
import type { SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type {
  Clamp, Condition, Conflict, DeviceCounts, DeviceGroupStatus, FailingDevice, ObjectMeta, Refusal, RefusalCounts, ReleaseStatus,
  RolloutStatus, ScheduledUpdateStatus, UpdatePolicy, UpdatePolicyStatus, Window,
} from '../model/manifests.generated.ts';
import type { ClampRecord, DevicePlan, EntryState, GroupSummary, Plan, PolicySummary, ReasonCode, RolloutView, ScheduledSummary, WindowView } from '../model/plan.ts';
import { locateEntries, type LocatedEntry } from '../plan/plan-entries.ts';
import { RefusalCodes } from '../model/plan.ts';
import { displayName, objectKey } from '../policy/manifest-keys.ts';
import { CalendarIndex } from '../policy/release-calendar.ts';
import { eligibleTime } from '../policy/automatic.ts';
import { effectiveRule } from '../policy/software-rules.ts';
import { mergeConditions, stalledConditions, timestamp, type ConditionValue } from './conditions.ts';
import { meetingsConditions } from './meetings-condition.ts';
import { attentionLimit, currentWaveText, fitSummary, needsAttention, summaryOnly, windowText, type StatusDetail } from './people-fields.ts';
import { rememberedCompletion } from './remembered.ts';
import { freezeOverrideStatus } from './freeze-override-status.ts';

type Kind = 'DeviceGroup' | 'UpdatePolicy' | 'ScheduledUpdate';
export type AnyStatus = DeviceGroupStatus | UpdatePolicyStatus | ScheduledUpdateStatus;

/** A manifest whose status is to be computed. */
export interface StatusSubject {
  readonly kind: Kind;
  readonly metadata: ObjectMeta;
  /** The status it carries now (conditions keep their transition times from it). */
  readonly previous: AnyStatus | undefined;
  readonly valid: boolean;
  /** For invalid manifests: the findings, in words. */
  readonly problems: readonly string[];
  /** The UpdatePolicy itself (for its releases' eligible times), when kind is UpdatePolicy. */
  readonly policy?: UpdatePolicy;
  /** specDigest() of its spec, written as status.observedSpecDigest (valid manifests only). */
  readonly specDigest?: string;
}

export interface StatusOptions {
  readonly now: number;
  /** A name people recognise for a device (hardware unique id or serial). */
  readonly deviceName?: (deviceId: string) => string | undefined;
  /** A device as an admin knows it (people-fields.ts deviceLabel), for needsAttention. Default: its id. */
  readonly deviceLabel?: (deviceId: string) => string;
  /**
   * `summary`: only what stays short whatever the fleet size (Git repositories and folders,
   * where people review statuses in diffs); `full`: also the per-device lists and the release
   * calendar (the Kubernetes status subresource). Default: full.
   */
  readonly detail?: StatusDetail;
}

const listLimit = 50;
type Conditions = NonNullable<DeviceGroupStatus['conditions']>;
type Rollouts = NonNullable<DeviceGroupStatus['rollouts']>;
const typeOrder = new Map<SoftwareType, number>(SoftwareTypes.map((t, i) => [t, i]));

/** `namespace/Kind/name`: the key of a status in the result. */
export function statusKey(kind: Kind, metadata: ObjectMeta): string {
  return `${metadata.namespace ?? 'default'}/${kind}/${metadata.name}`;
}

/** Computes the status of every subject. */
export function buildStatuses(plan: Plan, subjects: readonly StatusSubject[], options: StatusOptions): Map<string, AnyStatus> {
  const byGroup = new Map<string, DevicePlan[]>();
  const byPolicy = new Map<string, DevicePlan[]>();
  for (const d of plan.devices) {
    if (d.group !== undefined) push(byGroup, d.group, d);
    if (d.policy !== undefined) push(byPolicy, d.policy, d);
  }
  const groups = new Map(plan.groups.map((g) => [g.key, g]));
  const policies = new Map(plan.policies.map((p) => [p.key, p]));
  const sus = new Map(plan.scheduledUpdates.map((s) => [s.key, s]));
  const out = new Map<string, AnyStatus>();
  for (const s of subjects) {
    const key = objectKey(s.metadata);
    const generation = s.metadata.generation;
    let status: AnyStatus;
    let remembered = false;
    if (!s.valid) {
      status = invalidStatus(s, options.now);
    } else if (s.kind === 'DeviceGroup') {
      status = groupStatus(groups.get(key), byGroup.get(key) ?? [], plan, s, options);
    } else if (s.kind === 'UpdatePolicy') {
      status = policyStatus(policies.get(key), byPolicy.get(key) ?? [], plan, s, options);
    } else {
      const completed = completedStatus(sus.get(key), s, options);
      remembered = completed !== undefined;
      status = completed ?? scheduledStatus(sus.get(key), s, options);
    }
    if (s.valid && !remembered) addPeopleFields(status, s.kind, key, { groups, policies, sus, byGroup, byPolicy }, options);
    if (generation !== undefined) status.observedGeneration = generation;
    // An invalid spec was not acted on: its status keeps the digest of the last spec that was.
    if (s.valid && s.specDigest !== undefined) status.observedSpecDigest = s.specDigest;
    if (options.detail === 'summary') {
      const parts = { groups, policies, sus, byGroup, byPolicy };
      // A remembered outcome was fitted when it was written, and the plan may no longer know its devices.
      status = remembered ? summaryOnly(status) : fitSummary(summaryOnly(status), (limit) => attentionOf(s.kind, key, parts, options, limit));
    }
    out.set(statusKey(s.kind, s.metadata), status);
  }
  return out;
}

/** What the plan says of each manifest, by key, for the people fields. */
interface PlanParts {
  readonly groups: ReadonlyMap<string, GroupSummary>;
  readonly policies: ReadonlyMap<string, PolicySummary>;
  readonly sus: ReadonlyMap<string, ScheduledSummary>;
  readonly byGroup: ReadonlyMap<string, DevicePlan[]>;
  readonly byPolicy: ReadonlyMap<string, DevicePlan[]>;
}

/** needsAttention of a manifest (people-fields.ts), naming at most `limit` devices. */
function attentionOf(kind: Kind, key: string, parts: PlanParts, options: StatusOptions, limit = attentionLimit): string[] | undefined {
  const label = options.deviceLabel ?? ((id: string) => id);
  const devices = kind === 'DeviceGroup' ? parts.byGroup.get(key) : kind === 'UpdatePolicy' ? parts.byPolicy.get(key) : parts.sus.get(key)?.records;
  return needsAttention(devices ?? [], label, limit);
}

/** currentWave, nextWindowLocal and needsAttention (people-fields.ts), in every detail. */
function addPeopleFields(status: AnyStatus, kind: Kind, key: string, parts: PlanParts, options: StatusOptions): void {
  const set = (name: string, value: unknown) => {
    if (value !== undefined) (status as Record<string, unknown>)[name] = value;
  };
  if (kind === 'DeviceGroup') {
    const g = parts.groups.get(key);
    if (!g) return;
    set('currentWave', currentWaveText(g.rollouts, g.timeZone));
    set('nextWindowLocal', windowText(g.nextWindow, g.timeZone));
  } else if (kind === 'UpdatePolicy') {
    const p = parts.policies.get(key);
    if (!p) return;
    // A policy's groups may sit in several zones: its window and times are shown in the zone of the group whose window opens first.
    const zone = p.nextWindow?.timeZone ?? 'UTC';
    set('currentWave', currentWaveText(p.rollouts, zone));
    set('nextWindowLocal', windowText(p.nextWindow, zone));
  } else if (!parts.sus.get(key)) return;
  set('needsAttention', attentionOf(kind, key, parts, options));
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function invalidStatus(s: StatusSubject, now: number): AnyStatus {
  const message = s.problems.length === 0 ? 'the manifest is invalid' : s.problems.slice(0, 20).join('; ');
  const conditions = mergeConditions(s.previous?.conditions, stalledConditions('InvalidManifest', message), now, s.metadata.generation);
  // An invalid manifest keeps what the controller last knew, but the conditions say it is stalled.
  return { ...(s.previous ?? {}), conditions } as AnyStatus;
}

/** Counts per state over devices' entries, every state present (zeros included) for stable columns. */
export function countStates(devices: Iterable<DevicePlan>): Required<DeviceCounts> {
  const counts: Required<DeviceCounts> = { upToDate: 0, pending: 0, scheduled: 0, inProgress: 0, succeeded: 0, failed: 0, blocked: 0 };
  for (const d of devices) for (const e of d.entries) counts[e.state as EntryState]++;
  return counts;
}

/** The entries worth listing (failed, blocked, clamped), with their devices. */
function notable(devices: readonly DevicePlan[]): LocatedEntry[] {
  return locateEntries(devices, (e) => e.state === 'failed' || e.state === 'blocked' || e.clamp !== undefined);
}

function sortEntries(a: LocatedEntry, b: LocatedEntry): number {
  return a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : typeOrder.get(a.softwareType)! - typeOrder.get(b.softwareType)!;
}

function failingOf(entries: readonly LocatedEntry[], options: StatusOptions): FailingDevice[] {
  return entries
    .filter((e) => e.state === 'failed')
    .sort(sortEntries)
    .slice(0, listLimit)
    .map((e) => {
      const f: FailingDevice = { deviceId: e.deviceId, softwareType: e.softwareType };
      const name = options.deviceName?.(e.deviceId);
      if (name) f.name = name;
      if (e.desiredVersion) f.version = e.desiredVersion;
      if (e.failure?.code) f.errorCode = e.failure.code;
      if (e.failure?.message) f.message = e.failure.message;
      if (e.failure?.time !== undefined) f.time = timestamp(e.failure.time);
      return f;
    });
}

function refusalsOf(entries: readonly LocatedEntry[]): Refusal[] {
  return entries
    .filter((e) => e.state === 'blocked' && RefusalCodes.has(e.reason.code))
    .sort(sortEntries)
    .slice(0, listLimit)
    .map((e) => {
      const r: Refusal = { deviceId: e.deviceId, softwareType: e.softwareType, reason: e.reason.code, message: e.reason.message };
      if (e.currentVersion !== null) r.currentVersion = e.currentVersion;
      if (e.desiredVersion) r.version = e.desiredVersion;
      return r;
    });
}

/** status.refused: every refusal counted by reason (the lists name only some devices). */
function refusalCounts(refused: readonly LocatedEntry[]): RefusalCounts | undefined {
  if (refused.length === 0) return undefined;
  const counts: RefusalCounts = {};
  const key: Partial<Record<ReasonCode, keyof RefusalCounts>> = { UnknownFirmware: 'unknownFirmware', NotComparable: 'notComparable', Downgrade: 'downgrade', UnknownVersion: 'unknownVersion' };
  for (const e of refused) {
    const k = key[e.reason.code];
    if (k) counts[k] = (counts[k] ?? 0) + 1;
  }
  // A fixed key order, so a status written back to Git only changes when a count does.
  return Object.fromEntries((['unknownFirmware', 'notComparable', 'downgrade', 'unknownVersion'] as const).filter((k) => counts[k] !== undefined).map((k) => [k, counts[k]]));
}

function clampsOf(records: Iterable<ClampRecord | undefined>): Clamp[] {
  const list = [...records].filter((c): c is ClampRecord => c !== undefined);
  list.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : typeOrder.get(a.softwareType)! - typeOrder.get(b.softwareType)!));
  return list.slice(0, listLimit).map((c) => ({
    deviceId: c.deviceId,
    model: c.model,
    softwareType: c.softwareType,
    version: c.version,
    requestedTime: timestamp(c.requestedTime),
    effectiveTime: timestamp(c.effectiveTime),
    reason: c.reason,
  }));
}

function windowOf(w: WindowView | undefined): Window | undefined {
  return w ? { name: w.name, start: timestamp(w.start), end: timestamp(w.end) } : undefined;
}

function rolloutOf(v: RolloutView): RolloutStatus {
  const r: RolloutStatus = { softwareType: v.softwareType, state: v.state, waves: v.waves, completed: v.completed, failed: v.failed };
  if (v.version !== undefined) r.version = v.version;
  if (v.wave !== undefined) r.wave = v.wave;
  if (v.waveStartedTime !== undefined) r.waveStartedTime = timestamp(v.waveStartedTime);
  if (v.bakeUntil !== undefined) r.bakeUntil = timestamp(v.bakeUntil);
  if (v.stoppedTime !== undefined) r.stoppedTime = timestamp(v.stoppedTime);
  if (v.stoppedReason !== undefined) r.stoppedReason = v.stoppedReason;
  return r;
}

function summaryText(counts: Required<DeviceCounts>, nextAction: number | undefined): string {
  const parts = (Object.keys(counts) as (keyof DeviceCounts)[]).filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${k}`);
  const next = nextAction === undefined ? '' : `; next start ${timestamp(nextAction)}`;
  // "updates": each device counts once per software type, as in status.updates.
  return `${parts.length ? `updates: ${parts.join(', ')}` : 'no devices'}${next}`;
}

/** What a person would need to know to act on failed or refused updates. */
interface Attention {
  /** Refusals only a person can resolve (they stall the manifest), with the sentence saying which and what to do. */
  readonly refused: number;
  readonly refusedText: string;
  /** Refusals the rules make on purpose, such as a device on unknown firmware: counted in the Ready message, no stall. */
  readonly leftAloneText: string | undefined;
  /** What gives failed updates another chance, completing "not retried until ...". */
  readonly retry: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** "1 runs" / "2 run": the verb agreeing with a count. */
const verb = (n: number, singular: string, plural: string) => `${n} ${n === 1 ? singular : plural}`;

/** A refused entry: what the status needs of it to sort and describe it. */
type RefusedEntry = Pick<LocatedEntry, 'deviceId' | 'reason' | 'desiredVersion'>;

/**
 * "2 run a newer version than 1.2.3 (downgrade), 1 version not comparable": the refusals counted
 * by reason, in a fixed order so the message only changes when the refusals do.
 */
export function describeRefusals(refused: readonly RefusedEntry[]): string {
  const byCode = new Map<ReasonCode, RefusedEntry[]>();
  for (const e of refused) push(byCode, e.reason.code, e);
  const parts: string[] = [];
  const downgrades = byCode.get('Downgrade');
  if (downgrades) {
    const versions = new Set(downgrades.map((e) => e.desiredVersion));
    const than = versions.size === 1 && downgrades[0]!.desiredVersion !== undefined ? downgrades[0]!.desiredVersion : 'the version asked for';
    parts.push(`${verb(downgrades.length, 'runs', 'run')} a newer version than ${than} (downgrade)`);
  }
  const notComparable = byCode.get('NotComparable')?.length;
  if (notComparable) parts.push(`${plural(notComparable, 'version')} not comparable`);
  const unknownVersion = byCode.get('UnknownVersion')?.length;
  if (unknownVersion) parts.push(`${verb(unknownVersion, 'does', 'do')} not report ${unknownVersion === 1 ? 'its' : 'their'} version`);
  const unknownFirmware = byCode.get('UnknownFirmware')?.length;
  if (unknownFirmware) parts.push(`${verb(unknownFirmware, 'runs', 'run')} unknown (unverified) firmware`);
  return parts.join(', ');
}

/**
 * Whether a refusal made by a policy's automatic rule needs a person. A device on unknown
 * firmware, or on a version that cannot be ordered, is left alone on purpose ("never
 * auto-updated; only manually"): that is normal, and stalling the whole group for it would make
 * Flux `wait: true` fail the group forever. A policy whose maximum is older than what a device
 * runs asks for a downgrade: the policy is wrong, a person must change it.
 */
function isPolicyRefusalStalling(code: ReasonCode): boolean {
  return code === 'Downgrade';
}

/** The refusals of a group's or policy's own rule (a ScheduledUpdate's refusals are in its own status). */
function ownRefusals(entries: readonly LocatedEntry[]): LocatedEntry[] {
  return entries.filter((e) => e.state === 'blocked' && RefusalCodes.has(e.reason.code) && e.scheduledUpdate === undefined);
}

/** Attention for a group or a policy: policy downgrades stall, devices left alone are counted. */
function policyAttention(entries: readonly LocatedEntry[], retry: string): Attention {
  const own = ownRefusals(entries);
  const stalling = own.filter((e) => isPolicyRefusalStalling(e.reason.code));
  const leftAlone = own.filter((e) => !isPolicyRefusalStalling(e.reason.code));
  return {
    refused: stalling.length,
    refusedText: `${plural(stalling.length, 'update')} refused: ${describeRefusals(stalling)}; firmwarden never downgrades, so raise or remove the policy's versions.maximum (status.needsAttention names them)`,
    leftAloneText: leftAlone.length === 0 ? undefined : `${plural(leftAlone.length, 'update')} left alone on purpose: ${describeRefusals(leftAlone)}; only a ScheduledUpdate or a person at the device updates them (status.needsAttention names them)`,
    retry,
  };
}

/**
 * Ready, Reconciling and Stalled from counts and stops, following the contract in
 * conditions.ts: Reconciling=True only while updates start or run; at rest Ready=True, or
 * Stalled=True when failed or refused updates wait for a person.
 */
function progressConditions(counts: Required<DeviceCounts>, nextAction: number | undefined, stop: { reason: string; message: string } | undefined, attention: Attention): ConditionValue[] {
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

function stopOf(rollouts: readonly RolloutView[], suspended: PolicySummary['suspended'], policyName: string | undefined): { reason: string; message: string } | undefined {
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
function withSuspendedUntil(conditions: ConditionValue[], suspended: PolicySummary['suspended']): ConditionValue[] {
  if (!suspended || suspended.until === undefined) return conditions;
  const message = `suspended by ${suspended.by} until ${timestamp(suspended.until)}: ${suspended.reason}`;
  return conditions.map((c) => (c.type === 'Ready' && c.status === 'True' ? { ...c, reason: 'Suspended', message } : c));
}

function groupStatus(summary: GroupSummary | undefined, devices: readonly DevicePlan[], plan: Plan, s: StatusSubject, options: StatusOptions): DeviceGroupStatus {
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

function policyStatus(summary: PolicySummary | undefined, devices: readonly DevicePlan[], plan: Plan, s: StatusSubject, options: StatusOptions): UpdatePolicyStatus {
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
function releasesOf(plan: Plan, summary: PolicySummary, policy: UpdatePolicy | undefined): ReleaseStatus[] {
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

/**
 * Attention for a ScheduledUpdate: every refusal needs a person (someone asked for something
 * firmwarden will not do). The message says how many targets did nothing and why, "all 3
 * targets refused: ..." when the ScheduledUpdate could do nothing for any of them.
 */
function scheduledAttention(summary: ScheduledSummary, records: readonly LocatedEntry[]): Attention {
  const refused = records.filter((e) => e.state === 'blocked' && RefusalCodes.has(e.reason.code));
  const devices = new Set(refused.map((e) => e.deviceId)).size;
  const targets = summary.deviceIds.length;
  const how = devices === targets ? `all ${plural(targets, 'target')}` : `${devices} of ${plural(targets, 'target')}`;
  return {
    refused: refused.length,
    refusedText: `${how} refused: ${describeRefusals(refused)}; nothing was started for ${devices === 1 ? 'it' : 'them'}, change or delete the ScheduledUpdate (status.needsAttention names them)`,
    leftAloneText: undefined,
    retry: 'a person edits the spec of this ScheduledUpdate, which then runs again for its targets, or creates a new one (it never retries by itself; status.needsAttention names the devices)',
  };
}

/**
 * The status of a completed ScheduledUpdate once the status read back holds the completion of
 * this spec: its outcome as written when it completed (counts, the devices named, failures,
 * refusals), with conditions that follow from those counts. Never recomputed from the ledger:
 * it forgets an operation 14 days after it ended, and "2 succeeded, 1 failed, Stalled" would
 * turn into "3 upToDate, Ready" with nothing done. Undefined on the pass that completes it
 * (computed from the ledger like any other) and once the spec changes (it re-arms).
 */
function completedStatus(summary: ScheduledSummary | undefined, s: StatusSubject, options: StatusOptions): ScheduledUpdateStatus | undefined {
  const previous = s.previous as ScheduledUpdateStatus | undefined;
  if (previous === undefined || summary?.completionTime === undefined || s.specDigest === undefined) return undefined;
  if (rememberedCompletion(previous, s.metadata, s.specDigest) !== summary.completionTime) return undefined;
  // Conditions are computed again from the remembered counts, not kept: those written while the
  // spec was invalid (InvalidManifest) must go once it is valid again. Same counts, same conditions.
  const counts = previous.updates === undefined ? undefined : { ...countStates([]), ...previous.updates };
  const { conditions } = scheduledStatus(summary, s, options, counts);
  return conditions === undefined ? { ...previous } : { ...previous, conditions };
}

/** `remembered`: the tally of a completed ScheduledUpdate as its status keeps it (default: counted from the plan). */
function scheduledStatus(summary: ScheduledSummary | undefined, s: StatusSubject, options: StatusOptions, remembered?: Required<DeviceCounts>): ScheduledUpdateStatus {
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

/** Compares two statuses ignoring nothing: true when writing `next` would change the stored text. */
export function statusChanged(previous: AnyStatus | undefined, next: AnyStatus): boolean {
  return JSON.stringify(previous ?? null) !== JSON.stringify(next);
}

export type { Condition };
