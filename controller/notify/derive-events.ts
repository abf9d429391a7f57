// Which rollout events a reconcile brings, against what the notifier remembers. PURE: no I/O,
// `now` comes in the facts.
//
// Why the transition is taken against the notifier's own memory and not the previous status:
// in a Git repository or folder the status keeps only a summary (no rollouts, clamps or
// refusals), and a status write may be skipped or rejected, so "what the status said before" is
// neither complete nor durable. The memory is saved in the same state write as the outbox,
// which makes "seen" and "queued for sending" one atomic step: a crash before it loses
// nothing (the next reconcile finds the same events again), a crash after it repeats nothing.
//
// Two kinds of events:
//  - level events: a condition that holds while it lasts (a stopped rollout, a stalled manifest,
//    a refused or failed update, a clamp, a completed ScheduledUpdate). Each has a key naming
//    its occurrence (the stop's time, the operation's request time, the Stalled reason...). A
//    key absent from memory is news; keys are kept while seen and forgotten an hour after they
//    were last seen, so a condition that flaps (a manifest briefly invalid hides its rollouts)
//    is not news again.
//  - wave progress: a group's rollout of a version moving from wave n to wave m > n (waves n..m-1
//    finished), or to Complete (the last wave finished), compared with the wave remembered.
// The first observation ever only records what is there: notifications start from then, not
// with everything that was already true when notifications were set up.
import { createHash } from 'node:crypto';
import type { DevicePlan, Plan, PlanEntry } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import type { LedgerEntry } from '../model/state.ts';
import { timestamp } from '../status/conditions.ts';
import { formatDuration } from '../policy/duration.ts';
import { kindKey } from '../policy/manifest-keys.ts';
import type { NotificationEvent, NotificationEventType, NotificationMemory } from '../model/notification-events.ts';

/** A manifest's status as the reconcile computed it (the shape of model/source.ts StatusUpdate). */
export interface StatusFact {
  readonly path: string;
  readonly status: unknown;
  readonly key?: { readonly kind: string; readonly name: string; readonly namespace?: string } | undefined;
}

/** What one reconcile saw. */
export interface ReconcileFacts {
  readonly now: number;
  readonly plan: Plan;
  readonly statuses: readonly StatusFact[];
  readonly ledger: readonly LedgerEntry[];
  /** A device as an admin knows it (status/people-fields.ts deviceLabel). */
  readonly deviceLabel: (deviceId: string) => string;
}

/** A seen key is forgotten this long after it was last seen. */
export const forgetAfterMs = 60 * 60_000;

/** The memory of a notifier that has observed nothing yet. */
export const emptyMemory: NotificationMemory = Object.freeze({ version: 1, seen: {}, waves: {}, outbox: [] });

/** The short hash memory keeps of an event key (48 bits: collisions are negligible below millions of keys). */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** Events new since `memory`, and the memory to save with them. `first`: record only, announce nothing. */
export function deriveEvents(facts: ReconcileFacts, memory: NotificationMemory, first = false): { events: NotificationEvent[]; memory: NotificationMemory } {
  const nowS = Math.floor(facts.now / 1000);
  const seen: Record<string, number> = {};
  const events: NotificationEvent[] = [];
  for (const event of levelEvents(facts)) {
    const h = hashKey(event.key);
    if (seen[h] !== undefined) continue; // the same occurrence found twice in one plan
    if (memory.seen[h] === undefined && !first) events.push(event);
    seen[h] = nowS;
  }
  // Keys not seen now are kept until forgetAfterMs has passed since they were last seen.
  for (const [h, at] of Object.entries(memory.seen)) {
    if (seen[h] === undefined && at * 1000 > facts.now - forgetAfterMs) seen[h] = at;
  }
  const waves = waveEvents(facts, memory.waves);
  if (!first) events.push(...waves.events);
  return { events, memory: { version: 1, seen, waves: waves.positions, outbox: memory.outbox } };
}

// --- level events ---------------------------------------------------------------------------

interface Subjects {
  readonly paths: ReadonlyMap<string, string>;
  readonly devices: ReadonlyMap<string, DevicePlan>;
  readonly policyGroups: ReadonlyMap<string, readonly string[]>;
  readonly groupPolicy: ReadonlyMap<string, string | undefined>;
}

/** `namespace/name` → name; `namespace/name` → namespace. */
const nameOf = (key: string) => key.slice(key.indexOf('/') + 1);
const nsOf = (key: string) => key.slice(0, key.indexOf('/'));
const withKind = (kind: string, key: string) => kindKey(nsOf(key), kind, nameOf(key));
const versionText = (v: string | undefined) => (v ? ` ${v}` : '');

function indexSubjects(facts: ReconcileFacts): Subjects {
  const paths = new Map<string, string>();
  for (const s of facts.statuses) if (s.key) paths.set(kindKey(s.key.namespace, s.key.kind, s.key.name), s.path);
  return {
    paths,
    devices: new Map(facts.plan.devices.map((d) => [d.deviceId, d])),
    policyGroups: new Map(facts.plan.policies.map((p) => [p.key, p.groups.map(nameOf)])),
    groupPolicy: new Map(facts.plan.groups.map((g) => [g.key, g.policy])),
  };
}

