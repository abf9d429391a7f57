// The plan: desired × observed → for every device × software type what the rules want, when,
// and why; and the updates that may start now. Pure: no I/O, `now` is an input.
//
// Order of the decisions for one device × software type:
//   1. an operation in flight for it → inProgress;
//   2. what the automatic rule wants (policy, phase, calendar) and what ScheduledUpdates want;
//      the one that can start first decides (a tie goes to the ScheduledUpdate); a refused
//      ScheduledUpdate that does not decide stays on the entry (PlanEntry.refused), never hidden;
//   3. what already happened (succeeded, failed) and what blocks it (offline, suspended,
//      stopped, refusals);
//   4. when it may start: phase/schedule time, wave order and bake time, maintenance windows
//      and freezes;
//   5. among what may start now: one update per device, and at most maxConcurrent operations
//      in flight per policy.
import type { Device, DeviceSoftware, SoftwareState, SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { DeviceGroup, ScheduledUpdate, UpdatePolicy } from '../model/manifests.generated.ts';
import type { DevicePlan, OperationRecord, Plan, PlanEntry, Reason, RolloutMemory, ScheduledSummary } from '../model/plan.ts';
import type { HealthMemory, ReleaseRecord } from '../model/state.ts';
import type { RoomObservations } from '../model/rooms.ts';
import { decideAutomatic, hasOffer, type AutoDecision } from '../policy/automatic.ts';
import { DeviceIndex } from '../policy/device-index.ts';
import { resolveGroups } from '../policy/groups.ts';
import { displayName, ownerKey } from '../policy/manifest-keys.ts';
import { CalendarIndex, observationsOf, observeReleases } from '../policy/release-calendar.ts';
import { judgeFailures, resumeAfter } from '../policy/rollout-health.ts';
import { decideScheduled } from '../policy/scheduled.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { assignWavesInto, waveSizes } from '../policy/waves.ts';
import { formatLocal } from '../policy/zoned-time.ts';
import { groupContext, policyContexts, ungroupedContext, type GroupContext } from './group-context.ts';
import { HolidaySchedules, type CalendarDays } from './holiday-schedules.ts';
import { OperationBook } from './operation-book.ts';
import { buildRolloutViews } from './rollout-views.ts';
import { WaveGates } from './wave-gates.ts';
import { watchHealth } from './health-watch.ts';

import { applyGate, applyWindow, settleLight, type WindowMemo } from './timing.ts';
import { selectStarts } from './select-starts.ts';
import { holdRooms, planRooms, withRooms } from './room-holds.ts';
import { dedupeClamps, prepareScheduled, summarizeGroups, summarizePolicies } from './summaries.ts';
import {
  chooseMain, cmp, dayText, failureOf, freeze, minFuture, refusalsBeside, reported, scheduledRule, settledEntry, stateAt, type LightMemo, type ScheduledCtx, type Work,
} from './work.ts';

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
  /** Holidays read from .ics files, by owner key of the group or policy referencing them (holiday-schedules.ts). */
  readonly holidayCalendars?: CalendarDays;
  /** Devices' activity and rooms' bookings read before starting (see room-holds.ts); none: nothing known yet. */
  readonly rooms?: RoomObservations;
  /** When each device's health was read (the fleet view's readAt); absent: everything counts as read at `now`. */
  readonly readAt?: ReadonlyMap<string, number>;
  /** Regressions and evidence remembered from the previous plan (see health-watch.ts). */
  readonly health?: HealthMemory;
}

