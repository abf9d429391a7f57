// --format text: `file:line:col severity rule message`, then the source line with the node
// underlined, as compilers print it.
import { LineIndex } from '../manifest/line-index.ts';
import type { Finding } from '../manifest/finding.ts';
import type { LintReport } from './lint-report.ts';
import { escapeText, joinLines, safeLine } from '../output/escape.ts';

/** Renders findings for people at a terminal. */
export function formatText(report: LintReport): string {
  const indexes = new Map<string, LineIndex>();
  const out: string[] = [];
  for (const f of report.findings) {
    out.push(`${escapeText(f.file)}:${f.line}:${f.column} ${f.severity} ${f.rule} ${escapeText(f.message)}`);
    const text = report.texts.get(f.file);
    if (text === undefined) continue;
    let index = indexes.get(f.file);
    if (!index) {
      index = new LineIndex(text);
      indexes.set(f.file, index);
    }
    out.push(...excerpt(index, f));
  }
  return joinLines(out);
}

function excerpt(index: LineIndex, f: Finding): string[] {
  const source = index.lineText(f.line);
  if (source === '' && f.line > index.starts.length) return [];
  const cut = source.slice(0, 200);
  const gutter = String(f.line).padStart(5);
  const start = Math.min(f.column - 1, cut.length);
  const end = f.endLine === f.line ? Math.max(start, Math.min(f.endColumn - 1, cut.length)) : cut.length;
  // The source is hostile too: escape it piece by piece so the carets stay under the node even
  // where one character is shown as several (\x1b).
  const before = safeLine(cut.slice(0, start));
  const node = safeLine(cut.slice(start, end));
  const shown = `${before}${node}${safeLine(cut.slice(end))}${source.length > 200 ? '…' : ''}`;
  // Keep tabs in the padding so the carets line up under tab-indented text.
  const pad = before.replace(/[^\t]/g, ' ');
  const carets = '^'.repeat(Math.max(1, node.length));
  return [`${gutter} | ${shown}`, `${' '.repeat(gutter.length)} | ${pad}${carets}`];
}
