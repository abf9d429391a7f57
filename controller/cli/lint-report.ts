// What every lint output format receives: the findings, sorted, and what was read.
import type { Finding } from '../manifest/finding.ts';
import type { DocumentSummary } from '../manifest/parse-manifests.ts';

export interface LintReport {
  /** Sorted by file, line, column, rule. */
  readonly findings: readonly Finding[];
  /** Every file considered (read or refused), display paths, sorted. */
  readonly files: readonly string[];
  /** Every document seen. */
  readonly documents: readonly DocumentSummary[];
  /** Text of the files that were read, for source excerpts. */
  readonly texts: ReadonlyMap<string, string>;
  /** --strict: warnings fail like errors. */
  readonly strict: boolean;
  readonly version: string;
}

/** Counts for the one-line summary and the JSON summary. */
export function summarize(report: LintReport): { files: number; documents: number; errors: number; warnings: number } {
  let errors = 0;
  for (const f of report.findings) if (f.severity === 'error') errors++;
  return { files: report.files.length, documents: report.documents.length, errors, warnings: report.findings.length - errors };
}

/** "3 files, 7 documents: 1 error, 2 warnings". */
export function summaryLine(report: LintReport): string {
  const s = summarize(report);
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const outcome = s.errors + s.warnings === 0 ? 'no problems' : `${n(s.errors, 'error')}, ${n(s.warnings, 'warning')}`;
  return `${n(s.files, 'file')}, ${n(s.documents, 'document')}: ${outcome}`;
}
