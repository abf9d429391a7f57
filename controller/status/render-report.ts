// The fleet report: one Markdown file (FLEET.md) the controller writes into the config
// repository with its status commits, which GitHub and GitLab render: progress per group and
// wave counted in devices, the devices that failed or were refused with why, clamped schedules,
// the next maintenance windows in each group's local time with its zone, and a Mermaid gantt of
// what the forecast starts over the coming days. Manifest files the source left out (too large, a
// link outside it) come first: nothing else tells people their manifests are not being read.
//
// Rendered from the Plan the controller decided with (and a forecast simulated from the same
// input), so the report never disagrees with the statuses. Deterministic, because every change
// is a commit: no "generated at", no time relative to now, only the plan's own instants; the
// gantt is drawn in whole local days, so a forecast simulated a few minutes later draws the same
// bars; every list is sorted and bounded. Every value from a manifest or a device goes through
// escapeMarkdown (or escapeMermaid inside the diagram). Pure.
import type { SoftwareType } from '../model/fleet.ts';
import type { OmittedFile } from '../model/source.ts';
import type { DevicePlan, Plan } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import { escapeMarkdown, escapeMermaid, joinLines, markdownCode } from '../output/escape.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { dateText, localDateOf } from '../policy/zoned-time.ts';
import type { Forecast } from '../plan/forecast.ts';
import { scheduledRefusals } from '../plan/plan-entries.ts';
import { formatLocalTime } from '../plan/render-time.ts';
import { liveDeviceState, type LiveState } from './live-state.ts';

/** What the report draws of a forecast (its events, not its final plan). */
export type ReportForecast = Pick<Forecast, 'from' | 'to' | 'truncated' | 'events'>;

export interface FleetReportView {
  /** The plan the controller decided with. */
  readonly plan: Plan;
  /** A device as an admin knows it: display name, asset tag, then id (people-fields.ts deviceLabel). */
  readonly deviceLabel: (deviceId: string) => string;
  /** The forecast simulated from the plan's input; undefined: the gantt section says why not (`noForecast`). */
  readonly forecast: ReportForecast | undefined;
  /** Why there is no forecast, e.g. "more than 5000 devices". */
  readonly noForecast?: string;
  /** Rows per list (failed, refused, clamps) before "and N more". Default: 20. */
  readonly limit?: number;
  /** Bars in the gantt before "and N more". Default: 60. */
  readonly ganttBars?: number;
  /** Manifest files the source left out, with why. Default: none (and no section). */
  readonly omitted?: readonly OmittedFile[];
}

/** The device states counted, in the columns' order. */
const columns: readonly (readonly [Exclude<LiveState, 'notRead'>, string])[] = [
  ['upToDate', 'Up to date'],
  ['waiting', 'Waiting'],
  ['inProgress', 'In progress'],
  ['failed', 'Failed'],
  ['refused', 'Refused'],
  ['blocked', 'Blocked'],
];
type Counts = Record<Exclude<LiveState, 'notRead'>, number>;
const empty = (): Counts => ({ upToDate: 0, waiting: 0, inProgress: 0, failed: 0, refused: 0, blocked: 0 });

const md = escapeMarkdown;
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The report as Markdown (GitHub and GitLab flavoured), ending with a newline. */
export function renderFleetReport(view: FleetReportView): string {
  const limit = view.limit ?? 20;
  const out: string[] = [
    '# Fleet report',
    '',
    'Written by firmwarden with each status change from the plan it acts on; edits are overwritten. ' +
      'Devices are counted once, by the software update that most needs attention; times are local to each group, with the zone.',
    '',
  ];
  out.push(...omittedFiles(view.omitted ?? [], limit));
  out.push(...progress(view), '');
  out.push(...attention(view, limit));
  out.push(...clamps(view, limit));
  out.push(...windows(view.plan));
  out.push(...gantt(view));
  return joinLines(out);
}

/** The files left out, when there are any: their manifests get no status, so this is where it shows. */
function omittedFiles(files: readonly OmittedFile[], limit: number): string[] {
  if (files.length === 0) return [];
  const out = [`## Files left out (${files.length})`, '', 'These files were not read: firmwarden does not act on the manifests in them and writes them no status. Fix what each says and push again.', '', '| File | Why |', '|---|---|'];
  const sorted = [...files].sort((a, b) => compare(a.path, b.path));
  for (const f of sorted.slice(0, limit)) out.push(`| ${md(f.path)} | ${md(f.reason)} |`);
  if (files.length > limit) out.push('', `…and ${files.length - limit} more.`);
  return [...out, ''];
}

function zoneOf(plan: Plan, group: string | undefined): string {
  return plan.groups.find((g) => g.key === group)?.timeZone ?? 'UTC';
}

function groupText(group: string | undefined): string {
  return group === undefined ? '(no group)' : md(displayName(group));
}

