// The plan for people: plain text for a terminal, Markdown for a pull-request comment, and a
// JSON document for tools. A summary per group first, then the devices that change: to which
// version, at what local time, under which rule; clamps flagged; ScheduledUpdate requests that
// were refused, in every format and whatever rule decided the device (never hidden). Pure.
import type { Device, FleetIdentity } from '../model/fleet.ts';
import type { DevicePlan, EntryState, GroupSummary, Plan, PlanEntry, ScheduledRefusal } from '../model/plan.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import type { Forecast } from './forecast.ts';
import { formatLocalTime, formatUtc } from './render-time.ts';
import { escapeMarkdown, escapeText, joinLines, markdownCode } from '../output/escape.ts';
import { isScheduledRefusal, scheduledRefusals } from './plan-entries.ts';

export interface PlanView {
  readonly plan: Plan;
  /** The fleet the plan was computed on: named in every format. */
  readonly fleet: FleetIdentity;
  /** The fleet's devices by id (names and models for people). */
  readonly devices: ReadonlyMap<string, Device>;
  /** Problems of manifests left out of the plan, one line each (file:line:col message). */
  readonly invalid: readonly string[];
  readonly forecast?: Forecast;
  /** Most rows per section in text and Markdown. Default: 50. */
  readonly limit?: number;
}

interface Row {
  readonly device: DevicePlan;
  readonly entry: PlanEntry;
}

const changeStates: readonly EntryState[] = ['pending', 'scheduled', 'inProgress'];

/** A short name for a device: its serial, else its hardware unique id, else its id. */
export function deviceLabel(devices: ReadonlyMap<string, Device>, id: string): string {
  const d = devices.get(id);
  return d ? d.serialNumber || d.uniqueId || d.id : id;
}

function modelOf(devices: ReadonlyMap<string, Device>, id: string): string {
  return devices.get(id)?.model ?? '';
}

function zoneOf(plan: Plan, group: string | undefined): string {
  return plan.groups.find((g) => g.key === group)?.timeZone ?? 'UTC';
}

interface GroupRow {
  readonly name: string;
  readonly policy: string;
  readonly phase: string;
  readonly devices: number;
  readonly counts: Record<EntryState, number>;
  readonly next: string;
}

function emptyCounts(): Record<EntryState, number> {
  return { upToDate: 0, pending: 0, scheduled: 0, inProgress: 0, succeeded: 0, failed: 0, blocked: 0 };
}

function groupRows(plan: Plan): GroupRow[] {
  const byGroup = new Map<string | undefined, Record<EntryState, number>>();
  for (const d of plan.devices) {
    let c = byGroup.get(d.group);
    if (!c) byGroup.set(d.group, (c = emptyCounts()));
    for (const e of d.entries) c[e.state]++;
  }
  const rows = plan.groups.map((g: GroupSummary) => ({
    name: displayName(g.key),
    policy: g.policy ? displayName(g.policy) : g.missingPolicy ? `${displayName(g.missingPolicy)} (missing)` : '-',
    phase: g.license === 'Basic' ? `${g.phase} (Basic)` : g.phase,
    devices: g.deviceIds.length,
    counts: byGroup.get(g.key) ?? emptyCounts(),
    next: g.nextActionTime === undefined ? '-' : formatLocalTime(g.nextActionTime, g.timeZone),
  }));
  const ungrouped = byGroup.get(undefined);
  if (ungrouped) rows.push({ name: '(no group)', policy: '-', phase: '-', devices: plan.devices.filter((d) => d.group === undefined).length, counts: ungrouped, next: '-' });
  return rows;
}

function rowsWhere(plan: Plan, keep: (e: PlanEntry) => boolean): Row[] {
  const out: Row[] = [];
  for (const device of plan.devices) for (const entry of device.entries) if (keep(entry)) out.push({ device, entry });
  return out;
}

interface RefusalRow {
  readonly device: DevicePlan;
  readonly entry: PlanEntry;
  readonly refusal: ScheduledRefusal;
}

/** Every ScheduledUpdate request refused, whatever decided its entry (one engine value, every format). */
function refusalRows(plan: Plan): RefusalRow[] {
  const out: RefusalRow[] = [];
  for (const device of plan.devices) for (const entry of device.entries) for (const refusal of scheduledRefusals(entry)) out.push({ device, entry, refusal });
  return out;
}

/** Blocked or failed entries, less ScheduledUpdate refusals (they have their own section). */
function problemRows(plan: Plan): Row[] {
  return rowsWhere(plan, (e) => (e.state === 'blocked' && !isScheduledRefusal(e)) || e.state === 'failed');
}

