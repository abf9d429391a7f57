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
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { Plan } from '../model/plan.ts';
import { displayName, objectKey } from '../policy/manifest-keys.ts';
import { escapeText } from '../output/escape.ts';
import type { LabelledDevice } from './people-fields.ts';
import type { ForecastTimeline } from './forecast-timeline.ts';
import { forecastView, type LiveForecast } from './live-forecast.ts';
import { liveGroups, type LiveGroup } from './live-groups.ts';
import { livePolicies, type LivePolicy, type LiveStop } from './live-policies.ts';
import { problemKinds, problemsOf, type LiveProblem } from './live-problems.ts';
import { liveScheduledUpdates, type LiveScheduled } from './live-scheduled.ts';
import { LiveStates, liveStateText, tallyOf, type LiveState, type LiveTally } from './live-state.ts';
import { liveTime, type LiveTime } from './live-time.ts';

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

/** What the view is built from: one reconcile's plan, statuses and policies, and the latest forecast timeline. */
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

/** The page's model from one reconcile's plan and statuses, and the latest forecast timeline. */
export function buildLiveView(input: LiveViewInput): LiveView {
  const { plan } = input;
  const now = plan.now;
  const statusByKey = new Map<string, unknown>();
  for (const s of input.statuses) if (s.key) statusByKey.set(`${s.key.kind}/${objectKey({ name: s.key.name, ...(s.key.namespace ? { namespace: s.key.namespace } : {}) })}`, s.status);
  const policyByKey = new Map(input.policies.map((p) => [objectKey(p.metadata), p]));
  const zoneOfGroup = new Map(plan.groups.map((g) => [g.key, g.timeZone]));
  const groups = liveGroups(plan, policyByKey, statusByKey);
  const { policies, stops } = livePolicies(plan, statusByKey);
  const scheduledUpdates = liveScheduledUpdates(plan, statusByKey);
  const problems = problemsOf(plan, input.label, (g) => (g === undefined ? undefined : zoneOfGroup.get(g)));
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
    problemKinds: problemKinds(problems),
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
