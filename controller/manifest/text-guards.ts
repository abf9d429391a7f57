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

// Character codes the scan compares (charCodeAt and numbers: no one-character strings, no Set
// lookups per character; issue 17, about 10 ms of linting 1,000 files).
const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const SQUOTE = 39;
const STAR = 42;
const COMMA = 44;
const DASH = 45;
const COLON = 58;
const QUESTION = 63;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

/** After this character a token may start (an alias, for instance). */
function isTokenStart(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR || c === LBRACKET || c === LBRACE || c === COMMA || c === COLON || c === DASH || c === QUESTION;
}

// A quote opens a quoted scalar only as the first character of a node; inside a plain scalar
// (x "y") it is text, and brackets after it still count.
function isNodeStart(c: number): boolean {
  return c === LF || c === COLON || c === DASH || c === QUESTION || c === LBRACKET || c === LBRACE || c === COMMA;
}
const anchorChar = /[^\s,[\]{}]/;

/** The first reason this text cannot be handed to the YAML parser safely, if any. */
export function findTextProblem(text: string): TextProblem | undefined {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return { kind: 'nul', offset: nul };
  // The closers expected, innermost last.
  const stack: number[] = [];
  let aliases = 0;
  let firstAlias = -1;
  let lineStart = true;
  let lastSignificant = LF;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (lineStart) {
      // Measure where the content of this line starts: indentation plus compact indicators.
      let j = i;
      let d = c;
      while (j < n && ((d = text.charCodeAt(j)) === SPACE || d === TAB)) j++;
      while (j + 1 < n && ((d = text.charCodeAt(j)) === DASH || d === QUESTION || d === COLON) && ((d = text.charCodeAt(j + 1)) === SPACE || d === TAB)) {
        j += 2;
        while (j < n && ((d = text.charCodeAt(j)) === SPACE || d === TAB)) j++;
      }
      if (j - i > textLimits.maxBlockColumn && j < n && (d = text.charCodeAt(j)) !== LF && d !== CR && d !== HASH) {
        return { kind: 'block-depth', offset: i, column: j - i + 1 };
      }
      lineStart = false;
      // In block context a new line starts a node; inside a flow collection it may continue a
      // plain scalar, so the last character seen still decides whether a quote opens a string.
      if (stack.length === 0) {
        lastSignificant = j > i && j >= 2 ? text.charCodeAt(j - 2) : LF;
        if (lastSignificant === SPACE || lastSignificant === TAB) lastSignificant = LF;
      }
      i = j;
      continue;
    }
    if (c === LF) {
      lineStart = true;
      i++;
      continue;
    }
    const prev = i === 0 ? LF : text.charCodeAt(i - 1);
    if (c === HASH && (prev === SPACE || prev === TAB || prev === LF)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end;
      continue;
    }
    if ((c === DQUOTE || c === SQUOTE) && isNodeStart(lastSignificant)) {
      i = skipQuoted(text, i);
      lastSignificant = c;
      continue;
    }
    if (c !== SPACE && c !== TAB && c !== CR) lastSignificant = c;
    if (c === LBRACKET || c === LBRACE) {
      stack.push(c === LBRACKET ? RBRACKET : RBRACE);
      if (stack.length > textLimits.maxFlowDepth) return { kind: 'flow-depth', offset: i, depth: stack.length };
    } else if ((c === RBRACKET || c === RBRACE) && stack[stack.length - 1] === c) {
      stack.pop();
    } else if (c === STAR && isTokenStart(prev) && i + 1 < n && anchorChar.test(text[i + 1]!)) {
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
  const quote = text.charCodeAt(start);
  const n = text.length;
  let i = start + 1;
  let c: number;
  while (i < n && (c = text.charCodeAt(i)) !== LF) {
    if (quote === DQUOTE && c === BACKSLASH) i += 2;
    else if (c === quote) {
      if (quote === SQUOTE && text.charCodeAt(i + 1) === SQUOTE) i += 2;
      else return i + 1;
    } else i++;
  }
  return start + 1;
}
