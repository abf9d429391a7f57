// `npm run bench -- table`: runs the benchmarks behind issue 17's table, one after the other,
// echoing their output, and prints the table (measure | goal | now | verdict) from their JSON
// lines. A benchmark that failed its own checks fills its row with its sentence, never a figure.
// Usage: npm run bench -- table [--only ROW,ROW] [--from FILE]
//   --from FILE: no run; the table from a saved `npm run bench` / `table` output.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions } from './options.ts';
import { runBench, type Goal } from './report.ts';

interface Output {
  readonly bench: string;
  readonly options: Record<string, unknown>;
  readonly loadAverage: number;
  readonly figures: Record<string, { value: number; unit: string }>;
  readonly goals: readonly Goal[];
}

type Figures = (name: string) => number;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (v: number) => `${Math.round(v)} MB`;
const x = (v: number) => `${v.toFixed(2)}×`;

/** The table's rows: which benchmark (and arguments) fills each, and how its figures read. */
const rows: readonly { row: string; measure: string; goal: string; bench: string; args: readonly string[]; now: (f: Figures) => string }[] = [
  { row: 'lint-1k', measure: 'lint 1,000 manifests, whole process', goal: '≤ 1.5× kubeconform', bench: 'lint', args: [],
    now: (f) => `${s(f('lint_median_ms'))} vs ${s(f('kubeconform_median_ms'))} = ${x(f('ratio_median'))} (first run ${x(f('ratio_first'))})` },
  { row: 'lint-5k', measure: 'lint 5,000 manifests', goal: '≤ 1.5× kubeconform; < 100 MB peak', bench: 'lint-5k', args: [],
    now: (f) => `${s(f('lint_median_ms'))}, ${x(f('ratio_median'))}; ${mb(f('lint_peak_rss_mb'))} (kubeconform ${mb(f('kubeconform_peak_rss_mb'))})` },
  { row: 'plan-first', measure: 'plan 100k devices × 6 types × 1k groups, first plan of a process', goal: '< 1 s, < 300 MB peak incl. the fleet', bench: 'plan', args: [],
    now: (f) => `${s(f('plan_first_ms'))}; ${mb(f('plan_peak_rss_mb'))} (fleet alone ${mb(f('plan_rss_before_mb'))})` },
  { row: 'plan-repeated', measure: 'repeated plans in the controller (same fleet, a few changes)', goal: '< 0.4 s', bench: 'plan-repeated', args: [],
    now: (f) => `${s(f('repeated_median_ms'))} median (first plan ${s(f('plan_first_ms'))})` },
  { row: 'controller-rss', measure: 'controller steady RSS, 10k devices (peak over a resync cycle, pass included)', goal: '< 150 MB, median of 5 runs', bench: 'controller-rss', args: [],
    now: (f) => `${mb(f('steady_rss_median_mb'))} median (${Math.round(f('steady_rss_min_mb'))}–${Math.round(f('steady_rss_max_mb'))}); mean over the cycle ${mb(f('steady_rss_mean_median_mb'))}` },
  // 10,000 devices at 30 requests/s need ~51,000 requests: the floor alone is about 28 minutes.
  // The table runs 1,000 (about 5 minutes) and says so; `npm run bench -- converge-10k` runs the
  // full size, and its output given to --from fills this row with it.
  { row: 'converge-10k', measure: 'converge 10k devices end to end at the API\'s rate limit', goal: '≤ 1.1× the minimum the limit allows', bench: 'converge-10k', args: ['--devices', '1000'],
    now: (f) => `${f('devices')} devices: ${f('converge_s').toFixed(0)} s vs ${f('floor_s').toFixed(0)} s = ${x(f('ratio_converge_over_floor'))}; ${x(f('requests_sent_over_needed'))} the requests needed` },
  { row: 'why', measure: '`why DEVICE` on 5,000 devices at 30 req/s', goal: '≤ 2 s', bench: 'why', args: ['--runs', '3', '--peer-runs', '0'],
    now: (f) => `${f('why_slowest_kind_median_s').toFixed(2)} s (slowest of 4 kinds, median of 3)` },
];

/** The benchmarks' JSON lines in `text`, by bench name (the last one of each wins). */
function outputsIn(text: string): Map<string, Output> {
  const out = new Map<string, Output>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"bench":')) continue;
    const json = JSON.parse(line) as Output;
    out.set(json.bench, json);
  }
  return out;
}

/** One row of the table; `failure` is the benchmark's own sentence when it did not finish. */
function tableRow(row: (typeof rows)[number], output: Output | undefined, failure: string | undefined): string {
  if (!output) return `| ${row.measure} | ${row.goal} | ${failure ? `no figure: ${failure.replaceAll('|', '/')}` : 'not run'} | — |`;
  const figure: Figures = (name) => {
    const f = output.figures[name];
    if (!f) throw new Error(`${output.bench} printed no ${name}`);
    return f.value;
  };
  const goals = output.goals.filter((g) => g.row === row.row);
  const verdict = goals.length === 0 ? 'not judged (other sizes)' : goals.every((g) => g.met) ? 'met' : 'missed';
  return `| ${row.measure} | ${row.goal} | ${row.now(figure)} | ${verdict} |`;
}

await runBench('table', () => {
  const options = parseOptions('support/table.ts', {
    only: { kind: 'text', default: '', help: 'comma-separated rows to run (lint-1k, lint-5k, plan-first, plan-repeated, controller-rss, converge-10k, why)' },
    from: { kind: 'text', default: '', help: 'render the table from this saved output instead of running' },
  });
  const chosen = options.only ? rows.filter((r) => options.only.split(',').includes(r.row)) : rows;
  const outputs = options.from ? outputsIn(readFileSync(options.from, 'utf8')) : new Map<string, Output>();
  const failures = new Map<string, string>();
  if (!options.from) {
    const dir = new URL('..', import.meta.url).pathname;
    for (const row of chosen) {
      process.stdout.write(`\n== ${row.bench}.bench.ts ${row.args.join(' ')}\n`);
      const started = performance.now();
      const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', '--expose-gc', join(dir, `${row.bench}.bench.ts`), ...row.args], {
        cwd: join(dir, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024,
      });
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.stdout.write(`== ${row.bench}: ${((performance.now() - started) / 1000).toFixed(0)} s, exit ${r.status ?? r.signal}\n`);
      const found = outputsIn(r.stdout).get(row.bench);
      if (r.status === 0 && found) outputs.set(row.bench, found);
      else failures.set(row.bench, r.stderr.trim().split('\n').at(-1) ?? `exited with ${r.status ?? r.signal}`);
    }
  }
  const loads = [...outputs.values()].map((o) => o.loadAverage);
  process.stdout.write(`\n| measure | goal | now | |\n|---|---|---|---|\n${chosen.map((r) => tableRow(r, outputs.get(r.bench), failures.get(r.bench))).join('\n')}\n`);
  if (loads.length > 0) process.stdout.write(`\nOne-minute load average when each benchmark finished: ${loads.join(', ')} (2 cores).\n`);
  if (failures.size > 0) process.exitCode = 1;
});
