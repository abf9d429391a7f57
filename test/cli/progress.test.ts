import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createProgressLine, describeProgress, formatEta } from '../../controller/cli/progress.ts';

function stream(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, isTTY, ...(columns ? { columns } : {}), write: (t: string) => writes.push(t) };
}

const Progress = suite('progress of a fleet read on stderr');

Progress('formatEta: seconds, then minutes, then hours', () => {
  for (const [seconds, text] of [[0, 'about 0 s'], [41.4, 'about 41 s'], [60, 'about 1 min 0 s'], [125, 'about 2 min 5 s'], [3725, 'about 1 h 2 min']] as const) {
    assert.is(formatEta(seconds), text, String(seconds));
  }
});

Progress('describeProgress: listing, then devices read with rate and time left', () => {
  assert.is(describeProgress('plan', { phase: 'list', listed: 1250, elapsedMs: 900 }), 'plan: listing devices, 1,250 so far');
  assert.is(describeProgress('plan', { phase: 'read', read: 300, total: 5000, elapsedMs: 10_000 }), 'plan: reading device software, 300/5,000 (30.0/s, about 2 min 37 s left)');
  assert.is(describeProgress('plan', { phase: 'read', read: 0, total: 5000, elapsedMs: 0 }), 'plan: reading device software, 0/5,000');
});

Progress('without a terminal: nothing for the first 5 s, then a line every 5 s, and a summary at the end', () => {
  let t = 0;
  const s = stream(false);
  const line = createProgressLine(s, { label: 'plan', elapsed: () => t });
  for (let read = 1; read <= 400; read++) {
    t = read * 30; // 400 devices over 12 s
    line.update({ phase: 'read', read, total: 400, elapsedMs: t });
  }
  line.done();
  assert.equal(s.writes.length, 3, s.writes.join(''));
  assert.match(s.writes[0]!, /^plan: reading device software, 167\/400 \(/);
  assert.match(s.writes[1]!, /^plan: reading device software, 334\/400 \(/);
  assert.is(s.writes[2], 'plan: read the software of 400 devices in 12 s\n');
  assert.ok(s.writes.every((w) => w.endsWith('\n') && !w.includes('\r')));
});

Progress('without a terminal a read shorter than 5 s prints nothing, not even at the end', () => {
  let t = 0;
  const s = stream(false);
  const line = createProgressLine(s, { label: 'plan', elapsed: () => t });
  for (let read = 1; read <= 50; read++) line.update({ phase: 'read', read, total: 50, elapsedMs: (t = read * 20) });
  line.done();
  assert.equal(s.writes, []);
});

Progress('on a terminal: redrawn in place at most every 100 ms, the last state always drawn, cut to the width, cleared at the end', () => {
  let t = 0;
  const s = stream(true, 60);
  const line = createProgressLine(s, { label: 'plan', elapsed: () => t });
  line.update({ phase: 'list', listed: 50, elapsedMs: 0 });
  for (let read = 1; read <= 10; read++) line.update({ phase: 'read', read, total: 10, elapsedMs: (t = read * 30) });
  line.done();
  // First report at once, then 90, 180 and 300 ms (every >= 100 ms after the last draw), then the final one, then the clear.
  assert.ok(s.writes.length >= 4 && s.writes.length <= 6, String(s.writes.length));
  assert.ok(s.writes.slice(0, -1).every((w) => w.startsWith('\r\x1b[2K') && !w.includes('\n')));
  assert.ok(s.writes.slice(0, -1).every((w) => w.length - 5 <= 59), 'fits the terminal');
  assert.match(s.writes.at(-2)!, /10\/10 \(.*…$/);
  assert.is(s.writes.at(-1), '\r\x1b[2K');
});

Progress.run();
