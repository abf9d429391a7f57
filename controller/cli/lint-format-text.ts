// --format text: `file:line:col severity rule message`, then the source line with the node
// underlined, as compilers print it.
import { LineIndex } from '../manifest/line-index.ts';
import type { Finding } from '../manifest/finding.ts';
import type { LintReport } from './lint-report.ts';

/** Renders findings for people at a terminal. */
export function formatText(report: LintReport): string {
  const indexes = new Map<string, LineIndex>();
  const out: string[] = [];
  for (const f of report.findings) {
    out.push(`${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule} ${f.message}`);
    const text = report.texts.get(f.file);
    if (text === undefined) continue;
    let index = indexes.get(f.file);
    if (!index) {
      index = new LineIndex(text);
      indexes.set(f.file, index);
    }
    out.push(...excerpt(index, f));
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

function excerpt(index: LineIndex, f: Finding): string[] {
  const source = index.lineText(f.line);
  if (source === '' && f.line > index.starts.length) return [];
  const shown = source.length > 200 ? `${source.slice(0, 200)}…` : source;
  const gutter = String(f.line).padStart(5);
  const start = Math.min(f.column - 1, shown.length);
  const end = f.endLine === f.line ? Math.min(f.endColumn - 1, shown.length) : shown.length;
  // Keep tabs in the padding so the carets line up under tab-indented text.
  const pad = shown.slice(0, start).replace(/[^\t]/g, ' ');
  const carets = '^'.repeat(Math.max(1, end - start));
  return [`${gutter} | ${shown}`, `${' '.repeat(gutter.length)} | ${pad}${carets}`];
}
