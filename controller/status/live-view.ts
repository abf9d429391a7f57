// The live view's model: what the read-only web page shows, as JSON, built from what one
// reconcile already computed (its plan, the statuses made from that plan, the policies' windows)
// and from a forecast timeline. Progress is counted in devices, not device × software pairs:
// each device gets the state of its software type that most needs attention. Times are text in
// each group's own zone, relative times are against the plan's `now` (the demo's clock runs
// weeks in seconds, so the browser's clock cannot say "in 3 h"). Every list is bounded whatever
// the fleet size. Device and manifest values are hostile: every text of the view goes through
// escapeText (control, line-separator and bidi characters become visible escapes, so a name
// cannot reorder or split what is shown), and the page only ever sets text (textContent), so
// markup in a value stays literal. Pure: no I/O, no clock.
import type { SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { DevicePlan, GroupSummary, Plan, PlanEntry, RolloutView } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import type { Forecast } from '../plan/forecast.ts';
import { scheduleFor } from '../plan/group-context.ts';
import { isScheduledRefusal, scheduledRefusals } from '../plan/plan-entries.ts';
import { formatLocalTime, formatRelative, formatUtc } from '../plan/render-time.ts';
import { displayName, objectKey } from '../policy/manifest-keys.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { dateText, localDateOf } from '../policy/zoned-time.ts';
import { escapeText } from '../output/escape.ts';
import type { LabelledDevice } from './people-fields.ts';

/** A device's state on the page, from the most to the least in need of attention; `notRead`: a member with no software read (not read yet, or it reports none). */
export const LiveStates = ['failed', 'refused', 'inProgress', 'blocked', 'waiting', 'upToDate', 'notRead'] as const;
export type LiveState = (typeof LiveStates)[number];
/** Devices in each state. */
export type LiveTally = Readonly<Record<LiveState, number>>;

/** Each state's words, in the order of LiveStates (the page's legend). */
export const liveStateText: Readonly<Record<LiveState, { readonly label: string; readonly hint: string }>> = {
  failed: { label: 'failed', hint: 'an update failed; not retried until a newer version or spec.resume' },
  refused: { label: 'refused', hint: 'firmwarden will not update it this way (downgrade, version unknown or not comparable, unknown firmware)' },
  inProgress: { label: 'in progress', hint: 'an update is running' },
  blocked: { label: 'blocked', hint: 'suspended, stopped rollout, or device offline' },
  waiting: { label: 'waiting', hint: "waiting for a maintenance window, a wave, a bake time or the phase's delay" },
  upToDate: { label: 'up to date', hint: 'on the version the rules want' },
  notRead: { label: 'software not read', hint: "the controller has not read this device's software yet, or the device reports none" },
};

const rank = new Map<LiveState, number>(LiveStates.map((s, i) => [s, i]));

function emptyTally(): Record<LiveState, number> {
  return { failed: 0, refused: 0, inProgress: 0, blocked: 0, waiting: 0, upToDate: 0, notRead: 0 };
}

/** The state one plan entry stands for. */
export function liveEntryState(entry: PlanEntry): LiveState {
  // A ScheduledUpdate refused beside another rule's decision still needs a person.
  if ((entry.refused?.length ?? 0) > 0 && entry.state !== 'failed') return 'refused';
  switch (entry.state) {
    case 'upToDate':
    case 'succeeded':
      return 'upToDate';
    case 'pending':
    case 'scheduled':
      return 'waiting';
    case 'inProgress':
      return 'inProgress';
    case 'failed':
      return 'failed';
    case 'blocked':
      return RefusalCodes.has(entry.reason.code) ? 'refused' : 'blocked';
  }
}

/** A device's state: the one of its entries that most needs attention (a failed Teams app beats an up-to-date firmware). */
export function liveDeviceState(device: DevicePlan): LiveState {
  let worst: LiveState = 'upToDate';
  for (const e of device.entries) {
    const s = liveEntryState(e);
    if (rank.get(s)! < rank.get(worst)!) worst = s;
  }
  return worst;
}

/** A time as the page shows it: local text with its zone, and relative to the plan's now. */
export interface LiveTime {
  readonly at: string;
  readonly local: string;
  readonly relative: string;
}

export interface LiveWindow {
  readonly name: string;
  readonly start: LiveTime;
  readonly end: LiveTime;
  readonly open: boolean;
}

export interface LiveRollout {
  readonly softwareType: SoftwareType;
  readonly software: string;
  readonly version: string | undefined;
  readonly state: RolloutView['state'];
  readonly wave: number | undefined;
  readonly waves: number;
  /** "wave 2 of 3, baking until …" */
  readonly text: string;
  readonly completed: number;
  readonly failed: number;
}

/** The Ready and Stalled conditions of a manifest's status, as the status says them. */
export interface LiveConditions {
  readonly ready: { readonly status: string; readonly reason: string; readonly message: string } | undefined;
  readonly stalled: { readonly status: string; readonly reason: string; readonly message: string } | undefined;
}

export interface LiveGroup {
  readonly key: string;
  readonly name: string;
  readonly policy: string | undefined;
  readonly missingPolicy: string | undefined;
  readonly timeZone: string;
  readonly phase: string;
  readonly license: string;
  /** Members (the status's `devices`). */
  readonly devices: number;
  readonly tally: LiveTally;
  readonly rollouts: readonly LiveRollout[];
  /** The window open now, if any. */
  readonly currentWindow: LiveWindow | undefined;
  /** The next window to open (after the current one). */
  readonly nextWindow: LiveWindow | undefined;
  readonly freeze: { readonly name: string; readonly reason: string | undefined; readonly until: LiveTime } | undefined;
  readonly nextAction: LiveTime | undefined;
  readonly conditions: LiveConditions;
}

export interface LivePolicy {
  readonly key: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly devices: number;
  readonly tally: LiveTally;
  readonly rollouts: readonly LiveRollout[];
  readonly suspended: LiveStop | undefined;
  readonly conditions: LiveConditions;
}

/** A suspended policy or a rollout the failure threshold stopped: who, why and until when. */
export interface LiveStop {
  readonly kind: 'suspended' | 'stopped';
  readonly policy: string;
  readonly softwareType: SoftwareType | undefined;
  readonly by: string;
  readonly reason: string;
  readonly since: LiveTime | undefined;
  /** When it ends by itself; absent: it waits for a person (`untilText` says what to do). */
  readonly until: LiveTime | undefined;
  readonly untilText: string;
}

/** One failed or refused update of one device. */
export interface LiveProblem {
  readonly state: 'failed' | 'refused';
  readonly device: string;
  readonly deviceId: string;
  readonly group: string | undefined;
  readonly scheduledUpdate: string | undefined;
  readonly softwareType: SoftwareType;
  readonly software: string;
  readonly version: string | undefined;
  readonly code: string;
  readonly reason: string;
  readonly time: LiveTime | undefined;
}

export interface LiveScheduled {
  readonly key: string;
  readonly name: string;
  readonly devices: number;
  readonly tally: LiveTally;
  readonly scheduledTime: LiveTime | undefined;
  readonly completionTime: LiveTime | undefined;
  readonly conditions: LiveConditions;
}

/** Updates the forecast starts at one time in one group, for one software version. */
export interface TimelineBatch {
  readonly time: number;
  readonly group: string | undefined;
  readonly timeZone: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  readonly wave: number | undefined;
  readonly devices: number;
  /** The first few devices, as admins know them. */
  readonly names: readonly string[];
}

/** The forecast, summarised for the page (built where the forecast runs, by forecastTimeline). */
export interface ForecastTimeline {
  /** The instant the simulation started from, and its horizon. */
  readonly from: number;
  readonly to: number;
  readonly truncated: boolean;
  /** Updates the simulation started in all. */
  readonly updates: number;
  /** Batches in time order, at most `maxBatches`; `more` counts those left out. */
  readonly batches: readonly TimelineBatch[];
  readonly more: number;
  /** Updates per group per local date of the group ("YYYY-MM-DD"). */
  readonly days: readonly { readonly group: string | undefined; readonly timeZone: string; readonly date: string; readonly updates: number }[];
}

export interface LiveTimelineBatch {
  readonly time: LiveTime;
  readonly group: string;
  readonly software: string;
  readonly version: string;
  readonly wave: number | undefined;
  readonly devices: number;
  readonly names: readonly string[];
}

export interface LiveForecast {
  /** When the simulation started (it may be a little older than the view). */
  readonly from: LiveTime;
  readonly to: LiveTime;
  readonly truncated: boolean;
  /** The dates of the grid's columns, in order. */
  readonly dates: readonly string[];
  /** One row per group: updates starting on each date of `dates` (the group's local dates). */
  readonly rows: readonly { readonly group: string; readonly timeZone: string; readonly updates: readonly number[] }[];
  readonly batches: readonly LiveTimelineBatch[];
  readonly more: number;
  readonly assumptions: string;
}

/** The whole page. */
export interface LiveView {
  readonly now: LiveTime;
  readonly revision: string | undefined;
  readonly devices: number;
  readonly tally: LiveTally;
  readonly states: readonly { readonly key: LiveState; readonly label: string; readonly hint: string }[];
  readonly stops: readonly LiveStop[];
  readonly problems: readonly LiveProblem[];
  /** Problems left out of `problems` (bounded). */
  readonly moreProblems: number;
  /** Every problem counted by state and code, most frequent first (failures first). */
  readonly problemKinds: readonly { readonly state: 'failed' | 'refused'; readonly code: string; readonly updates: number }[];
  readonly policies: readonly LivePolicy[];
  readonly groups: readonly LiveGroup[];
  readonly scheduledUpdates: readonly LiveScheduled[];
  /** Absent until a forecast has been computed. */
  readonly forecast: LiveForecast | undefined;
}

/** A status as the view reads it, with the key of its manifest (a StatusUpdate fits). */
export interface LiveStatus {
  readonly key?: { readonly kind: string; readonly name: string; readonly namespace?: string } | undefined;
  readonly status: unknown;
}

export interface LiveViewInput {
  readonly plan: Plan;
  /** The statuses built from the same plan. */
  readonly statuses: readonly LiveStatus[];
  /** The valid UpdatePolicies the plan was made from (their windows). */
  readonly policies: readonly UpdatePolicy[];
  /** A device as an admin knows it (liveDeviceName). */
  readonly label: (deviceId: string) => string;
  readonly revision: string | undefined;
  readonly forecast: ForecastTimeline | undefined;
  /** Failed and refused updates listed at most. Default: 200. */
  readonly maxProblems?: number;
}

/** A time in a zone, for the page. */
function liveTime(ms: number, timeZone: string | undefined, now: number): LiveTime {
  return {
    at: new Date(ms).toISOString(),
    local: timeZone === undefined ? formatUtc(ms) : formatLocalTime(ms, timeZone),
    relative: formatRelative(ms, now),
  };
}

function conditionsOf(status: unknown): LiveConditions {
  const list = (status as { conditions?: unknown } | null)?.conditions;
  const find = (type: string) => {
    if (!Array.isArray(list)) return undefined;
    const c = list.find((x: { type?: unknown }) => x?.type === type) as { status?: unknown; reason?: unknown; message?: unknown } | undefined;
    if (!c) return undefined;
    return { status: String(c.status ?? ''), reason: String(c.reason ?? ''), message: String(c.message ?? '') };
  };
  return { ready: find('Ready'), stalled: find('Stalled') };
}

function rolloutText(r: RolloutView, timeZone: string | undefined, now: number): string {
  const wave = r.wave === undefined ? `${r.waves} wave${r.waves === 1 ? '' : 's'}, none started` : `wave ${r.wave} of ${r.waves}`;
  const failed = r.failed > 0 ? `; ${r.failed} of ${r.completed} finished failed` : '';
  switch (r.state) {
    case 'Progressing':
      return `${wave}, updating${failed}`;
    case 'Baking':
      return `${wave} done, baking${r.bakeUntil === undefined ? '' : ` until ${liveTime(r.bakeUntil, timeZone, now).local}`}${failed}`;
    case 'Waiting':
      return `${wave}, waiting for a window or the phase's delay${failed}`;
    case 'Complete':
      return `complete${failed}`;
    case 'Stopped':
      return `stopped in ${wave} by the failure threshold${failed}`;
    case 'Suspended':
      return `suspended in ${wave}`;
  }
}

function liveRollouts(rollouts: readonly RolloutView[], timeZone: string | undefined, now: number): LiveRollout[] {
  const order = (t: SoftwareType) => SoftwareTypes.indexOf(t);
  return [...rollouts]
    .sort((a, b) => order(a.softwareType) - order(b.softwareType))
    .map((r) => ({
      softwareType: r.softwareType,
      software: softwareLabel[r.softwareType],
      version: r.version,
      state: r.state,
      wave: r.wave,
      waves: r.waves,
      text: rolloutText(r, timeZone, now),
      completed: r.completed,
      failed: r.failed,
    }));
}

/** The window open now and the next one, in the group's zone. */
function windowsOf(g: GroupSummary, policy: UpdatePolicy | undefined, now: number): { current: LiveWindow | undefined; next: LiveWindow | undefined } {
  const w = g.nextWindow;
  const view = (x: { name: string; start: number; end: number }, open: boolean): LiveWindow => ({
    name: x.name,
    start: liveTime(x.start, g.timeZone, now),
    end: liveTime(x.end, g.timeZone, now),
    open,
  });
  if (!w) return { current: undefined, next: undefined };
  if (w.start > now) return { current: undefined, next: view(w, false) };
  // Open now: the next one is the first that opens once this one has closed.
  const following = scheduleFor(policy, g.timeZone).currentOrNextWindow(w.end);
  return { current: view(w, true), next: following && following.start >= w.end ? view(following, false) : undefined };
}

function tallyOf(devices: Iterable<DevicePlan>, members: number): LiveTally {
  const t = emptyTally();
  let n = 0;
  for (const d of devices) {
    t[liveDeviceState(d)]++;
    n++;
  }
  t.notRead = Math.max(0, members - n);
  return t;
}

function problemsOf(plan: Plan, label: (id: string) => string, timeZoneOf: (group: string | undefined) => string | undefined): LiveProblem[] {
  const out: LiveProblem[] = [];
  const now = plan.now;
  for (const d of plan.devices) {
    for (const e of d.entries) {
      const base = {
        device: label(d.deviceId),
        deviceId: d.deviceId,
        group: d.group === undefined ? undefined : displayName(d.group),
        softwareType: e.softwareType,
        software: softwareLabel[e.softwareType],
      };
      if (e.state === 'failed') {
        const detail = [e.failure?.code, e.failure?.message].filter(Boolean).join(': ');
        out.push({
          ...base,
          state: 'failed',
          scheduledUpdate: e.scheduledUpdate === undefined ? undefined : displayName(e.scheduledUpdate),
          version: e.desiredVersion,
          code: e.failure?.code ?? e.reason.code,
          reason: detail || e.reason.message,
          time: e.failure?.time === undefined ? undefined : liveTime(e.failure.time, timeZoneOf(d.group), now),
        });
      } else if (e.state === 'blocked' && RefusalCodes.has(e.reason.code) && !isScheduledRefusal(e)) {
        out.push({ ...base, state: 'refused', scheduledUpdate: undefined, version: e.desiredVersion, code: e.reason.code, reason: e.reason.message, time: undefined });
      }
      for (const r of scheduledRefusals(e)) {
        out.push({ ...base, state: 'refused', scheduledUpdate: displayName(r.scheduledUpdate), version: r.version, code: r.reason.code, reason: r.reason.message, time: undefined });
      }
    }
  }
  // Failures first, latest first; then refusals; then by group and device.
  const failedAt = (p: LiveProblem) => (p.time ? Date.parse(p.time.at) : 0);
  return out.sort(
    (a, b) =>
      (a.state === 'failed' ? 0 : 1) - (b.state === 'failed' ? 0 : 1) ||
      failedAt(b) - failedAt(a) ||
      (a.group ?? '~').localeCompare(b.group ?? '~') ||
      a.device.localeCompare(b.device) ||
      a.softwareType.localeCompare(b.softwareType),
  );
}

const assumptions = 'assumes every update succeeds and takes 30 minutes, and no new version is released';

function forecastView(timeline: ForecastTimeline, now: number, groupName: (key: string | undefined) => string): LiveForecast {
  // The forecast may have started a little before this view: what it started in the past is history.
  const upcoming = timeline.batches.filter((b) => b.time >= now);
  const today = (tz: string) => dateText(localDateOf(now, tz));
  const cells = timeline.days.filter((d) => d.date >= today(d.timeZone));
  // Every date from today (the earliest of the groups' todays) to the horizon, quiet days included.
  const first = [...cells.map((c) => today(c.timeZone)), today('UTC')].sort()[0]!;
  const last = [...cells.map((c) => c.date), new Date(timeline.to).toISOString().slice(0, 10)].sort().at(-1)!;
  const all: string[] = [];
  for (let d = Temporal.PlainDate.from(first); Temporal.PlainDate.compare(d, last) <= 0; d = d.add({ days: 1 })) all.push(d.toString());
  const rows = new Map<string, { group: string; timeZone: string; updates: number[] }>();
  for (const c of cells) {
    const key = c.group ?? '';
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { group: groupName(c.group), timeZone: c.timeZone, updates: all.map(() => 0) }));
    row.updates[all.indexOf(c.date)]! += c.updates;
  }
  return {
    from: liveTime(timeline.from, undefined, now),
    to: liveTime(timeline.to, undefined, now),
    truncated: timeline.truncated,
    dates: all,
    rows: [...rows.values()].sort((a, b) => a.group.localeCompare(b.group)),
    batches: upcoming.map((b) => ({
      time: liveTime(b.time, b.timeZone, now),
      group: groupName(b.group),
      software: softwareLabel[b.softwareType],
      version: b.version,
      wave: b.wave,
      devices: b.devices,
      names: b.names,
    })),
    more: timeline.more,
    assumptions,
  };
}