function whenText(plan: Plan, row: Row): string {
  const e = row.entry;
  if (e.state === 'inProgress') return 'in progress';
  if (e.state === 'pending') return e.reason.code === 'Starting' ? 'now' : 'now, once a slot is free';
  if (e.earliestStart === undefined) return 'not yet known';
  return formatLocalTime(e.earliestStart, zoneOf(plan, row.device.group));
}

function versionText(e: PlanEntry): string {
  return `${e.currentVersion ?? '?'} → ${e.desiredVersion ?? '?'}`;
}

function clampText(plan: Plan, row: Row): string {
  const c = row.entry.clamp;
  if (!c) return '';
  const zone = zoneOf(plan, row.device.group);
  return `clamped: asked for ${formatLocalTime(c.requestedTime, zone)}, runs ${formatLocalTime(c.effectiveTime, zone)} (${c.reason})`;
}

function sortRows(rows: Row[]): Row[] {
  return rows.sort((a, b) => (a.entry.earliestStart ?? Infinity) - (b.entry.earliestStart ?? Infinity) || (a.device.group ?? '~').localeCompare(b.device.group ?? '~') || a.device.deviceId.localeCompare(b.device.deviceId));
}

function table(headers: string[], rows: string[][]): string[] {
  // Cells are escaped before they are measured, so a value shown as \x1b keeps its column.
  const escaped = rows.map((r) => r.map(escapeText));
  const widths = headers.map((h, i) => Math.max(h.length, ...escaped.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...escaped.map(line)];
}

function counted(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The fleet in one phrase: "emulator (seed 42, 500 devices) — not a real tenant" or "tenant contoso.onmicrosoft.com, global cloud". */
export function describeFleet(fleet: FleetIdentity): string {
  if (fleet.kind === 'emulator') return `emulator (seed ${fleet.seed}, ${counted(fleet.devices, 'device')}) — invented devices, not a real tenant`;
  const where = fleet.graphUrl.startsWith('http://') ? ` at ${fleet.graphUrl}` : '';
  return `tenant ${fleet.tenant ?? '(from managed identity)'}, ${fleet.cloud} cloud${where}`;
}

function headline(view: PlanView): string {
  const p = view.plan;
  const devices = new Set(p.devices.map((d) => d.deviceId)).size;
  const refused = refusalRows(p).length;
  return `firmwarden plan at ${formatUtc(p.now)}: ${counted(p.groups.length, 'group')}, ${counted(p.policies.length, 'policy').replace('policys', 'policies')}, ${counted(p.scheduledUpdates.length, 'scheduled update')}, ${counted(devices, 'device')} planned (${p.unmanaged.length} in no group), ${counted(p.actions.length, 'update')} to start now${refused > 0 ? `, ${counted(refused, 'ScheduledUpdate request')} REFUSED` : ''}`;
}

/** The plan as plain text. */
export function renderPlanText(view: PlanView): string {
  const { plan, devices } = view;
  const limit = view.limit ?? 50;
  const out: string[] = [headline(view), `Fleet: ${describeFleet(view.fleet)}`, ''];
  if (view.invalid.length) {
    out.push('Invalid manifests, left out of the plan:', ...view.invalid.map((l) => `  ${escapeText(l)}`), '');
  }
  // Two units side by side: devices, then updates (a device with six software types is six
  // updates). Say so, or "DEVICES 45 UP-TO-DATE 165" reads as a mistake.
  out.push('Groups (DEVICES counts devices; the columns after it count updates: one device × one software type)');
  out.push(...table(
    ['GROUP', 'POLICY', 'PHASE', 'DEVICES', 'UPDATES-UP-TO-DATE', 'START-NOW', 'SCHEDULED', 'IN-PROGRESS', 'FAILED', 'BLOCKED', 'NEXT START'],
    groupRows(plan).map((g) => [g.name, g.policy, g.phase, String(g.devices), String(g.counts.upToDate + g.counts.succeeded), String(g.counts.pending), String(g.counts.scheduled), String(g.counts.inProgress), String(g.counts.failed), String(g.counts.blocked), g.next]),
  ).map((l) => `  ${l}`));
  const section = (title: string, rows: Row[], columns: (r: Row) => string[], headers: string[]) => {
    if (rows.length === 0) return;
    out.push('', `${title} (${rows.length})`);
    out.push(...table(headers, rows.slice(0, limit).map(columns)).map((l) => `  ${l}`));
    if (rows.length > limit) out.push(`  … and ${rows.length - limit} more (--format json lists them all)`);
  };
  const changes = sortRows(rowsWhere(plan, (e) => changeStates.includes(e.state)));
  section('Devices that change', changes, (r) => [
    deviceLabel(devices, r.device.deviceId), modelOf(devices, r.device.deviceId), r.device.group ? displayName(r.device.group) : '-', softwareLabel[r.entry.softwareType],
    versionText(r.entry), whenText(plan, r), r.entry.rule.text, `${r.entry.reason.message}${r.entry.clamp ? ` [${clampText(plan, r)}]` : ''}`,
  ], ['DEVICE', 'MODEL', 'GROUP', 'SOFTWARE', 'VERSION', 'WHEN (LOCAL)', 'RULE', 'WHY']);
  const refusals = refusalRows(plan);
  if (refusals.length) {
    out.push('', `ScheduledUpdate requests refused (${refusals.length}): nothing starts for them; a person must change or delete the ScheduledUpdate`);
    out.push(...table(['DEVICE', 'GROUP', 'SOFTWARE', 'SCHEDULED UPDATE', 'VERSION', 'REASON', 'WHAT IT MEANS'], refusals.slice(0, limit).map((r) => [
      deviceLabel(devices, r.device.deviceId), r.device.group ? displayName(r.device.group) : '-', softwareLabel[r.entry.softwareType], displayName(r.refusal.scheduledUpdate),
      `${r.entry.currentVersion ?? '?'} → ${r.refusal.version ?? '?'}`, r.refusal.reason.code, r.refusal.reason.message,
    ])).map((l) => `  ${l}`));
    if (refusals.length > limit) out.push(`  … and ${refusals.length - limit} more (--format json lists them all)`);
  }
  const problems = problemRows(plan);
  section('Blocked or failed', problems, (r) => [
    deviceLabel(devices, r.device.deviceId), r.device.group ? displayName(r.device.group) : '-', softwareLabel[r.entry.softwareType], r.entry.state, r.entry.reason.code, r.entry.reason.message,
  ], ['DEVICE', 'GROUP', 'SOFTWARE', 'STATE', 'REASON', 'WHAT IT MEANS']);
  if (plan.conflicts.length) {
    out.push('', `Devices several groups select (${plan.conflicts.length})`);
    for (const c of plan.conflicts.slice(0, limit)) out.push(`  ${escapeText(deviceLabel(devices, c.deviceId))}: ${c.groups.map((g) => escapeText(displayName(g))).join(', ')} → ${escapeText(displayName(c.chosen))}: ${escapeText(c.reason)}`);
    if (plan.conflicts.length > limit) out.push(`  … and ${plan.conflicts.length - limit} more`);
  }
  if (view.forecast) out.push('', ...forecastText(view));
  return joinLines(out);
}

function forecastHeader(f: Forecast): string {
  const days = Math.round((f.to - f.from) / 86_400_000);
  return `Forecast for the next ${days} day${days === 1 ? '' : 's'} (assuming every update succeeds and no new version is released)${f.truncated ? ' — cut short: too many steps' : ''}`;
}

function forecastByDevice(view: PlanView): Map<string, Forecast['events'][number][]> {
  const byDevice = new Map<string, Forecast['events'][number][]>();
  for (const e of view.forecast!.events) {
    const list = byDevice.get(e.action.deviceId);
    if (list) list.push(e);
    else byDevice.set(e.action.deviceId, [e]);
  }
  return byDevice;
}

function forecastText(view: PlanView): string[] {
  const f = view.forecast!;
  const out = [forecastHeader(f)];
  const byDevice = forecastByDevice(view);
  if (byDevice.size === 0) out.push('  nothing starts in that time');
  const limit = view.limit ?? 50;
  const ids = [...byDevice.keys()].sort((a, b) => (byDevice.get(a)![0]!.time - byDevice.get(b)![0]!.time) || a.localeCompare(b));
  for (const id of ids.slice(0, limit)) {
    const events = byDevice.get(id)!;
    const group = events[0]!.action.group;
    out.push(`  ${escapeText(deviceLabel(view.devices, id))} (${escapeText(modelOf(view.devices, id))}${group ? `, ${escapeText(displayName(group))}` : ''})`);
    for (const e of events) {
      const a = e.action;
      out.push(`    ${escapeText(formatLocalTime(e.time, zoneOf(view.plan, a.group)))}  ${softwareLabel[a.softwareType]} ${escapeText(`${a.currentVersion ?? '?'} → ${a.version}`)}  ${escapeText(a.rule.text)}`);
    }
  }
  if (ids.length > limit) out.push(`  … and ${ids.length - limit} more devices`);
  for (const w of evidenceStillMissing(f)) out.push(`  still waiting at the end: ${escapeText(displayName(w.group))}, ${w.devices} device${w.devices === 1 ? '' : 's'}: ${escapeText(w.message)}`);
  return out;
}

/** What still waits for evidence when the forecast ends (versions.requireEvidence), per group and sentence. */
function evidenceStillMissing(f: Forecast): { group: string; message: string; devices: number }[] {
  const out = new Map<string, { group: string; message: string; devices: number }>();
  for (const d of f.last.devices) {
    for (const e of d.entries) {
      if (e.reason.code !== 'WaitingForEvidence' || e.state !== 'scheduled') continue;
      const key = `${d.group ?? ''}\u0000${e.reason.message}`;
      const w = out.get(key);
      if (w) w.devices++;
      else out.set(key, { group: d.group ?? '', message: e.reason.message, devices: 1 });
    }
  }
  return [...out.values()];
}

// Every value in the Markdown goes through md: it cannot leave its table cell, nor add a link or HTML.
const md = escapeMarkdown;

/** The plan as Markdown, to post as a pull-request comment. */
export function renderPlanMarkdown(view: PlanView): string {
  const { plan, devices } = view;
  const limit = view.limit ?? 50;
  const out: string[] = [`### firmwarden plan`, '', headline(view).replace(/^firmwarden plan at /, 'Evaluated at ') + '.', '', `Fleet: ${md(describeFleet(view.fleet))}.`, ''];
  if (view.fleet.kind === 'emulator') {
    out.push('> [!CAUTION]', '> This plan was computed on the built-in emulator, not on your tenant: its devices are invented.', '');
  }
  if (view.invalid.length) {
    out.push('> [!WARNING]', '> Invalid manifests, left out of the plan:', ...view.invalid.map((l) => `> - ${markdownCode(l)}`), '');
  }
  out.push('| Group | Policy | Phase | Devices | Updates up to date | Start now | Scheduled | In progress | Failed | Blocked | Next start (local) |', '|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const g of groupRows(plan)) {
    out.push(`| ${md(g.name)} | ${md(g.policy)} | ${md(g.phase)} | ${g.devices} | ${g.counts.upToDate + g.counts.succeeded} | ${g.counts.pending} | ${g.counts.scheduled} | ${g.counts.inProgress} | ${g.counts.failed} | ${g.counts.blocked} | ${md(g.next)} |`);
  }
  out.push('', '_Devices counts devices; the columns after it count updates (one device × one software type)._');
  const changes = sortRows(rowsWhere(plan, (e) => changeStates.includes(e.state)));
  out.push('', `#### Devices that change (${changes.length})`, '');
  if (changes.length === 0) out.push('Nothing changes.');
  else {
    out.push('| Device | Group | Software | Version | When (local) | Rule | Note |', '|---|---|---|---|---|---|---|');
    for (const r of changes.slice(0, limit)) {
      const when = whenText(plan, r);
      const note = r.entry.clamp ? `⚠️ ${clampText(plan, r)}` : r.entry.reason.message;
      out.push(`| ${md(deviceLabel(devices, r.device.deviceId))} (${md(modelOf(devices, r.device.deviceId))}) | ${r.device.group ? md(displayName(r.device.group)) : '-'} | ${softwareLabel[r.entry.softwareType]} | ${md(versionText(r.entry))} | ${when === 'now' ? '**now**' : md(when)} | ${md(r.entry.rule.text)} | ${md(note)} |`);
    }
    if (changes.length > limit) out.push('', `…and ${changes.length - limit} more.`);
  }
  // Refusals stay out of the folded details: the person who wrote the ScheduledUpdate must see them.
  const refusals = refusalRows(plan);
  if (refusals.length) {
    out.push('', `#### ⛔ ScheduledUpdate requests refused (${refusals.length})`, '', 'Nothing starts for these; change or delete the ScheduledUpdate.', '');
    out.push('| Device | Software | ScheduledUpdate | Version | Reason | What it means |', '|---|---|---|---|---|---|');
    for (const r of refusals.slice(0, limit)) {
      out.push(`| ${md(deviceLabel(devices, r.device.deviceId))} | ${softwareLabel[r.entry.softwareType]} | ${md(displayName(r.refusal.scheduledUpdate))} | ${md(`${r.entry.currentVersion ?? '?'} → ${r.refusal.version ?? '?'}`)} | ${md(r.refusal.reason.code)} | ${md(r.refusal.reason.message)} |`);
    }
    if (refusals.length > limit) out.push('', `…and ${refusals.length - limit} more.`);
  }
  const problems = problemRows(plan);
  if (problems.length) {
    out.push('', `<details><summary>Blocked or failed (${problems.length})</summary>`, '', '| Device | Software | Reason | What it means |', '|---|---|---|---|');
    for (const r of problems.slice(0, limit)) out.push(`| ${md(deviceLabel(devices, r.device.deviceId))} | ${softwareLabel[r.entry.softwareType]} | ${md(r.entry.reason.code)} | ${md(r.entry.reason.message)} |`);
    if (problems.length > limit) out.push('', `…and ${problems.length - limit} more.`);
    out.push('', '</details>');
  }
  if (plan.conflicts.length) {
    out.push('', `<details><summary>Devices several groups select (${plan.conflicts.length})</summary>`, '');
    for (const c of plan.conflicts.slice(0, limit)) out.push(`- ${md(deviceLabel(devices, c.deviceId))}: ${c.groups.map((g) => md(displayName(g))).join(', ')} → **${md(displayName(c.chosen))}** (${md(c.reason)})`);
    out.push('', '</details>');
  }
  if (view.forecast) {
    const f = view.forecast;
    out.push('', `#### ${forecastHeader(f)}`, '');
    const byDevice = forecastByDevice(view);
    if (byDevice.size === 0) out.push('Nothing starts in that time.');
    else {
      out.push('| When (local) | Device | Software | Version | Rule |', '|---|---|---|---|---|');
      const events = [...f.events].sort((a, b) => a.time - b.time || a.action.deviceId.localeCompare(b.action.deviceId));
      for (const e of events.slice(0, limit * 4)) {
        const a = e.action;
        out.push(`| ${md(formatLocalTime(e.time, zoneOf(plan, a.group)))} | ${md(deviceLabel(devices, a.deviceId))} | ${softwareLabel[a.softwareType]} | ${md(`${a.currentVersion ?? '?'} → ${a.version}`)} | ${md(a.rule.text)} |`);
      }
      if (events.length > limit * 4) out.push('', `…and ${events.length - limit * 4} more.`);
    }
    const missing = evidenceStillMissing(f);
    if (missing.length > 0) out.push('', ...missing.map((w) => `- Still waiting at the end: ${md(displayName(w.group))}, ${w.devices} device${w.devices === 1 ? '' : 's'}: ${md(w.message)}`));
  }
  return joinLines(out);
}

/** The plan as a JSON document (times as RFC 3339). */
export function planToJson(view: PlanView): unknown {
  const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
  const { plan } = view;
  return {
    now: iso(plan.now),
    fleet: view.fleet,
    invalid: view.invalid,
    groups: groupRows(plan).map((g) => ({ name: g.name, policy: g.policy, phase: g.phase, devices: g.devices, counts: g.counts })),
    devices: plan.devices.map((d) => ({
      deviceId: d.deviceId,
      name: deviceLabel(view.devices, d.deviceId),
      model: modelOf(view.devices, d.deviceId),
      group: d.group,
      policy: d.policy,
      wave: d.wave,
      software: d.entries.map((e) => ({ ...e, earliestStart: iso(e.earliestStart), clamp: e.clamp && { ...e.clamp, requestedTime: iso(e.clamp.requestedTime), effectiveTime: iso(e.clamp.effectiveTime) }, failure: e.failure && { ...e.failure, time: iso(e.failure.time) } })),
    })),
    actions: plan.actions.map((a) => ({ ...a, earliestStart: iso(a.earliestStart) })),
    refusals: refusalRows(plan).map((r) => ({
      deviceId: r.device.deviceId,
      name: deviceLabel(view.devices, r.device.deviceId),
      softwareType: r.entry.softwareType,
      scheduledUpdate: r.refusal.scheduledUpdate,
      currentVersion: r.entry.currentVersion,
      version: r.refusal.version,
      reason: r.refusal.reason,
    })),
    conflicts: plan.conflicts,
    unmanaged: plan.unmanaged,
    nextActionTime: iso(plan.nextActionTime),
    ...(view.forecast ? { forecast: { from: iso(view.forecast.from), to: iso(view.forecast.to), truncated: view.forecast.truncated, events: view.forecast.events.map((e) => ({ time: iso(e.time), ...e.action, earliestStart: undefined })) } } : {}),
  };
}
