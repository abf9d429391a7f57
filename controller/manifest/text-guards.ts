// Cheap checks on raw text, run before the YAML parser sees it. The parser is fine on real
// manifests but super-linear on some hostile shapes (thousands of unclosed '{' take minutes, a
// flow collection that never closes keeps every later line open, alias chains expand
// exponentially), so a file that cannot be a manifest is refused here in one linear pass.

/** Limits of the pre-check; a real manifest is far below each. */
export const textLimits = {
  /** Open flow collections ('[' and '{') at once. */
  maxFlowDepth: 32,
  /** Column where a line's content starts, after indentation and '- ' / '? ' indicators. */
  maxBlockColumn: 256,
  /** Alias occurrences (*name) in one file. */
  maxAliases: 1000,
} as const;

export type TextProblem =
  | { kind: 'nul'; offset: number }
  | { kind: 'flow-depth'; offset: number; depth: number }
  | { kind: 'block-depth'; offset: number; column: number }
  | { kind: 'aliases'; offset: number; count: number };

/** UTF-8 size of a string without allocating it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const tokenStart = new Set([' ', '\t', '\n', '\r', '[', '{', ',', ':', '-', '?']);
// A quote opens a quoted scalar only as the first character of a node; inside a plain scalar
// (x "y") it is text, and brackets after it still count.
const nodeStart = new Set(['\n', ':', '-', '?', '[', '{', ',']);
const anchorChar = /[^\s,[\]{}]/;

/** The first reason this text cannot be handed to the YAML parser safely, if any. */
export function findTextProblem(text: string): TextProblem | undefined {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { kind: 'nul', offset: nul };
  const stack: string[] = [];
  let aliases = 0;
  let firstAlias = -1;
  let lineStart = true;
  let lastSignificant = '\n';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const prev = i === 0 ? '\n' : text[i - 1]!;
    if (lineStart) {
      // Measure where the content of this line starts: indentation plus compact indicators.
      let j = i;
      while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
      while (j + 1 < n && (text[j] === '-' || text[j] === '?' || text[j] === ':') && (text[j + 1] === ' ' || text[j + 1] === '\t')) {
        j += 2;
        while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
      }
      if (j - i > textLimits.maxBlockColumn && j < n && text[j] !== '\n' && text[j] !== '\r' && text[j] !== '#') {
        return { kind: 'block-depth', offset: i, column: j - i + 1 };
      }
      lineStart = false;
      // In block context a new line starts a node; inside a flow collection it may continue a
      // plain scalar, so the last character seen still decides whether a quote opens a string.
      if (stack.length === 0) {
        lastSignificant = j > i ? text[j - 2] ?? '\n' : '\n';
        if (lastSignificant === ' ' || lastSignificant === '\t') lastSignificant = '\n';
      }
      i = j;
      continue;
    }
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    const atToken = tokenStart.has(prev);
    if (c === '#' && (prev === ' ' || prev === '\t' || prev === '\n')) {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if ((c === '"' || c === "'") && nodeStart.has(lastSignificant)) {
      i = skipQuoted(text, i);
      lastSignificant = c;
      continue;
    }
    if (c !== ' ' && c !== '\t' && c !== '\r') lastSignificant = c;
    if (c === '[' || c === '{') {
      stack.push(c === '[' ? ']' : '}');
      if (stack.length > textLimits.maxFlowDepth) return { kind: 'flow-depth', offset: i, depth: stack.length };
    } else if ((c === ']' || c === '}') && stack[stack.length - 1] === c) {
      stack.pop();
    } else if (c === '*' && atToken && i + 1 < n && anchorChar.test(text[i + 1]!)) {
      if (firstAlias < 0) firstAlias = i;
      if (++aliases > textLimits.maxAliases) return { kind: 'aliases', offset: firstAlias, count: aliases };
    }
    i++;
  }
  return undefined;
}

/**
 * Index just after a quoted scalar starting at `start` when it closes on the same line;
 * otherwise just after the quote. Why same-line only: an apostrophe in a plain scalar
 * ("it's") must not let the scan skip the rest of the file and miss what follows.
 */
function skipQuoted(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== '\n') {
    const c = text[i];
    if (quote === '"' && c === '\\') i += 2;
    else if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") i += 2;
      else return i + 1;
    } else i++;
  }
  return start + 1;
}