/** The page's model from one reconcile's plan and statuses, and the latest forecast timeline. */
export function buildLiveView(input: LiveViewInput): LiveView {
  const { plan } = input;
  const now = plan.now;
  const statusByKey = new Map<string, unknown>();
  for (const s of input.statuses) if (s.key) statusByKey.set(`${s.key.kind}/${objectKey({ name: s.key.name, ...(s.key.namespace ? { namespace: s.key.namespace } : {}) })}`, s.status);
  const policyByKey = new Map(input.policies.map((p) => [objectKey(p.metadata), p]));
  const byGroup = new Map<string | undefined, DevicePlan[]>();
  const byPolicy = new Map<string | undefined, DevicePlan[]>();
  for (const d of plan.devices) {
    (byGroup.get(d.group) ?? byGroup.set(d.group, []).get(d.group)!).push(d);
    (byPolicy.get(d.policy) ?? byPolicy.set(d.policy, []).get(d.policy)!).push(d);
  }
  const zoneOfGroup = new Map(plan.groups.map((g) => [g.key, g.timeZone]));

  const groups = plan.groups.map((g): LiveGroup => {
    const policy = g.policy === undefined ? undefined : policyByKey.get(g.policy);
    const windows = windowsOf(g, policy, now);
    return {
      key: g.key,
      name: displayName(g.key),
      policy: g.policy === undefined ? undefined : displayName(g.policy),
      missingPolicy: g.missingPolicy === undefined ? undefined : displayName(g.missingPolicy),
      timeZone: g.timeZone,
      phase: g.phase,
      license: g.license,
      devices: g.deviceIds.length,
      tally: tallyOf(byGroup.get(g.key) ?? [], g.deviceIds.length),
      rollouts: liveRollouts(g.rollouts, g.timeZone, now),
      currentWindow: windows.current,
      nextWindow: windows.next,
      freeze: g.freeze ? { name: g.freeze.name, reason: g.freeze.reason, until: liveTime(g.freeze.end, g.timeZone, now) } : undefined,
      nextAction: g.nextActionTime === undefined ? undefined : liveTime(g.nextActionTime, g.timeZone, now),
      conditions: conditionsOf(statusByKey.get(`DeviceGroup/${g.key}`)),
    };
  });

  const stops: LiveStop[] = [];
  const policies = plan.policies.map((p): LivePolicy => {
    const name = displayName(p.key);
    const suspended: LiveStop | undefined = p.suspended
      ? {
          kind: 'suspended',
          policy: name,
          softwareType: undefined,
          by: p.suspended.by,
          reason: p.suspended.reason,
          since: undefined,
          until: p.suspended.until === undefined ? undefined : liveTime(p.suspended.until, undefined, now),
          untilText: p.suspended.until === undefined ? 'until spec.suspend is removed' : 'then it goes on by itself',
        }
      : undefined;
    if (suspended) stops.push(suspended);
    for (const r of p.rollouts) {
      if (r.state !== 'Stopped') continue;
      stops.push({
        kind: 'stopped',
        policy: name,
        softwareType: r.softwareType,
        by: 'the failure threshold',
        reason: r.stoppedReason ?? 'too many failures',
        since: r.stoppedTime === undefined ? undefined : liveTime(r.stoppedTime, undefined, now),
        until: undefined,
        untilText: 'until a person sets spec.resume.after',
      });
    }
    return {
      key: p.key,
      name,
      groups: p.groups.map(displayName),
      devices: p.devices,
      tally: tallyOf(byPolicy.get(p.key) ?? [], p.devices),
      rollouts: liveRollouts(p.rollouts, undefined, now),
      suspended,
      conditions: conditionsOf(statusByKey.get(`UpdatePolicy/${p.key}`)),
    };
  });

  const scheduledUpdates = plan.scheduledUpdates.map((s): LiveScheduled => ({
    key: s.key,
    name: displayName(s.key),
    devices: s.deviceIds.length,
    // Only targets that report a targeted software type have records; the others are not waiting for anything.
    tally: tallyOf(s.records, s.records.length),
    scheduledTime: s.scheduledTime === undefined ? undefined : liveTime(s.scheduledTime, undefined, now),
    completionTime: s.completionTime === undefined ? undefined : liveTime(s.completionTime, undefined, now),
    conditions: conditionsOf(statusByKey.get(`ScheduledUpdate/${s.key}`)),
  }));

  const problems = problemsOf(plan, input.label, (g) => (g === undefined ? undefined : zoneOfGroup.get(g)));
  const kinds = new Map<string, { state: 'failed' | 'refused'; code: string; updates: number }>();
  for (const p of problems) {
    const k = `${p.state}|${p.code}`;
    const known = kinds.get(k);
    if (known) known.updates++;
    else kinds.set(k, { state: p.state, code: p.code, updates: 1 });
  }
  const maxProblems = input.maxProblems ?? 200;
  const members = plan.groups.reduce((n, g) => n + g.deviceIds.length, 0);
  const grouped = plan.devices.filter((d) => d.group !== undefined);
  const groupName = (key: string | undefined) => (key === undefined ? '(no group)' : displayName(key));
  return escapeStrings({
    now: liveTime(now, undefined, now),
    revision: input.revision,
    devices: members,
    tally: tallyOf(grouped, members),
    states: LiveStates.map((key) => ({ key, ...liveStateText[key] })),
    stops,
    problems: problems.slice(0, maxProblems),
    moreProblems: Math.max(0, problems.length - maxProblems),
    problemKinds: [...kinds.values()].sort((a, b) => (a.state === b.state ? 0 : a.state === 'failed' ? -1 : 1) || b.updates - a.updates || a.code.localeCompare(b.code)),
    policies,
    groups,
    scheduledUpdates,
    forecast: input.forecast === undefined ? undefined : forecastView(input.forecast, now, groupName),
  });
}

