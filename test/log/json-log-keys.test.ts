// Every JSON log line of a short real run holds each key once. JSON.parse keeps the last of two
// equal keys and says nothing, but log collectors differ (some keep the first, some reject the
// line): a child logger binding `component` under a parent that bound it already wrote both.
// Real processes: the emulator (--verbose, every request logged) and `firmwarden run` on a Git
// remote and on a folder, at debug level, each until it has reconciled and written status and
// one of them has started an update.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStrictJson } from '../support/strict-json.ts';
import { git, startGitRemote } from '../support/git-remote.ts';

const root = new URL('../..', import.meta.url).pathname;
const examples = join(root, 'examples');

const strict = suite('parseStrictJson');

strict('reads JSON as JSON.parse does', () => {
  const text = '{"a":[1,-2.5e3,true,null,"x\\"y\\u00e9"],"b":{"c":{}},"d":[]}';
  assert.equal(parseStrictJson(text), JSON.parse(text));
});

strict('refuses a key twice in one object, at any depth, and what JSON.parse refuses', () => {
  for (const bad of ['{"component":"source","component":"dir-source"}', '{"a":{"b":1,"b":2}}', '{"a":1,}', "{'a':1}", '{"a":1} x']) {
    assert.throws(() => parseStrictJson(bad), (e: Error) => e instanceof SyntaxError, bad);
  }
  assert.equal(parseStrictJson('{"a":{"b":1},"b":{"b":2}}'), { a: { b: 1 }, b: { b: 2 } });
});

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly out: string[];
  readonly err: string[];
  readonly exited: Promise<number | null>;
}

function start(name: string, args: readonly string[]): Proc {
  const child = spawn(process.execPath, [join(root, 'bin/firmwarden.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, FIRMWARDEN_LOG_LEVEL: '', FIRMWARDEN_LOG_FORMAT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = (target: string[]) => {
    let partial = '';
    return (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      target.push(...parts);
    };
  };
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', lines(out));
  child.stderr!.on('data', lines(err));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { name, child, out, err, exited };
}

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function exampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const sub of ['groups', 'policies', 'schedules', 'notifications']) {
    for (const name of readdirSync(join(examples, sub), { withFileTypes: true })) {
      if (name.isFile()) files[`${sub}/${name.name}`] = readFileSync(join(examples, sub, name.name), 'utf8');
    }
  }
  // The lab's window is office hours: without it updates start now, whatever the time of the run.
  files['policies/lab.yaml'] = files['policies/lab.yaml']!.replace(/ {2}maintenanceWindows:\n(?: {4}.*\n)+/, '');
  // Findings are logged too.
  files['policies/broken.yaml'] = files['policies/lab.yaml'].replace('name: lab', 'name: broken').replace('phase: Test', 'phse: Test');
  return files;
}

const run = suite('JSON log lines of a real run');

run('every line of the emulator and of run --repo and run --dir names each key once', async () => {
  const work = mkdtempSync(join(tmpdir(), 'fw-log-keys-'));
  const remote = await startGitRemote({ files: exampleFiles() });
  const procs: Proc[] = [];
  try {
    const emulator = start('emulator', ['emulator', '--port', '0', '--rate-limit', '0', '--devices', '200', '--verbose', '--log-format', 'json']);
    procs.push(emulator);
    const field = (label: string) => emulator.out.map((l) => new RegExp(`^\\s*${label}\\s+(\\S+)`).exec(l)?.[1]).find(Boolean);
    const graph = await until('the emulator', () => field('Graph base URL'));
    writeFileSync(join(work, 'secret'), field('Client secret')!, { mode: 0o600 });
    const fleet = ['--graph-url', graph, '--tenant', field('Tenant')!, '--client-id', field('Client id')!, '--client-secret-file', join(work, 'secret'), '--fleet-rate', '1000'];
    const common = ['--listen', '127.0.0.1:0', '--resync', '2s', '--log-level', 'debug', '--log-format', 'json', ...fleet];

    const dir = join(work, 'config');
    cpSync(examples, dir, { recursive: true });
    writeFileSync(join(dir, 'policies/broken.yaml'), exampleFiles()['policies/broken.yaml']!);
    const onDir = start('run --dir', ['run', '--dir', dir, '--state', join(work, 'dir-state.json'), ...common]);
    procs.push(onDir);
    const initial = remote.head();
    const onRepo = start('run --repo', ['run', '--repo', remote.url, '--data-dir', join(work, 'data'), '--interval', '1s', ...common]);
    procs.push(onRepo);

    const said = (p: Proc, msg: string) => p.err.some((l) => l.includes(`"msg":"${msg}"`));
    await until('run --dir to write status', () => said(onDir, 'status written into the files') && said(onDir, 'reconciled'));
    await until('run --repo to push a status commit', () => remote.head() !== initial && said(onRepo, 'reconciled'));
    // The lab's devices (no window) get updates: the operations' lines are in the sample.
    await until('an update to start', () => said(onDir, 'update started') || said(onRepo, 'update started'));
    assert.match(git(remote.bareDir, ['log', '-1', '--format=%B', 'main']), 'Firmwarden-Status: true');
    for (const p of [onDir, onRepo]) p.child.kill('SIGTERM');
    for (const p of [onDir, onRepo]) assert.is(await p.exited, 0, `${p.name}:\n${p.err.slice(-20).join('\n')}`);
    emulator.child.kill('SIGTERM');
    await emulator.exited;

    const problems: string[] = [];
    for (const p of procs) {
      const records = p.err.filter((l) => l.startsWith('{'));
      assert.ok(records.length >= 5, `${p.name} logged ${records.length} JSON lines:\n${p.err.join('\n')}`);
      for (const line of records) {
        try {
          parseStrictJson(line);
        } catch (error) {
          problems.push(`${p.name}: ${(error as Error).message.split(' at offset')[0]}\n  ${line}`);
        }
      }
      // Whatever is not a record is one of the commands' own sentences ("firmwarden: ...").
      for (const line of p.err.filter((l) => l !== '' && !l.startsWith('{'))) assert.match(line, /^firmwarden/, `${p.name}: ${line}`);
    }
    assert.equal(problems, [], `JSON log lines with a duplicated key:\n${problems.join('\n')}`);
  } finally {
    for (const p of procs) p.child.kill('SIGKILL');
    await remote.close();
    rmSync(work, { recursive: true, force: true });
  }
});

strict.run();
run.run();
