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

function runDemo(workdir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/firmwarden.mjs'), 'demo', '--quiet', '--devices', '60', '--speed', '100000', '--workdir', workdir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the demo runs the rollout to its end and leaves a repo whose history shows the status commits', async () => {
  const workdir = await mkdtemp(join(tmpdir(), 'fw-demo-test-'));
  try {
    const result = await runDemo(workdir);
    assert.is(result.code, 0, result.stderr);
    const summary = /(rollout complete|stopped after \d+ simulated days) after ([\d.]+) simulated days: (\d+) updates started, (\d+) succeeded, (\d+) failed; (\d+) status commits/.exec(result.stdout);
    assert.ok(summary, result.stdout);
    assert.ok(Number(summary![3]) > 0, 'some updates started');
    assert.is(Number(summary![3]), Number(summary![4]) + Number(summary![5]), 'every started update ended');
    const repo = join(workdir, 'config');
    assert.match(result.stdout, `cd ${repo} && git log -p`);

    const log = (await run('git', ['log', '--format=%an|%s|%(trailers:key=Firmwarden-Status,valueonly)'], { cwd: repo })).stdout.trim().split('\n');
    const statusCommits = log.filter((l) => l.startsWith('firmwarden|status: '));
    assert.is(statusCommits.length, Number(summary![6]));
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

test('a bad option is a usage error (exit 2), not a stack trace', async () => {
  const result = await run(process.execPath, [join(root, 'bin/firmwarden.mjs'), 'demo', '--speed', 'fast'], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
  assert.is((result as { code: number }).code, 2);
  assert.match((result as { stderr: string }).stderr, '--speed must be a number');
  assert.not.match((result as { stderr: string }).stderr, '    at ');
});

test.run();
