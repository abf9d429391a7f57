// `firmwarden run` runs with the heap settings of bin/run-node-flags.mjs (issue 17.3), and the
// image and the Deployment say the same. The process test starts a real controller on the
// in-process emulator; a preload named in NODE_OPTIONS (which survives the execve) writes what
// V8 and Node.js were started with, from inside the controller's own process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
// @ts-expect-error: plain JavaScript in bin/ (an installed package runs it without type stripping)
import { defaultRunNodeFlags, missingRunNodeFlags, runEnvironment } from '../../bin/run-node-flags.mjs';

const root = new URL('../..', import.meta.url).pathname;
const defaults = defaultRunNodeFlags as string[];
const missing = missingRunNodeFlags as (env: Record<string, string | undefined>, execArgv: string[]) => string[];

const cases: [string, Record<string, string | undefined>, string[], string[] | RegExp][] = [
  ['nothing given: all the defaults', {}, [], defaults],
  ['already started with them (after the execve): nothing', {}, [...defaults], []],
  ['the user gave one on the command line: the user keeps it', {}, ['--max-semi-space-size=16'], defaults.filter((f) => !f.startsWith('--max-semi-space-size'))],
  ['underscores name the same flag', {}, ['--max_semi_space_size=16'], defaults.filter((f) => !f.startsWith('--max-semi-space-size'))],
  ['the user gave one in NODE_OPTIONS', { NODE_OPTIONS: '--max-semi-space-size=8 --enable-source-maps' }, [], defaults.filter((f) => !f.startsWith('--max-semi-space-size'))],
  ['FIRMWARDEN_NODE_FLAGS replaces the defaults', { FIRMWARDEN_NODE_FLAGS: ' --max-semi-space-size=4  --optimize-for-size ' }, [], ['--max-semi-space-size=4', '--optimize-for-size']],
  ['FIRMWARDEN_NODE_FLAGS empty: none', { FIRMWARDEN_NODE_FLAGS: '' }, [], []],
  ['a word that is no flag is refused, naming the variable', { FIRMWARDEN_NODE_FLAGS: 'max-semi-space-size=4' }, [], /FIRMWARDEN_NODE_FLAGS: "max-semi-space-size=4" is not a Node\.js or V8 flag/],
];
for (const [name, env, execArgv, expected] of cases) {
  test(`flags to add: ${name}`, () => {
    if (expected instanceof RegExp) assert.throws(() => missing(env, execArgv), expected);
    else assert.equal(missing(env, execArgv), expected);
  });
}

test('the controller starts again with at most two malloc arenas, unless the user chose', () => {
  const environment = runEnvironment as (env: Record<string, string>, applied: string[]) => Record<string, string>;
  assert.equal(environment({ PATH: '/bin' }, ['--a', '--b=1']), { PATH: '/bin', MALLOC_ARENA_MAX: '2', FIRMWARDEN_NODE_FLAGS_APPLIED: '--a --b=1' });
  assert.is(environment({ MALLOC_ARENA_MAX: '8' }, ['--a']).MALLOC_ARENA_MAX, '8');
});

interface Probe { pid: number; execArgv: string[]; heapSizeLimit: number; env: string | null; arenas: string | null; gc: string }

