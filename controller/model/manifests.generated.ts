// GENERATED from schemas/*.schema.json by `npm run generate`. Do not edit by hand:
// change the schema and regenerate (test/schemas/drift.test.ts fails when this file is stale).
/* eslint-disable */

/**
 * Any of the kinds.
 */
export type Manifest = DeviceGroup | UpdatePolicy | ScheduledUpdate | NotificationChannel | NotificationRule | Tenant;
/**
 * A Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters.
 */
export type Name = string;
/**
 * A device category as the device API reports it.
 */
export type DeviceType =
  | 'unknown'
  | 'ipPhone'
  | 'teamsRoom'
  | 'surfaceHub'
  | 'collaborationBar'
  | 'teamsDisplay'
  | 'touchConsole'
  | 'lowCostPhone'
  | 'teamsPanel'
  | 'sip'
  | 'sipAnalog';
/**
 * The roll-up health the device API reports.
 */
export type HealthStatus = 'unknown' | 'offline' | 'critical' | 'nonUrgent' | 'healthy';
/**
 * A device, named by its device id, its hardware unique id or its serial number.
 */
export type DeviceRef = string;
/**
 * The Teams Rooms licence of the devices. Basic-licence devices always follow the General phase; choosing another phase needs Pro.
 */
export type License = 'Basic' | 'Pro';
/**
 * An IANA time zone name such as Europe/Paris or America/New_York.
 */
export type TimeZone = string;
/**
 * sha256: and the first 16 hex digits of the SHA-256 of the spec as JSON with sorted keys: which spec a status was computed from. Comments, formatting and key order do not change it; any change of a value does.
 */
export type SpecDigest = string;
/**
 * An instant, RFC 3339 with offset (for example 2026-11-22T08:00:00Z).
 */
export type Timestamp = string;
/**
 * Update phase. Firmware: Test installs a version as soon as it is released, General 30 days after its release (the default), Final 90 days after. Teams client: Test at release, General 15 days after, Final 45 days after.
 */
export type Phase = 'Test' | 'General' | 'Final';
/**
 * A software type the device API can update.
 */
export type SoftwareType =
  'adminAgent' | 'operatingSystem' | 'teamsClient' | 'firmware' | 'partnerAgent' | 'companyPortal';
/**
 * At most five devices whose update failed or was refused, each named as people know it (display name, asset tag, then device id) with what happened, then 'and N more devices' when there are more.
 *
 * @maxItems 6
 */
export type NeedsAttention =
  | []
  | [string]
  | [string, string]
  | [string, string, string]
  | [string, string, string, string]
  | [string, string, string, string, string]
  | [string, string, string, string, string, string];
/**
 * A software version as the device API reports it, numeric parts separated by '.', '/', '-' or '_' (for example 1.14.2 or 5.3.88.0).
 */
export type Version = string;
/**
 * A length of time written as days, hours, minutes and seconds, largest first: 90m, 8h, 1h30m, 7d.
 */
export type Duration = string;
/**
 * A day of the week.
 */
export type Weekday = 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun';
/**
 * A wall-clock time, HH:MM on a 24-hour clock (24:00 allowed as an end).
 */
export type LocalTime = string;
/**
 * An IANA time zone name, or 'device-local' for the time zone of the device's site (its DeviceGroup's timeZone).
 */
export type WindowTimeZone = string;
/**
 * A calendar date, YYYY-MM-DD.
 */
export type LocalDate = string;
/**
 * A wall-clock date and time without offset, YYYY-MM-DDTHH:MM (seconds optional); its time zone is given beside it.
 */
export type LocalDateTime = string;
/**
 * RolloutStopped: the failure threshold stopped a rollout. WaveFinished: every device of a rollout wave has finished (the last wave: the rollout is complete). ManifestStalled: a manifest became Stalled for a reason other than the two below (invalid, updates failed, policy not found, no targets, suspended without an end). UpdateRefused: an update was refused in a way a person must resolve (a downgrade, versions that cannot be compared, an unreported version). ClampApplied: a scheduled firmware time was moved by the phase's maximum delay. ScheduledUpdateCompleted: every device a ScheduledUpdate targets has finished. OperationTimedOut: an update stayed active longer than the policy's operationTimeout. UpdateFailed: an update ended failed.
 */
export type NotificationEventType =
  | 'RolloutStopped'
  | 'WaveFinished'
  | 'ManifestStalled'
  | 'UpdateRefused'
  | 'ClampApplied'
  | 'ScheduledUpdateCompleted'
  | 'OperationTimedOut'
  | 'UpdateFailed';

/**
 * A set of Teams devices that follow one UpdatePolicy, chosen by what the device API reports, plus the facts it does not report (licence, site time zone).
 */
export interface DeviceGroup {
  /**
   * Always firmwarden.dev/v1alpha1.
   */
  apiVersion: 'firmwarden.dev/v1alpha1';
  /**
   * Always DeviceGroup.
   */
  kind: 'DeviceGroup';
  metadata: ObjectMeta;
  spec: DeviceGroupSpec;
  status?: DeviceGroupStatus;
}
/**
 * Standard Kubernetes object metadata. In a config repository only name (and optionally namespace, labels, annotations) are written by people.
 */
