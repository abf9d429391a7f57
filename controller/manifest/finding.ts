// A finding: one problem lint reports, always with the exact span of the offending node.
// Positions are 1-based; endColumn is the column just after the last character (as in SARIF),
// columns count UTF-16 code units (JavaScript string indexes).

export type Severity = 'error' | 'warning';

/** A span of source text, 1-based, end exclusive. */
export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One problem in one file. */
export interface Finding extends SourceRange {
  file: string;
  severity: Severity;
  rule: string;
  message: string;
  /** `${namespace}/${kind}/${name}` of the manifest concerned, when there is one. */
  key?: string;
  /** JSON pointer of the offending node inside its document (RFC 6901), when there is one. */
  path?: string;
  /** Index of the document in its file (as yaml's parseAllDocuments counts them), when the finding concerns one. */
  docIndex?: number;
}

/** Orders findings by file, line, column, rule, then message: lint output never depends on discovery order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareText(a.rule, b.rule) ||
    compareText(a.message, b.message)
  );
}

/** Code-unit order, independent of the locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
