// `firmwarden lint` sets its own V8 flags (bin/command-v8-flags.mjs) before its code loads, a
// user's flag for the same setting wins, and neither those flags nor an unwritable compile
// cache change what lint reports. The process tests run the real bin script; a preload named in
// NODE_OPTIONS reports the young generation's size from inside the lint process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLintCorpus } from '../../bench/support/lint-corpus.ts';
// @ts-expect-error: plain JavaScript in bin/ (an installed package runs it without type stripping)
import { commandFlagsToSet, commandV8Flags } from '../../bin/command-v8-flags.mjs';

const root = new URL('../..', import.meta.url).pathname;
const toSet = commandFlagsToSet as (command: string | undefined, execArgv: string[], nodeOptions?: string) => string[];
const lintFlags = (commandV8Flags as Record<string, string[]>).lint!;

const cases: [string, string | undefined, string[], string | undefined, string[]][] = [
  ['lint: its flags', 'lint', [], undefined, lintFlags],
  ['another command: none', 'status', [], undefined, []],
  ['no command: none', undefined, [], undefined, []],
  ['a name the object has but is no command: none', 'toString', [], undefined, []],
  ['the user chose the young generation on the command line: not held at its start size', 'lint', ['--max-semi-space-size=16'], undefined, ['--no-opt']],
  ['the same, with underscores, in NODE_OPTIONS', 'lint', [], '--max_semi_space_size=16', ['--no-opt']],
  ['the user asked for TurboFan: --opt wins over --no-opt', 'lint', ['--opt'], undefined, ['--semi-space-growth-factor=1']],
  ['unrelated flags change nothing', 'lint', ['--disable-warning=ExperimentalWarning'], '--enable-source-maps', lintFlags],
];
for (const [name, command, execArgv, nodeOptions, expected] of cases) {
  test(`flags to set: ${name}`, () => {
    assert.equal(toSet(command, execArgv, nodeOptions), expected);
  });
}

let work = '';
test.before(() => {
  work = mkdtempSync(join(tmpdir(), 'fw-lint-flags-'));
  mkdirSync(join(work, 'manifests'));
  generateLintCorpus(join(work, 'manifests'), 300);
  // Reports, at exit, the young generation's size at start and at the end, from the lint process.
  writeFileSync(join(work, 'probe.mjs'), [
    "import { writeFileSync } from 'node:fs'; import v8 from 'node:v8';",
    "const size = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;",
    'const start = size();',
    `process.on('exit', () => writeFileSync(${JSON.stringify(join(work, 'probe.json'))}, JSON.stringify({ start, end: size() })));`,
  ].join('\n'));
});
test.after(() => rmSync(work, { recursive: true, force: true }));

/** `node [nodeArgs] bin/firmwarden.mjs lint manifests --format json` in `work`. */
function lint(nodeArgs: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string; young: { start: number; end: number } } {
  rmSync(join(work, 'probe.json'), { force: true });
  const { NODE_OPTIONS: _ignored, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [...nodeArgs, join(root, 'bin/firmwarden.mjs'), 'lint', 'manifests', '--format', 'json', '--now', '2026-11-22T08:00:00Z'], {
    cwd: work,
    env: { ...inherited, NODE_OPTIONS: `--import=${join(work, 'probe.mjs')}`, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, young: JSON.parse(readFileSync(join(work, 'probe.json'), 'utf8')) };
}

test('the flags reach the lint process: the young generation stays small, unless the user chose its growth', () => {
  const ours = lint([]);
  const users = lint(['--semi-space-growth-factor=2']);
  assert.is(ours.code, 1, ours.stderr);
  assert.is(users.code, 1, users.stderr);
  // V8's default doubles the young generation while much survives (8 MB here); ours stays within
  // two steps of its start size.
  assert.ok(ours.young.end <= 4 * ours.young.start, `young generation grew from ${ours.young.start} to ${ours.young.end} bytes`);
  assert.ok(users.young.end >= 2 * ours.young.end, `the user's --semi-space-growth-factor=2 was not kept: ${JSON.stringify(users.young)} vs ${JSON.stringify(ours.young)}`);
  assert.is(ours.stdout, users.stdout, 'the flags change what lint reports');
  assert.ok(JSON.parse(ours.stdout).findings.length > 0);
});

test('an unwritable compile-cache folder: lint still runs, silently, with the same report', () => {
  const usual = lint([]);
  // A temporary folder inside a regular file can be created by nobody, root included.
  const blocked = join(work, 'probe.mjs', 'tmp');
  const cacheless = lint([], { TMPDIR: blocked, NODE_COMPILE_CACHE: join(blocked, 'cache') });
  assert.is(cacheless.code, usual.code);
  assert.is(cacheless.stderr, '');
  assert.is(cacheless.stdout, usual.stdout);
});

test.run();