export interface ObjectMeta {
  name: Name;
  namespace?: Name;
  /**
   * Labels, as in Kubernetes.
   */
  labels?: {
    [k: string]: string | undefined;
  };
  /**
   * Annotations, as in Kubernetes.
   */
  annotations?: {
    [k: string]: string | undefined;
  };
  /**
   * Set by the Kubernetes API server; bumped on every spec change.
   */
  generation?: number;
  /**
   * Set by the Kubernetes API server.
   */
  uid?: string;
  /**
   * Set by the Kubernetes API server.
   */
  resourceVersion?: string;
  /**
   * Set by the Kubernetes API server.
   */
  creationTimestamp?: string;
  /**
   * Set by the Kubernetes API server.
   */
  deletionTimestamp?: string;
  /**
   * Kubernetes finalizers.
   */
  finalizers?: string[];
  /**
   * Server-side apply bookkeeping, set by the Kubernetes API server.
   */
  managedFields?: {}[];
}
/**
 * Which devices belong to the group and which policy they follow. Written by people.
 */
export interface DeviceGroupSpec {
  /**
   * What the group is for, for people.
   */
  description?: string;
  policyRef?: ObjectReference;
  selector?: DeviceSelector;
  /**
   * Devices that belong to the group whatever the selector says. An explicit include beats selector matches of other groups.
   *
   * @maxItems 10000
   */
  include?: DeviceRef[];
  /**
   * Devices that never belong to the group, even when the selector or include names them.
   *
   * @maxItems 10000
   */
  exclude?: DeviceRef[];
  /**
   * Precedence when a device matches several groups: an explicit include wins first, then the highest priority, then the group name that sorts first. The choice is reported in status.conflicts. Default: 0.
   */
  priority?: number;
  license?: License;
  timeZone?: TimeZone;
  holidays?: Holidays;
}
/**
 * A reference to another manifest of the same namespace, by name.
 */
export interface ObjectReference {
  name: Name;
}
/**
 * Which devices, by what the device API reports. Every field given must match (AND); within a list any entry may match (OR). An empty selector ({}) matches every device.
 */
export interface DeviceSelector {
  /**
   * Device categories.
   *
   * @minItems 1
   */
  deviceTypes?: [DeviceType, ...DeviceType[]];
  /**
   * Manufacturer names, compared case-insensitively.
   *
   * @minItems 1
   */
  manufacturers?: [string, ...string[]];
  /**
   * Model names, compared case-insensitively.
   *
   * @minItems 1
   */
  models?: [string, ...string[]];
  /**
   * Tags kept in the device notes as '#tag' words (written without the '#'), compared case-insensitively. The device must carry every tag listed.
   *
   * @minItems 1
   */
  tags?: [string, ...string[]];
  /**
   * Like tags, but carrying any one of them is enough.
   *
   * @minItems 1
   */
  anyTags?: [string, ...string[]];
  /**
   * Devices carrying any of these tags do not match.
   *
   * @minItems 1
   */
  excludeTags?: [string, ...string[]];
  /**
   * Company asset tags; '*' matches any run of characters (IT-004*).
   *
   * @minItems 1
   */
  assetTags?: [string, ...string[]];
  /**
   * Roll-up health states.
   *
   * @minItems 1
   */
  healthStatuses?: [HealthStatus, ...HealthStatus[]];
}
/**
 * Local days on which no maintenance window opens: automatic updates, and ScheduledUpdates that respect maintenance windows, wait for the first window after them. Days are counted in the devices' local time (the DeviceGroup's timeZone), so a Pacific/Auckland holiday starts while it is still the day before in UTC. A group's holidays and its policy's both apply.
 */
export interface Holidays {
  /**
   * Holidays written out: one date (2027-02-08), or a month and day every year (12-25).
   *
   * @maxItems 366
   */
  dates?: HolidayDate[];
  /**
   * iCalendar (.ics) files kept with the manifests: every event, recurring events included (RRULE, RDATE, EXDATE), is a holiday on each local day it covers. Read from a Git repository or folder only; in Kubernetes list the days in dates.
   *
   * @maxItems 10
   */
  calendars?:
    | []
    | [HolidayCalendar]
    | [HolidayCalendar, HolidayCalendar]
    | [HolidayCalendar, HolidayCalendar, HolidayCalendar]
    | [HolidayCalendar, HolidayCalendar, HolidayCalendar, HolidayCalendar]
    | [HolidayCalendar, HolidayCalendar, HolidayCalendar, HolidayCalendar, HolidayCalendar]
    | [HolidayCalendar, HolidayCalendar, HolidayCalendar, HolidayCalendar, HolidayCalendar, HolidayCalendar]
    | [
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar
      ]
    | [
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar
      ]
    | [
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar
      ]
    | [
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar,
        HolidayCalendar
      ];
}
/**
 * One holiday.
 */
export interface HolidayDate {
  /**
   * YYYY-MM-DD for one day, or MM-DD for that day every year (02-29 only in leap years).
   */
  date: string;
  /**
   * What the day is, for people: plan and why name it.
   */
  name?: string;
}
/**
 * An iCalendar (RFC 5545) file of holidays.
 */
