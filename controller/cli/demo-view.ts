// Renders the demo's progress screen: one block per group with a bar of its devices' states,
// its local time, the current wave and what comes next; one per ScheduledUpdate with what its
// operations did; the operations so far and a legend. Everything on one frame comes from one
// snapshot (the plan, conditions and operations of one reconcile, and its `now`), so totals
// move only when the fleet does. Times are the group's own local time, as its manifests speak.
// Colour is optional and never alone: every state has its symbol and word. The input is plain
// values rather than statuses, whose shape is the controller's business. Pure: values in, text out.
import { escapeText, safeLine } from '../output/escape.ts';
import { plainText, renderSegments, type Segment, type Style } from '../output/colour.ts';
import { dayNumber, isValidTimeZone, localDateOf, toLocal, weekdayOf } from '../policy/zoned-time.ts';
import { formatRelative } from '../plan/render-time.ts';
import type { DeviceState, DeviceTally, OperationTally, OperationTotals } from './demo-tally.ts';

/** Status conditions, as much as the screen reads of them. */
export type DemoConditions = readonly { readonly type: string; readonly status: string; readonly reason: string }[];

/** One DeviceGroup on the screen. */
export interface DemoGroup {
  readonly name: string;
  /** The group's spec.timeZone (IANA); its times are shown in it. Default (or not a zone): UTC. */
  readonly timeZone?: string | undefined;
  /** The firmware phase that applies. */
  readonly phase?: string | undefined;
  /** Its status conditions (ready, working or stalled). */
  readonly conditions?: DemoConditions | undefined;
  /** Its devices by state, those whose software has been read (undefined: none read yet). */
  readonly devices: DeviceTally | undefined;
  /** Devices in the group, read or not. Default: the devices tallied. */
  readonly members?: number | undefined;
  /** Its rollouts; the first one not complete is shown. */
  readonly rollouts?: readonly { readonly softwareType: string; readonly version?: string | undefined; readonly wave?: number | undefined; readonly waves?: number | undefined; readonly state: string }[] | undefined;
  /** When something next becomes possible (ms). */
  readonly nextActionTime?: number | undefined;
  /** The next or current maintenance window (ms). */
  readonly nextWindow?: { readonly name: string; readonly start: number; readonly end: number } | undefined;
}

/** One ScheduledUpdate on the screen. */
export interface DemoSchedule {
  readonly name: string;
  /** Its spec.timeZone; default (or not a zone): UTC. */
  readonly timeZone?: string | undefined;
  readonly conditions?: DemoConditions | undefined;
  /** Devices it targets. */
  readonly targeted?: number | undefined;
  /** spec.at as an instant (undefined: at once). */
  readonly scheduledTime?: number | undefined;
  readonly completionTime?: number | undefined;
  /** Devices its operations reached, remembered since the demo began (never shrinks when the ledger forgets). */
  readonly reached: OperationTally | undefined;
}

export interface DemoFrameInput {
  /** The instant of the snapshot (the demo's clock, ms). */
  readonly now: number;
  /** Zone of the header's clock (the viewer's). Default: UTC. */
  readonly timeZone?: string;
  /** When the demo's clock started, to show the simulated day. Default: not shown. */
  readonly startedAt?: number;
  readonly groups: readonly DemoGroup[];
  readonly schedules: readonly DemoSchedule[];
  readonly operations: OperationTotals;
  /** Colour with ANSI SGR codes. Default: false. */
  readonly colour?: boolean;
  /** Width of the bars. Default: 30. */
  readonly barWidth?: number;
}

/** Left to right on a bar: the good news first, what needs a person last. */
const barOrder: readonly DeviceState[] = ['upToDate', 'updated', 'updating', 'waiting', 'onHold', 'failed', 'refused'];

/** Symbol, word and colour of each state: the symbol and word carry it without colour. */
export const stateLook: Readonly<Record<DeviceState, { readonly glyph: string; readonly word: string; readonly style: Style }>> = {
  upToDate: { glyph: '█', word: 'up to date', style: 'green' },
  updated: { glyph: '▓', word: 'updated', style: 'brightGreen' },
  updating: { glyph: '▒', word: 'updating', style: 'cyan' },
  waiting: { glyph: '░', word: 'waiting', style: 'yellow' },
  onHold: { glyph: '-', word: 'on hold', style: 'dim' },
  failed: { glyph: '✗', word: 'failed', style: 'red' },
  refused: { glyph: '!', word: 'refused', style: 'magenta' },
};