/** Starts `firmwarden run` on the emulator until its log says `until` (default: its first reconcile); what its process was started with. */
async function runController(env: Record<string, string>, until = '"msg":"reconciled"'): Promise<{ probes: Probe[]; childPid: number }> {
  const work = mkdtempSync(join(tmpdir(), 'fw-node-flags-'));
  const probeFile = join(work, 'probe.jsonl');
  const preload = join(work, 'probe.mjs');
  writeFileSync(preload, [
    "import { appendFileSync } from 'node:fs'; import v8 from 'node:v8'; import { isMainThread } from 'node:worker_threads';",
    // Worker threads (the report's forecast) load the preload too: only the main thread counts.
    `if (isMainThread) appendFileSync(${JSON.stringify(probeFile)}, JSON.stringify({ pid: process.pid, execArgv: process.execArgv, heapSizeLimit: v8.getHeapStatistics().heap_size_limit, env: process.env.FIRMWARDEN_NODE_FLAGS_APPLIED ?? null, arenas: process.env.MALLOC_ARENA_MAX ?? null, gc: typeof globalThis.gc }) + '\\n');`,
  ].join('\n'));
  for (const sub of ['groups', 'policies']) cpSync(join(root, 'examples', sub), join(work, 'config', sub), { recursive: true });
  // The test runner's own environment must not choose the flags or say they were applied.
  const { FIRMWARDEN_NODE_FLAGS: _flags, FIRMWARDEN_NODE_FLAGS_APPLIED: _applied, MALLOC_ARENA_MAX: _arenas, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(root, 'bin/firmwarden.mjs'), 'run', '--dir', join(work, 'config'), '--state', join(work, 'state.json'), '--resync', '1h', '--emulator', '--fleet-rate', '10000'], {
    cwd: root,
    env: { ...inherited, FIRMWARDEN_LOG_LEVEL: 'info', FIRMWARDEN_LOG_FORMAT: 'json', ...env, NODE_OPTIONS: `--import=${preload}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  try {
    const deadline = Date.now() + 90_000;
    while (!log.includes(until)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${until} from firmwarden run:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const probes = existsSync(probeFile) ? readFileSync(probeFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Probe) : [];
    return { probes, childPid: child.pid! };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(work, { recursive: true, force: true });
  }
}

/** heap_size_limit of a plain node process with these flags (the young generation is part of it). */
function plainHeapLimit(flags: string[]): number {
  const out = spawnSync(process.execPath, [...flags, '-e', 'process.stdout.write(String(require("node:v8").getHeapStatistics().heap_size_limit))'], { encoding: 'utf8' });
  return Number(out.stdout);
}

test('firmwarden run reconciles in one process started with the default flags: same pid, flags in effect, a collection after the passes', async () => {
  // Debug logs name the collection controller/run/idle-gc.ts makes once the passes pause.
  const { probes, childPid } = await runController({ FIRMWARDEN_LOG_LEVEL: 'debug' }, '"msg":"collected garbage after the pass"');
  // The bin started once without them, then replaced itself (execve keeps the pid).
  assert.is(probes.length, 2, JSON.stringify(probes));
  assert.equal(probes.map((p) => p.pid), [childPid, childPid]);
  const controller = probes[1]!;
  for (const flag of defaults) assert.ok(controller.execArgv.includes(flag), `${flag} in ${controller.execArgv.join(' ')}`);
  // V8 applied them: the heap limit counts the young generation, smaller by the flags.
  assert.is(controller.heapSizeLimit, plainHeapLimit(defaults));
  assert.ok(controller.heapSizeLimit < plainHeapLimit([]), `${controller.heapSizeLimit} < ${plainHeapLimit([])}`);
  assert.is(controller.arenas, '2');
  // The collection after a pass (controller/run/idle-gc.ts) needs `gc`; the first start has none.
  assert.equal(probes.map((p) => p.gc), ['undefined', 'function']);
});

test('FIRMWARDEN_NODE_FLAGS overrides the flags, and empty runs with V8 defaults in one start', async () => {
  const tuned = await runController({ FIRMWARDEN_NODE_FLAGS: '--max-semi-space-size=8' });
  assert.equal(tuned.probes.at(-1)!.execArgv, ['--max-semi-space-size=8']);
  assert.is(tuned.probes.at(-1)!.heapSizeLimit, plainHeapLimit(['--max-semi-space-size=8']));
  const off = await runController({ FIRMWARDEN_NODE_FLAGS: '' });
  assert.is(off.probes.length, 1);
  assert.equal(off.probes[0]!.execArgv, []);
});

test('the image and the Deployment run the controller with the same flags', () => {
  const joined = defaults.join(' ');
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const env = /^ENV\s.*\bFIRMWARDEN_NODE_FLAGS="([^"]*)"/m.exec(dockerfile);
  assert.ok(env, 'the Dockerfile sets FIRMWARDEN_NODE_FLAGS');
  assert.is(env![1], joined);
  const docs = parseAllDocuments(readFileSync(join(root, 'examples/deploy/40-deployment.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);
  const deployment = docs.find((d) => d['kind'] === 'Deployment')!;
  const container = (deployment['spec']['template']['spec']['containers'] as Record<string, any>[]).find((c) => c['name'] === 'controller')!;
  const vars = new Map((container['env'] as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
  assert.is(vars.get('FIRMWARDEN_NODE_FLAGS'), joined);
  // The request covers the steady RSS measured with these flags at 10k devices (median of 5
  // runs: 218 MB, issue 17.3); the old-space cap stays well below the limit, so V8 reports an
  // out-of-memory (with a message) before the kernel kills the pod silently.
  const mi = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? NaN);
  const request = mi(container['resources']['requests']['memory']);
  const limit = mi(container['resources']['limits']['memory']);
  assert.ok(request >= 224 && request < limit, `request ${request}Mi, limit ${limit}Mi`);
  const oldSpace = Number(/--max-old-space-size=(\d+)/.exec(vars.get('NODE_OPTIONS') ?? '')?.[1] ?? NaN);
  assert.ok(oldSpace + 120 <= limit, `--max-old-space-size=${oldSpace} leaves room under the ${limit}Mi limit`);
});

test.run();