export interface HolidayCalendar {
  /**
   * Path of the .ics file relative to the manifest's file, with / between folders (holidays.ics, ../calendars/nz.ics). It must be inside the folder firmwarden reads.
   */
  file: string;
}
/**
 * What the controller observed and did for this group. Written only by the controller.
 */
export interface DeviceGroupStatus {
  /**
   * The generation of the spec this status was computed from.
   */
  observedGeneration?: number;
  observedSpecDigest?: SpecDigest;
  /**
   * Ready, Reconciling and Stalled.
   *
   * @maxItems 8
   */
  conditions?:
    | []
    | [Condition]
    | [Condition, Condition]
    | [Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition];
  /**
   * Devices in the group (after precedence).
   */
  devices?: number;
  phase?: Phase;
  updates?: DeviceCounts;
  /**
   * Devices whose last update failed (at most 50; updates.failed has the total). Kubernetes only (the status subresource): in a Git repository or folder, where people review statuses in diffs, needsAttention names at most five.
   *
   * @maxItems 50
   */
  failing?: FailingDevice[];
  /**
   * The rollout of each software type that is updating. Kubernetes only (the status subresource): in a Git repository or folder, currentWave says where each rollout stands in one line.
   *
   * @maxItems 6
   */
  rollouts?:
    | []
    | [RolloutStatus]
    | [RolloutStatus, RolloutStatus]
    | [RolloutStatus, RolloutStatus, RolloutStatus]
    | [RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus]
    | [RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus]
    | [RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus];
  nextWindow?: Window;
  nextActionTime?: Timestamp;
  /**
   * Where each rollout stands, in words: software type, version, wave n of m and what it waits for (for example 'firmware 122.22.1: wave 2 of 3, waiting for a maintenance window').
   */
  currentWave?: string;
  /**
   * The next (or current) maintenance window in the devices' local time, with the IANA zone (for example 'Mon 2027-02-22 22:00 to Tue 2027-02-23 05:00 America/New_York (weeknights)').
   */
  nextWindowLocal?: string;
  needsAttention?: NeedsAttention;
  /**
   * Times moved by the phase's maximum delay. Kubernetes only (the status subresource).
   *
   * @maxItems 50
   */
  clamps?: Clamp[];
  refused?: RefusalCounts;
  /**
   * Updates refused, with the reason (at most 50; updates.blocked has the total). Kubernetes only (the status subresource): in a Git repository or folder, needsAttention names at most five.
   *
   * @maxItems 50
   */
  refusals?: Refusal[];
  /**
   * Devices this group matched that several groups claim, and which group won. Kubernetes only (the status subresource); firmwarden why DEVICE explains which group a device follows.
   *
   * @maxItems 50
   */
  conflicts?: Conflict[];
  counts?: DeviceCounts;
}
/**
 * A Kubernetes-style condition.
 */
export interface Condition {
  /**
   * Ready: the manifest is valid and every device is where the rules want it for now. Reconciling: the controller is working towards that. Stalled: it cannot progress without a person (invalid manifest, failed or refused updates, failure threshold reached, suspended without an end). MeetingsUnavailable (an UpdatePolicy with spec.rollout.meetings.avoid): True while the rooms' calendars cannot be read, so updates start without knowing the bookings; its message names the permission to grant.
   */
  type: 'Ready' | 'Reconciling' | 'Stalled' | 'MeetingsUnavailable';
  /**
   * Whether the condition holds.
   */
  status: 'True' | 'False' | 'Unknown';
  /**
   * A one-word CamelCase reason, for machines.
   */
  reason: string;
  /**
   * A sentence for people.
   */
  message?: string;
  lastTransitionTime: Timestamp;
  /**
   * The generation of the spec this condition was computed from.
   */
  observedGeneration?: number;
}
/**
 * Updates (device × software type: a device counts once per software type it reports) in each state.
 */
export interface DeviceCounts {
  /**
   * Already on the version the rules want.
   */
  upToDate?: number;
  /**
   * Need an update that may start now but has not started (concurrency, wave order).
   */
  pending?: number;
  /**
   * Need an update that may only start later (deferral, window, wave, scheduled time).
   */
  scheduled?: number;
  /**
   * An operation is queued or running.
   */
  inProgress?: number;
  /**
   * An operation started by firmwarden succeeded.
   */
  succeeded?: number;
  /**
   * The last operation failed.
   */
  failed?: number;
  /**
   * Cannot be updated by these rules: unknown firmware, downgrade refused, suspended or stopped rollout, device offline.
   */
  blocked?: number;
}
/**
 * A device whose last update failed.
 */
export interface FailingDevice {
  /**
   * Device id.
   */
  deviceId: string;
  /**
   * Hardware unique id or serial number, for people.
   */
  name?: string;
  softwareType: SoftwareType;
  /**
   * The version the update was to install.
   */
  version?: string;
  /**
   * Error code reported by the device API.
   */
  errorCode?: string;
  /**
   * Error message reported by the device API.
   */
  message?: string;
  time?: Timestamp;
}
/**
 * Progress of the rollout of one version of one software type.
 */
