// Types of the plan: what the rules want for each device × software type, why, and which
// updates may start now. Produced by the pure core (controller/plan), read by the status
// builder, the `plan` and `why` commands and the reconcile loop. Times are ms since the epoch.
import type { HealthAspect, SoftwareType } from './fleet.ts';
import type { License, Phase } from './manifests.generated.ts';
import type { HealthMemory, ReleaseRecord, RolloutMemory } from './state.ts';
import type { CalendarTrouble, RoomReads } from './rooms.ts';

/** Where a device × software type stands (the same states the status counts). */
export const EntryStates = ['upToDate', 'pending', 'scheduled', 'inProgress', 'succeeded', 'failed', 'blocked'] as const;
export type EntryState = (typeof EntryStates)[number];

/** Which rule decided the desired version. */
export const RuleCodes = ['FirmwarePhase', 'TeamsClientPhase', 'ManualOnly', 'ScheduledUpdate', 'NoPolicy'] as const;
export type RuleCode = (typeof RuleCodes)[number];

/** The rule that decided, in words: "firmware: General phase, 30 days after release". */
export interface Rule {
  readonly code: RuleCode;
  readonly text: string;
}

/** Why an entry is in its state: a CamelCase code for machines, a sentence for people. */
export const ReasonCodes = [
  // nothing to do
  'UpToDate', 'NoNewerVersion', 'LagOneVersion', 'HeldByVersionRules', 'ManualOnly', 'NoPolicy',
  // waiting for a time
  'Deferred', 'OutsideWindow', 'Frozen', 'WaitingForWave', 'Baking', 'ScheduledTime', 'NoWindow',
  // health: the earlier waves' soak, or evidence from another group not there yet
  'Soaking', 'WaitingForEvidence',
  // may start
  'Starting', 'ConcurrencyLimit', 'DeviceBusy',
  // rooms: the device is in use, or its room is booked too soon (waiting for a time)
  'InUse', 'RoomBooked',
  // operations
  'InProgress', 'Succeeded', 'Failed',
  // blocked
  'UnknownFirmware', 'Downgrade', 'NotComparable', 'UnknownVersion', 'DeviceOffline', 'Suspended', 'RolloutStopped',
] as const;
export type ReasonCode = (typeof ReasonCodes)[number];

export interface Reason {
  readonly code: ReasonCode;
  readonly message: string;
}

/** Reasons that are refusals (reported in status.refusals). */
export const RefusalCodes: ReadonlySet<ReasonCode> = new Set(['UnknownFirmware', 'Downgrade', 'NotComparable', 'UnknownVersion']);

/**
 * A ScheduledUpdate's request that firmwarden refused for one device × software type, kept on
 * the entry another rule decided so the refusal is never hidden behind that rule's plan.
 */
export interface ScheduledRefusal {
  /** Key of the ScheduledUpdate (namespace/name). */
  readonly scheduledUpdate: string;
  /** The version it asked for, when it could be resolved. */
  readonly version: string | undefined;
  /** Downgrade, NotComparable or UnknownVersion, with the sentence. */
  readonly reason: Reason;
}

/** A scheduled firmware time moved earlier by the phase's maximum delay. */
export interface ClampRecord {
  readonly deviceId: string;
  readonly model: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  readonly requestedTime: number;
  readonly effectiveTime: number;
  readonly reason: string;
}

/** The last failure of a device × software type. */
export interface FailureInfo {
  readonly code: string | undefined;
  readonly message: string | undefined;
  readonly time: number | undefined;
}

/**
 * What the rules want for one software type of one device, and why. Entries carry no device id:
 * identical decisions (same group, model, installed version, no operation) share one object,
 * which is what keeps a 100,000-device plan small. The device is the DevicePlan holding it.
 */
