// Benchmark: `firmwarden lint DIR --format json` on 1,000 generated manifest files (mixed kinds,
// ~5 % with errors), the whole process including start-up, interleaved with kubeconform
// (pinned, built by scripts/provision-kubeconform.sh) on the same files: first run, median,
// their ratio and each one's peak RSS (bench/support/lint-compare.ts). Goal (issue 17): at
// most 1.5× kubeconform.
// Usage: node bench/lint.bench.ts [--files N] [--runs N] [--peer kubeconform|none] [--keep]
import { lintCompare } from './support/lint-compare.ts';
import { runBench } from './support/report.ts';

await runBench('lint', () =>
  lintCompare('lint', { files: 1000, runs: 5 }, (report) => {
    report.goal('lint-1k', 'ratio_median', '<=', 1.5);
  }),
);
