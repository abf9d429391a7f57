// --format json: {"findings":[{file,line,column,endLine,endColumn,severity,rule,message}],
// "summary":{…}} — exactly those keys per finding, for scripts.
import type { LintReport } from './lint-report.ts';
import { stringifyJson } from '../output/escape.ts';
import { summarize } from './lint-report.ts';

/** Renders findings as one JSON object. */
export function formatJson(report: LintReport): string {
  const findings = report.findings.map((f) => ({
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    severity: f.severity,
    rule: f.rule,
    message: f.message,
  }));
  return `${stringifyJson({ findings, summary: summarize(report) })}\n`;
}