function progress(view: FleetReportView): string[] {
  const { plan } = view;
  const byGroup = new Map<string | undefined, Map<number | undefined, Counts>>();
  for (const device of plan.devices) {
    const state = liveDeviceState(device);
    if (state === 'notRead') continue;
    let waves = byGroup.get(device.group);
    if (!waves) byGroup.set(device.group, (waves = new Map()));
    let counts = waves.get(device.wave);
    if (!counts) waves.set(device.wave, (counts = empty()));
    counts[state]++;
  }
  const out = ['## Progress', '', `| Group | Wave | Devices | ${columns.map(([, label]) => label).join(' | ')} |`, `|---|---|--:|${columns.map(() => '--:').join('|')}|`];
  const keys = [...plan.groups.map((g) => g.key as string | undefined), ...(byGroup.has(undefined) ? [undefined] : [])];
  const row = (group: string, wave: string, counts: Counts) => {
    const total = columns.reduce((n, [k]) => n + counts[k], 0);
    out.push(`| ${group} | ${wave} | ${total} | ${columns.map(([k]) => counts[k]).join(' | ')} |`);
  };
  for (const key of keys) {
    const waves = byGroup.get(key) ?? new Map<number | undefined, Counts>();
    const all = empty();
    for (const counts of waves.values()) for (const [k] of columns) all[k] += counts[k];
    row(`**${groupText(key)}**`, waves.size > 1 ? 'all' : [...waves.keys()][0] === undefined ? '-' : String([...waves.keys()][0]), all);
    if (waves.size > 1) {
      const order = [...waves.keys()].sort((a, b) => (a ?? Infinity) - (b ?? Infinity));
      for (const wave of order) row('', wave === undefined ? '-' : String(wave), waves.get(wave)!);
    }
  }
  if (keys.length === 0) out.push('| (no groups) | - | 0 | 0 | 0 | 0 | 0 | 0 | 0 |');
  return out;
}

interface Problem {
  readonly deviceId: string;
  readonly group: string | undefined;
  readonly software: SoftwareType;
  readonly version: string;
  readonly reason: string;
}

/** "1.0 → 1.1", or the installed version alone when no version is asked for (unknown firmware). */
function versionText(current: string | null, wanted: string | undefined): string {
  return wanted === undefined ? (current ?? 'unknown') : `${current ?? '?'} → ${wanted}`;
}

function problems(plan: Plan): { failed: Problem[]; refused: Problem[] } {
  const failed: Problem[] = [];
  const refused: Problem[] = [];
  const base = (device: DevicePlan, software: SoftwareType) => ({ deviceId: device.deviceId, group: device.group, software });
  for (const device of plan.devices) {
    for (const e of device.entries) {
      if (e.state === 'failed') {
        const code = e.failure?.code ? `${e.failure.code}: ` : '';
        failed.push({ ...base(device, e.softwareType), version: versionText(e.currentVersion, e.desiredVersion), reason: `${code}${e.reason.message}` });
      }
      const byScheduled = scheduledRefusals(e);
      for (const r of byScheduled) {
        refused.push({ ...base(device, e.softwareType), version: versionText(e.currentVersion, r.version), reason: `${r.reason.code} (${displayName(r.scheduledUpdate)}): ${r.reason.message}` });
      }
      if (byScheduled.length === 0 && e.state === 'blocked' && RefusalCodes.has(e.reason.code)) {
        refused.push({ ...base(device, e.softwareType), version: versionText(e.currentVersion, e.desiredVersion), reason: `${e.reason.code}: ${e.reason.message}` });
      }
    }
  }
  // plan.devices is sorted by group then device id; within a device, the API's software order.
  return { failed, refused };
}

function attention(view: FleetReportView, limit: number): string[] {
  const { failed, refused } = problems(view.plan);
  const out: string[] = [];
  const list = (title: string, rows: Problem[], versionHeader: string) => {
    out.push(`## ${title} (${rows.length})`, '');
    if (rows.length === 0) {
      out.push('None.', '');
      return;
    }
    out.push(`| Device | Group | Software | ${versionHeader} | Why |`, '|---|---|---|---|---|');
    for (const r of rows.slice(0, limit)) {
      out.push(`| ${md(view.deviceLabel(r.deviceId))} | ${groupText(r.group)} | ${softwareLabel[r.software]} | ${md(r.version)} | ${md(r.reason)} |`);
    }
    if (rows.length > limit) out.push('', `…and ${rows.length - limit} more.`);
    out.push('');
  };
  list('Failed', failed, 'Version');
  list('Refused', refused, 'Requested');
  return out;
}

function clamps(view: FleetReportView, limit: number): string[] {
  const { plan } = view;
  const groupOf = new Map(plan.devices.map((d) => [d.deviceId, d.group]));
  const rows = plan.clamps;
  const out = [`## Schedules moved earlier (${rows.length})`, ''];
  if (rows.length === 0) return [...out, 'None: no scheduled time was later than its phase allows.', ''];
  out.push('| Device | Software | Version | Asked for (local) | Runs (local) | Why |', '|---|---|---|---|---|---|');
  for (const c of rows.slice(0, limit)) {
    const zone = zoneOf(plan, groupOf.get(c.deviceId));
    out.push(`| ${md(view.deviceLabel(c.deviceId))} | ${softwareLabel[c.softwareType]} | ${md(c.version)} | ${md(formatLocalTime(c.requestedTime, zone))} | ${md(formatLocalTime(c.effectiveTime, zone))} | ${md(c.reason)} |`);
  }
  if (rows.length > limit) out.push('', `…and ${rows.length - limit} more.`);
  return [...out, ''];
}

