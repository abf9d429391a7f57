// What the plan's renderers share: the view they render, and its rows — per group, devices that
// change, ScheduledUpdate requests refused, blocked or failed entries, the forecast by device —
// with the words every format uses for them. Pure.
import type { Device, FleetIdentity } from '../model/fleet.ts';
import type { DevicePlan, EntryState, GroupSummary, Plan, PlanEntry, ScheduledRefusal } from '../model/plan.ts';
import { displayName } from '../policy/manifest-keys.ts';
import type { Forecast } from './forecast.ts';
import { formatLocalTime, formatUtc } from './render-time.ts';
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

export interface Row {
  readonly device: DevicePlan;
  readonly entry: PlanEntry;
}

export const changeStates: readonly EntryState[] = ['pending', 'scheduled', 'inProgress'];

/** A short name for a device: its serial, else its hardware unique id, else its id. */
export function deviceLabel(devices: ReadonlyMap<string, Device>, id: string): string {
  const d = devices.get(id);
  return d ? d.serialNumber || d.uniqueId || d.id : id;
}

export function modelOf(devices: ReadonlyMap<string, Device>, id: string): string {
  return devices.get(id)?.model ?? '';
}

export function zoneOf(plan: Plan, group: string | undefined): string {
  return plan.groups.find((g) => g.key === group)?.timeZone ?? 'UTC';
}

export interface GroupRow {
  readonly name: string;
  readonly policy: string;
  readonly phase: string;
  readonly devices: number;
  readonly counts: Record<EntryState, number>;
  readonly next: string;
}

export function emptyCounts(): Record<EntryState, number> {
  return { upToDate: 0, pending: 0, scheduled: 0, inProgress: 0, succeeded: 0, failed: 0, blocked: 0 };
}

export function groupRows(plan: Plan): GroupRow[] {
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

export function rowsWhere(plan: Plan, keep: (e: PlanEntry) => boolean): Row[] {
  const out: Row[] = [];
  for (const device of plan.devices) for (const entry of device.entries) if (keep(entry)) out.push({ device, entry });
  return out;
}

export interface RefusalRow {
  readonly device: DevicePlan;
  readonly entry: PlanEntry;
  readonly refusal: ScheduledRefusal;
}

/** Every ScheduledUpdate request refused, whatever decided its entry (one engine value, every format). */
export function refusalRows(plan: Plan): RefusalRow[] {
  const out: RefusalRow[] = [];
  for (const device of plan.devices) for (const entry of device.entries) for (const refusal of scheduledRefusals(entry)) out.push({ device, entry, refusal });
  return out;
}

/** Blocked or failed entries, less ScheduledUpdate refusals (they have their own section). */
export function problemRows(plan: Plan): Row[] {
  return rowsWhere(plan, (e) => (e.state === 'blocked' && !isScheduledRefusal(e)) || e.state === 'failed');
}

export function whenText(plan: Plan, row: Row): string {
  const e = row.entry;
  if (e.state === 'inProgress') return 'in progress';
  if (e.state === 'pending') return e.reason.code === 'Starting' ? 'now' : 'now, once a slot is free';
  if (e.earliestStart === undefined) return 'not yet known';
  return formatLocalTime(e.earliestStart, zoneOf(plan, row.device.group));
}

export function versionText(e: PlanEntry): string {
  return `${e.currentVersion ?? '?'} → ${e.desiredVersion ?? '?'}`;
}

export function clampText(plan: Plan, row: Row): string {
  const c = row.entry.clamp;
  if (!c) return '';
  const zone = zoneOf(plan, row.device.group);
  return `clamped: asked for ${formatLocalTime(c.requestedTime, zone)}, runs ${formatLocalTime(c.effectiveTime, zone)} (${c.reason})`;
}

export function sortRows(rows: Row[]): Row[] {
  return rows.sort((a, b) => (a.entry.earliestStart ?? Infinity) - (b.entry.earliestStart ?? Infinity) || (a.device.group ?? '~').localeCompare(b.device.group ?? '~') || a.device.deviceId.localeCompare(b.device.deviceId));
}

export function counted(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The fleet in one phrase: "emulator (seed 42, 500 devices) — not a real tenant" or "tenant contoso.onmicrosoft.com, global cloud". */
export function describeFleet(fleet: FleetIdentity): string {
  if (fleet.kind === 'emulator') return `emulator (seed ${fleet.seed}, ${counted(fleet.devices, 'device')}) — invented devices, not a real tenant`;
  const where = fleet.graphUrl.startsWith('http://') ? ` at ${fleet.graphUrl}` : '';
  return `tenant ${fleet.tenant ?? '(from managed identity)'}, ${fleet.cloud} cloud${where}`;
}

export function headline(view: PlanView): string {
  const p = view.plan;
  const devices = new Set(p.devices.map((d) => d.deviceId)).size;
  const refused = refusalRows(p).length;
  return `firmwarden plan at ${formatUtc(p.now)}: ${counted(p.groups.length, 'group')}, ${counted(p.policies.length, 'policy').replace('policys', 'policies')}, ${counted(p.scheduledUpdates.length, 'scheduled update')}, ${counted(devices, 'device')} planned (${p.unmanaged.length} in no group), ${counted(p.actions.length, 'update')} to start now${refused > 0 ? `, ${counted(refused, 'ScheduledUpdate request')} REFUSED` : ''}`;
}

export function forecastHeader(f: Forecast): string {
  const days = Math.round((f.to - f.from) / 86_400_000);
  return `Forecast for the next ${days} day${days === 1 ? '' : 's'} (assuming every update succeeds and no new version is released)${f.truncated ? ' — cut short: too many steps' : ''}`;
}

export function forecastByDevice(view: PlanView): Map<string, Forecast['events'][number][]> {
  const byDevice = new Map<string, Forecast['events'][number][]>();
  for (const e of view.forecast!.events) {
    const list = byDevice.get(e.action.deviceId);
    if (list) list.push(e);
    else byDevice.set(e.action.deviceId, [e]);
  }
  return byDevice;
}

/** What still waits for evidence when the forecast ends (versions.requireEvidence), per group and sentence. */
export function evidenceStillMissing(f: Forecast): { group: string; message: string; devices: number }[] {
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
