// The status of every manifest, computed from the plan: conditions, counts, failing devices,
// rollouts, next window and action time, clamps, refusals, conflicts and releases. Everything is
// sorted and bounded so that status written back to Git changes only when something did.
import type { Condition, ObjectMeta } from '../model/manifests.generated.ts';
import type { DevicePlan, GroupSummary, Plan, PolicySummary, ScheduledSummary } from '../model/plan.ts';
import { kindKey, objectKey } from '../policy/manifest-keys.ts';
import { mergeConditions, stalledConditions } from './conditions.ts';
import { groupStatus } from './group-status.ts';
import { attentionLimit, currentWaveText, fitSummary, needsAttention, summaryOnly, windowText } from './people-fields.ts';
import { policyStatus } from './policy-status.ts';
import { completedStatus, scheduledStatus } from './scheduled-status.ts';
import type { AnyStatus, Kind, StatusOptions, StatusSubject } from './status-subject.ts';

/** `namespace/Kind/name`: the key of a status in the result. */
export function statusKey(kind: Kind, metadata: ObjectMeta): string {
  return kindKey(metadata.namespace, kind, metadata.name);
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

/** Compares two statuses ignoring nothing: true when writing `next` would change the stored text. */
export function statusChanged(previous: AnyStatus | undefined, next: AnyStatus): boolean {
  return JSON.stringify(previous ?? null) !== JSON.stringify(next);
}

export type { Condition };