function windows(plan: Plan): string[] {
  const out = ['## Next maintenance windows', ''];
  if (plan.groups.length === 0) return [...out, 'No groups.', ''];
  out.push('| Group | Window | Opens (local) | Closes (local) | Freeze now |', '|---|---|---|---|---|');
  for (const g of plan.groups) {
    const w = g.nextWindow;
    const freeze = g.freeze ? `${g.freeze.name} (${g.freeze.from} to ${g.freeze.to}${g.freeze.reason ? `: ${g.freeze.reason}` : ''})` : '';
    out.push(
      w === undefined
        ? `| ${groupText(g.key)} | none | - | - | ${md(freeze) || '-'} |`
        : `| ${groupText(g.key)} | ${md(w.name)} | ${md(formatLocalTime(w.start, g.timeZone))} | ${md(formatLocalTime(w.end, g.timeZone))} | ${md(freeze) || '-'} |`,
    );
  }
  return [...out, ''];
}

interface Bar {
  readonly group: string | undefined;
  readonly zone: string;
  readonly wave: number | undefined;
  readonly software: SoftwareType;
  readonly versions: Set<string>;
  first: string;
  last: string;
  readonly devices: Set<string>;
}

function localDate(ms: number, zone: string): string {
  return dateText(localDateOf(ms, zone));
}

/** Whole days from `a` to `b` (YYYY-MM-DD), plus one: a bar covers its last day. */
function daysInclusive(a: string, b: string): number {
  return Temporal.PlainDate.from(a).until(b).days + 1;
}

function gantt(view: FleetReportView): string[] {
  const f = view.forecast;
  const out = ['## What updates when'];
  if (f === undefined) return [...out, '', `No forecast: ${md(view.noForecast ?? 'not computed')}; ${markdownCode('firmwarden plan --forecast 30')} shows one.`];
  const days = Math.round((f.to - f.from) / 86_400_000);
  out.push('', `The forecast for the next ${days} days, in each group's local days: it assumes every update succeeds and no new version is released${f.truncated ? '; it was cut short (too many steps), so later updates are missing' : ''}.`, '');
  const bars = new Map<string, Bar>();
  for (const e of f.events) {
    const a = e.action;
    const zone = zoneOf(view.plan, a.group);
    const date = localDate(e.time, zone);
    // One bar per group, wave and software type: firmware versions differ by model, and a bar per
    // version would list the models rather than the rollout.
    const key = `${a.group ?? ''}|${a.wave ?? ''}|${a.softwareType}`;
    const bar = bars.get(key);
    if (bar === undefined) bars.set(key, { group: a.group, zone, wave: a.wave, software: a.softwareType, versions: new Set([a.version]), first: date, last: date, devices: new Set([a.deviceId]) });
    else {
      if (date < bar.first) bar.first = date;
      if (date > bar.last) bar.last = date;
      bar.devices.add(a.deviceId);
      bar.versions.add(a.version);
    }
  }
  if (bars.size === 0) return [...out, 'Nothing is forecast to start in that time.'];
  const sorted = [...bars.values()].sort(
    (a, b) => compare(a.group ?? '\uffff', b.group ?? '\uffff') || compare(a.first, b.first) || (a.wave ?? Infinity) - (b.wave ?? Infinity) || compare(a.software, b.software),
  );
  const max = view.ganttBars ?? 60;
  out.push('```mermaid', 'gantt', `    title Updates forecast for the next ${days} days`, '    dateFormat YYYY-MM-DD', '    axisFormat %d %b');
  let section: string | null = null;
  for (const bar of sorted.slice(0, max)) {
    const name = bar.group === undefined ? 'no group' : displayName(bar.group);
    if (name !== section) {
      out.push(`    section ${escapeMermaid(name) || '-'}`);
      section = name;
    }
    const wave = bar.wave === undefined ? 'Scheduled' : `Wave ${bar.wave}`;
    const count = `${bar.devices.size} device${bar.devices.size === 1 ? '' : 's'}`;
    // The name starts with a fixed word, so no value can begin a statement of its own.
    const version = bar.versions.size === 1 ? [...bar.versions][0]! : `${bar.versions.size} versions`;
    out.push(`    ${wave} ${escapeMermaid(`${softwareLabel[bar.software]} ${version}, ${count}`)} : ${bar.first}, ${daysInclusive(bar.first, bar.last)}d`);
  }
  out.push('```');
  if (sorted.length > max) out.push('', `…and ${sorted.length - max} more bars; ${markdownCode('firmwarden plan --forecast 30')} lists every update.`);
  return out;
}
