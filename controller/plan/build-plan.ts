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
//
// buildPlan only composes the phases, each a function of its own file:
//   plan-fleet        devices by position, their groups and software (the fleet boundary; from
//                     a compact fleet read once, compact-fleet.ts, with plan-memo.ts between plans)
//   judge-policies    policies' contexts: suspension, stops from the failure threshold
//   group-layout      groups in key order with their contexts and waves
//   scheduled-targets ScheduledUpdates' targets, per device
//   collect-entries   the walk: settled entries, light updates, works (decisions.ts, entry-works.ts: 1–3)
//   time-works        wave counts, gates, windows and freezes (wave-gates.ts, timing.ts: 4)
//   light-updates     the light updates settled once per (decision, group, wave)
//   select-starts     what starts now (5); room-holds: rooms in use or booked; held-light: light
//                     updates of a policy at its limit, held without a work each
//   summaries         groups, policies, ScheduledUpdates, clamps, unmanaged devices
import type { Device, DeviceSoftware } from '../model/fleet.ts';
import type { DeviceGroup, ScheduledUpdate, UpdatePolicy } from '../model/manifests.generated.ts';
import type { OperationRecord, Plan } from '../model/plan.ts';
import type { HealthMemory, ReleaseRecord, RolloutMemory } from '../model/state.ts';
import type { RoomObservations } from '../model/rooms.ts';
import { CalendarIndex, observationsOf, observeReleases } from '../policy/release-calendar.ts';
import { collectEntries, devicesWithOperations } from './collect-entries.ts';
import { Decisions } from './decisions.ts';
import { assembleDevicePlans, DeviceRuns, previousEntry } from './device-plans.ts';
import type { WorkEnv } from './entry-works.ts';
import { contextOfDevice, layOutGroups } from './group-layout.ts';
import { watchHealth } from './health-watch.ts';
import { HeldLight, policiesAtLimit } from './held-light.ts';
import { HolidaySchedules, type CalendarDays } from './holiday-schedules.ts';
import { judgePolicies } from './judge-policies.ts';
import { clearLightUpdates, noLightUpdates, settleLightUpdates } from './light-updates.ts';
import { OperationBook } from './operation-book.ts';
import { compactOf } from './compact-fleet.ts';
import { planCompactFleet, planFleet } from './plan-fleet.ts';
import type { PlanMemo } from './plan-memo.ts';
import { holdRooms, planRooms, withRooms } from './room-holds.ts';
import { buildRolloutViews } from './rollout-views.ts';
import { prepareScheduled, scheduledByDevice } from './scheduled-targets.ts';
import { inFlightByPolicy, limitReason, selectStarts } from './select-starts.ts';
import { dedupeClamps, modelsByPolicy, summarizeGroups, summarizePolicies, summarizeScheduled, unmanagedDevices } from './summaries.ts';
import { countWaves, noteNext, timeWorks } from './time-works.ts';
import { WaveGates } from './wave-gates.ts';
import { freeze, minFuture } from './work.ts';

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

/**
 * Builds the plan. When `devices` and `software` are a compact fleet's own (compact-fleet.ts:
 * what the FleetView and the bench hold), the plan reads that and keeps the groups' membership
 * and waves between plans in `memo` (default: the one the fleet's device table carries); any
 * other input (a forecast's simulated software, tests) is indexed afresh. Same plan either way.
 */
