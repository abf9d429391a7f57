// The demo's last lines: how it ended, the failed and refused devices with a few examples, and where to read the rest.
import { escapeText } from '../output/escape.ts';
import type { Segment } from '../output/colour.ts';
import { finishLine, stateLook } from './demo-look.ts';
import type { DeviceTally, OperationTotals } from './demo-tally.ts';

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