function make(s: Subjects, type: NotificationEventType, key: string, subject: string, fields: { groups: Iterable<string>; policies: Iterable<string>; text: string; time: number; device?: string }): NotificationEvent {
  const path = s.paths.get(subject);
  return {
    type,
    key: `${type}|${key}`,
    subject,
    ...(path !== undefined ? { path } : {}),
    groups: [...new Set(fields.groups)].sort(),
    policies: [...new Set(fields.policies)].sort(),
    ...(fields.device !== undefined ? { device: fields.device } : {}),
    text: fields.text,
    time: fields.time,
  };
}

/** The groups and policies of a device (names), from the plan. */
function scopeOfDevice(s: Subjects, deviceId: string): { groups: string[]; policies: string[] } {
  const d = s.devices.get(deviceId);
  return { groups: d?.group ? [nameOf(d.group)] : [], policies: d?.policy ? [nameOf(d.policy)] : [] };
}

/** Every level condition the facts show, as events (some may be known already). */
export function levelEvents(facts: ReconcileFacts): NotificationEvent[] {
  const s = indexSubjects(facts);
  const out: NotificationEvent[] = [];
  const { plan, now } = facts;

  for (const p of plan.policies) {
    for (const r of p.rollouts) {
      if (r.state !== 'Stopped') continue;
      const where = r.wave === undefined ? '' : ` in wave ${r.wave} of ${r.waves}`;
      out.push(make(s, 'RolloutStopped', `${p.key}|${r.softwareType}|${r.version ?? ''}|${r.stoppedTime ?? ''}`, withKind('UpdatePolicy', p.key), {
        groups: p.groups.map(nameOf),
        policies: [p.name],
        text: `The ${r.softwareType}${versionText(r.version)} rollout of UpdatePolicy ${p.name} stopped${where}: ${r.stoppedReason ?? 'too many updates failed'}`,
        time: r.stoppedTime ?? now,
      }));
    }
  }

  for (const st of facts.statuses) {
    if (!st.key) continue;
    const stalled = conditionOf(st.status, 'Stalled');
    // Stops and refusals have events of their own, with more to say.
    if (!stalled || stalled.status !== 'True' || stalled.reason === 'FailureThresholdExceeded' || stalled.reason === 'UpdatesRefused') continue;
    const ns = st.key.namespace ?? 'default';
    const subject = kindKey(ns, st.key.kind, st.key.name);
    const scope = scopeOfManifest(s, st.key.kind, `${ns}/${st.key.name}`, plan);
    out.push(make(s, 'ManifestStalled', `${subject}|${stalled.reason}`, subject, {
      ...scope,
      text: `${st.key.kind} ${st.key.name} is stalled (${stalled.reason}): ${stalled.message ?? ''}`.trim(),
      time: Date.parse(stalled.lastTransitionTime ?? '') || now,
    }));
  }

  for (const su of plan.scheduledUpdates) {
    const subject = withKind('ScheduledUpdate', su.key);
    const groups = new Set<string>();
    const policies = new Set<string>();
    for (const d of su.records) {
      const scope = scopeOfDevice(s, d.deviceId);
      scope.groups.forEach((g) => groups.add(g));
      scope.policies.forEach((p) => policies.add(p));
    }
    for (const d of su.records) {
      for (const e of d.entries) {
        if (e.clamp) {
          const c = e.clamp;
          out.push(make(s, 'ClampApplied', `${subject}|${c.deviceId}|${c.softwareType}|${c.version}|${c.effectiveTime}`, subject, {
            ...scopeOfDevice(s, c.deviceId),
            device: facts.deviceLabel(c.deviceId),
            text: `${facts.deviceLabel(c.deviceId)}: ${c.softwareType} ${c.version} moved from ${timestamp(c.requestedTime)} to ${timestamp(c.effectiveTime)} (ScheduledUpdate ${su.name}): ${c.reason}`,
            time: c.effectiveTime,
          }));
        }
        if (e.state === 'blocked' && RefusalCodes.has(e.reason.code)) out.push(refusal(s, facts, subject, `ScheduledUpdate ${su.name}`, d.deviceId, e));
      }
    }
    if (su.completionTime !== undefined) {
      const ready = conditionOf(facts.statuses.find((x) => x.key?.kind === 'ScheduledUpdate' && `${x.key.namespace ?? 'default'}/${x.key.name}` === su.key)?.status, 'Ready');
      out.push(make(s, 'ScheduledUpdateCompleted', `${subject}|${su.completionTime}`, subject, {
        groups,
        policies,
        text: `ScheduledUpdate ${su.name} completed${ready?.message ? `: ${ready.message}` : ''}`,
        time: su.completionTime,
      }));
    }
  }

  // A policy's own refusals that a person must resolve: a device newer than versions.maximum.
  for (const d of plan.devices) {
    for (const e of d.entries) {
      if (e.scheduledUpdate !== undefined || e.state !== 'blocked' || e.reason.code !== 'Downgrade' || !d.group) continue;
      out.push(refusal(s, facts, withKind('DeviceGroup', d.group), `DeviceGroup ${nameOf(d.group)}`, d.deviceId, e));
    }
  }

  for (const l of facts.ledger) {
    if (l.state !== 'failed' || l.endedAt === undefined) continue;
    const timedOut = l.error?.code === 'TimedOut';
    const device = facts.deviceLabel(l.deviceId);
    const scope = scopeOfDevice(s, l.deviceId);
    const owner = l.owner.split('/');
    if (owner[1] === 'DeviceGroup' || owner[1] === 'UpdatePolicy') {
      // The rule that started it counts too when the device has moved since.
      (owner[1] === 'DeviceGroup' ? scope.groups : scope.policies).push(owner[2] ?? '');
    }
    const what = `${device}: ${l.softwareType} update to ${l.version}`;
    const text = timedOut
      ? `${what} timed out: still active ${l.timeoutMs === undefined ? 'past its timeout' : `after ${formatDuration(l.timeoutMs)}`} (requested ${timestamp(l.requestedAt)})`
      : `${what} failed${l.error?.code ? ` (${l.error.code})` : ''}${l.error?.message ? `: ${l.error.message}` : ''}`;
    out.push(make(s, timedOut ? 'OperationTimedOut' : 'UpdateFailed', `${l.deviceId}|${l.softwareType}|${l.version}|${l.requestedAt}`, l.owner, { ...scope, device, text, time: l.endedAt }));
  }
  return out;
}

