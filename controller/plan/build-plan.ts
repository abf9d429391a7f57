// The plan: desired × observed → for every device × software type what the rules want, when,
// and why; and the updates that may start now. Pure: no I/O, `now` is an input.
//
// Order of the decisions for one device × software type:
//   1. an operation in flight for it → inProgress;
//   2. what the automatic rule wants (policy, phase, calendar) and what ScheduledUpdates want;
//      the one that can start first decides (a tie goes to the ScheduledUpdate);
//   3. what already happened (succeeded, failed) and what blocks it (offline, suspended,
//      stopped, refusals);
//   4. when it may start: phase/schedule time, wave order and bake time, maintenance windows
//      and freezes;
//   5. among what may start now: one update per device, and at most maxConcurrent operations
//      in flight per policy.
import type { Device, DeviceSoftware, SoftwareState, SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { DeviceGroup, ScheduledUpdate, UpdatePolicy } from '../model/manifests.generated.ts';
import type {
  ClampRecord, ConflictRecord, EntryState, FailureInfo, GroupSummary, OperationRecord, Plan, PlanAction, PlanEntry,
  PolicySummary, Reason, RolloutMemory, Rule, ScheduledSummary,
} from '../model/plan.ts';
import type { ReleaseRecord } from '../state/state.ts';
import { decideAutomatic, type AutoDecision } from '../policy/automatic.ts';
import { DeviceIndex } from '../policy/device-index.ts';
import { resolveGroups } from '../policy/groups.ts';
import { displayName, objectKey, ownerKey } from '../policy/manifest-keys.ts';
import { CalendarIndex, observationsOf, observeReleases } from '../policy/release-calendar.ts';
import { judgeFailures, resumeAfter } from '../policy/rollout-health.ts';
import { decideScheduled, scheduledInstant } from '../policy/scheduled.ts';
import { compileSelector } from '../policy/selector.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { assignWaves, stableHash, waveName, waveSizes } from '../policy/waves.ts';
import { formatLocal } from '../policy/zoned-time.ts';
import { groupContext, policyContexts, ungroupedContext, type GroupContext, type PolicyContext } from './group-context.ts';
import { OperationBook } from './operation-book.ts';
import { buildRolloutViews, type UnitStats } from './rollout-views.ts';

/** Everything a plan is made from. */
export interface PlanInput {
  readonly now: number;
  /** Valid manifests only. */
  readonly groups: readonly DeviceGroup[];
  readonly policies: readonly UpdatePolicy[];
  readonly scheduledUpdates: readonly ScheduledUpdate[];
  readonly devices: readonly Device[];
  /** Software states per device id; devices without one get no entries. */
  readonly software: ReadonlyMap<string, DeviceSoftware>;
  /** In-flight and recent operations (see operationRecords). */
  readonly operations: readonly OperationRecord[];
  /** The release calendar so far; the plan adds what it sees now and returns it. */
  readonly releases: readonly ReleaseRecord[];
  /** Rollout memory from the previous plan (keys policyKey|softwareType). */
  readonly rollouts?: Readonly<Record<string, RolloutMemory>>;
}

const typeOrder = new Map<SoftwareType, number>(SoftwareTypes.map((t, i) => [t, i]));
const scheduledRule = (key: string): Rule => ({ code: 'ScheduledUpdate', text: `ScheduledUpdate ${displayName(key)}` });

/** A device × software type being decided (mutable while the plan is built). */
interface Work {
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
  readonly owner: string | undefined;
}

interface ScheduledCtx {
  readonly su: ScheduledUpdate;
  readonly key: string;
  readonly owner: string;
  readonly at: number | undefined;
  readonly completedAt: number | undefined;
  readonly deviceIdx: number[];
  readonly records: Work[];
}

function failureOf(r: OperationRecord): FailureInfo {
  return { code: r.errorCode, message: r.errorMessage, time: r.endedAt };
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** Builds the plan. */
export function buildPlan(input: PlanInput): Plan {
  const now = input.now;
  const releases = observeReleases(input.releases, observationsOf(input.devices, input.software), now);
  const calendar = new CalendarIndex(releases);
  const index = new DeviceIndex(input.devices);
  const membership = resolveGroups(input.groups, index);
  const book = new OperationBook(input.operations);

  // Policies: suspension, and stops judged on each policy's finished operations.
  const memoryOut: Record<string, RolloutMemory> = {};
  const judgements = new Map<string, { completed: number; failed: number }>();
  const policies = policyContexts(input.policies, now, (policy, key) => {
    const stops = new Map<SoftwareType, RolloutMemory>();
    const records = book.startedBy(ownerKey('UpdatePolicy', policy.metadata));
    for (const type of ['firmware', 'teamsClient'] as const) {
      const memKey = `${key}|${type}`;
      const j = judgeFailures(policy, type, records, input.rollouts?.[memKey], now);
      judgements.set(memKey, { completed: j.completed, failed: j.failed });
      if (j.stopped) {
        stops.set(type, j.stopped);
        memoryOut[memKey] = j.stopped;
      }
    }
    return stops;
  });

  // Groups, in key order, with their waves.
  const order = membership.groups.map((g, i) => i).sort((a, b) => cmp(membership.groupKeys[a]!, membership.groupKeys[b]!));
  const contexts: GroupContext[] = [];
  const ctxOfMembershipIdx = new Map<number, GroupContext>();
  const membershipIdx: number[] = [];
  for (const m of order) {
    membershipIdx.push(m);
    const group = membership.groups[m]!;
    const memberIds = membership.members[m]!.map((i) => index.devices[i]!.id);
    const pctx = group.spec.policyRef ? policies.get(`${group.metadata.namespace ?? 'default'}/${group.spec.policyRef.name}`) : undefined;
    const waveOf = pctx ? assignWaves(memberIds, pctx.policy.metadata.name, pctx.waves) : new Map<string, number>();
    const waveCount = pctx ? waveSizes(memberIds.length, pctx.waves).length : 0;
    const ctx = groupContext(contexts.length, group, policies, waveOf, waveCount);
    contexts.push(ctx);
    ctxOfMembershipIdx.set(m, ctx);
  }
  const ungrouped = ungroupedContext();
  const ctxOfDevice = (i: number): GroupContext => {
    const g = membership.groupOf[i]!;
    return g < 0 ? ungrouped : ctxOfMembershipIdx.get(g)!;
  };

  // ScheduledUpdates: targets and per-device candidates.
  const scheduled = prepareScheduled(input.scheduledUpdates, index, membership, ctxOfMembershipIdx);
  const suByDevice = new Map<number, ScheduledCtx[]>();
  for (const s of scheduled) {
    for (const i of s.deviceIdx) {
      const list = suByDevice.get(i);
      if (list) list.push(s);
      else suByDevice.set(i, [s]);
    }
  }

  const decisions = new Map<string, AutoDecision>();
  const decide = (ctx: GroupContext, model: string, st: SoftwareState): AutoDecision => {
    const key = `${ctx.decisionKey}\u0000${model}\u0000${st.softwareType}\u0000${st.currentVersion ?? '\u0001'}\u0000${st.freshness === 'unknown' ? 1 : 0}`;
    let d = decisions.get(key);
    if (!d) decisions.set(key, (d = decideAutomatic(ctx.rules[st.softwareType], calendar, model, st, now)));
    return d;
  };

  const mains: Work[] = [];
  const addDevice = (i: number, ctx: GroupContext, onlyScheduled: boolean) => {
    const device = index.devices[i]!;
    const sw = input.software.get(device.id);
    if (!sw) return;
    const sus = suByDevice.get(i);
    for (const type of SoftwareTypes) {
      const st = sw.software[type];
      if (!st) continue;
      const suWorks: Work[] = [];
      if (sus) {
        for (const s of sus) {
          const target = s.su.spec.software.find((t) => t.type === type);
          if (!target) continue;
          const w = scheduledWork(s, target.version, device, i, st, ctx);
          s.records.push(w);
          suWorks.push(w);
        }
      }
      if (onlyScheduled && suWorks.length === 0) continue;
      const auto = onlyScheduled ? undefined : autoWork(device, i, st, ctx);
      mains.push(chooseMain(auto, suWorks, device, type));
    }
  };

  const autoWork = (device: Device, i: number, st: SoftwareState, ctx: GroupContext): Work => {
    const type = st.softwareType;
    const rule = ctx.rules[type];
    const d = decide(ctx, device.model, st);
    const w: Work = {
      device, deviceIdx: i, type, state: st, ctx, source: 'auto', su: undefined, rule: rule.rule,
      version: d.version, status: 'upToDate', reason: d.reason, needs: false, t0: now, t0Reason: undefined,
      respectWindows: true, earliest: undefined, wave: ctx.waveOf.get(device.id), clamp: undefined, failure: undefined,
      owner: ctx.policy?.owner,
    };
    const last = book.last(device.id, type);
    if (last?.active) return inProgress(w, last);
    if (d.outcome === 'stay') {
      if (last && last.outcome === 'succeeded' && last.version === st.currentVersion) {
        w.status = 'succeeded';
        w.reason = { code: 'Succeeded', message: `updated to ${last.version} by firmwarden${last.endedAt ? ` on ${dayText(last.endedAt)}` : ''}` };
      }
      return w;
    }
    if (d.outcome === 'blocked') {
      w.status = 'blocked';
      return w;
    }
    const v = d.version!;
    const policy = ctx.policy!;
    if (last && last.version === v && !last.active) {
      if (last.outcome === 'succeeded') {
        w.status = 'succeeded';
        w.reason = { code: 'Succeeded', message: `updated to ${v}${last.endedAt ? ` on ${dayText(last.endedAt)}` : ''}; waiting for the device to report the new version` };
        return w;
      }
      const after = resumeAfter(policy.policy);
      if (last.outcome === 'failed' && !(after !== undefined && last.endedAt !== undefined && last.endedAt < after)) {
        w.status = 'failed';
        w.failure = failureOf(last);
        w.reason = { code: 'Failed', message: `the update to ${v} failed${last.errorMessage ? `: ${last.errorMessage}` : ''}; it is not retried until a newer version is eligible or spec.resume forgives it` };
        return w;
      }
    }
    return needsUpdate(w, device, d.eligibleAt ?? now, d.reason);
  };

  const needsUpdate = (w: Work, device: Device, startAt: number, why: Reason): Work => {
    if (device.healthStatus === 'offline') {
      w.status = 'blocked';
      w.reason = { code: 'DeviceOffline', message: `the device is offline; ${w.version} is installed once it is back online` };
      return w;
    }
    const policy = w.ctx.policy;
    if (w.source === 'auto' && policy) {
      const stop = policy.stopped.get(w.type);
      if (stop) {
        w.status = 'blocked';
        w.reason = { code: 'RolloutStopped', message: `the rollout of ${softwareLabel[w.type]} under ${displayName(policy.key)} stopped on ${dayText(stop.stoppedAt)}: ${stop.reason}` };
        return w;
      }
      const s = policy.suspension;
      if (s) {
        const message = `${displayName(policy.key)} is suspended by ${s.by}: ${s.reason}${s.until === undefined ? '' : ` (until ${dayText(s.until)})`}`;
        if (s.until === undefined) {
          w.status = 'blocked';
          w.reason = { code: 'Suspended', message };
          return w;
        }
        if (s.until > startAt) {
          startAt = s.until;
          why = { code: 'Suspended', message };
        }
      }
    }
    w.needs = true;
    w.status = 'scheduled';
    w.t0 = Math.max(now, startAt);
    w.t0Reason = startAt > now ? why : undefined;
    w.reason = why;
    return w;
  };

  const inProgress = (w: Work, op: OperationRecord): Work => {
    w.status = 'inProgress';
    w.version = op.version ?? w.version;
    w.reason = { code: 'InProgress', message: `updating to ${op.version ?? 'a new version'} since ${dayText(op.startedAt)}${op.operationId ? ` (operation ${op.operationId})` : ''}` };
    return w;
  };

  const scheduledWork = (s: ScheduledCtx, version: string | undefined, device: Device, i: number, st: SoftwareState, ctx: GroupContext): Work => {
    const w: Work = {
      device, deviceIdx: i, type: st.softwareType, state: st, ctx, source: 'scheduled', su: s, rule: scheduledRule(s.key),
      version, status: 'upToDate', reason: { code: 'UpToDate', message: '' }, needs: false, t0: now, t0Reason: undefined,
      respectWindows: s.su.spec.respectMaintenanceWindows === true, earliest: undefined, wave: undefined, clamp: undefined,
      failure: undefined, owner: s.owner,
    };
    const mine = book.lastBy(s.owner, device.id, st.softwareType);
    if (mine?.active) return inProgress(w, mine);
    if (mine && mine.outcome === 'succeeded') {
      w.status = 'succeeded';
      w.version = mine.version;
      w.reason = { code: 'Succeeded', message: `updated to ${mine.version} by this ScheduledUpdate${mine.endedAt ? ` on ${dayText(mine.endedAt)}` : ''}` };
      return w;
    }
    if (mine && (mine.outcome === 'failed' || mine.outcome === 'cancelled')) {
      w.status = 'failed';
      w.version = mine.version;
      w.failure = failureOf(mine);
      w.reason = { code: 'Failed', message: `the update to ${mine.version} ${mine.outcome}${mine.errorMessage ? `: ${mine.errorMessage}` : ''}; a ScheduledUpdate does not retry` };
      return w;
    }
    const d = decideScheduled({ version }, s.at, calendar, device.model, st, ctx.firmwarePhase, now);
    w.version = d.version;
    w.reason = d.reason;
    if (d.outcome === 'stay') return w;
    if (d.outcome === 'blocked') {
      w.status = 'blocked';
      return w;
    }
    if (s.completedAt !== undefined) {
      w.reason = { code: 'UpToDate', message: `this ScheduledUpdate completed on ${dayText(s.completedAt)}; it starts nothing more` };
      return w;
    }
    if (d.clampedTo !== undefined && d.requestedAt !== undefined) {
      w.clamp = { deviceId: device.id, model: device.model, softwareType: st.softwareType, version: d.version!, requestedTime: d.requestedAt, effectiveTime: d.clampedTo, reason: d.clampText! };
    }
    const why: Reason = d.clampedTo !== undefined
      ? { code: 'ScheduledTime', message: `${d.version} is scheduled by ${displayName(s.key)}; moved from ${formatLocal(d.requestedAt!, ctx.timeZone)} to ${formatLocal(d.clampedTo, ctx.timeZone)} ${ctx.timeZone}: ${d.clampText}` }
      : d.requestedAt !== undefined
        ? { code: 'ScheduledTime', message: `${d.version} is scheduled by ${displayName(s.key)} for ${formatLocal(d.requestedAt, s.su.spec.timeZone ?? 'UTC')} ${s.su.spec.timeZone ?? 'UTC'}` }
        : { code: 'Starting', message: `${displayName(s.key)} asks for ${d.version} now` };
    return needsUpdate(w, device, d.startAt, why);
  };

  for (const ctx of contexts) for (const i of membership.members[membershipIdx[ctx.index]!]!) addDevice(i, ctx, false);
  const ungroupedTargets = [...suByDevice.keys()].filter((i) => membership.groupOf[i]! < 0).sort((a, b) => cmp(index.devices[a]!.id, index.devices[b]!.id));
  for (const i of ungroupedTargets) addDevice(i, ungrouped, true);

  // Scheduled records that are not their entry's main work still need their own start time.
  const mainSet = new Set(mains);
  const units = applyWaves(mains, book, now);
  for (const w of mains) if (w.needs) applyWindow(w, now);
  for (const s of scheduled) for (const w of s.records) if (!mainSet.has(w) && w.needs) applyWindow(w, now);
  const actions = selectStarts(mains, contexts, ctxOfDevice, index, book, now);

  const entries = mains.map(freeze);
  const entryOf = new Map<Work, PlanEntry>();
  mains.forEach((w, k) => entryOf.set(w, entries[k]!));
  const views = buildRolloutViews(contexts, mains, units, book, judgements, now);
  const groupSummaries = summarizeGroups(contexts, membershipIdx, membership, index, mains, views.groups, now);
  const modelOf = (id: string) => index.devices[index.indexOfId(id)!]!.model;
  const policySummaries = summarizePolicies(policies, groupSummaries, views.policies, modelOf);
  const scheduledSummaries = scheduled.map((s): ScheduledSummary => {
    const records = s.records.map((w) => entryOf.get(w) ?? freeze(w));
    const finished = records.every((r) => r.state === 'upToDate' || r.state === 'succeeded' || r.state === 'failed' || r.state === 'blocked');
    return {
      key: s.key,
      name: s.su.metadata.name,
      scheduledTime: s.at,
      deviceIds: s.deviceIdx.map((i) => index.devices[i]!.id),
      records,
      nextActionTime: minFuture(records.map((r) => r.earliestStart), now),
      completionTime: s.completedAt ?? (finished && records.length > 0 && (s.at === undefined || s.at <= now) ? now : undefined),
    };
  });
  const clamps = dedupeClamps(entries, scheduledSummaries);
  const unmanaged = input.devices.filter((d, i) => membership.groupOf[i]! < 0 && !suByDevice.has(i)).map((d) => d.id).sort();
  return {
    now,
    entries,
    actions,
    groups: groupSummaries,
    policies: policySummaries,
    scheduledUpdates: scheduledSummaries,
    conflicts: membership.conflicts,
    clamps,
    releases,
    rollouts: memoryOut,
    nextActionTime: minFuture(entries.map((e) => e.earliestStart), now),
    unmanaged,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function minFuture(times: Iterable<number | undefined>, now: number): number | undefined {
  let best: number | undefined;
  for (const t of times) if (t !== undefined && t > now && (best === undefined || t < best)) best = t;
  return best;
}

/** Targets of each ScheduledUpdate, sorted by key. */
function prepareScheduled(
  sus: readonly ScheduledUpdate[],
  index: DeviceIndex,
  membership: ReturnType<typeof resolveGroups>,
  ctxOf: ReadonlyMap<number, GroupContext>,
): ScheduledCtx[] {
  const out: ScheduledCtx[] = [];
  const sorted = [...sus].sort((a, b) => cmp(objectKey(a.metadata), objectKey(b.metadata)));
  for (const su of sorted) {
    const targets = new Set<number>();
    const t = su.spec.targets;
    if (t.groupRef) {
      const key = `${su.metadata.namespace ?? 'default'}/${t.groupRef.name}`;
      const m = membership.groupKeys.indexOf(key);
      if (m >= 0 && ctxOf.has(m)) for (const i of membership.members[m]!) targets.add(i);
    }
    if (t.selector) for (const i of index.select(compileSelector(t.selector))) targets.add(i);
    for (const ref of t.deviceIds ?? []) {
      const i = index.find(ref);
      if (i !== undefined) targets.add(i);
    }
    const completed = su.status?.completionTime === undefined ? undefined : Date.parse(su.status.completionTime);
    const observed = su.status?.observedGeneration;
    // A completion recorded for an older spec does not count: the spec changed since.
    const stillCurrent = observed === undefined || su.metadata.generation === undefined || observed === su.metadata.generation;
    out.push({
      su,
      key: objectKey(su.metadata),
      owner: ownerKey('ScheduledUpdate', su.metadata),
      at: scheduledInstant(su),
      completedAt: completed !== undefined && !Number.isNaN(completed) && stillCurrent ? completed : undefined,
      deviceIdx: [...targets].sort((a, b) => cmp(index.devices[a]!.id, index.devices[b]!.id)),
      records: [],
    });
  }
  return out;
}

/** The work that decides an entry: an operation in flight, else whatever can start first (ties: the ScheduledUpdate). */
function chooseMain(auto: Work | undefined, suWorks: readonly Work[], device: Device, type: SoftwareType): Work {
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

/** Wave order: a device of wave k waits until the earlier waves of its group have finished the same version and baked. */
function applyWaves(mains: Work[], book: OperationBook, now: number): Map<string, UnitStats> {
  const units = new Map<string, UnitStats>();
  const unitOf = (w: Work, version: string) => {
    const key = `${w.ctx.index}|${w.type}|${version}`;
    let u = units.get(key);
    if (!u) {
      u = { groupIndex: w.ctx.index, type: w.type, version, unfinished: new Array(w.ctx.waveCount + 1).fill(0), lastEnd: new Array(w.ctx.waveCount + 1).fill(undefined), firstStart: new Array(w.ctx.waveCount + 1).fill(undefined), bakeUntil: undefined, gatedWave: undefined };
      units.set(key, u);
    }
    return u;
  };
  for (const w of mains) {
    if (w.wave === undefined || w.ctx.index < 0) continue;
    if (w.source === 'auto' && w.version !== undefined && (w.needs || w.status === 'inProgress')) {
      const u = unitOf(w, w.version);
      u.unfinished[w.wave] = (u.unfinished[w.wave] ?? 0) + 1;
    }
    const last = book.last(w.device.id, w.type);
    if (last && last.version !== undefined && last.owner !== undefined && last.owner === w.ctx.policy?.owner) {
      const u = unitOf(w, last.version);
      if (last.endedAt !== undefined && (u.lastEnd[w.wave] === undefined || last.endedAt > u.lastEnd[w.wave]!)) u.lastEnd[w.wave] = last.endedAt;
      if (u.firstStart[w.wave] === undefined || last.startedAt < u.firstStart[w.wave]!) u.firstStart[w.wave] = last.startedAt;
    }
  }
  for (const w of mains) {
    if (!w.needs || w.source !== 'auto' || w.wave === undefined || w.wave <= 1 || w.version === undefined) continue;
    const u = units.get(`${w.ctx.index}|${w.type}|${w.version}`)!;
    let waiting = 0;
    let waitingWave = 0;
    let lastEnd: number | undefined;
    for (let k = 1; k < w.wave; k++) {
      if (u.unfinished[k]! > 0 && waitingWave === 0) waitingWave = k;
      waiting += u.unfinished[k]!;
      const e = u.lastEnd[k];
      if (e !== undefined && (lastEnd === undefined || e > lastEnd)) lastEnd = e;
    }
    const waves = w.ctx.policy?.waves;
    if (waiting > 0) {
      w.needs = false;
      w.status = 'scheduled';
      w.earliest = undefined;
      w.reason = { code: 'WaitingForWave', message: `${waveName(waves, w.wave)} starts after ${waveName(waves, waitingWave)} has finished: ${waiting} device${waiting === 1 ? '' : 's'} of earlier waves still to update to ${w.version}` };
      if (u.gatedWave === undefined || w.wave < u.gatedWave) u.gatedWave = w.wave;
      continue;
    }
    if (lastEnd !== undefined) {
      const bakeUntil = lastEnd + (w.ctx.policy?.bakeMs ?? 0);
      if (bakeUntil > w.t0) {
        w.t0 = bakeUntil;
        w.t0Reason = { code: 'Baking', message: `${waveName(waves, w.wave)} starts once the previous wave has baked until ${dayText(bakeUntil)}` };
        if (u.bakeUntil === undefined || bakeUntil > u.bakeUntil) u.bakeUntil = bakeUntil;
      }
    }
  }
  return units;
}

/** Places the start in a maintenance window outside freezes (when the work respects windows). */
function applyWindow(w: Work, now: number): void {
  const schedule = w.ctx.schedule;
  const start = w.respectWindows ? schedule.nextOpening(w.t0) : w.t0;
  if (start === undefined) {
    w.needs = false;
    w.status = 'scheduled';
    w.earliest = undefined;
    w.reason = { code: 'NoWindow', message: `no maintenance window opens outside the freezes in the next two years` };
    return;
  }
  w.earliest = start;
  if (start <= now) return;
  w.needs = false;
  w.status = 'scheduled';
  const local = `${formatLocal(start, w.ctx.timeZone)} ${w.ctx.timeZone}`;
  if (start === w.t0 && w.t0Reason) {
    w.reason = w.t0Reason;
    return;
  }
  const window = schedule.windowAt(start);
  const freeze = schedule.freezeAt(w.t0) ?? schedule.freezeAt(schedule.nextWindowStart(w.t0) ?? w.t0);
  const prefix = w.t0Reason ? `${w.t0Reason.message}; then ` : '';
  if (freeze) {
    w.reason = { code: w.t0Reason?.code ?? 'Frozen', message: `${prefix}the freeze ${freeze.name} (${freeze.from} to ${freeze.to}${freeze.reason ? `: ${freeze.reason}` : ''}) blocks starts; next window ${window?.name ?? ''} opens ${local}` };
  } else {
    w.reason = { code: w.t0Reason?.code ?? 'OutsideWindow', message: `${prefix}waits for the maintenance window ${window?.name ?? ''}, opening ${local}` };
  }
}

/** Picks what starts now: one update per device, at most maxConcurrent in flight per policy. */
function selectStarts(mains: Work[], contexts: readonly GroupContext[], ctxOfDevice: (i: number) => GroupContext, index: DeviceIndex, book: OperationBook, now: number): PlanAction[] {
  const inFlight = new Map<string, number>();
  for (const id of book.busyDevices()) {
    const i = index.indexOfId(id);
    if (i === undefined) continue;
    const p = ctxOfDevice(i).policy?.key;
    if (p !== undefined) inFlight.set(p, (inFlight.get(p) ?? 0) + 1);
  }
  const candidates = mains.filter((w) => w.needs);
  // Scheduled updates first (a person asked), then wave order, then the stable hash order.
  const rank = (w: Work) => (w.source === 'scheduled' ? 0 : (w.wave ?? 1));
  const hashes = new Map<Work, number>();
  for (const w of candidates) hashes.set(w, stableHash(`${w.device.id}\u0000${w.ctx.policy?.policy.metadata.name ?? ''}`));
  candidates.sort((a, b) => rank(a) - rank(b) || hashes.get(a)! - hashes.get(b)! || cmp(a.device.id, b.device.id) || typeOrder.get(a.type)! - typeOrder.get(b.type)!);
  const startedOn = new Map<string, SoftwareType>();
  const chosen = new Set<Work>();
  for (const w of candidates) {
    const busy = book.activeOn(w.device.id);
    if (busy && busy.length > 0) {
      const op = busy[0]!;
      w.status = 'pending';
      w.reason = { code: 'DeviceBusy', message: `another update is running on this device${op.softwareType ? ` (${softwareLabel[op.softwareType]}${op.version ? ` to ${op.version}` : ''})` : ''}; one update at a time per device` };
      continue;
    }
    const first = startedOn.get(w.device.id);
    if (first) {
      w.status = 'pending';
      w.reason = { code: 'DeviceBusy', message: `the ${softwareLabel[first]} update of this device starts first; one update at a time per device` };
      continue;
    }
    const policy = w.ctx.policy;
    if (policy) {
      const used = inFlight.get(policy.key) ?? 0;
      if (w.source === 'auto' && used >= policy.maxConcurrent) {
        w.status = 'pending';
        w.reason = { code: 'ConcurrencyLimit', message: `${used} updates under ${displayName(policy.key)} are in flight or starting, the most it allows (maxConcurrent ${policy.maxConcurrent})` };
        continue;
      }
      inFlight.set(policy.key, used + 1);
    }
    startedOn.set(w.device.id, w.type);
    chosen.add(w);
    w.status = 'pending';
    w.reason = { code: 'Starting', message: startingMessage(w) };
  }
  void contexts;
  const actions: PlanAction[] = [];
  for (const w of mains) {
    if (!chosen.has(w)) continue;
    actions.push({
      deviceId: w.device.id,
      softwareType: w.type,
      version: w.version!,
      currentVersion: w.state.currentVersion,
      owner: w.owner ?? '',
      group: w.ctx.key,
      policy: w.ctx.policy?.key,
      scheduledUpdate: w.su?.key,
      earliestStart: w.earliest ?? now,
      rule: w.rule,
      reason: w.reason,
      wave: w.wave,
    });
  }
  return actions;
}

function startingMessage(w: Work): string {
  const window = w.respectWindows ? w.ctx.schedule.windowAt(w.earliest ?? 0) : undefined;
  const where = window ? ` inside the window ${window.name}` : '';
  if (w.source === 'scheduled') return `${displayName(w.su!.key)} asks for ${w.version}; starts now${where}`;
  return `${w.reason.message}; starts now${where}`;
}

function freeze(w: Work): PlanEntry {
  return {
    deviceId: w.device.id,
    softwareType: w.type,
    group: w.ctx.key,
    policy: w.ctx.policy?.key,
    scheduledUpdate: w.su?.key,
    state: w.status,
    currentVersion: w.state.currentVersion,
    desiredVersion: w.status === 'upToDate' ? undefined : w.version,
    earliestStart: w.status === 'scheduled' || w.status === 'pending' ? w.earliest : undefined,
    rule: w.rule,
    reason: w.reason,
    wave: w.wave,
    clamp: w.clamp,
    failure: w.failure,
  };
}

function dedupeClamps(entries: readonly PlanEntry[], sus: readonly ScheduledSummary[]): ClampRecord[] {
  const seen = new Set<string>();
  const out: ClampRecord[] = [];
  const add = (c: ClampRecord | undefined) => {
    if (!c) return;
    const key = `${c.deviceId}|${c.softwareType}|${c.version}|${c.requestedTime}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(c);
  };
  for (const e of entries) add(e.clamp);
  for (const s of sus) for (const r of s.records) add(r.clamp);
  return out.sort((a, b) => cmp(a.deviceId, b.deviceId) || typeOrder.get(a.softwareType)! - typeOrder.get(b.softwareType)!);
}

function summarizeGroups(
  contexts: readonly GroupContext[],
  membershipIdx: readonly number[],
  membership: ReturnType<typeof resolveGroups>,
  index: DeviceIndex,
  mains: readonly Work[],
  views: ReadonlyMap<number, GroupSummary['rollouts']>,
  now: number,
): GroupSummary[] {
  const next = new Map<number, number>();
  for (const w of mains) {
    const t = w.status === 'scheduled' || w.status === 'pending' ? w.earliest : undefined;
    if (t === undefined || t <= now || w.ctx.index < 0) continue;
    const cur = next.get(w.ctx.index);
    if (cur === undefined || t < cur) next.set(w.ctx.index, t);
  }
  return contexts.map((ctx) => {
    const m = membershipIdx[ctx.index]!;
    const window = ctx.schedule.currentOrNextWindow(now);
    return {
      key: ctx.key!,
      name: ctx.group!.metadata.name,
      policy: ctx.policy?.key,
      missingPolicy: ctx.group!.spec.policyRef && !ctx.policy ? `${ctx.group!.metadata.namespace ?? 'default'}/${ctx.group!.spec.policyRef.name}` : undefined,
      timeZone: ctx.timeZone,
      license: ctx.license,
      phase: ctx.firmwarePhase,
      deviceIds: membership.members[m]!.map((i) => index.devices[i]!.id),
      nextWindow: window ? { name: window.name, start: window.start, end: window.end } : undefined,
      nextActionTime: next.get(ctx.index),
      rollouts: views.get(ctx.index) ?? [],
    };
  });
}

function summarizePolicies(
  policies: ReadonlyMap<string, PolicyContext>,
  groups: readonly GroupSummary[],
  views: ReadonlyMap<string, PolicySummary['rollouts']>,
  modelOf: (id: string) => string,
): PolicySummary[] {
  return [...policies.values()]
    .sort((a, b) => cmp(a.key, b.key))
    .map((p) => {
      const mine = groups.filter((g) => g.policy === p.key);
      let nextWindow: PolicySummary['nextWindow'];
      let nextActionTime: number | undefined;
      for (const g of mine) {
        if (g.nextWindow && (!nextWindow || g.nextWindow.start < nextWindow.start)) nextWindow = g.nextWindow;
        if (g.nextActionTime !== undefined && (nextActionTime === undefined || g.nextActionTime < nextActionTime)) nextActionTime = g.nextActionTime;
      }
      return {
        key: p.key,
        name: p.policy.metadata.name,
        groups: mine.map((g) => g.key),
        devices: mine.reduce((n, g) => n + g.deviceIds.length, 0),
        models: [...new Set(mine.flatMap((g) => g.deviceIds.map((id) => modelOf(id))))].sort(),
        suspended: p.suspension,
        rollouts: views.get(p.key) ?? [],
        nextWindow,
        nextActionTime,
      };
    });
}
