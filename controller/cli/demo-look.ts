// How the demo draws device states: each state's symbol, word and colour, bars in proportion, counts in a list, lines made safe.
import { safeLine } from '../output/escape.ts';
import { plainText, renderSegments, type Segment, type Style } from '../output/colour.ts';
import type { DeviceState, DeviceTally } from './demo-tally.ts';

/** Left to right on a bar: the good news first, what needs a person last. */
export const barOrder: readonly DeviceState[] = ['upToDate', 'updated', 'updating', 'waiting', 'onHold', 'failed', 'refused'];

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

/** A bar's segments: `tally` in proportion, and the share of `members` not read yet left blank at its end. */
export function barSegments(tally: DeviceTally | undefined, width: number, members?: number): Segment[] {
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

/** "▓ 12 updated · ✗ 2 failed": the states given, each with its symbol, non-zero ones only. */
export function stateList(counts: Partial<Record<DeviceState, number>>, states: readonly DeviceState[]): Segment[] {
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
export function finishLine(segments: readonly Segment[], colour: boolean): string {
  const plain = plainText(segments);
  const safe = safeLine(plain);
  // Values are escaped where they enter a segment; should joining still form something
  // safeLine changes (a `##[` across two segments), the line goes out escaped and uncoloured.
  return colour && safe === plain ? renderSegments(segments, true) : safe;
}
