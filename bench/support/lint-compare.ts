// `firmwarden lint DIR --format json` as a whole process (start-up included) against kubeconform
// on the same generated files, interleaved (ours, kubeconform, ours, …): first run and median
// of each, their ratio, and each one's peak RSS by /usr/bin/time. Checks that both looked at
// every file: lint's summary must count them all, kubeconform must have validated (not skipped
// or failed to load a schema for) every resource, and lint must find the corpus's errors.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLintCorpus } from './lint-corpus.ts';
import { provisionKubeconform, writeKubeconformSchemas } from './kubeconform.ts';
import { firstAndMedian, interleave, median, runProcess, type ProcessRun } from './measure.ts';
import { parseOptions } from './options.ts';
import { BenchError, Report } from './report.ts';

const root = new URL('../..', import.meta.url).pathname;
const now = '2026-11-22T08:00:00Z';

/** Runs the comparison for `bench` (lint or lint-5k); `goals` adds the table rows it fills. */
export async function lintCompare(bench: string, defaults: { files: number; runs: number }, goals: (report: Report) => void): Promise<void> {
  const options = parseOptions(`${bench}.bench.ts`, {
    files: { kind: 'count', default: defaults.files, help: 'generated manifest files' },
    runs: { kind: 'count', default: defaults.runs, help: 'interleaved runs of each' },
    peer: { kind: 'choice', default: 'kubeconform', choices: ['kubeconform', 'none'], help: 'the peer to compare with' },
    keep: { kind: 'flag', help: 'keep the generated files' },
  });
  const report = new Report(bench, options);
  report.judgeOnlyAt(`${defaults.files} files`, options.files === defaults.files);
  const work = mkdtempSync(join(tmpdir(), `firmwarden-${bench}-bench-`));
  try {
    const manifests = join(work, 'manifests');
    const schemas = join(work, 'schemas');
    mkdirSync(manifests);
    mkdirSync(schemas);
    const { errors } = generateLintCorpus(manifests, options.files);
    const peer = options.peer === 'kubeconform' ? provisionKubeconform() : undefined;
    const location = peer ? writeKubeconformSchemas(schemas) : '';
    report.note(`${bench}: ${options.files} files (${errors} broken), ${options.runs} interleaved runs${peer ? `, kubeconform ${peer.version}` : ', no peer'}`);

    let findings = -1;
    const ours = async (): Promise<ProcessRun> => {
      const r = await runProcess(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/firmwarden.mjs', 'lint', manifests, '--format', 'json', '--now', now], { cwd: root, node: true });
      if (r.code !== 0 && r.code !== 1) throw new BenchError(`firmwarden lint exited with ${r.code}: ${r.stderr.slice(0, 400)}`);
      const json = JSON.parse(r.stdout) as { findings?: { severity: string }[]; summary?: { files?: number } };
      report.expect('files firmwarden lint read', json.summary?.files ?? 0, options.files);
      findings = json.findings?.filter((f) => f.severity === 'error').length ?? 0;
      if (errors > 0 && findings === 0) throw new BenchError(`firmwarden lint found no error in ${options.files} files of which ${errors} are broken`);
      return r;
    };
    const theirs = async (): Promise<ProcessRun | undefined> => {
      if (!peer) return undefined;
      const r = await runProcess(peer.bin, ['-schema-location', location, '-summary', '-output', 'json', manifests], { cwd: root });
      if (r.code !== 0 && r.code !== 1) throw new BenchError(`kubeconform exited with ${r.code}: ${r.stderr.slice(0, 400)}`);
      const s = (JSON.parse(r.stdout) as { summary?: { valid: number; invalid: number; errors: number; skipped: number } }).summary;
      report.expect('resources kubeconform validated against a schema (valid + invalid)', (s?.valid ?? 0) + (s?.invalid ?? 0), options.files);
      return r;
    };
    const runs = await interleave(options.runs, ours, theirs);

    report.work('lint_files_linted', options.files, 'files', 'firmwarden lint read no file');
    report.figure('lint_errors_found', findings, 'errors', { zeroOk: errors === 0 });
    const a = firstAndMedian(runs.a.map((r) => r.ms));
    report.figure('lint_first_ms', a.first, 'ms');
    report.figure('lint_median_ms', a.median, 'ms');
    report.figure('lint_peak_rss_mb', median(runs.a.map((r) => r.maxRssMb)), 'MB');
    const b = runs.b.filter((r): r is ProcessRun => r !== undefined);
    if (b.length > 0) {
      const t = firstAndMedian(b.map((r) => r.ms));
      report.figure('kubeconform_first_ms', t.first, 'ms');
      report.figure('kubeconform_median_ms', t.median, 'ms');
      report.figure('kubeconform_peak_rss_mb', median(b.map((r) => r.maxRssMb)), 'MB');
      report.figure('ratio_first', a.first / t.first, 'x');
      // Median of the per-pair ratios: each pair ran back to back on the same machine state.
      report.figure('ratio_median', median(runs.a.map((r, i) => r.ms / b[i]!.ms)), 'x');
      goals(report);
    } else {
      report.note('no peer: no ratio, so no goal is judged');
    }
    report.finish();
  } finally {
    if (options.keep) process.stdout.write(`kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}