export interface RolloutStatus {
  softwareType: SoftwareType;
  /**
   * Target version (several models may differ; the most common one).
   */
  version?: string;
  /**
   * Progressing, Baking (waiting the bake time after a wave), Waiting (for a window or the phase's deferral), Complete, Stopped (failure threshold reached), Suspended.
   */
  state: 'Progressing' | 'Baking' | 'Waiting' | 'Complete' | 'Stopped' | 'Suspended';
  /**
   * Current wave, counted from 1.
   */
  wave?: number;
  /**
   * Number of waves.
   */
  waves?: number;
  waveStartedTime?: Timestamp;
  bakeUntil?: Timestamp;
  stoppedTime?: Timestamp;
  /**
   * Why the rollout stopped.
   */
  stoppedReason?: string;
  /**
   * Devices whose operation ended (succeeded or failed) in this rollout.
   */
  completed?: number;
  /**
   * Devices whose operation failed in this rollout.
   */
  failed?: number;
}
/**
 * A time span in UTC, computed from a maintenance window.
 */
export interface Window {
  /**
   * Name of the maintenance window.
   */
  name?: string;
  start: Timestamp;
  end: Timestamp;
}
/**
 * A requested time that was moved: a scheduled firmware update later than the phase's maximum delay runs when the delay is reached.
 */
export interface Clamp {
  /**
   * Device id, when the clamp concerns one device.
   */
  deviceId?: string;
  /**
   * Device model the version belongs to.
   */
  model?: string;
  softwareType: SoftwareType;
  /**
   * The version concerned.
   */
  version?: string;
  requestedTime: Timestamp;
  effectiveTime: Timestamp;
  /**
   * Why, in words.
   */
  reason: string;
}
/**
 * Updates refused, by reason (a reason with none is left out): the totals behind refusals and needsAttention, which name only some devices.
 */
export interface RefusalCounts {
  /**
   * Devices on firmware Microsoft has not verified. The automatic rule leaves them alone on purpose (only a ScheduledUpdate updates them): Ready stays True.
   */
  unknownFirmware?: number;
  /**
   * The installed and the wanted version cannot be ordered. Left alone by the automatic rule (Ready stays True); a ScheduledUpdate refused this way is Stalled.
   */
  notComparable?: number;
  /**
   * The version asked for is older than the installed one (firmwarden never downgrades): Stalled until the ScheduledUpdate or the policy's versions.maximum changes.
   */
  downgrade?: number;
  /**
   * The device does not report its installed version, so a ScheduledUpdate cannot prove an upgrade: Stalled.
   */
  unknownVersion?: number;
}
/**
 * An update the controller refused to start, with its reason.
 */
export interface Refusal {
  /**
   * Device id.
   */
  deviceId: string;
  softwareType: SoftwareType;
  /**
   * The version the device runs.
   */
  currentVersion?: string;
  /**
   * The version that was asked for.
   */
  version?: string;
  /**
   * A CamelCase reason: Downgrade, UnknownFirmware, VersionNotAvailable, NotComparable, …
   */
  reason: string;
  /**
   * What it means and what to do.
   */
  message?: string;
}
/**
 * A device matched by several DeviceGroups, and the group that won.
 */
export interface Conflict {
  deviceId: string;
  /**
   * Every group that matched.
   */
  groups: string[];
  /**
   * The group whose policy applies.
   */
  chosen: string;
  /**
   * How precedence decided.
   */
  reason?: string;
}
/**
 * How and when the devices of the groups that follow it are updated: per software type, maintenance windows, freezes, rollout pacing and when to stop.
 */
export interface UpdatePolicy {
  /**
   * Always firmwarden.dev/v1alpha1.
   */
  apiVersion: 'firmwarden.dev/v1alpha1';
  /**
   * Always UpdatePolicy.
   */
  kind: 'UpdatePolicy';
  metadata: ObjectMeta;
  spec: UpdatePolicySpec;
  status?: UpdatePolicyStatus;
}
/**
 * The update rules. Written by people.
 */
export interface UpdatePolicySpec {
  /**
   * What the policy is for, for people.
   */
  description?: string;
  /**
   * Rules per software type. A type not listed is manual, except firmware, which is automatic in the General phase.
   */
  software?: {
    firmware?: SoftwareRule;
    teamsClient?: SoftwareRule;
    operatingSystem?: SoftwareRule;
    adminAgent?: SoftwareRule;
    partnerAgent?: SoftwareRule;
    companyPortal?: SoftwareRule;
  };
  /**
   * When automatic updates may start. Omitted or empty: outside business hours, that is weekdays 20:00-06:00 and all weekend, device-local.
   *
   * @maxItems 50
   */
  maintenanceWindows?: MaintenanceWindow[];
  /**
   * Dates on which nothing starts: automatic updates and ScheduledUpdates alike (a ScheduledUpdate passes a freeze only with spec.freezeOverride).
   *
   * @maxItems 100
   */
  freezes?: Freeze[];
  holidays?: Holidays;
  rollout?: Rollout;
  suspend?: Suspend;
  resume?: Resume;
}
/**
 * How one software type is updated.
 */