/** Cells of each state in a bar of `width`, in proportion to the tally (every non-zero state gets a cell). */
function barCells(tally: DeviceTally | undefined, width: number): number[] {
  const total = barOrder.reduce((n, k) => n + (tally?.[k] ?? 0), 0);
  if (!tally || total === 0) return barOrder.map(() => 0);
  const cells = barOrder.map((k) => (tally[k] === 0 ? 0 : Math.max(1, Math.round((tally[k] / total) * width))));
  // Trim or pad the largest segment so the bar is exactly `width` wide.
  let diff = width - cells.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    const i = cells.indexOf(Math.max(...cells));
    cells[i] = cells[i]! + Math.sign(diff);
    diff -= Math.sign(diff);
  }
  return cells;
}

function barSegments(tally: DeviceTally | undefined, width: number, members?: number): Segment[] {
  // Devices not read yet keep their share of the bar blank, at its end.
  const tallied = tally ? barOrder.reduce((n, k) => n + tally[k], 0) : 0;
  const total = Math.max(tallied, members ?? tallied);
  const cells = barCells(tally, total === 0 ? width : Math.round((tallied / total) * width));
  const used = cells.reduce((a, b) => a + Math.max(0, b), 0);
  const out: Segment[] = barOrder.map((k, i) => ({ text: stateLook[k].glyph.repeat(Math.max(0, cells[i]!)), style: stateLook[k].style }));
  if (used < width) out.push({ text: ' '.repeat(width - used) });
  return out;
}

/** A bar of `width` cells split in proportion to the devices in each state (blank when there are none). */
export function renderBar(tally: DeviceTally | undefined, width: number): string {
  return plainText(barSegments(tally, width));
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');
const isOffsetName = (name: string) => /^GMT[+-−]/.test(name);

/**
 * The zone's abbreviation at an instant (CET, EDT, WET, UTC), or its offset (GMT+9) where no
 * abbreviation is in common English use. Intl knows some only by region: en-US says GMT+1 for
 * Paris and en-GB says GMT-5 for New York, so both are asked.
 */
export function zoneAbbreviation(ms: number, timeZone: string): string {
  let fallback = 'UTC';
  for (const locale of ['en-US', 'en-GB']) {
    const name = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }).formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value;
    if (name === undefined) continue;
    if (!isOffsetName(name)) return name;
    if (fallback === 'UTC') fallback = name;
  }
  return fallback;
}

const zoneOrUtc = (timeZone: string | undefined) => (timeZone !== undefined && isValidTimeZone(timeZone) ? timeZone : 'UTC');

/** "21:00 EST": the wall-clock time in `timeZone` (UTC when the zone is not one). */
function formatClock(ms: number, timeZone: string | undefined): string {
  const zone = zoneOrUtc(timeZone);
  const l = toLocal(ms, zone);
  return `${pad2(l.hour)}:${pad2(l.minute)} ${zoneAbbreviation(ms, zone)}`;
}

/** "Sat 16 Jan 21:00 EST" in `timeZone` (with the year after the month when `withYear`); UTC when the zone is not one. */
export function formatZoned(ms: number, timeZone: string | undefined, withYear = false): string {
  const l = toLocal(ms, zoneOrUtc(timeZone));
  const weekday = weekdays[weekdayOf(l)]!;
  return `${weekday} ${pad2(l.day)} ${months[l.month - 1]}${withYear ? ` ${l.year}` : ''} ${formatClock(ms, timeZone)}`;
}

/** "Sun 10 Jan 00:00 WET (in 2 h)", or "due now" when the time has come (a time already past is never shown as what comes next). */
function formatNext(ms: number, now: number, timeZone: string | undefined): string {
  if (ms <= now) return 'due now';
  // Today and tomorrow by the group's own calendar, as its people would say it.
  const zone = zoneOrUtc(timeZone);
  const days = dayNumber(localDateOf(ms, zone)) - dayNumber(localDateOf(now, zone));
  const when = days === 0 ? `today ${formatClock(ms, zone)}` : days === 1 ? `tomorrow ${formatClock(ms, zone)}` : formatZoned(ms, zone);
  return `${when} (${formatRelative(ms, now)})`;
}

function readiness(conditions: DemoConditions | undefined): Segment {
  const stalled = conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
  if (stalled) return { text: `STALLED (${escapeText(stalled.reason)})`, style: 'red' };
  const ready = conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' ? { text: 'ready', style: 'green' } : { text: 'working', style: 'cyan' };
}

/** "▓ 12 updated · ✗ 2 failed": the states given, each with its symbol, non-zero ones only. */
function stateList(counts: Partial<Record<DeviceState, number>>, states: readonly DeviceState[]): Segment[] {
  const out: Segment[] = [];
  for (const k of states) {
    const n = counts[k] ?? 0;
    if (n === 0) continue;
    if (out.length > 0) out.push({ text: ' · ' });
    out.push({ text: `${stateLook[k].glyph} ${n} ${stateLook[k].word}`, style: stateLook[k].style });
  }
  return out;
}

