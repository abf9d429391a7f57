// Timing and memory by the operating system's accounting, never by sampling: a whole process's
// peak resident set comes from `/usr/bin/time -v` ("Maximum resident set size", the kernel's
// wait4 rusage) when the Debian package `time` is installed, otherwise — for Node.js children
// only — from the child's own process.resourceUsage().maxRSS written at exit by
// bench/support/max-rss-at-exit.ts. In-process peaks are process.resourceUsage().maxRSS.
// Sampling process.memoryUsage() every few ms misses short peaks and was how the old benches
// under-reported.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError } from './report.ts';

export const gnuTime = '/usr/bin/time';
const maxRssPreload = new URL('./max-rss-at-exit.ts', import.meta.url).pathname;

/** The median (the upper middle one for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new BenchError('a median of no runs: the benchmark ran nothing');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** First run and median of a series. */
export function firstAndMedian(values: readonly number[]): { first: number; median: number } {
  return { first: values[0]!, median: median(values) };
}

/**
 * Runs `a` and its peer `b` alternately, `runs` times each (A, B, A, B, …), so both see the
 * same machine: on a shared 2-core box, load that comes and goes lands on both.
 */
export async function interleave<A, B>(runs: number, a: (run: number) => Promise<A>, b: (run: number) => Promise<B>): Promise<{ a: A[]; b: B[] }> {
  const out = { a: [] as A[], b: [] as B[] };
  for (let r = 0; r < runs; r++) {
    out.a.push(await a(r));
    out.b.push(await b(r));
  }
  return out;
}

/** This process's peak resident set so far, in MB (MiB), from the kernel's rusage. */
export function inProcessPeakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export interface ProcessRun {
  /** Wall time from spawn to exit. */
  readonly ms: number;
  /** Peak resident set of the process (and the children it waited for), in MB (MiB). */
  readonly maxRssMb: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program to its end, with its wall time and peak RSS. `node: true` says the program is
 * Node.js (`command` is process.execPath), so the fallback without /usr/bin/time can measure it.
 */
export function runProcess(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; node?: boolean }): Promise<ProcessRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'firmwarden-bench-rss-'));
  const rssFile = join(scratch, 'rss');
  let argv: string[];
  let env = options.env ?? process.env;
  if (existsSync(gnuTime)) {
    argv = [gnuTime, '-v', '-o', rssFile, command, ...args];
  } else if (options.node) {
    argv = [command, `--import=${maxRssPreload}`, ...args];
    env = { ...env, FIRMWARDEN_BENCH_MAXRSS_FILE: rssFile };
  } else {
    rmSync(scratch, { recursive: true, force: true });
    throw new BenchError(`${gnuTime} is missing, so the peak memory of ${command} cannot be measured: install the Debian package "time" (apt-get install time)`);
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      try {
        resolve({ ms, maxRssMb: readMaxRssMb(rssFile, command), code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}

/** Peak RSS from /usr/bin/time -v's report, or the preload's single number of KiB. */
function readMaxRssMb(file: string, command: string): number {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const verbose = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  const kib = verbose ? Number(verbose[1]) : /^\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!(kib > 0)) throw new BenchError(`no peak memory was reported for ${command} (${JSON.stringify(text.slice(0, 200))})`);
  return kib / 1024;
}