function refusal(s: Subjects, facts: ReconcileFacts, subject: string, by: string, deviceId: string, e: PlanEntry): NotificationEvent {
  const device = facts.deviceLabel(deviceId);
  return make(s, 'UpdateRefused', `${subject}|${deviceId}|${e.softwareType}|${e.desiredVersion ?? ''}|${e.reason.code}`, subject, {
    ...scopeOfDevice(s, deviceId),
    device,
    text: `${device}: ${e.softwareType}${versionText(e.desiredVersion)} refused for ${by} (${e.reason.code}): ${e.reason.message}`,
    time: facts.now,
  });
}

function scopeOfManifest(s: Subjects, kind: string, key: string, plan: Plan): { groups: string[]; policies: string[] } {
  if (kind === 'DeviceGroup') {
    const policy = s.groupPolicy.get(key);
    return { groups: [nameOf(key)], policies: policy ? [nameOf(policy)] : [] };
  }
  if (kind === 'UpdatePolicy') return { groups: [...(s.policyGroups.get(key) ?? [])], policies: [nameOf(key)] };
  const groups = new Set<string>();
  const policies = new Set<string>();
  for (const d of plan.scheduledUpdates.find((x) => x.key === key)?.records ?? []) {
    const scope = scopeOfDevice(s, d.deviceId);
    scope.groups.forEach((g) => groups.add(g));
    scope.policies.forEach((p) => policies.add(p));
  }
  return { groups: [...groups], policies: [...policies] };
}

interface ConditionLike {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

function conditionOf(status: unknown, type: string): ConditionLike | undefined {
  const conditions = (status as { conditions?: unknown } | null | undefined)?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return (conditions as ConditionLike[]).find((c) => c && c.type === type);
}

// --- wave progress --------------------------------------------------------------------------

function waveEvents(facts: ReconcileFacts, before: NotificationMemory['waves']): { events: NotificationEvent[]; positions: Record<string, { version: string; wave: number }> } {
  const s = indexSubjects(facts);
  const events: NotificationEvent[] = [];
  const positions: Record<string, { version: string; wave: number }> = {};
  for (const g of facts.plan.groups) {
    const subject = withKind('DeviceGroup', g.key);
    const scope = { groups: [g.name], policies: g.policy ? [nameOf(g.policy)] : [] };
    for (const r of g.rollouts) {
      const id = `${g.key}|${r.softwareType}`;
      const prev = before[id];
      if (r.version !== undefined && r.wave !== undefined) {
        positions[id] = { version: r.version, wave: r.wave };
        if (prev && prev.version === r.version) {
          for (let w = prev.wave; w < r.wave; w++) {
            events.push(make(s, 'WaveFinished', `${g.key}|${r.softwareType}|${r.version}|${w}`, subject, {
              ...scope,
              text: `DeviceGroup ${g.name}: wave ${w} of ${r.waves} of the ${r.softwareType} ${r.version} rollout finished${r.failed > 0 ? ` (${r.failed} of ${r.completed} finished updates failed)` : ''}`,
              time: facts.now,
            }));
          }
        }
      } else if (r.state === 'Complete' && prev) {
        // Every device has the version (or moved on): the last wave finished.
        events.push(make(s, 'WaveFinished', `${g.key}|${r.softwareType}|${prev.version}|complete`, subject, {
          ...scope,
          text: `DeviceGroup ${g.name}: the last wave of the ${r.softwareType} ${prev.version} rollout finished; the rollout is complete${r.failed > 0 ? ` (${r.failed} of ${r.completed} finished updates failed)` : ''}`,
          time: facts.now,
        }));
      } else if (prev) {
        positions[id] = prev;
      }
    }
  }
  return { events, positions };
}