export interface SoftwareRule {
  /**
   * automatic: the controller installs new versions following the phase. manual: only ScheduledUpdates install anything. Only firmware and teamsClient can be automatic. Default: automatic for firmware, manual for the others.
   */
  mode?: 'automatic' | 'manual';
  phase?: Phase;
  /**
   * Firmware only. The older rule: a device gets a version only once the next one is out (version 11 when 12 is released). Default: false (the newer rule, no lag).
   */
  lagOneVersion?: boolean;
  /**
   * Firmware only. Only versions verified by Microsoft are installed automatically; devices on unknown firmware are left alone. Always true for automatic firmware: an unverified version can only be installed with a ScheduledUpdate. Default: true.
   */
  verifiedOnly?: boolean;
  /**
   * Which versions are eligible.
   */
  versions?: {
    minimum?: Version;
    maximum?: Version;
    /**
     * Versions never installed (known bad).
     *
     * @maxItems 100
     */
    exclude?: Version[];
    requireEvidence?: Evidence;
  };
}
/**
 * A version becomes eligible only once it has proved itself on this fleet: healthy on at least `devices` devices of the DeviceGroup `group` for `healthyFor`, on top of the phase's delay. A device counts from the end of its successful update to that version by firmwarden (a policy or a ScheduledUpdate) for as long as it keeps the version and its health stays as good as before the update. Evidence is remembered with the release dates (.firmwarden/releases.json, or the state ConfigMap in Kubernetes). Only automatic updates wait for it; a ScheduledUpdate does not.
 */
export interface Evidence {
  group: Name;
  /**
   * How many of its devices must have run the version healthily.
   */
  devices: number;
  healthyFor: Duration;
}
/**
 * A recurring span of local time in which automatic updates may start. A window whose end is earlier than its start crosses midnight. Daylight-saving changes are handled: a window is never lost or doubled.
 */
export interface MaintenanceWindow {
  /**
   * A name for people and status.
   */
  name?: string;
  /**
   * The days on which the window opens. Default: every day.
   *
   * @minItems 1
   * @maxItems 7
   */
  days?:
    | [Weekday]
    | [Weekday, Weekday]
    | [Weekday, Weekday, Weekday]
    | [Weekday, Weekday, Weekday, Weekday]
    | [Weekday, Weekday, Weekday, Weekday, Weekday]
    | [Weekday, Weekday, Weekday, Weekday, Weekday, Weekday]
    | [Weekday, Weekday, Weekday, Weekday, Weekday, Weekday, Weekday];
  start: LocalTime;
  end?: LocalTime;
  duration?: Duration;
  timeZone?: WindowTimeZone;
}
/**
 * Local dates on which nothing starts: no automatic update and no ScheduledUpdate, unless a ScheduledUpdate carries spec.freezeOverride. Its end is its expiry: from the day after, the freeze is ignored and lint warns that it can be removed.
 */
export interface Freeze {
  /**
   * A name for people and status.
   */
  name?: string;
  start: LocalDate;
  end: LocalDate;
  timeZone?: WindowTimeZone;
  /**
   * Why, for people: plan, why and the statuses name it.
   */
  reason?: string;
}
/**
 * How fast a new version spreads through the devices.
 */
export interface Rollout {
  /**
   * Waves, in order. Default (no waves given): 1%, 10%, 50%, then the rest, with a bake of 7 days between them, so a group is updated gradually over about three weeks, as Microsoft's automatic updates are. For one wave with every device write [{percent: 100}].
   *
   * @maxItems 20
   */
  waves?:
    | []
    | [Wave]
    | [Wave, Wave]
    | [Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave, Wave]
    | [
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave,
        Wave
      ];
  soak?: Soak;
  bakeTime?: Duration;
  /**
   * At most this many operations of this policy in flight at once. Default: 50.
   */
  maxConcurrent?: number;
  operationTimeout?: Duration;
  /**
   * Start no update on a device that says it is in use (activityState busy: a meeting or a call under way). The device is read again just before its update would start, since the device list may be minutes old; a busy device waits (reason InUse) and is read again 5 minutes later, inside the same window while it lasts. Default: true.
   */
  skipDevicesInUse?: boolean;
  /**
   * Teams Rooms: keep updates out of booked meetings. Before an update starts in a room (a Teams Room, Android bar, Surface Hub, panel or console signed in with a resource account), the room's calendar is read (free/busy only, through getSchedule, which needs the application permission Calendars.ReadBasic.All); no update starts while a booking is in progress or when one begins within marginMinutes (reason RoomBooked). Without the permission the policy says so in its MeetingsUnavailable condition and updates go on as if no room were booked. ScheduledUpdates follow it only when they respect maintenance windows.
   */
  meetings?: {
    /**
     * true: read the rooms' calendars and keep updates out of meetings.
     */
    avoid: boolean;
    /**
     * Minutes kept free before a booking: no update starts when a booking begins sooner than this. 0 waits only for bookings in progress. Default: 60.
     */
    marginMinutes?: number;
  };
  /**
   * Stop the rollout when too many updates fail. It stays stopped (Stalled) until a person sets resume.
   */
  failureThreshold?: {
    /**
     * Stop when more than this share of the finished updates failed.
     */
    percent: number;
    /**
     * Judge only once at least this many updates have finished. Default: 5.
     */
    minCompleted?: number;
  };
}
/**
 * One step of a rollout: a share or a number of the group's devices. Give percent or count. Devices left after the last wave form one more wave.
 */