export interface PlanEntry {
  readonly softwareType: SoftwareType;
  /** Key of the ScheduledUpdate that decided this entry, when one did. */
  readonly scheduledUpdate: string | undefined;
  readonly state: EntryState;
  readonly currentVersion: string | null;
  /** The version the rules want next (undefined: stay). */
  readonly desiredVersion: string | undefined;
  /** When the update may start (undefined: not known yet, e.g. waiting for another wave). */
  readonly earliestStart: number | undefined;
  readonly rule: Rule;
  readonly reason: Reason;
  readonly clamp: ClampRecord | undefined;
  readonly failure: FailureInfo | undefined;
  /**
   * Refusals of ScheduledUpdates that did not decide this entry (the automatic rule or another
   * ScheduledUpdate did). A refusal that decides the entry is the entry itself: state blocked,
   * scheduledUpdate set. Read both through scheduledRefusals() in plan-entries.ts.
   */
  readonly refused: readonly ScheduledRefusal[] | undefined;
}

/** One device's entries, one per software type it reports, in the API's software type order. */
export interface DevicePlan {
  readonly deviceId: string;
  /** Key of the DeviceGroup the device belongs to (namespace/name), undefined when in none. */
  readonly group: string | undefined;
  /** Key of the UpdatePolicy that group follows. */
  readonly policy: string | undefined;
  /** Wave of the device in its group's rollout, counted from 1. */
  readonly wave: number | undefined;
  readonly entries: readonly PlanEntry[];
}

/** An update to start now. */
export interface PlanAction {
  readonly deviceId: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  readonly currentVersion: string | null;
  /** The manifest whose rule asks for it: the ledger's owner (namespace/Kind/name). */
  readonly owner: string;
  /** For a ScheduledUpdate: the digest of its spec, kept in the ledger so an edited one runs again. */
  readonly ownerSpecDigest?: string;
  readonly group: string | undefined;
  readonly policy: string | undefined;
  readonly scheduledUpdate: string | undefined;
  readonly earliestStart: number;
  readonly rule: Rule;
  readonly reason: Reason;
  readonly wave: number | undefined;
}

/** An operation as the plan sees it: from the controller's ledger, or found active on the fleet. */
export interface OperationRecord {
  readonly deviceId: string;
  /** Undefined for operations firmwarden did not start (the API does not say which software). */
  readonly softwareType: SoftwareType | undefined;
  readonly version: string | undefined;
  /** Manifest key of the rule that started it (namespace/Kind/name), undefined when not firmwarden. */
  readonly owner: string | undefined;
  /** The ScheduledUpdate's spec digest when it started it (undefined: a policy's, or written before digests). */
  readonly ownerSpecDigest?: string | undefined;
  readonly operationId: string | undefined;
  readonly active: boolean;
  /** How it ended (undefined while active). */
  readonly outcome: 'succeeded' | 'failed' | 'cancelled' | 'unknown' | undefined;
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  /** Health aspects fine when the update was asked for (LedgerEntry.healthBefore); absent: not known. */
  readonly healthBefore?: readonly HealthAspect[] | undefined;
  /** The device's wave when the update started (LedgerEntry.wave). */
  readonly wave?: number | undefined;
}

/** Progress of one software type's rollout in a group or policy. */
export interface RolloutView {
  readonly softwareType: SoftwareType;
  readonly version: string | undefined;
  readonly state: 'Progressing' | 'Baking' | 'Waiting' | 'Complete' | 'Stopped' | 'Suspended';
  readonly wave: number | undefined;
  readonly waves: number;
  readonly waveStartedTime: number | undefined;
  readonly bakeUntil: number | undefined;
  readonly stoppedTime: number | undefined;
  readonly stoppedReason: string | undefined;
  readonly completed: number;
  readonly failed: number;
  /**
   * In state Waiting, what most of the waiting devices wait for (their reason code: a window,
   * the phase's delay, a freeze, rooms in use, …); undefined in other states or when unknown.
   */
  readonly waitingFor?: ReasonCode | undefined;
}