/** A line made safe (as joinLines does), coloured only when the safe text is the text itself. */
function finishLine(segments: readonly Segment[], colour: boolean): string {
  const plain = plainText(segments);
  const safe = safeLine(plain);
  // Values are escaped where they enter a segment; should joining still form something
  // safeLine changes (a `##[` across two segments), the line goes out escaped and uncoloured.
  return colour && safe === plain ? renderSegments(segments, true) : safe;
}

/** The whole screen for one moment of the demo. */
export function renderDemoFrame(input: DemoFrameInput): string {
  const width = input.barWidth ?? 30;
  const now = input.now;
  // Names come from manifests and versions from devices: escaped before they are measured.
  const groups = input.groups.map((g) => ({ ...g, name: escapeText(g.name) }));
  const schedules = input.schedules.map((s) => ({ ...s, name: escapeText(s.name) }));
  const nameWidth = Math.max(10, ...groups.map((g) => g.name.length), ...schedules.map((s) => s.name.length));
  // Details under a name are indented a little, not under the bar: lines stay within 120 columns.
  const indent = '    ';
  const day = input.startedAt === undefined ? '' : ` · day ${Math.max(0, (now - input.startedAt) / 86_400_000).toFixed(1)}`;
  const lines: Segment[][] = [[{ text: `firmwarden demo · simulated ${formatZoned(now, input.timeZone ?? 'UTC', true)}${day}`, style: 'bold' }], []];
  for (const g of groups) {
    const t = g.devices;
    const tallied = t ? barOrder.reduce((n, k) => n + t[k], 0) : 0;
    const total = Math.max(tallied, g.members ?? tallied);
    const done = t ? t.upToDate + t.updated : 0;
    lines.push([
      { text: `${g.name.padEnd(nameWidth)}  ${escapeText(g.phase ?? '').padEnd(7)} [` },
      ...barSegments(t, width, total),
      { text: `] ${String(done).padStart(4)}/${String(total).padEnd(4)} devices up to date  ` },
      readiness(g.conditions),
    ]);
    const states = t ? stateList(t, ['updated', 'updating', 'waiting', 'onHold', 'failed', 'refused']) : [];
    if (total > tallied) states.push({ text: `${states.length > 0 ? ' · ' : ''}${total - tallied} not read yet` });
    if (states.length > 0) lines.push([{ text: indent }, ...states]);
    const wave = g.rollouts?.find((r) => r.state !== 'Complete');
    const waveText = wave ? escapeText(`${wave.softwareType} ${wave.version ?? ''} wave ${wave.wave ?? '-'}/${wave.waves ?? '-'} ${wave.state}`.replace(/\s+/g, ' ')) : '';
    const window = g.nextWindow;
    const next = g.nextActionTime !== undefined
      ? `next action ${formatNext(g.nextActionTime, now, g.timeZone)}`
      : window && window.start > now
        ? `next window ${formatNext(window.start, now, g.timeZone)}`
        : window && window.end > now
          ? `window open until ${formatZoned(window.end, g.timeZone)}`
          : '';
    lines.push([{ text: indent + [`now ${formatZoned(now, g.timeZone)}`, waveText, next].filter(Boolean).join(' · ') }]);
  }
  if (schedules.length > 0) lines.push([]);
  for (const su of schedules) {
    const at = su.scheduledTime !== undefined ? `at ${formatZoned(su.scheduledTime, su.timeZone)}` : 'at once';
    const targeted = su.targeted === undefined ? '' : ` · ${su.targeted} devices targeted`;
    lines.push([{ text: `${su.name.padEnd(nameWidth)}  ${at}${targeted}  ` }, readiness(su.conditions)]);
    const reached = su.reached ? stateList({ updated: su.reached.updated, updating: su.reached.updating, failed: su.reached.failed }, ['updated', 'updating', 'failed']) : [];
    const when = su.completionTime !== undefined
      ? `completed ${formatZoned(su.completionTime, su.timeZone)}`
      : su.scheduledTime !== undefined && su.scheduledTime > now ? `starts ${formatNext(su.scheduledTime, now, su.timeZone)}` : '';
    const detail: Segment[] = reached.length > 0 ? reached : [{ text: 'no update started yet' }];
    lines.push([{ text: indent }, ...detail, ...(when ? [{ text: ` · ${when}` }] : [])]);
  }
  const o = input.operations;
  lines.push([], [{ text: `updates (one device × one software each): ${o.started} started · ${o.succeeded} succeeded · ${o.failed} failed · ${o.inFlight} in flight` }]);
  const legend: Segment[] = [{ text: 'legend:' }];
  for (const k of barOrder) legend.push({ text: legend.length === 1 ? ' ' : '  ' }, { text: `${stateLook[k].glyph} ${stateLook[k].word}`, style: stateLook[k].style });
  lines.push(legend);
  const colour = input.colour ?? false;
  return lines.map((l) => `${finishLine(l, colour)}\n`).join('');
}

