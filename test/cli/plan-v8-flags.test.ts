// `firmwarden plan` sets its own V8 flags (bin/command-v8-flags.mjs, issue 17: the first plan of
// 100,000 devices under 300 MB), a user's flag for the same setting wins, and the flags change
// nothing in the plan. The process tests run the real bin script on the examples over the
// built-in emulator; a preload named in NODE_OPTIONS reports the young generation's size from
// inside the plan process at exit, after keeping a million objects of its own (so a young
// generation allowed to grow does grow, whatever the plan's size).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: plain JavaScript in bin/ (an installed package runs it without type stripping)
import { commandFlagsToSet, commandV8Flags } from '../../bin/command-v8-flags.mjs';

const root = new URL('../..', import.meta.url).pathname;
const toSet = commandFlagsToSet as (command: string | undefined, execArgv: string[], nodeOptions?: string) => string[];
const planFlags = (commandV8Flags as Record<string, string[]>).plan!;

const cases: [string, string[], string | undefined, string[]][] = [
  ['plan: the young generation held at its start size, no TurboFan', [], undefined, ['--semi-space-growth-factor=1', '--no-opt']],
  ['the user chose the young generation: only --no-opt', ['--max-semi-space-size=16'], undefined, ['--no-opt']],
  ['the user asked for TurboFan in NODE_OPTIONS: only the young generation', [], '--opt', ['--semi-space-growth-factor=1']],
  ['unrelated flags change nothing', ['--expose-gc'], '--enable-source-maps', planFlags],
];
for (const [name, execArgv, nodeOptions, expected] of cases) {
  test(`flags to set: ${name}`, () => {
    assert.equal(toSet('plan', execArgv, nodeOptions), expected);
  });
}

let work = '';
test.before(() => {
  work = mkdtempSync(join(tmpdir(), 'fw-plan-flags-'));
  for (const sub of ['groups', 'policies', 'schedules']) cpSync(join(root, 'examples', sub), join(work, 'manifests', sub), { recursive: true });
  writeFileSync(join(work, 'probe.mjs'), [
    "import { writeFileSync } from 'node:fs'; import v8 from 'node:v8';",
    "const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;",
    "process.on('exit', () => {",
    '  const keep = [];',
    '  for (let i = 0; i < 1_000_000; i++) keep.push({ i });',
    `  writeFileSync(${JSON.stringify(join(work, 'probe.json'))}, JSON.stringify({ end: size(), kept: keep.length }));`,
    '});',
  ].join('\n'));
});
test.after(() => rmSync(work, { recursive: true, force: true }));

/** `node [nodeArgs] bin/firmwarden.mjs plan manifests --emulator --format json --at …` in `work`. */
function plan(nodeArgs: string[]): { code: number | null; stdout: string; stderr: string; youngEnd: number } {
  rmSync(join(work, 'probe.json'), { force: true });
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [...nodeArgs, join(root, 'bin/firmwarden.mjs'), 'plan', 'manifests', '--emulator', '--format', 'json', '--at', '2026-11-22T08:00:00Z'], {
    cwd: work,
    env: { ...inherited, NODE_OPTIONS: `--import=${join(work, 'probe.mjs')}` },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, youngEnd: JSON.parse(readFileSync(join(work, 'probe.json'), 'utf8')).end };
}

test('the flags reach the plan process: the young generation stays small, unless the user chose its growth; same plan', () => {
  const ours = plan([]);
  const users = plan(['--semi-space-growth-factor=2', '--opt']);
  assert.is(ours.code, 0, ours.stderr);
  assert.is(users.code, 0, users.stderr);
  // V8's default grows the young generation to 2 x 8 MB and more while much survives; held at its
  // start size it stays at a few MB.
  assert.ok(ours.youngEnd <= 4 * 2 ** 20, `young generation grew to ${ours.youngEnd} bytes`);
  assert.ok(users.youngEnd >= 2 * ours.youngEnd, `the user's --semi-space-growth-factor=2 was not kept: ${users.youngEnd} vs ${ours.youngEnd} bytes`);
  assert.is(ours.stdout, users.stdout, 'the flags change the plan');
  assert.ok(JSON.parse(ours.stdout).devices.length > 0);
});

test.run();