export interface Wave {
  /**
   * A name for people and status.
   */
  name?: string;
  /**
   * Share of the devices, in percent of the group.
   */
  percent?: number;
  /**
   * Number of devices.
   */
  count?: number;
  soak?: Soak;
}
/**
 * Watch the health of each updated device for a while after its update and compare it with its health just before: a device that went offline, lost its Teams or Exchange sign-in, or whose camera, content camera, microphone, speaker or display went missing or unhealthy has regressed. A regression counts as a failed update for failureThreshold, and plan, why and the statuses name the device and what regressed. The next wave starts once the soak of the earlier waves is over, instead of after bakeTime.
 */
export interface Soak {
  duration: Duration;
  /**
   * Stop the rollout (until a person sets resume) when more devices of the wave than this regressed during their soak. 0: one regression stops it, as a canary wave wants. Omitted: regressions count only toward failureThreshold.
   */
  maxRegressions?: number;
}
/**
 * Pause: nothing new starts while it is set (operations already running finish). Records who, why and until when.
 */
export interface Suspend {
  /**
   * Why.
   */
  reason: string;
  /**
   * Who.
   */
  by: string;
  until?: Timestamp;
}
/**
 * Lets a rollout that the failure threshold stopped go on: failures before `after` no longer count.
 */
export interface Resume {
  after: Timestamp;
  /**
   * Who.
   */
  by: string;
  /**
   * Why.
   */
  reason?: string;
}
/**
 * What the controller observed and did under this policy. Written only by the controller.
 */
export interface UpdatePolicyStatus {
  observedGeneration?: number;
  observedSpecDigest?: SpecDigest;
  /**
   * @maxItems 8
   */
  conditions?:
    | []
    | [Condition]
    | [Condition, Condition]
    | [Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition];
  /**
   * DeviceGroups that follow this policy. Kubernetes only (the status subresource).
   *
   * @maxItems 1000
   */
  groups?: string[];
  devices?: number;
  /**
   * True while spec.suspend is in force.
   */
  suspended?: boolean;
  updates?: DeviceCounts;
  /**
   * Kubernetes only (the status subresource): in a Git repository or folder, where people review statuses in diffs, needsAttention names at most five.
   *
   * @maxItems 50
   */
  failing?: FailingDevice[];
  /**
   * Kubernetes only (the status subresource): in a Git repository or folder, currentWave says where each rollout stands in one line.
   *
   * @maxItems 6
   */
  rollouts?:
    | []
    | [RolloutStatus]
    | [RolloutStatus, RolloutStatus]
    | [RolloutStatus, RolloutStatus, RolloutStatus]
    | [RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus]
    | [RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus]
    | [RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus, RolloutStatus];
  /**
   * Versions offered to the policy's devices and when each becomes eligible. Kubernetes only (the status subresource, as a copy of the state ConfigMap's calendar): a Git repository or folder keeps the calendar in .firmwarden/releases.json.
   *
   * @maxItems 200
   */
  releases?: ReleaseStatus[];
  nextWindow?: Window;
  nextActionTime?: Timestamp;
  /**
   * Where each rollout stands, in words: software type, version, wave n of m and what it waits for (for example 'firmware 122.22.1: wave 2 of 3, waiting for a maintenance window').
   */
  currentWave?: string;
  /**
   * The next (or current) maintenance window in the local time of the group whose window opens first, with the IANA zone (for example 'Mon 2027-02-22 22:00 to Tue 2027-02-23 05:00 America/New_York (weeknights)').
   */
  nextWindowLocal?: string;
  needsAttention?: NeedsAttention;
  refused?: RefusalCounts;
  /**
   * Kubernetes only (the status subresource): in a Git repository or folder, needsAttention names at most five.
   *
   * @maxItems 50
   */
  refusals?: Refusal[];
  counts?: DeviceCounts;
}
/**
 * A version the controller has seen offered, and when it becomes eligible under this policy.
 */
export interface ReleaseStatus {
  softwareType: SoftwareType;
  model: string;
  version: string;
  firstSeenTime: Timestamp;
  eligibleTime?: Timestamp;
}
/**
 * A one-off, manual update: these devices, these software types, to this version or the latest, now or at a local date and time.
 */
export interface ScheduledUpdate {
  /**
   * Always firmwarden.dev/v1alpha1.
   */
  apiVersion: 'firmwarden.dev/v1alpha1';
  /**
   * Always ScheduledUpdate.
   */
  kind: 'ScheduledUpdate';
  metadata: ObjectMeta;
  spec: ScheduledUpdateSpec;
  status?: ScheduledUpdateStatus;
}
/**
 * What to update and when. Written by people.
 */
