// Benchmark: the lint comparison of bench/lint.bench.ts at 5,000 files, where memory shows:
// whole process against kubeconform, first run and median, ratio, and the peak RSS of both
// (by /usr/bin/time). Goals (issue 17): at most 1.5× kubeconform and under 100 MB peak.
// Usage: node bench/lint-5k.bench.ts [--files N] [--runs N] [--peer kubeconform|none] [--keep]
import { lintCompare } from './support/lint-compare.ts';
import { runBench } from './support/report.ts';

await runBench('lint-5k', () =>
  lintCompare('lint-5k', { files: 5000, runs: 3 }, (report) => {
    report.goal('lint-5k', 'ratio_median', '<=', 1.5);
    report.goal('lint-5k', 'lint_peak_rss_mb', '<', 100);
  }),
);
