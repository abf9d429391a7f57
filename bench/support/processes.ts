// Real processes for the end-to-end benchmarks: `firmwarden emulator` and `firmwarden run`
// as children of the benchmark, the emulator's control endpoints over loopback, and a
// process's resident set as the kernel counts it (/proc/PID/status VmRSS, which is what a
// container limit sees; peaks come from bench/support/measure.ts instead).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from './report.ts';

const root = new URL('../..', import.meta.url).pathname;

/** The emulator's demo app (see `firmwarden emulator --help`). */
export const demoApp = { tenant: '7d3f8c2a-1b4e-4f6a-9c0d-2e5b8a1f4c37', clientId: 'f1d0e5a2-3c4b-4d6e-8f7a-9b0c1d2e3f4a', clientSecret: 'emulator-demo-secret' } as const;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Child {
  readonly child: ChildProcess;
  /** Everything it wrote so far (stdout and stderr), up to the last 64 KiB. */
  output(): string;
  /** SIGTERM, then waits for it to exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/**
 * Starts `firmwarden ARGS` (through bin/firmwarden.mjs, as users run it), from the repository
 * or from `app`, another layout of it (support/image-app.ts: the container image's).
 */
export function startFirmwarden(args: readonly string[], env: NodeJS.ProcessEnv = {}, app: string = root): Child {
  let out = '';
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(app, 'bin/firmwarden.mjs'), ...args], {
    cwd: app,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-65_536));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `firmwarden emulator --port 0 ARGS`, once it listens; its base URL (no /beta). */
export async function startEmulator(args: readonly string[]): Promise<Child & { readonly url: string }> {
  const emulator = startFirmwarden(['emulator', '--port', '0', ...args]);
  for (let i = 0; i < 1200; i++) {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(emulator.output());
    if (match?.[1]) return { ...emulator, url: match[1] };
    if (emulator.child.exitCode !== null) break;
    await sleep(100);
  }
  await emulator.stop();
  throw new BenchError(`the emulator did not start: ${emulator.output().slice(-400)}`);
}

/** One control call (/_emulator/PATH); a non-2xx answer is an error. */
export async function control<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new BenchError(`emulator control ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The emulator's request counters (GET /_emulator/stats). */
export interface EmulatorStats {
  readonly graphRequests: number;
  readonly httpRequests: number;
  readonly throttled: number;
  readonly batches: number;
}

/** Flags for `run`/`plan`/`why` against the emulator at `url`, as its demo app. */
export function fleetFlags(url: string): string[] {
  return ['--graph-url', `${url}/beta`, '--login-url', url, '--tenant', demoApp.tenant, '--client-id', demoApp.clientId];
}

/** Resident set of a live process now, in MB (MiB). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new BenchError(`no VmRSS for process ${pid}`);
  return Number(m[1]) / 1024;
}