export interface ScheduledUpdateSpec {
  /**
   * What the update is for, for people.
   */
  description?: string;
  targets: Targets;
  /**
   * The software types to update, each at most once.
   *
   * @minItems 1
   * @maxItems 6
   */
  software:
    | [SoftwareTarget]
    | [SoftwareTarget, SoftwareTarget]
    | [SoftwareTarget, SoftwareTarget, SoftwareTarget]
    | [SoftwareTarget, SoftwareTarget, SoftwareTarget, SoftwareTarget]
    | [SoftwareTarget, SoftwareTarget, SoftwareTarget, SoftwareTarget, SoftwareTarget]
    | [SoftwareTarget, SoftwareTarget, SoftwareTarget, SoftwareTarget, SoftwareTarget, SoftwareTarget];
  at?: LocalDateTime;
  timeZone?: TimeZone;
  /**
   * When true, each device starts only inside its policy's maintenance windows, never on a holiday. Default: false, start at the time given. Either way nothing starts during a freeze of the device's policy unless freezeOverride is set.
   */
  respectMaintenanceWindows?: boolean;
  /**
   * Break glass: start during the freezes of the targets' policies. Kept in status.freezeOverride. Only people allowed to may set it: in Kubernetes a ValidatingAdmissionPolicy refuses it from anyone else (examples/deploy/50-freeze-override-admission.yaml); in Git, protect the branch. Maintenance windows and holidays still apply when respectMaintenanceWindows is true.
   */
  freezeOverride?: {
    /**
     * Why the freeze must be passed (the incident, the change ticket).
     */
    reason: string;
  };
}
/**
 * Which devices: a group, a selector, device ids, or several of them (their union).
 */
export interface Targets {
  groupRef?: ObjectReference;
  selector?: DeviceSelector;
  /**
   * These devices (device id, hardware unique id or serial number).
   *
   * @minItems 1
   * @maxItems 10000
   */
  deviceIds?: [DeviceRef, ...DeviceRef[]];
}
/**
 * One software type and the version to install.
 */
export interface SoftwareTarget {
  type: SoftwareType;
  /**
   * A version, or 'latest' for the newest version each device is offered. When omitted: latest.
   */
  version?: string;
}
/**
 * What the controller did. Written only by the controller.
 */
export interface ScheduledUpdateStatus {
  observedGeneration?: number;
  observedSpecDigest?: SpecDigest;
  /**
   * @maxItems 8
   */
  conditions?:
    | []
    | [Condition]
    | [Condition, Condition]
    | [Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition]
    | [Condition, Condition, Condition, Condition, Condition, Condition, Condition, Condition];
  scheduledTime?: Timestamp;
  /**
   * Devices targeted.
   */
  devices?: number;
  updates?: DeviceCounts;
  /**
   * Kubernetes only (the status subresource): in a Git repository or folder, where people review statuses in diffs, needsAttention names at most five.
   *
   * @maxItems 50
   */
  failing?: FailingDevice[];
  /**
   * Kubernetes only (the status subresource).
   *
   * @maxItems 50
   */
  clamps?: Clamp[];
  refused?: RefusalCounts;
  /**
   * Kubernetes only (the status subresource): in a Git repository or folder, needsAttention names at most five.
   *
   * @maxItems 50
   */
  refusals?: Refusal[];
  nextActionTime?: Timestamp;
  needsAttention?: NeedsAttention;
  completionTime?: Timestamp;
  /**
   * The freezes this ScheduledUpdate passes or passed with spec.freezeOverride, and why; kept after the freezes end, for audits.
   */
  freezeOverride?: {
    /**
     * spec.freezeOverride.reason when the first freeze was passed.
     */
    reason: string;
    /**
     * Each freeze passed: policy, name, dates and the freeze's own reason.
     *
     * @maxItems 20
     */
    freezes:
      | []
      | [string]
      | [string, string]
      | [string, string, string]
      | [string, string, string, string]
      | [string, string, string, string, string]
      | [string, string, string, string, string, string]
      | [string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ]
      | [
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string,
          string
        ];
    firstTime?: Timestamp;
  };
  counts?: DeviceCounts;
}
/**
 * Where notifications go: a Microsoft Teams channel or chat (a Workflows webhook that posts an Adaptive Card), a Slack channel (an incoming webhook) or any HTTPS endpoint (JSON signed with HMAC-SHA256). The address is a credential: it is never written here but read from a file, an environment variable or, in Kubernetes, a Secret. NotificationRules say which events go to it.
 */
export interface NotificationChannel {
  /**
   * Always firmwarden.dev/v1alpha1.
   */
  apiVersion: 'firmwarden.dev/v1alpha1';
  /**
   * Always NotificationChannel.
   */
  kind: 'NotificationChannel';
  metadata: ObjectMeta;
  spec: NotificationChannelSpec;
}
/**
 * The kind of receiver and where its address and keys are. Written by people.
 */
export interface NotificationChannelSpec {
  /**
   * What the channel is for, for people.
   */
  description?: string;
  /**
   * teams: a Microsoft Teams Workflows webhook ('When a Teams webhook request is received'), sent an Adaptive Card; slack: a Slack incoming webhook, sent Block Kit blocks; webhook: any HTTPS endpoint, sent firmwarden's JSON signed with HMAC-SHA256.
   */
  type: 'teams' | 'slack' | 'webhook';
  secretRef: SecretRef;
  signingSecretRef?: SecretRef;
}
/**
 * Where the controller reads a secret (a webhook URL, a client secret, a certificate): give file, env, or name with key (a Kubernetes Secret in the manifest's namespace, firmwarden run --kubernetes only). The secret is read again each time it is used, so a rotated secret needs no restart; its value never appears in logs, statuses or errors.
 */
