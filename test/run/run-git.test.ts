// `firmwarden run --repo` as a real process against a real Git remote (smart HTTP on
// loopback) and the in-process emulator: status written back as the controller's own commits
// (only status changes), a malformed manifest does not stop the others, a person's concurrent
// edit survives, and SIGTERM stops cleanly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { commitFiles, git, startGitRemote, type GitRemote } from '../support/git-remote.ts';
import { exampleFiles } from '../support/example-files.ts';

const root = new URL('../..', import.meta.url).pathname;
const examples = join(root, 'examples');


function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function statusOf(remote: GitRemote, path: string): { conditions?: { type: string; status: string; reason: string; message?: string }[] } | undefined {
  try {
    const text = git(remote.bareDir, ['show', `main:${path}`]);
    return (parse(text) as { status?: never }).status;
  } catch {
    return undefined;
  }
}

test('status written back, a bad manifest isolated, a person\'s edit kept, a clean stop', async () => {
  const remote = await startGitRemote({ files: exampleFiles() });
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-run-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';
  try {
    child = spawn(
      process.execPath,
      [join(root, 'bin/firmwarden.mjs'), 'run', '--repo', remote.url, '--data-dir', dataDir, '--interval', '1s', '--resync', '2s', '--listen', `127.0.0.1:${port}`, '--emulator'],
      { cwd: root, env: { ...process.env, FIRMWARDEN_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('close', (code) => resolve(code)));

    // (a) The controller's status commit: its trailer, and nothing but status changed.
    const initial = remote.head();
    await until('a status commit', () => remote.head() !== initial && git(remote.bareDir, ['log', '-1', '--format=%an %B', 'main']).includes('Firmwarden-Status: true'), 90_000);
    const changed = git(remote.bareDir, ['diff', '--name-only', initial, 'main']).trim().split('\n');
    // Besides statuses the controller commits only its release calendar, a machine-written file.
    assert.ok(changed.includes('.firmwarden/releases.json'));
    assert.is(JSON.parse(git(remote.bareDir, ['show', 'main:.firmwarden/releases.json'])).writtenBy, 'firmwarden');
    // And its fleet report, FLEET.md at the root of --path.
    assert.ok(changed.includes('FLEET.md'));
    assert.match(git(remote.bareDir, ['show', 'main:FLEET.md']), /^# Fleet report\n/);
    const subject = git(remote.bareDir, ['log', '-1', '--format=%s', 'main']).trim();
    assert.match(subject, /^status: .* \[skip ci\]$/, subject);
    for (const file of changed.filter((f) => f !== '.firmwarden/releases.json' && f !== 'FLEET.md')) {
      const before = parse(git(remote.bareDir, ['show', `${initial}:${file}`])) as Record<string, unknown>;
      const after = parse(git(remote.bareDir, ['show', `main:${file}`])) as Record<string, unknown>;
      assert.equal({ ...after, status: undefined }, { ...before, status: undefined }, `${file}: only status changed`);
    }
    assert.ok(statusOf(remote, 'groups/general-paris.yaml')?.conditions?.some((c) => c.type === 'Ready'));
    const ready = await until('readyz 200', async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200);
    assert.ok(ready);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /controller_runtime_reconcile_total\{[^}]*\} \d+/);

    // (b) + (c) A person pushes a malformed policy and a spec edit at once.
    const person = remote.clonePerson('ada');
    const brokenPolicy = readFileSync(join(examples, 'policies/lab.yaml'), 'utf8').replace('name: lab', 'name: broken').replace('phase: Test', 'phse: Test');
    const edited = git(person, ['show', 'HEAD:groups/lab.yaml']).replace('Pilot devices in the IT lab.', 'Pilot devices in the IT lab, floor 3.');
    commitFiles(person, { 'policies/broken.yaml': brokenPolicy, 'groups/lab.yaml': edited }, 'Add a policy and describe the lab');
    git(person, ['push', '-q', 'origin', 'HEAD:main']);
    const stalled = await until('the broken policy stalled', () => {
      const c = statusOf(remote, 'policies/broken.yaml')?.conditions?.find((x) => x.type === 'Stalled');
      return c?.status === 'True' ? c : undefined;
    });
    assert.is(stalled.reason, 'InvalidManifest');
    assert.match(stalled.message ?? '', 'phse');
    assert.match(git(remote.bareDir, ['show', 'main:groups/lab.yaml']), 'Pilot devices in the IT lab, floor 3.');
    // The valid manifests keep reconciling: the lab group still has its status.
    assert.ok(statusOf(remote, 'groups/lab.yaml')?.conditions?.some((c) => c.type === 'Ready'));

    // (d) SIGTERM: a clean exit, code 0.
    child.kill('SIGTERM');
    assert.is(await exited, 0, log.slice(-2000));
    child = undefined;
  } finally {
    child?.kill('SIGKILL');
    await remote.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test.run();