export function buildPlan(input: PlanInput, memo?: PlanMemo): Plan {
  const now = input.now;
  // What is known: the release calendar, the fleet by position and its groups, health, operations.
  const compact = compactOf(input.devices, input.software);
  memo ??= compact?.table.memo;
  const releases = observeReleases(input.releases, compact ? compact.observations : observationsOf(input.devices, input.software), now);
  const calendar = new CalendarIndex(releases);
  const fleet = compact ? planCompactFleet(compact, input.groups, memo) : planFleet(input.devices, input.software, input.groups);
  const { index, membership } = fleet;
  // Health soaks (their regressions count as failures below) and the evidence versions need.
  const health = watchHealth(input, index, membership);
  const book = new OperationBook(input.operations);
  const withOps = devicesWithOperations(input.operations, index);
  book.locate(withOps);

  // Policies, then groups in key order with their waves, then ScheduledUpdates' targets.
  const judged = judgePolicies(input.policies, book, input.rollouts, health.soaks.regressed, now);
  const layout = layOutGroups(membership, index, judged.policies, new HolidaySchedules(input.holidayCalendars, now), compact ? memo : undefined);
  const scheduled = prepareScheduled(input.scheduledUpdates, index, membership, layout.ctxOfMembershipIdx);
  const targets = scheduledByDevice(scheduled);

  // Every device × software type: settled entries, light updates counted per wave, works.
  const gates = new WaveGates(health.judgeEvidence, compact && memo ? memo.unitPool() : undefined);
  const env: WorkEnv = { now, book, calendar, decisions: new Decisions(calendar, now) };
  // Devices' entries go to runs; the previous plan of the same device table lends its equal ones (device-plans.ts).
  const runs = compact && memo ? memo.runs(index.devices.length) : new DeviceRuns(index.devices.length);
  const previous = compact && memo ? memo.previousPlans(compact.table) : undefined;
  const light = compact && memo ? memo.lightUpdates() : noLightUpdates();
  const { mains, slots } = collectEntries({ fleet, layout, targets, withOps, env, gates, runs, light, previous });

  // When each may start: waves counted, then gates, windows, holidays and freezes.
  countWaves(mains, gates, book);
  const windowMemo = timeWorks(mains, scheduled, gates, now);
  const nextByGroup = new Map<number, number>();
  // Light updates of a policy already at its limit are held here, their entries written once
  // selectStarts has counted the policy's starts (held-light.ts); the counts are selectStarts'.
  const inFlight = inFlightByPolicy(book, index, (i) => contextOfDevice(layout, i));
  const hold = index.uniqueIds ? new HeldLight(policiesAtLimit(judged.policies.values(), inFlight), input.rooms?.activity, index, now) : undefined;
  const settled = settleLightUpdates(light, gates, windowMemo, index, layout.waveByIdx, env, nextByGroup, runs.entries, previous, runs, hold);
  for (let k = 0; k < settled.works.length; k++) {
    mains.push(settled.works[k]!);
    slots.push(settled.slots[k]!);
  }

  // What starts now; then every work's entry is frozen into its position, and the devices' plans
  // made (the previous plan's where equal: device-plans.ts).
  const roomChecks = holdRooms(mains, input.rooms, now, (id) => (book.activeOn(id)?.length ?? 0) > 0);
  const actions = selectStarts(mains, (i) => contextOfDevice(layout, i), index, book, now, inFlight);
  hold?.write(runs.entries, (p) => limitReason(p, inFlight.get(p.key) ?? 0), nextByGroup, now, previous);
  // Indexed loops over the works: a for-of allocates an iterator result per work in Maglev-only code (plan's --no-opt).
  for (let k = 0; k < mains.length; k++) {
    const w = mains[k]!;
    const at = slots[k]!;
    const i = w.deviceIdx;
    runs.entries[at] = w.entry = freeze(w, previous && previousEntry(previous, runs.kOf[i]!, i, w.type, at - runs.offOf[i]!));
    noteNext(nextByGroup, w.ctx, w.status === 'scheduled' || w.status === 'pending' ? w.earliest : undefined, now);
  }
  const devicePlans = assembleDevicePlans(runs, index, layout.waveByIdx, previous);
  runs.clear();
  clearLightUpdates(light);
  if (compact && memo) memo.keepTables([env.decisions, book, gates]);

  // Summaries.
  const views = buildRolloutViews(layout.contexts, mains, gates.units, judged.tallies, now, hold?.shares);
  const groupSummaries = summarizeGroups(layout, index, nextByGroup, views.groups, now);
  const policySummaries = summarizePolicies(judged.policies, groupSummaries, views.policies, modelsByPolicy(layout, index));
  const scheduledSummaries = summarizeScheduled(scheduled, layout, index, now);
  return {
    now,
    devices: devicePlans,
    actions,
    groups: groupSummaries,
    policies: policySummaries,
    scheduledUpdates: scheduledSummaries,
    conflicts: membership.conflicts,
    clamps: dedupeClamps(mains, scheduled),
    releases,
    rollouts: judged.rollouts,
    nextActionTime: minFuture([...nextByGroup.values(), ...scheduledSummaries.map((x) => x.nextActionTime)], now),
    unmanaged: unmanagedDevices(layout, index, targets),
    ...withRooms(planRooms(roomChecks, actions, input.rooms, now)),
    ...(health.memory ? { health: health.memory } : {}),
  };
}
