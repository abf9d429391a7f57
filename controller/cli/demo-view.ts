// Renders the demo's progress screen from the manifests' statuses: one line per group with a
// bar of its devices' states, the current wave and what comes next. Pure: text in, text out.
import type { DeviceCounts, DeviceGroupStatus, ScheduledUpdateStatus } from '../model/manifests.generated.ts';
import { escapeText, joinLines } from '../output/escape.ts';

export interface DemoFrameInput {
  /** The demo's clock time (ms). */
  readonly now: number;
  readonly groups: readonly { readonly name: string; readonly policy: string | undefined; readonly status: DeviceGroupStatus | undefined }[];
  readonly schedules: readonly { readonly name: string; readonly status: ScheduledUpdateStatus | undefined }[];
  readonly operations: { readonly started: number; readonly succeeded: number; readonly failed: number };
  /** Width of the bars. Default: 30. */
  readonly barWidth?: number;
}

const order: (keyof DeviceCounts)[] = ['upToDate', 'succeeded', 'inProgress', 'pending', 'scheduled', 'failed', 'blocked'];
const glyph: Record<keyof DeviceCounts, string> = {
  upToDate: '█', succeeded: '█', inProgress: '▒', pending: '░', scheduled: '·', failed: '✗', blocked: '-',
};

/** A bar of `width` cells split in proportion to the counts (every non-zero state gets a cell). */
export function renderBar(counts: DeviceCounts | undefined, width: number): string {
  const total = order.reduce((n, k) => n + (counts?.[k] ?? 0), 0);
  if (!counts || total === 0) return ' '.repeat(width);
  const cells = order.map((k) => {
    const n = counts[k] ?? 0;
    return n === 0 ? 0 : Math.max(1, Math.round((n / total) * width));
  });
  // Trim or pad the largest segment so the bar is exactly `width` wide.
  let diff = width - cells.reduce((a, b) => a + b, 0);
  while (diff !== 0) {
    const i = cells.indexOf(Math.max(...cells));
    cells[i] = cells[i]! + Math.sign(diff);
    diff -= Math.sign(diff);
  }
  return order.map((k, i) => glyph[k].repeat(Math.max(0, cells[i]!))).join('');
}

function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

function readiness(status: { conditions?: { type: string; status: string; reason: string }[] } | undefined): string {
  const stalled = status?.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
  if (stalled) return `STALLED (${stalled.reason})`;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' ? 'ready' : 'working';
}

/** The whole screen for one moment of the demo. */
export function renderDemoFrame(input: DemoFrameInput): string {
  const width = input.barWidth ?? 30;
  // Names come from manifests and versions from devices: escaped before they are measured.
  const groups = input.groups.map((g) => ({ ...g, name: escapeText(g.name) }));
  const schedules = input.schedules.map((s) => ({ ...s, name: escapeText(s.name) }));
  const nameWidth = Math.max(10, ...groups.map((g) => g.name.length), ...schedules.map((s) => s.name.length));
  const lines = [`firmwarden demo — ${formatTime(input.now)}`, ''];
  for (const g of groups) {
    const s = g.status;
    const c = s?.counts;
    const done = (c?.upToDate ?? 0) + (c?.succeeded ?? 0);
    const all = order.reduce((n, k) => n + (c?.[k] ?? 0), 0);
    const wave = s?.rollouts?.find((r) => r.state !== 'Complete');
    const waveText = wave ? escapeText(`${wave.softwareType} ${wave.version ?? ''} wave ${wave.wave ?? '-'}/${wave.waves ?? '-'} ${wave.state}`.replace(/\s+/g, ' ')) : '';
    lines.push(
      `${g.name.padEnd(nameWidth)} ${escapeText(s?.phase ?? '').padEnd(7)} [${renderBar(c, width)}] ${String(done).padStart(4)}/${String(all).padEnd(4)} ${escapeText(readiness(s)).padEnd(10)} ${waveText}`.trimEnd(),
    );
    const next = s?.nextActionTime ? `next action ${formatTime(Date.parse(s.nextActionTime))}` : s?.nextWindow ? `next window ${formatTime(Date.parse(s.nextWindow.start))}` : '';
    const failing = c?.failed ? `${c.failed} failing` : '';
    const detail = [failing, next].filter(Boolean).join(', ');
    if (detail) lines.push(`${' '.repeat(nameWidth)}   ${detail}`);
  }
  if (schedules.length > 0) lines.push('');
  for (const su of schedules) {
    const c = su.status?.counts;
    const at = su.status?.scheduledTime ? formatTime(Date.parse(su.status.scheduledTime)) : 'now';
    lines.push(`${su.name.padEnd(nameWidth)} at ${at}  succeeded ${c?.succeeded ?? 0}, in progress ${c?.inProgress ?? 0}, failed ${c?.failed ?? 0}  ${escapeText(readiness(su.status))}`);
  }
  lines.push('', `operations: ${input.operations.started} started, ${input.operations.succeeded} succeeded, ${input.operations.failed} failed`);
  lines.push(`legend: ${order.map((k) => `${glyph[k]} ${k}`).join('  ')}`);
  return joinLines(lines);
}
