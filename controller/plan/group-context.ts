// Everything the plan needs to know about one group, computed once: its policy, licence, time
// zone, window schedule, waves, effective rules per software type, suspension and stops.
import type { SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { DeviceGroup, License, Phase, UpdatePolicy, Wave } from '../model/manifests.generated.ts';
import type { RolloutMemory } from '../model/state.ts';
import { objectKey, ownerKey, refKey } from '../policy/manifest-keys.ts';
import { effectiveRule, phaseFor, type EffectiveRule } from '../policy/software-rules.ts';
import { activeSuspension } from '../policy/rollout-health.ts';
import { WindowSchedule, compileFreezes, compileWindows } from '../policy/windows.ts';
import { defaultBakeMs as listedWavesBakeMs, effectiveBakeMs, effectiveWaves } from '../policy/rollout-defaults.ts';

export const defaultMaxConcurrent = 50;
/** Bake time after listed waves without bakeTime (the default waves bake 5 days: rollout-defaults.ts). */
export const defaultBakeMs = listedWavesBakeMs;

/** A policy with what every group under it shares. */
export interface PolicyContext {
  readonly key: string;
  readonly policy: UpdatePolicy;
  readonly owner: string;
  readonly suspension: { readonly by: string; readonly reason: string; readonly until: number | undefined } | undefined;
  /** Stops per software type (failure threshold). */
  readonly stopped: Map<SoftwareType, RolloutMemory>;
  readonly maxConcurrent: number;
  readonly bakeMs: number;
  readonly waves: readonly Wave[] | undefined;
}

export interface GroupContext {
  /** Position among the plan's groups (sorted by key), -1 for devices in no group. */
  readonly index: number;
  readonly key: string | undefined;
  readonly group: DeviceGroup | undefined;
  readonly policy: PolicyContext | undefined;
  readonly license: License;
  readonly timeZone: string;
  readonly schedule: WindowSchedule;
  readonly firmwarePhase: Phase;
  readonly waveCount: number;
  readonly rules: Readonly<Record<SoftwareType, EffectiveRule>>;
  /** A short key for memoizing decisions that depend only on policy, licence and type. */
  readonly decisionKey: string;
}

/** Builds the policy contexts; `stops` gives each policy × type's stop (after judging failures). */
export function policyContexts(policies: readonly UpdatePolicy[], now: number, stops: (policy: UpdatePolicy, key: string) => Map<SoftwareType, RolloutMemory>): Map<string, PolicyContext> {
  const out = new Map<string, PolicyContext>();
  for (const policy of policies) {
    const key = objectKey(policy.metadata);
    const rollout = policy.spec.rollout;
    out.set(key, {
      key,
      policy,
      owner: ownerKey('UpdatePolicy', policy.metadata),
      suspension: activeSuspension(policy, now),
      stopped: stops(policy, key),
      maxConcurrent: rollout?.maxConcurrent ?? defaultMaxConcurrent,
      bakeMs: effectiveBakeMs(policy),
      waves: effectiveWaves(policy),
    });
  }
  return out;
}

const scheduleCache = new WeakMap<object, Map<string, WindowSchedule>>();
const noPolicy = {};

/** The window schedule of a policy for one time zone, shared by the groups that use both. */
export function scheduleFor(policy: UpdatePolicy | undefined, timeZone: string): WindowSchedule {
  const holder = policy ?? noPolicy;
  let byZone = scheduleCache.get(holder);
  if (!byZone) scheduleCache.set(holder, (byZone = new Map()));
  let schedule = byZone.get(timeZone);
  if (!schedule) {
    schedule = new WindowSchedule(compileWindows(policy?.spec.maintenanceWindows, timeZone), compileFreezes(policy?.spec.freezes, timeZone));
    byZone.set(timeZone, schedule);
  }
  return schedule;
}

const rulesCache = new WeakMap<object, Map<License, Readonly<Record<SoftwareType, EffectiveRule>>>>();

/**
 * The effective rules of a policy under a licence, shared by the groups that use both (and kept
 * with the policy object, like its schedules: a plan of 1,000 groups under 20 policies builds
 * 6,000 rules, each with its texts and signature, otherwise). Read only.
 */
function rulesFor(policy: UpdatePolicy | undefined, license: License): Readonly<Record<SoftwareType, EffectiveRule>> {
  const holder = policy ?? noPolicy;
  let byLicense = rulesCache.get(holder);
  if (!byLicense) rulesCache.set(holder, (byLicense = new Map()));
  let rules = byLicense.get(license);
  if (!rules) {
    const made = {} as Record<SoftwareType, EffectiveRule>;
    for (const t of SoftwareTypes) made[t] = effectiveRule(policy, t, license);
    byLicense.set(license, (rules = made));
  }
  return rules;
}

/** Where a group's window schedule comes from when holidays close days (holiday-schedules.ts provides it). */
export interface GroupSchedules {
  scheduleFor(policy: UpdatePolicy | undefined, group: DeviceGroup, timeZone: string): WindowSchedule;
}

/** The context of a group (its members' waves are kept by the plan, per device position); `holidays` brings the groups' and policies' holidays. */
export function groupContext(index: number, group: DeviceGroup, policies: ReadonlyMap<string, PolicyContext>, waveCount: number, holidays?: GroupSchedules): GroupContext {
  const policyKey = group.spec.policyRef ? refKey(group.metadata, group.spec.policyRef.name) : undefined;
  const policy = policyKey === undefined ? undefined : policies.get(policyKey);
  const license = group.spec.license ?? 'Pro';
  const timeZone = group.spec.timeZone ?? 'UTC';
  return {
    index,
    key: objectKey(group.metadata),
    group,
    policy,
    license,
    timeZone,
    schedule: holidays ? holidays.scheduleFor(policy?.policy, group, timeZone) : scheduleFor(policy?.policy, timeZone),
    firmwarePhase: phaseFor(policy?.policy, 'firmware', license).phase,
    waveCount,
    rules: rulesFor(policy?.policy, license),
    decisionKey: `${policy?.key ?? ''}\u0000${license}`,
  };
}

/** The context of devices in no group (reached only by ScheduledUpdates): default windows in UTC. */
export function ungroupedContext(): GroupContext {
  return {
    index: -1,
    key: undefined,
    group: undefined,
    policy: undefined,
    license: 'Pro',
    timeZone: 'UTC',
    schedule: scheduleFor(undefined, 'UTC'),
    firmwarePhase: 'General',
    waveCount: 0,
    rules: rulesFor(undefined, 'Pro'),
    decisionKey: '\u0000none',
  };
}