/** Every string in a JSON-shaped value through escapeText (the view's values are all text for people). */
function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeText(value) as T;
  if (Array.isArray(value)) return value.map(escapeStrings) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeStrings(v)])) as T;
  return value;
}

/** A device as the page names it: its display name (the room's account or the user signed in; else its hardware id or serial number), then its asset tag. Its id is beside it in the view. */
export function liveDeviceName(deviceId: string, device: LabelledDevice | undefined): string {
  const first = (...values: (string | null | undefined)[]) => values.map((v) => v?.trim()).find((v) => v) ?? '';
  const name = first(device?.currentUserName, device?.uniqueId, device?.serialNumber, deviceId).slice(0, 80);
  const asset = first(device?.companyAssetTag).slice(0, 40);
  return asset ? `${name} (${asset})` : name;
}

/** The forecast summarised for the page: batches of updates that start together, and updates per group per local day. */
export function forecastTimeline(
  f: Pick<Forecast, 'from' | 'to' | 'truncated' | 'events'>,
  timeZoneOf: (group: string | undefined) => string,
  label: (deviceId: string) => string,
  options: { readonly maxBatches?: number; readonly namesPerBatch?: number } = {},
): ForecastTimeline {
  const maxBatches = options.maxBatches ?? 120;
  const namesPerBatch = options.namesPerBatch ?? 5;
  const batches = new Map<string, { batch: Omit<TimelineBatch, 'names'>; ids: string[] }>();
  const days = new Map<string, { group: string | undefined; timeZone: string; date: string; updates: number }>();
  for (const e of f.events) {
    const a = e.action;
    const timeZone = timeZoneOf(a.group);
    const key = `${e.time}|${a.group ?? ''}|${a.softwareType}|${a.version}`;
    let b = batches.get(key);
    if (!b) batches.set(key, (b = { batch: { time: e.time, group: a.group, timeZone, softwareType: a.softwareType, version: a.version, wave: a.wave, devices: 0 }, ids: [] }));
    b.batch = { ...b.batch, devices: b.batch.devices + 1 };
    if (b.ids.length < namesPerBatch) b.ids.push(a.deviceId);
    const date = dateText(localDateOf(e.time, timeZone));
    const dayKey = `${a.group ?? ''}|${date}`;
    const d = days.get(dayKey);
    if (d) d.updates++;
    else days.set(dayKey, { group: a.group, timeZone, date, updates: 1 });
  }
  // Events come in time order, and so do the batches (a Map keeps insertion order).
  const all = [...batches.values()];
  return {
    from: f.from,
    to: f.to,
    truncated: f.truncated,
    updates: f.events.length,
    batches: all.slice(0, maxBatches).map((b) => ({ ...b.batch, names: b.ids.map(label) })),
    more: Math.max(0, all.length - maxBatches),
    days: [...days.values()],
  };
}