export interface SecretRef {
  /**
   * Absolute path of a file on the controller's machine (or pod) holding the value; surrounding blanks are ignored.
   */
  file?: string;
  /**
   * Name of an environment variable of the controller process holding the value.
   */
  env?: string;
  name?: Name;
  /**
   * The key of the Secret's data holding the value (with name).
   */
  key?: string;
}
/**
 * Which rollout events are sent to a NotificationChannel: the event types, and optionally only those of some DeviceGroups or UpdatePolicies of the same namespace. The events one reconcile finds for a rule are sent together, as one message.
 */
export interface NotificationRule {
  /**
   * Always firmwarden.dev/v1alpha1.
   */
  apiVersion: 'firmwarden.dev/v1alpha1';
  /**
   * Always NotificationRule.
   */
  kind: 'NotificationRule';
  metadata: ObjectMeta;
  spec: NotificationRuleSpec;
}
/**
 * What to send and where. Written by people.
 */
export interface NotificationRuleSpec {
  /**
   * What the rule is for, for people.
   */
  description?: string;
  channelRef: ObjectReference;
  /**
   * The event types to send.
   *
   * @minItems 1
   */
  events: [NotificationEventType, ...NotificationEventType[]];
  /**
   * Only events concerning one of these DeviceGroups (or, with policyRefs, one of those UpdatePolicies). Omitted, with policyRefs omitted: every event of the namespace.
   *
   * @maxItems 100
   */
  groupRefs?: ObjectReference[];
  /**
   * Only events concerning one of these UpdatePolicies (or, with groupRefs, one of those DeviceGroups). Omitted, with groupRefs omitted: every event of the namespace.
   *
   * @maxItems 100
   */
  policyRefs?: ObjectReference[];
  /**
   * When true, nothing is sent for this rule (events found meanwhile are not sent later). Default: false.
   */
  suspend?: boolean;
}
/**
 * A Microsoft 365 tenant whose Teams devices firmwarden manages, and how to sign in to it. A Tenant binds its namespace: every DeviceGroup, UpdatePolicy, ScheduledUpdate, NotificationChannel and NotificationRule of the same namespace acts on this tenant's devices only, with this tenant's app and credentials. At most one Tenant per namespace. Without any Tenant, firmwarden manages the one tenant named by its flags and environment (AZURE_TENANT_ID…); once a Tenant exists, manifests in a namespace without one are not acted upon. Credentials are never written here: the manifest names where the controller reads them, and no two Tenants may share them.
 */
export interface Tenant {
  /**
   * Always firmwarden.dev/v1alpha1.
   */
  apiVersion: 'firmwarden.dev/v1alpha1';
  /**
   * Always Tenant.
   */
  kind: 'Tenant';
  metadata: ObjectMeta;
  spec: TenantSpec;
}
/**
 * Which tenant, in which cloud, and the app registration firmwarden signs in as. Written by people.
 */
export interface TenantSpec {
  /**
   * The customer's name as people know it (Contoso Ltd), for the people reading the configuration.
   */
  displayName?: string;
  /**
   * Anything people should know about this tenant (contract, contacts).
   */
  description?: string;
  /**
   * The directory (tenant) id, a GUID, or one of the tenant's verified domains (contoso.onmicrosoft.com). Two Tenants may not name the same tenant.
   */
  tenantId: string;
  /**
   * The Microsoft cloud the tenant lives in: Global (graph.microsoft.com), USGov (GCC High, graph.microsoft.us), USGovDoD (DoD, dod-graph.microsoft.us) or China (operated by 21Vianet). Sign-in and Graph hosts follow from it.
   */
  cloud?: 'Global' | 'USGov' | 'USGovDoD' | 'China';
  /**
   * The application (client) id, a GUID, of the app registration firmwarden signs in as in this tenant (a multi-tenant app consented in the customer's tenant, or an app of its own). It needs TeamworkDevice.ReadWrite.All.
   */
  clientId: string;
  credentials: TenantCredentials;
  /**
   * Graph requests per second firmwarden sends to this tenant at most, inner $batch requests counted. Default 30, the documented limit per app per tenant for the Teams device calls; lower it to leave room for other tools using the same app.
   */
  rateLimitPerSecond?: number;
}
/**
 * How the app proves who it is: exactly one of clientSecret, certificate or workloadIdentity. Only where to read the credential is written here, never the credential itself.
 */
export interface TenantCredentials {
  /**
   * A client secret of the app registration.
   */
  clientSecret?: {
    secretRef: SecretRef;
  };
  /**
   * A certificate of the app registration (its public part uploaded to the app).
   */
  certificate?: {
    secretRef: SecretRef;
  };
  /**
   * Microsoft Entra Workload ID: the app trusts a federated credential (the controller's Kubernetes service account token); no secret to rotate.
   */
  workloadIdentity?: {
    /**
     * Absolute path of the federated token file. Default: the path in AZURE_FEDERATED_TOKEN_FILE, which the Workload ID webhook sets in the pod.
     */
    tokenFile?: string;
  };
}
