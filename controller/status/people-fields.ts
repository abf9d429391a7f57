// The status fields written for people, short whatever the fleet size: where each rollout stands
// (currentWave), the next maintenance window in local time with its zone (nextWindowLocal),
// and at most five devices that failed or were refused, named as an admin knows them
// (needsAttention). In a Git repository or folder the status is reviewed in pull-request
// diffs, so summaryOnly() keeps these and leaves the long lists (per-device detail, the release
// calendar) to the Kubernetes status subresource and to .firmwarden/releases.json. Pure.
import type { Device, SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { DevicePlan, PlanEntry, RolloutView, WindowView } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import { forEachEntry, scheduledRefusals } from '../plan/plan-entries.ts';
import { formatLocal, localDateOf, weekdayOf } from '../policy/zoned-time.ts';
import { waitingWords } from './waiting-words.ts';

/** Devices named in needsAttention before "and N more devices". */
export const attentionLimit = 5;

/** How much a status says: `summary` for files people review, `full` for the Kubernetes status subresource. */
export type StatusDetail = 'summary' | 'full';

/** Status fields kept in a summary: short whatever the number of devices, releases or groups. */
const summaryKeys: ReadonlySet<string> = new Set([
  'observedGeneration', 'observedSpecDigest', 'conditions', 'devices', 'phase', 'suspended', 'updates', 'currentWave',
  'nextWindowLocal', 'nextActionTime', 'scheduledTime', 'completionTime', 'needsAttention', 'refused',
]);

/** The status without its long lists (failing, refusals, clamps, conflicts, rollouts, releases, groups, nextWindow, counts). */
export function summaryOnly<T extends object>(status: T): T {
  return Object.fromEntries(Object.entries(status).filter(([k]) => summaryKeys.has(k))) as T;
}

/** Most lines a summary takes in a manifest, its `status:` line included. */
export const maxSummaryLines = 40;

/** Lines of a scalar: one, or a block (`|-` and one line per line) when the text has line breaks. */
function scalarLines(value: unknown): number {
  return typeof value === 'string' && value.includes('\n') ? 2 + value.split('\n').length - 1 : 1;
}

function valueLines(value: unknown): number {
  if (Array.isArray(value)) return value.length === 0 ? 1 : 1 + value.reduce<number>((n, item) => n + itemLines(item), 0);
  if (value !== null && typeof value === 'object') return Object.keys(value).length === 0 ? 1 : 1 + entriesLines(value);
  return scalarLines(value);
}

/** A list item: a mapping's first entry shares the dash's line. */
function itemLines(item: unknown): number {
  if (Array.isArray(item)) return valueLines(item);
  if (item !== null && typeof item === 'object') return Math.max(1, entriesLines(item));
  return scalarLines(item);
}

function entriesLines(map: object): number {
  return Object.values(map).reduce<number>((n, v) => (v === undefined ? n : n + valueLines(v)), 0);
}

/**
 * Lines the status takes as block YAML, as the status writer renders it (one line per scalar,
 * no folding; a text with line breaks as a block), its `status:` line included.
 */
export function statusLineCount(status: object): number {
  return 1 + entriesLines(status);
}

/**
 * A summary within maxSummaryLines: when the rest of the status is long (many refusal reasons,
 * long conditions), needsAttention names fewer devices and counts the others in its last line.
 * `attention(limit)` gives needsAttention naming at most `limit` devices.
 */
export function fitSummary<T extends { needsAttention?: unknown }>(status: T, attention: (limit: number) => string[] | undefined): T {
  let fitted = status;
  for (let limit = attentionLimit - 1; limit >= 0 && fitted.needsAttention !== undefined && statusLineCount(fitted) > maxSummaryLines; limit--) {
    fitted = { ...fitted, needsAttention: attention(limit) };
  }
  return fitted;
}

/** Control characters and runs of blanks become one space: a device's name cannot add lines to a status. */
function clean(text: string | null | undefined, max = 80): string {
  return (text ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim().slice(0, max);
}

/** The device facts a label is made of. */
export type LabelledDevice = Pick<Device, 'id' | 'uniqueId' | 'serialNumber' | 'companyAssetTag'> & {
  readonly currentUserName?: string | null;
  readonly deviceType?: Device['deviceType'];
};

/**
 * Device types signed in with a room's resource account: their signed-in name is the room's.
 * On a phone or a personal display it is a person's name, which has no place in a config
 * repository's history (labels end up in committed statuses and reports).
 */
const roomAccountTypes: ReadonlySet<string> = new Set(['teamsRoom', 'surfaceHub', 'collaborationBar', 'touchConsole', 'teamsPanel']);

/**
 * A device as an admin knows it: its display name (the room's resource account on room
 * devices; else the hardware id or serial number), its asset tag, then its id.
 * "Room 4.12 Paris, asset IT-00042, id 0574ab1c-…".
 */
export function deviceLabel(deviceId: string, device: LabelledDevice | undefined): string {
  const room = device?.deviceType === undefined || roomAccountTypes.has(device.deviceType) ? clean(device?.currentUserName) : '';
  const name = room || clean(device?.uniqueId) || clean(device?.serialNumber);
  const asset = clean(device?.companyAssetTag);
  return [name, asset ? `asset ${asset}` : '', `id ${clean(deviceId, 128)}`].filter(Boolean).join(', ');
}

/** An instant in a zone, as people read it: "Mon 2027-02-22 22:00". */
function localText(ms: number, timeZone: string): string {
  return `${weekdays[weekdayOf(localDateOf(ms, timeZone))]} ${formatLocal(ms, timeZone)}`;
}
const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** "Mon 2027-02-22 22:00 to Tue 2027-02-23 05:00 America/New_York (weeknights)"; the end without its date on the same day. */
export function windowText(window: WindowView | undefined, timeZone: string): string | undefined {
  if (!window) return undefined;
  const zone = window.timeZone ?? timeZone;
  const sameDay = formatLocal(window.start, zone).slice(0, 10) === formatLocal(window.end, zone).slice(0, 10);
  const end = sameDay ? formatLocal(window.end, zone).slice(11) : localText(window.end, zone);
  return `${localText(window.start, zone)} to ${end} ${zone}${window.name ? ` (${clean(window.name, 63)})` : ''}`;
}

/** One rollout in words: "firmware 122.22.1: wave 2 of 3, waiting for a maintenance window". */
function rolloutText(r: RolloutView, timeZone: string): string {
  const head = `${r.softwareType}${r.version ? ` ${clean(r.version, 64)}` : ''}`;
  const wave = r.wave === undefined ? `${r.waves} wave${r.waves === 1 ? '' : 's'}, none started` : `wave ${r.wave} of ${r.waves}`;
  const failed = r.failed > 0 ? ` (${r.failed} of ${r.completed} finished failed)` : '';
  switch (r.state) {
    case 'Progressing':
      return `${head}: ${wave}, updating${failed}`;
    case 'Baking':
      return `${head}: ${wave} done, baking${r.bakeUntil === undefined ? '' : ` until ${localText(r.bakeUntil, timeZone)} ${timeZone}`}${failed}`;
    case 'Waiting':
      return `${head}: ${wave}, waiting for ${waitingWords(r.waitingFor, "a maintenance window or the phase's delay")}${failed}`;
    case 'Complete':
      return `${head}: complete${failed}`;
    case 'Stopped':
      return `${head}: stopped in ${wave}${r.stoppedTime === undefined ? '' : ` on ${localText(r.stoppedTime, timeZone)} ${timeZone}`} by the failure threshold${failed}`;
    case 'Suspended':
      return `${head}: suspended in ${wave}`;
  }
}

/** Every rollout in one line, in software type order; undefined without rollouts. */
export function currentWaveText(rollouts: readonly RolloutView[], timeZone: string): string | undefined {
  if (rollouts.length === 0) return undefined;
  const order = (t: SoftwareType) => SoftwareTypes.indexOf(t);
  return [...rollouts].sort((a, b) => order(a.softwareType) - order(b.softwareType)).map((r) => rolloutText(r, timeZone)).join('; ');
}

/** What went wrong for one device: its failed updates and its refusals. */
interface DeviceTrouble {
  readonly deviceId: string;
  /** 0: an update failed; 1: refused, a person must act; 2: left alone on purpose (unknown firmware). */
  rank: number;
  lastFailure: number;
  readonly what: string[];
}

function isAutomaticRefusal(e: PlanEntry): boolean {
  return e.scheduledUpdate === undefined && e.state === 'blocked' && RefusalCodes.has(e.reason.code);
}

/**
 * At most five devices whose update failed or was refused, failures first (latest first), then
 * refusals a person must resolve, then devices left alone on purpose (unknown firmware), each
 * "<label>: firmware 8.19.10 failed (InstallationFailed)"; then "and N more devices".
 */
export function needsAttention(devices: readonly DevicePlan[], label: (deviceId: string) => string, limit = attentionLimit): string[] | undefined {
  // Entries are read where they are, not copied with their device (locateEntries): this runs for
  // every manifest on every evaluation, over every device of it (issue 17).
  const byDevice = new Map<string, DeviceTrouble>();
  const version = (v: string | undefined) => (v ? ` ${clean(v, 64)}` : '');
  forEachEntry(devices, (d, e) => {
    if (!(e.state === 'failed' || (e.state === 'blocked' && RefusalCodes.has(e.reason.code)) || (e.refused?.length ?? 0) > 0)) return;
    let t = byDevice.get(d.deviceId);
    if (!t) byDevice.set(d.deviceId, (t = { deviceId: d.deviceId, rank: 3, lastFailure: -Infinity, what: [] }));
    if (e.state === 'failed') {
      t.what.push(`${e.softwareType}${version(e.desiredVersion)} failed${e.failure?.code ? ` (${clean(e.failure.code, 64)})` : ''}`);
      t.rank = 0;
      t.lastFailure = Math.max(t.lastFailure, e.failure?.time ?? 0);
    }
    if (isAutomaticRefusal(e)) {
      t.what.push(`${e.softwareType}${version(e.desiredVersion)} refused (${e.reason.code})`);
      t.rank = Math.min(t.rank, e.reason.code === 'UnknownFirmware' ? 2 : 1);
    }
    for (const r of scheduledRefusals(e)) {
      t.what.push(`${e.softwareType}${version(r.version)} refused (${r.reason.code})`);
      t.rank = Math.min(t.rank, 1);
    }
  });
  const troubled = [...byDevice.values()].filter((t) => t.what.length > 0);
  if (troubled.length === 0) return undefined;
  troubled.sort((a, b) => a.rank - b.rank || b.lastFailure - a.lastFailure || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  const lines = troubled.slice(0, limit).map((t) => `${label(t.deviceId)}: ${t.what.join(', ')}`);
  const more = troubled.length - limit;
  if (more > 0) lines.push(`and ${more} more device${more === 1 ? '' : 's'}`);
  return lines;
}
