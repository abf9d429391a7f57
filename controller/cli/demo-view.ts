// Renders the demo's progress screen: one block per group with a bar of its devices' states,
// its local time, the current wave and what comes next; one per ScheduledUpdate with what its
// operations did; the operations so far and a legend. Everything on one frame comes from one
// snapshot (the plan, conditions and operations of one reconcile, and its `now`), so totals
// move only when the fleet does; a reconcile that failed says so above them, and whether the
// figures are older than it. Times are the group's own local time, as its manifests speak.
// Colour is optional and never alone: every state has its symbol and word. The input is plain
// values rather than statuses, whose shape is the controller's business. Pure: values in, text out.
import { escapeText } from '../output/escape.ts';
import type { Segment } from '../output/colour.ts';
import { barOrder, barSegments, finishLine, stateList, stateLook } from './demo-look.ts';
import type { DeviceTally, OperationTally, OperationTotals } from './demo-tally.ts';
import { formatNext, formatZoned } from './demo-time.ts';
import type { ReasonCode } from '../model/plan.ts';
import { waitingWords } from '../status/waiting-words.ts';

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
  readonly rollouts?: readonly { readonly softwareType: string; readonly version?: string | undefined; readonly wave?: number | undefined; readonly waves?: number | undefined; readonly state: string; readonly waitingFor?: ReasonCode | undefined }[] | undefined;
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

/** What one frame of the screen is made from: one snapshot of the demo. */
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
  /**
   * The latest reconcile's failed steps (at: when it ran), shown above the groups. `stale`: that
   * reconcile evaluated nothing, so the figures are those of `now`, an earlier one.
   */
  readonly failure?: { readonly at: number; readonly message: string; readonly stale: boolean } | undefined;
}

/** "ready", "working" or "STALLED (reason)" from a manifest's conditions. */
function readiness(conditions: DemoConditions | undefined): Segment {
  const stalled = conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
  if (stalled) return { text: `STALLED (${escapeText(stalled.reason)})`, style: 'red' };
  const ready = conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' ? { text: 'ready', style: 'green' } : { text: 'working', style: 'cyan' };
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
  const failure = input.failure;
  if (failure) {
    // Error text comes from outside (a remote, the service): escaped like every other value.
    const when = formatZoned(failure.at, input.timeZone ?? 'UTC');
    lines.splice(1, 0, failure.stale
      ? [{ text: `✗ reconcile at ${when} failed: ${escapeText(failure.message)} · figures below are from ${formatZoned(now, input.timeZone ?? 'UTC')}`, style: 'red' }]
      : [{ text: `! reconcile at ${when}: ${escapeText(failure.message)}`, style: 'yellow' }]);
  }
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
    // A waiting rollout says what for (a window, the phase's delay, rooms in use, …).
    const stateText = wave?.state === 'Waiting' ? `waiting for ${waitingWords(wave.waitingFor, "a window or the phase's delay")}` : wave?.state;
    const waveText = wave ? escapeText(`${wave.softwareType} ${wave.version ?? ''} wave ${wave.wave ?? '-'}/${wave.waves ?? '-'} ${stateText}`.replace(/\s+/g, ' ')) : '';
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
