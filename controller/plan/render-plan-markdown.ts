// The plan as Markdown for a pull-request comment: the same sections as the text, in tables,
// with blocked entries and conflicts folded away and refusals never folded. Pure.
import { displayName } from '../policy/manifest-keys.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { formatLocalTime } from './render-time.ts';
import { escapeMarkdown, joinLines, markdownCode } from '../output/escape.ts';
import {
  changeStates, clampText, deviceLabel, describeFleet, evidenceStillMissing, forecastByDevice, forecastHeader, groupRows, headline, modelOf, problemRows,
  refusalRows, rowsWhere, sortRows, versionText, whenText, zoneOf, type PlanView,
} from './plan-rows.ts';

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