/** One device × software type that failed or was refused, as the ending lists it. */
export interface DemoProblem {
  readonly state: 'failed' | 'refused';
  /** The file of the manifest whose status names it (relative to the repo). */
  readonly file: string;
  /** The device as people know it. */
  readonly device: string;
  readonly softwareType: string;
  readonly version: string | undefined;
  /** The error or the reason, in words. */
  readonly detail: string;
}

/** What the demo's last lines say. */
export interface DemoEndingInput {
  /** Why it ended: the rollout is complete for now, the day limit, or Ctrl-C. */
  readonly how: 'complete' | 'maxDays' | 'interrupted';
  /** Simulated days since the start. */
  readonly days: number;
  /** The whole fleet's devices by state at the end. */
  readonly devices: DeviceTally;
  /** Every failed or refused update at the end, failures first. */
  readonly problems: readonly DemoProblem[];
  readonly operations: OperationTotals;
  readonly statusCommits: number;
  readonly repoDir: string;
  /** What `firmwarden why` says holds the first failed device, when there is one. */
  readonly why?: { readonly device: string; readonly blocker: string } | undefined;
  /** Default: false. */
  readonly colour?: boolean;
  /** Problems listed as examples. Default: 5. */
  readonly examples?: number;
}

/**
 * The demo's last lines: how it ended, and never "complete" alone while devices failed or were
 * refused: then how many, a few of them with their error, and where to read the rest.
 */
export function renderDemoEnding(input: DemoEndingInput): string {
  const d = input.devices;
  const days = input.days.toFixed(1);
  const head = input.how === 'complete'
    ? `Complete for now after ${days} simulated days`
    : input.how === 'maxDays'
      ? `Stopped after ${days} simulated days (the --max-days limit), before the rollout was complete`
      : `Stopped (Ctrl-C) after ${days} simulated days`;
  // "✗ 3 devices failed · ! 1 refused": the unit once, on the first number.
  const counted: Segment[] = [];
  for (const k of ['failed', 'refused'] as const) {
    if (d[k] === 0) continue;
    const unit = counted.length > 0 ? '' : d[k] === 1 ? ' device' : ' devices';
    if (counted.length > 0) counted.push({ text: ' · ' });
    counted.push({ text: `${stateLook[k].glyph} ${d[k]}${unit} ${stateLook[k].word}`, style: stateLook[k].style });
  }
  const lines: Segment[][] = [];
  if (counted.length === 0) {
    lines.push([{ text: `${head}: no device has a failed or refused update.`, style: input.how === 'complete' ? 'green' : undefined }]);
  } else {
    lines.push([{ text: `${head} — ` }, ...counted, { text: '; they wait for a person.' }]);
  }
  const o = input.operations;
  lines.push([{ text: `updates (one device × one software each): ${o.started} started · ${o.succeeded} succeeded · ${o.failed} failed · ${o.inFlight} in flight; ${input.statusCommits} status commits.` }]);
  const repo = escapeText(input.repoDir);
  if (input.problems.length > 0) {
    const limit = input.examples ?? 5;
    lines.push([{ text: `The statuses in ${repo} name them (git log -p there shows when each changed); for example:` }]);
    for (const p of input.problems.slice(0, limit)) {
      lines.push([
        { text: '  ' },
        { text: `${stateLook[p.state].glyph} ${stateLook[p.state].word.padEnd(7)}`, style: stateLook[p.state].style },
        { text: `  ${escapeText(p.file)}  ${escapeText(p.device)}  ${escapeText(`${p.softwareType}${p.version ? ` ${p.version}` : ''}`)}: ${escapeText(p.detail)}` },
      ]);
    }
    if (input.problems.length > limit) lines.push([{ text: `  … and ${input.problems.length - limit} more (one line per device and software type).` }]);
    if (input.why) {
      lines.push([{ text: `firmwarden why DEVICE PATH tells one device's whole story; of ${escapeText(input.why.device)}, at the end of the demo, it says:` }]);
      lines.push([{ text: `  ${escapeText(input.why.blocker)}` }]);
    }
  }
  lines.push([{ text: `Read what the controller wrote:  cd ${repo} && git log -p` }]);
  const colour = input.colour ?? false;
  return lines.map((l) => `${finishLine(l, colour)}\n`).join('');
}
