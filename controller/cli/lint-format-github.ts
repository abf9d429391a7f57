// --format github: workflow commands that GitHub Actions turns into annotations on the exact
// lines of a pull request's diff.
import type { LintReport } from './lint-report.ts';

/** Escapes a command's message (%, CR, LF), as the Actions runner decodes it. */
export function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** Escapes a command property value: the message escapes plus ':' and ','. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

/** Renders findings as ::error / ::warning lines. */
export function formatGithub(report: LintReport): string {
  return report.findings
    .map((f) => {
      const props = [
        `file=${escapeProperty(f.file)}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        `endColumn=${f.endColumn}`,
        `title=${escapeProperty(f.rule)}`,
      ].join(',');
      return `::${f.severity} ${props}::${escapeData(f.message)}\n`;
    })
    .join('');
}