/** A window occurrence, as instants. */
export interface WindowView {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** The zone of the devices it concerns (the group's timeZone), to show it in local time. */
  readonly timeZone?: string;
}

export interface ConflictRecord {
  readonly deviceId: string;
  /** Every group that matched, sorted. */
  readonly groups: readonly string[];
  readonly chosen: string;
  readonly reason: string;
}

export interface GroupSummary {
  readonly key: string;
  readonly name: string;
  readonly policy: string | undefined;
  /** The policy policyRef names when no valid UpdatePolicy has that name. */
  readonly missingPolicy: string | undefined;
  readonly timeZone: string;
  readonly license: License;
  /** The firmware phase that really applies (General for Basic licences). */
  readonly phase: Phase;
  /** Member device ids after precedence, sorted. */
  readonly deviceIds: readonly string[];
  readonly nextWindow: WindowView | undefined;
  /** The freeze in force at `now`, if any (dates as written, end inclusive). */
  readonly freeze: { readonly name: string; readonly from: string; readonly to: string; readonly reason: string | undefined; readonly end: number } | undefined;
  readonly nextActionTime: number | undefined;
  readonly rollouts: readonly RolloutView[];
}

export interface PolicySummary {
  readonly key: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly devices: number;
  /** Device models of its devices, sorted (to list the releases that concern it). */
  readonly models: readonly string[];
  readonly suspended: { readonly by: string; readonly reason: string; readonly until: number | undefined } | undefined;
  readonly rollouts: readonly RolloutView[];
  readonly nextWindow: WindowView | undefined;
  readonly nextActionTime: number | undefined;
}

export interface ScheduledSummary {
  readonly key: string;
  readonly name: string;
  /** spec.at resolved to an instant (undefined for "now"). */
  readonly scheduledTime: number | undefined;
  readonly deviceIds: readonly string[];
  /** The targeted devices, each with one entry per targeted software type, as this ScheduledUpdate sees it. */
  readonly records: readonly DevicePlan[];
  readonly nextActionTime: number | undefined;
  /** When every record had finished (kept from the previous status when known). */
  readonly completionTime: number | undefined;
  /** The freezes spec.freezeOverride lets it pass now or later, with the override's reason; absent when none. */
  readonly freezeOverride?: { readonly reason: string; readonly freezes: readonly string[] };
}

/** The whole plan. */
export interface Plan {
  readonly now: number;
  /** Every managed device with an entry per software type it reports; sorted by group, then device id. */
  readonly devices: readonly DevicePlan[];
  /** Updates to start now, in the same order. */
  readonly actions: readonly PlanAction[];
  readonly groups: readonly GroupSummary[];
  readonly policies: readonly PolicySummary[];
  readonly scheduledUpdates: readonly ScheduledSummary[];
  readonly conflicts: readonly ConflictRecord[];
  readonly clamps: readonly ClampRecord[];
  /** The release calendar after this plan's observations: persist it. */
  readonly releases: readonly ReleaseRecord[];
  /** Rollout memory after this plan (keys policyKey|softwareType): persist it. */
  readonly rollouts: Readonly<Record<string, RolloutMemory>>;
  /** The earliest future time something may start (requeue the reconcile then). */
  readonly nextActionTime: number | undefined;
  /** Devices in no group and targeted by no ScheduledUpdate. */
  readonly unmanaged: readonly string[];
  /** Room checks (in use, meetings): reads the starts still need, calendars that cannot be read; absent when neither. */
  readonly rooms?: PlanRooms;
  /** Regressions found by health soaks and evidence for versions after this plan: persist it; absent when there is none. */
  readonly health?: HealthMemory;
}

/** What the room checks of a plan still need, and what they could not learn. */
export interface PlanRooms {
  /** Read these and plan again before starting anything (undefined: every start has been checked). */
  readonly reads: RoomReads | undefined;
  /** Set while room calendars cannot be read: meeting-aware policies start as if no room were booked. */
  readonly calendarTrouble: CalendarTrouble | undefined;
}
