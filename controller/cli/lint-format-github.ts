// --format github: workflow commands that GitHub Actions turns into annotations on the exact
// lines of a pull request's diff.
import type { LintReport } from './lint-report.ts';
import { escapeWorkflowData, escapeWorkflowProperty } from '../output/escape.ts';

/** Renders findings as ::error / ::warning lines. */
export function formatGithub(report: LintReport): string {
  return report.findings
    .map((f) => {
      const props = [
        `file=${escapeWorkflowProperty(f.file)}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        `endColumn=${f.endColumn}`,
        `title=${escapeWorkflowProperty(f.rule)}`,
      ].join(',');
      return `::${f.severity} ${props}::${escapeWorkflowData(f.message)}\n`;
    })
    .join('');
}
