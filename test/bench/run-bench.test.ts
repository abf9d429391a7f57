// `npm run bench` as a user runs it: scripts/run-bench.ts as a child process, with a tiny size,
// must hand the option to the benchmark in both spellings (`--files 3` used to be taken for a
// name filter, so the lint bench linted its default corpus — or nothing — and said "goal met"),
// select only the benchmark named, and fail with a sentence on a bad option. Without the peer
// (kubeconform is a benchmark tool, not a test dependency).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

function bench(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', 'scripts/run-bench.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RunBench = suite('npm run bench');

for (const spelling of [['--files', '3', '--runs', '1'], ['--files=3', '--runs=1']]) {
  RunBench(`lint ${spelling.join(' ')} lints 3 files, and only the lint benchmark runs`, () => {
    const r = bench('lint', ...spelling, '--peer', 'none');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /^lint_files_linted: 3 files$/m);
    assert.match(r.stdout, /^== lint\.bench\.ts$/m);
    assert.not.match(r.stdout, /lint-5k|lint-references/);
    const json = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{"bench":"lint"'))!) as { options: { files: number }; figures: Record<string, { value: number }>; goals: unknown[] };
    assert.is(json.options.files, 3);
    assert.is(json.figures.lint_files_linted?.value, 3);
    // No peer, no ratio: no verdict either.
    assert.equal(json.goals, []);
    assert.not.match(r.stdout, /goal .*: (met|missed)/);
  });
}

RunBench('a bad or misspelt option fails the run with a sentence naming it, and no figure', () => {
  for (const [args, said] of [
    [['lint', '--files', '0', '--peer', 'none'], /--files needs a whole number of at least 1, got "0"/],
    [['lint', '--file', '3', '--peer', 'none'], /Unknown option '--file'/],
  ] as const) {
    const r = bench(...args);
    assert.is(r.code, 1, args.join(' '));
    assert.match(r.stderr, said);
    assert.not.match(r.stdout, /goal|"bench"/);
  }
});

RunBench('a name that selects no benchmark is an error listing the benchmarks', () => {
  const r = bench('no-such-bench');
  assert.is(r.code, 2);
  assert.match(r.stderr, /no benchmark is named or contains "no-such-bench"; there are: .*lint/);
});

RunBench('table --from renders the issue table from saved JSON lines: figures, verdicts, and no figure for a row not run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firmwarden-table-test-'));
  try {
    const figures = { lint_median_ms: 840, kubeconform_median_ms: 120, ratio_median: 7, ratio_first: 6.5 };
    const line = {
      bench: 'lint', options: { files: 1000 }, loadAverage: 1.5,
      figures: Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, { value: v, unit: k.endsWith('ms') ? 'ms' : 'x' }])),
      goals: [{ row: 'lint-1k', figure: 'ratio_median', op: '<=', limit: 1.5, value: 7, unit: 'x', met: false }],
    };
    writeFileSync(join(dir, 'out.txt'), `== lint.bench.ts\nratio_median: 7 x\n${JSON.stringify(line)}\n`);
    const r = bench('table', '--from', join(dir, 'out.txt'), '--only', 'lint-1k,plan-first');
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, '| lint 1,000 manifests, whole process | ≤ 1.5× kubeconform | 0.84 s vs 0.12 s = 7.00× (first run 6.50×) | missed |');
    assert.match(r.stdout, /\| plan 100k devices [^|]* \| [^|]* \| not run \| — \|/);
    assert.not.match(r.stdout, /converge/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

RunBench.run();
