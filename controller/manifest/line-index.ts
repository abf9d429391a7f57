// Offsets to 1-based line/column pairs for one file's text, by binary search over line starts.
import { fitted } from './fitted-array.ts';
import type { SourceRange } from './finding.ts';

/** Line starts of a text, built once per file. */
export class LineIndex {
  readonly starts: readonly number[];
  readonly text: string;

  constructor(text: string) {
    this.text = text;
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    // Kept as long as the file's findings may need a position: no spare room (fitted-array.ts).
    this.starts = fitted(starts);
  }

  /** 1-based line and column of an offset (columns in UTF-16 code units). */
  position(offset: number): { line: number; column: number } {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - this.starts[lo]! + 1 };
  }

  /**
   * The range of [start, end), trailing blanks and line breaks dropped so a block ends on its
   * last character rather than at the start of the next line.
   */
  range(start: number, end: number): SourceRange {
    let e = Math.max(start, Math.min(end, this.text.length));
    while (e > start && isBlank(this.text.charCodeAt(e - 1))) e--;
    const a = this.position(start);
    const b = this.position(e);
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}
