// `firmwarden run --repo … --status-branch fw-status` as a real process against a real remote
// whose main refuses the controller's pushes (a pre-receive hook, like a protected branch), with
// the in-process emulator: status commits and the fleet report (FLEET.md, with its Mermaid gantt)
// land on fw-status, one commit on top of main; a merge to main recreates fw-status on it with
// the statuses carried over; main is never written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { commitFiles, git, startGitRemote, type GitRemote } from '../support/git-remote.ts';
import { exampleFiles } from '../support/example-files.ts';

const root = new URL('../..', import.meta.url).pathname;


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

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function branchHead(remote: GitRemote, branch: string): string | undefined {
  try {
    return git(remote.bareDir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).trim() || undefined;
  } catch {
    return undefined;
  }
}

test('status and FLEET.md go to the status branch; a merge to main moves it; main is never pushed to', async () => {
  const remote = await startGitRemote({ files: exampleFiles() });
  const refusedLog = join(remote.root, 'refused');
  writeFileSync(refusedLog, '');
  const hook = join(remote.bareDir, 'hooks', 'pre-receive');
  writeFileSync(hook, `#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = "refs/heads/main" ] && [ -n "$REMOTE_USER" ]; then echo x >> '${refusedLog}'; echo "main is protected" >&2; exit 1; fi\ndone\n`);
  chmodSync(hook, 0o755);
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-run-sb-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';
  try {
    const initial = remote.head();
    child = spawn(
      process.execPath,
      [join(root, 'bin/firmwarden.mjs'), 'run', '--repo', remote.url, '--status-branch', 'fw-status', '--data-dir', dataDir, '--interval', '1s', '--resync', '2s', '--listen', `127.0.0.1:${port}`, '--emulator'],
      { cwd: root, env: { ...process.env, FIRMWARDEN_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('close', (code) => resolve(code)));

    const first = await until('a status commit on fw-status', () => branchHead(remote, 'fw-status'));
    assert.match(git(remote.bareDir, ['log', '-1', '--format=%B', first]), /^status: .* \[skip ci\]\n\nFirmwarden-Status: true\n/);
    assert.match(git(remote.bareDir, ['show', `${first}:FLEET.md`]), /^# Fleet report\n[^]*## Progress/);
    // The forecast is simulated in a worker thread: the gantt comes with a later status commit.
    await until('the gantt in FLEET.md', () => /```mermaid\ngantt\n/.test(git(remote.bareDir, ['show', 'fw-status:FLEET.md'])));
    assert.ok((parse(git(remote.bareDir, ['show', 'fw-status:groups/general-paris.yaml'])) as { status?: unknown }).status, 'statuses on fw-status');
    assert.is(remote.head(), initial, 'main untouched');
    assert.is(git(remote.bareDir, ['merge-base', 'main', 'fw-status']).trim(), initial, 'fw-status is main plus status commits');

    // A reviewed change is merged to main: fw-status is recreated on it, the statuses kept.
    const person = remote.clonePerson('ada');
    const edited = git(person, ['show', 'HEAD:groups/lab.yaml']).replace('Pilot devices in the IT lab.', 'Pilot devices in the IT lab, floor 3.');
    const merged = commitFiles(person, { 'groups/lab.yaml': edited }, 'Describe the lab');
    git(person, ['push', '-q', 'origin', 'HEAD:main']);
    await until('fw-status on the new main', () => {
      const head = branchHead(remote, 'fw-status');
      return head !== undefined && git(remote.bareDir, ['merge-base', 'main', head]).trim() === merged ? head : undefined;
    });
    assert.match(git(remote.bareDir, ['show', 'fw-status:groups/lab.yaml']), 'Pilot devices in the IT lab, floor 3.');
    assert.ok((parse(git(remote.bareDir, ['show', 'fw-status:groups/general-paris.yaml'])) as { status?: unknown }).status, 'statuses carried over');
    assert.ok(git(remote.bareDir, ['show', 'fw-status:FLEET.md']).startsWith('# Fleet report'));
    assert.is(remote.head(), merged, 'main is what people pushed');
    assert.is(readFileSync(refusedLog, 'utf8'), '', 'the controller never tried to push to main');

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
