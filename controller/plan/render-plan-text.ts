// The plan as plain text for a terminal: the headline and fleet, a table per group, then the
// devices that change, refused ScheduledUpdate requests, blocked or failed entries, conflicts
// and the forecast, each cut at the view's limit. Pure.
import { displayName } from '../policy/manifest-keys.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { formatLocalTime } from './render-time.ts';
import { escapeText, joinLines } from '../output/escape.ts';
import {
  changeStates, clampText, deviceLabel, describeFleet, evidenceStillMissing, forecastByDevice, forecastHeader, groupRows, headline, modelOf, problemRows,
  refusalRows, rowsWhere, sortRows, versionText, whenText, zoneOf, type PlanView, type Row,
} from './plan-rows.ts';

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

function table(headers: string[], rows: string[][]): string[] {
  // Cells are escaped before they are measured, so a value shown as \x1b keeps its column.
  const escaped = rows.map((r) => r.map(escapeText));
  const widths = headers.map((h, i) => Math.max(h.length, ...escaped.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...escaped.map(line)];
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
