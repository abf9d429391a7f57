// `firmwarden demo` end to end, as a newcomer runs it (a real child process, a real Git repo,
// the emulator over loopback HTTP), on a small fleet and a fast clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

// The test runner sets NO_COLOR and FORCE_COLOR for every suite: each run here says what it wants.
const { NO_COLOR: _n, FORCE_COLOR: _f, ...plainEnv } = process.env;

function runDemo(workdir: string, extra: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/firmwarden.mjs'), 'demo', '--devices', '60', '--speed', '100000', '--workdir', workdir, ...extra], {
      cwd: root,
      env: { ...plainEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const updatesLine = /updates \(one device × one software each\): (\d+) started · (\d+) succeeded · (\d+) failed · (\d+) in flight; (\d+) status commits/;

test('the demo runs the rollout to its end, piped output is plain frames, and the repo history shows the status commits', async () => {
  const workdir = await mkdtemp(join(tmpdir(), 'fw-demo-test-'));
  try {
    const result = await runDemo(workdir);
    assert.is(result.code, 0, result.stderr);
    // Not a terminal: no colour, no cursor movement, one frame a simulated day.
    assert.not.ok(result.stdout.includes('\x1b'), 'no escape code in a pipe');
    assert.ok(result.stdout.split('firmwarden demo · simulated').length > 3, 'several frames');
    assert.match(result.stdout, /devices up to date/);
    const ending = /(Complete for now|Stopped after [\d.]+ simulated days \(the --max-days limit\))/.exec(result.stdout);
    assert.ok(ending, result.stdout);
    const summary = updatesLine.exec(result.stdout.slice(ending!.index));
    assert.ok(summary, result.stdout);
    const [started, succeeded, failed, inFlight] = summary!.slice(1, 5).map(Number) as [number, number, number, number];
    assert.ok(started > 0, 'some updates started');
    assert.is(started, succeeded + failed + inFlight, 'every started update is counted once');
    if (ending![1] === 'Complete for now') assert.is(inFlight, 0, 'complete: nothing in flight');
    const repo = join(workdir, 'config');
    assert.match(result.stdout, `cd ${repo} && git log -p`);
    // The live view was served on loopback while the demo ran.
    assert.match(result.stdout, /^live view: http:\/\/127\.0\.0\.1:\d+\/$/m);

    const log = (await run('git', ['log', '--format=%an|%s|%(trailers:key=Firmwarden-Status,valueonly)'], { cwd: repo })).stdout.trim().split('\n');
    const statusCommits = log.filter((l) => l.startsWith('firmwarden|status: '));
    assert.is(statusCommits.length, Number(summary![5]));
    assert.ok(statusCommits.every((l) => l.trim().endsWith('true')), 'every status commit carries the trailer');
    assert.match(log.at(-1)!, 'Fleet configuration from the firmwarden examples');

    // The controller changed nothing but status: the specs are the examples', byte for byte outside status.
    const first = (await run('git', ['rev-list', '--max-parents=0', 'HEAD'], { cwd: repo })).stdout.trim();
    const changed = (await run('git', ['diff', '--name-only', first, 'HEAD'], { cwd: repo })).stdout.trim().split('\n');
    assert.ok(changed.includes('groups/general-paris.yaml'));
    // Besides statuses the controller commits only its release calendar, a machine-written file.
    assert.ok(changed.includes('.firmwarden/releases.json'));
    for (const file of changed.filter((f) => f !== '.firmwarden/releases.json')) {
      const before = parse((await run('git', ['show', `${first}:${file}`], { cwd: repo })).stdout) as Record<string, unknown>;
      const after = parse(await readFile(join(repo, file), 'utf8')) as Record<string, unknown>;
      assert.equal({ ...after, status: undefined }, { ...before, status: undefined }, `${file}: only status changed`);
      assert.ok(after.status, `${file} has a status`);
    }
    const group = parse(await readFile(join(repo, 'groups/general-paris.yaml'), 'utf8')) as { status: { updates: Record<string, number>; conditions: { type: string }[] } };
    assert.ok(group.status.updates.succeeded! + group.status.updates.upToDate! > 0);
    assert.equal(group.status.conditions.map((c) => c.type), ['Ready', 'Reconciling', 'Stalled']);
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
});

test('when updates fail, the ending says how many devices failed and where to look, never that the rollout is complete (coloured when forced)', async () => {
  const workdir = await mkdtemp(join(tmpdir(), 'fw-demo-test-'));
  try {
    const result = await runDemo(workdir, ['--quiet', '--failure-rate', '1', '--max-days', '8'], { FORCE_COLOR: '1' });
    assert.is(result.code, 0, result.stderr);
    const out = result.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    assert.ok(result.stdout.includes('\x1b[31m✗ '), 'failures in red when colour is forced into a pipe');
    const head = /(Complete for now|Stopped after [\d.]+ simulated days[^—\n]*) — ✗ (\d+) devices? failed.*; they wait for a person\./.exec(out);
    assert.ok(head, out);
    assert.ok(Number(head![2]) > 0);
    const [started, succeeded, failed] = updatesLine.exec(out)!.slice(1, 4).map(Number) as [number, number, number];
    assert.ok(started > 0 && failed > 0, out);
    assert.is(succeeded, 0, 'every update fails at a failure rate of 1');
    assert.match(out, `The statuses in ${join(workdir, 'config')} name them`);
    assert.match(out, /\n {2}✗ failed +groups\/[\w-]+\.yaml +\S+ +\w+ \S+: \S/);
    assert.match(out, /firmwarden why DEVICE PATH tells one device's whole story; of \S+, at the end of the demo, it says:\n {2}\S/);
    assert.not.match(out, /rollout complete|no device has a failed/i);
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
});

test('a failure rate outside 0 to 1 is a usage error', async () => {
  const result = await run(process.execPath, [join(root, 'bin/firmwarden.mjs'), 'demo', '--failure-rate', '1.5'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
  assert.is((result as { code: number }).code, 2);
  assert.match((result as { stderr: string }).stderr, '--failure-rate is a share of updates from 0 to 1');
});

test('a bad option is a usage error (exit 2), not a stack trace', async () => {
  const result = await run(process.execPath, [join(root, 'bin/firmwarden.mjs'), 'demo', '--speed', 'fast'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
  assert.is((result as { code: number }).code, 2);
  assert.match((result as { stderr: string }).stderr, '--speed must be a number');
  assert.not.match((result as { stderr: string }).stderr, '    at ');
});

test.run();