/** Builds the plan. */
export function buildPlan(input: PlanInput): Plan {
  const now = input.now;
  const releases = observeReleases(input.releases, observationsOf(input.devices, input.software), now);
  const calendar = new CalendarIndex(releases);
  const index = new DeviceIndex(input.devices);
  const membership = resolveGroups(input.groups, index);
  // Health soaks (their regressions count as failures below) and the evidence versions need.
  const health = watchHealth(input, index, membership);
  const book = new OperationBook(input.operations);

  // Policies: suspension, and stops judged on each policy's finished operations.
  const memoryOut: Record<string, RolloutMemory> = {};
  const judgements = new Map<string, { completed: number; failed: number }>();
  const policies = policyContexts(input.policies, now, (policy, key) => {
    const stops = new Map<SoftwareType, RolloutMemory>();
    const records = book.startedBy(ownerKey('UpdatePolicy', policy.metadata));
    for (const type of ['firmware', 'teamsClient'] as const) {
      const memKey = `${key}|${type}`;
      const j = judgeFailures(policy, type, records, input.rollouts?.[memKey], now, health.soaks.regressed);
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
  // Wave of each device position (0: none), for every group at once: no map per group.
  const waveByIdx = new Int32Array(index.devices.length);
  const idOf = (i: number) => index.devices[i]!.id;
  const waveAt = (i: number) => waveByIdx[i] || undefined;
  const ctxOfMembershipIdx = new Map<number, GroupContext>();
  const membershipIdx: number[] = [];
  const holidays = new HolidaySchedules(input.holidayCalendars, now);
  for (const m of order) {
    membershipIdx.push(m);
    const group = membership.groups[m]!;
    const members = membership.members[m]!;
    const pctx = group.spec.policyRef ? policies.get(`${group.metadata.namespace ?? 'default'}/${group.spec.policyRef.name}`) : undefined;
    if (pctx) assignWavesInto(members, idOf, pctx.policy.metadata.name, pctx.waves, waveByIdx);
    const waveCount = pctx ? waveSizes(members.length, pctx.waves).length : 0;
    const ctx = groupContext(contexts.length, group, policies, waveCount, holidays);
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

  // Decisions depend only on (policy, licence, model, software type, installed version, unknown
  // firmware): computed once per combination. Nested maps, because building a string key per
  // device × type costs more than the decision's look-up saves at 600,000 entries.
  /** A decision, its entry when nothing needs doing, and (for updates) per group its wave unit and settled waves. */
  type Decided = { readonly decision: AutoDecision; readonly settled: PlanEntry; byCtx: Map<GroupContext, LightMemo> | undefined };
  // Decided per rule signature (policies with equal rules share), model, software type and, in
  // the slot, unknown firmware and offer; then by installed version.
  type DecisionSlots = Map<string | null, Decided>[];
  const decisionCache = new Map<string, Map<string, DecisionSlots>>();
  const slotsOf = (signature: string, model: string): DecisionSlots => {
    let byModel = decisionCache.get(signature);
    if (!byModel) decisionCache.set(signature, (byModel = new Map()));
    let slots = byModel.get(model);
    if (!slots) byModel.set(model, (slots = [new Map(), new Map(), new Map(), new Map()]));
    return slots;
  };
  /** The decision slots of a group's rules for one model, per software type position (memoized per group). */
  const slotsByCtx = new Map<GroupContext, Map<string, DecisionSlots[]>>();
  const slotsFor = (ctx: GroupContext, model: string): DecisionSlots[] => {
    let byModel = slotsByCtx.get(ctx);
    if (!byModel) slotsByCtx.set(ctx, (byModel = new Map()));
    let slots = byModel.get(model);
    if (!slots) byModel.set(model, (slots = SoftwareTypes.map((t) => slotsOf(ctx.rules[t].signature, model))));
    return slots;
  };
  const decideIn = (typeSlots: DecisionSlots, ctx: GroupContext, model: string, st: SoftwareState): Decided => {
    const slot = typeSlots[(st.freshness === 'unknown' ? 2 : 0) + (hasOffer(st) ? 1 : 0)]!;
    let d = slot.get(st.currentVersion);
    if (!d) {
      const decision = decideAutomatic(ctx.rules[st.softwareType], calendar, model, st, now);
      slot.set(st.currentVersion, (d = { decision, settled: settledEntry(st, ctx, decision), byCtx: undefined }));
    }
    return d;
  };
  const decide = (ctx: GroupContext, model: string, st: SoftwareState, type: SoftwareType): Decided => decideIn(slotsOf(ctx.rules[type].signature, model), ctx, model, st);

  // Automatic updates of devices with no operation and no ScheduledUpdate (most of a fleet):
  // kept as positions in parallel arrays rather than an object each; their entries are shared
  // per (decision, group, wave) unless they may start now.
  const lightMemos: LightMemo[] = [];
  const lightDevice: number[] = [];
  const lightState: SoftwareState[] = [];
  const lightList: PlanEntry[][] = [];
  const lightSlot: number[] = [];
  // Waves: every device still to update is counted per unit (group × type × version) and wave;
  // each (unit, wave) is then judged once.
  const gates = new WaveGates(health.judgeEvidence);
  /** What the light updates of one decision in one group share (created on the first). */
  const lightMemo = (d: Decided, ctx: GroupContext, type: SoftwareType): LightMemo => {
    let byCtx = d.byCtx;
    if (!byCtx) d.byCtx = byCtx = new Map();
    let memo = byCtx.get(ctx);
    if (!memo) byCtx.set(ctx, (memo = { decision: d.decision, ctx, type, unit: gates.unit(ctx, type, d.decision.version!), byWave: [] }));
    return memo;
  };

  // Devices with an operation in the book, by position (one look-up per operation, not per device).
  const withOps = new Uint8Array(index.devices.length);
  for (const r of input.operations) {
    const i = index.indexOfId(r.deviceId);
    if (i !== undefined) withOps[i] = 1;
  }

  const devicePlans: DevicePlan[] = [];
  /** Works that decide an entry, with where their frozen entry goes. */
  const mains: Work[] = [];
  const holders: { list: PlanEntry[]; slot: number }[] = [];
  const addDevice = (i: number, ctx: GroupContext, onlyScheduled: boolean) => {
    const device = index.devices[i]!;
    const sw = input.software.get(device.id);
    if (!sw) return;
    const sus = suByDevice.size > 0 ? suByDevice.get(i) : undefined;
    const simple = !sus && withOps[i] === 0;
    const model = index.modelAt(i);
    const slots = simple ? slotsFor(ctx, model) : undefined;
    const p = ctx.policy;
    const light = device.healthStatus !== 'offline' && p !== undefined && !p.suspension;
    const wave = waveAt(i);
    const s = sw.software;
    let count = 0;
    for (let t = 0; t < 6; t++) if (reported(stateAt(s, t))) count++;
    if (count === 0) return;
    const list: PlanEntry[] = new Array(count);
    let slot = 0;
    for (let t = 0; t < 6; t++) {
      const st = reported(stateAt(s, t));
      if (!st) continue;
      const type = SoftwareTypes[t]!;
      if (slots) {
        // The common case: no operation, no ScheduledUpdate; a settled decision is a shared entry.
        const d = decideIn(slots[t]!, ctx, model, st);
        if (d.decision.outcome !== 'update') {
          list[slot++] = d.settled;
          continue;
        }
        if (light && !p.stopped.has(type)) {
          const memo = lightMemo(d, ctx, type);
          if (wave !== undefined) memo.unit.unfinished[wave] = (memo.unit.unfinished[wave] ?? 0) + 1;
          lightMemos.push(memo);
          lightDevice.push(i);
          lightState.push(st);
          lightList.push(list);
          lightSlot.push(slot++); // filled once every wave is counted
          continue;
        }
      }
      const suWorks: Work[] = [];
      if (sus) {
        for (const su of sus) {
          const target = su.su.spec.software.find((t) => t.type === type);
          if (!target) continue;
          const w = scheduledWork(su, target.version, device, i, st, type, ctx);
          const records = su.records.get(i);
          if (records) records.push(w);
          else su.records.set(i, [w]);
          suWorks.push(w);
        }
      }
      if (onlyScheduled && suWorks.length === 0) continue;
      const auto = onlyScheduled ? undefined : autoWork(device, i, st, type, ctx);
      const main = chooseMain(auto, suWorks, device, type);
      main.isMain = true;
      main.refused = refusalsBeside(main, suWorks);
      mains.push(main);
      holders.push({ list, slot: slot++ });
    }
    if (slot < count) list.length = slot; // types left out (scheduled-only devices)
    if (slot > 0) devicePlans.push({ deviceId: device.id, group: ctx.key, policy: ctx.policy?.key, wave, entries: list });
  };

  // `type` is the constant from SoftwareTypes, not the input's string: map look-ups on it hash once.
  const autoWork = (device: Device, i: number, st: SoftwareState, type: SoftwareType, ctx: GroupContext): Work => {
    const rule = ctx.rules[type];
    const d = decide(ctx, index.modelAt(i), st, type).decision;
    const w: Work = {
      device, deviceIdx: i, type, state: st, ctx, source: 'auto', su: undefined, rule: rule.rule,
      version: d.version, status: 'upToDate', reason: d.reason, needs: false, t0: now, t0Reason: undefined,
      respectWindows: true, earliest: undefined, wave: waveAt(i), clamp: undefined, failure: undefined,
      refused: undefined, owner: ctx.policy?.owner,
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

  const scheduledWork = (s: ScheduledCtx, version: string | undefined, device: Device, i: number, st: SoftwareState, type: SoftwareType, ctx: GroupContext): Work => {
    const w: Work = {
      device, deviceIdx: i, type, state: st, ctx, source: 'scheduled', su: s, rule: scheduledRule(s.key),
      version, status: 'upToDate', reason: { code: 'UpToDate', message: '' }, needs: false, t0: now, t0Reason: undefined,
      respectWindows: s.su.spec.respectMaintenanceWindows === true, earliest: undefined, wave: undefined, clamp: undefined,
      failure: undefined, refused: undefined, owner: s.owner,
    };
    // Its own operations under this spec: edited after they ran, it starts again for its targets.
    const mine = book.lastBy(s.owner, device.id, type, s.specDigest);
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
      w.clamp = { deviceId: device.id, model: device.model, softwareType: type, version: d.version!, requestedTime: d.requestedAt, effectiveTime: d.clampedTo, reason: d.clampText! };
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

  for (const w of mains) {
    if (w.wave === undefined || w.ctx.index < 0) continue;
    if (w.source === 'auto' && w.version !== undefined && (w.needs || w.status === 'inProgress')) gates.countUnfinished(w.ctx, w.type, w.version, w.wave);
    const last = book.last(w.device.id, w.type);
    if (last && last.owner !== undefined && last.owner === w.ctx.policy?.owner) gates.countOperation(w.ctx, w.type, w.wave, last);
  }
  for (const w of mains) applyGate(w, gates);
  const windowMemo: WindowMemo = new Map();
  for (const w of mains) if (w.needs) applyWindow(w, now, windowMemo);
  // Scheduled records that are not their entry's main work still need their own start time.
  for (const s of scheduled) for (const works of s.records.values()) for (const w of works) if (!w.isMain && w.needs) applyWindow(w, now, windowMemo);

  // The light updates: a shared entry when they must wait, a work when they may start now.
  const nextByGroup = new Map<number, number>();
  const noteNext = (ctx: GroupContext, t: number | undefined) => {
    if (t === undefined || t <= now) return;
    const cur = nextByGroup.get(ctx.index);
    if (cur === undefined || t < cur) nextByGroup.set(ctx.index, t);
  };
  for (let k = 0; k < lightMemos.length; k++) {
    const memo = lightMemos[k]!;
    const { ctx, type } = memo;
    const st = lightState[k]!;
    const wave = waveByIdx[lightDevice[k]!]!;
    let r = memo.byWave[wave];
    if (!r) {
      r = memo.byWave[wave] = settleLight(memo.decision, ctx, st, type, wave, gates, windowMemo, now);
      if (r.entry) noteNext(ctx, r.entry.earliestStart);
    }
    if (r.entry) {
      lightList[k]![lightSlot[k]!] = r.entry;
      continue;
    }
    const i = lightDevice[k]!;
    const w = autoWork(index.devices[i]!, i, st, type, ctx);
    w.earliest = r.start;
    w.isMain = true;
    mains.push(w);
    holders.push({ list: lightList[k]!, slot: lightSlot[k]! });
  }
  const roomChecks = holdRooms(mains, input.rooms, now, (id) => (book.activeOn(id)?.length ?? 0) > 0);
  const actions = selectStarts(mains, ctxOfDevice, index, book, now);
  mains.forEach((w, k) => {
    const h = holders[k]!;
    h.list[h.slot] = w.entry = freeze(w);
  });
  for (const w of mains) noteNext(w.ctx, w.status === 'scheduled' || w.status === 'pending' ? w.earliest : undefined);
  const views = buildRolloutViews(contexts, mains, gates.units, judgements, now);
  const groupSummaries = summarizeGroups(contexts, membershipIdx, membership, index, nextByGroup, views.groups, now);
  const modelsOf = new Map<string, Set<string>>();
  for (const ctx of contexts) {
    if (!ctx.policy) continue;
    let set = modelsOf.get(ctx.policy.key);
    if (!set) modelsOf.set(ctx.policy.key, (set = new Set()));
    for (const i of membership.members[membershipIdx[ctx.index]!]!) set.add(index.modelAt(i));
  }
  const policySummaries = summarizePolicies(policies, groupSummaries, views.policies, modelsOf);
  const scheduledSummaries = scheduled.map((s): ScheduledSummary => {
    const records: DevicePlan[] = [];
    let finished = true;
    let next: number | undefined;
    for (const i of s.deviceIdx) {
      const works = s.records.get(i);
      if (!works) continue;
      const ctx = ctxOfDevice(i);
      const device = index.devices[i]!;
      const entries = works.map((w) => w.entry ?? (w.entry = freeze(w)));
      for (const e of entries) {
        if (e.state !== 'upToDate' && e.state !== 'succeeded' && e.state !== 'failed' && e.state !== 'blocked') finished = false;
        if (e.earliestStart !== undefined && e.earliestStart > now && (next === undefined || e.earliestStart < next)) next = e.earliestStart;
      }
      records.push({ deviceId: device.id, group: ctx.key, policy: ctx.policy?.key, wave: waveAt(i), entries });
    }
    return {
      key: s.key,
      name: s.su.metadata.name,
      scheduledTime: s.at,
      deviceIds: s.deviceIdx.map((i) => index.devices[i]!.id),
      records,
      nextActionTime: next,
      completionTime: s.completedAt ?? (finished && records.length > 0 && (s.at === undefined || s.at <= now) ? now : undefined),
      ...(s.passedFreezes.size > 0 && s.su.spec.freezeOverride ? { freezeOverride: { reason: s.su.spec.freezeOverride.reason, freezes: [...s.passedFreezes.values()].sort() } } : {}),
    };
  });
  const clamps = dedupeClamps(mains, scheduled);
  const unmanaged: string[] = [];
  for (let i = 0; i < index.devices.length; i++) if (membership.groupOf[i]! < 0 && !suByDevice.has(i)) unmanaged.push(index.devices[i]!.id);
  unmanaged.sort();
  return {
    now,
    devices: devicePlans,
    actions,
    groups: groupSummaries,
    policies: policySummaries,
    scheduledUpdates: scheduledSummaries,
    conflicts: membership.conflicts,
    clamps,
    releases,
    rollouts: memoryOut,
    nextActionTime: minFuture([...nextByGroup.values(), ...scheduledSummaries.map((x) => x.nextActionTime)], now),
    unmanaged,
    ...withRooms(planRooms(roomChecks, actions, input.rooms, now)),
    ...(health.memory ? { health: health.memory } : {}),
  };
}

