// The slips people make when they edit a manifest by hand, found in the text itself: a line
// indented more or less than its siblings, a tab in the indentation, a quote or bracket never
// closed, a key without its ':', a ':' inside a plain value. The YAML parser sees each of these
// only where its reading breaks down, often lines later, and then reports what follows from it
// several times over; here each slip is one sentence at the line where it was made.
//
// Used only on text the parser refused, so a reading that YAML allows but a manifest never
// needs (a plain value continued on the next line) cannot become a finding by itself. Each slip
// comes with a repair that keeps every line where it is, so the caller can parse again and
// report what the slips do not explain. Block YAML only, as manifests are written; content of
// block scalars (|, >) and multi-line flow collections is left alone. Pure.
import { isOpener, structureSlips, type Kind, type Line, type YamlSlip } from './yaml-slip-structure.ts';

// A key: quoted, or plain (not starting with an indicator), up to the first ':' followed by a blank or the end.
const keyPattern = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s\-?:,[\]{}#&*!|>'"%@`][^\n]*?|-[^\s\n][^\n]*?)[ \t]*:(?=[ \t]|$)/;
const blockScalar = /^[|>][-+1-9]*[ \t]*(?:#.*)?$/;

/** The slips in `text`, in line order, at most one per line. */
export function findYamlSlips(text: string): YamlSlip[] {
  // A lone CR breaks lines for YAML but not for line numbers: the lines would not match.
  if (/\r(?!\n)/.test(text)) return [];
  // A byte order mark is not part of the first line's text; columns on that line count it.
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const slips = findSlips(text.slice(bom));
  return bom === 0 ? slips : slips.map((s) => (s.line !== 1 ? s : {
    ...s, column: s.column + 1, endColumn: s.endColumn + 1, repair: new Map([...s.repair].map(([no, t]) => [no, no === 1 ? `\uFEFF${t}` : t])),
  }));
}

function findSlips(text: string): YamlSlip[] {
  const raw = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const slips = new Map<number, YamlSlip>();
  const add = (slip: YamlSlip) => {
    if (!slips.has(slip.line)) slips.set(slip.line, slip);
  };
  const lines: Line[] = [];
  let doc = 1;
  let previous: Line | undefined;
  for (let i = 0; i < raw.length; i++) {
    const text = raw[i]!;
    const no = i + 1;
    if (/^(?:---|\.\.\.)(?:\s|$)/.test(text) || text.startsWith('%')) {
      doc = no + 1;
      previous = undefined;
      continue;
    }
    // Blank and comment lines, and an anchor or tag alone on its line (it belongs to the node below).
    if (/^\s*(?:#.*)?$/.test(text) || /^\s*(?:[&!]\S*[ \t]*)+(?:#.*)?$/.test(text)) continue;
    let indent = /^ */.exec(text)![0].length;
    let body = text.slice(indent);
    if (/^[ \t]*\t/.test(text)) {
      // The indentation holds a tab: guess what was meant from the line before, and go on with that.
      const tab = text.search(/\t/);
      const lead = /^[ \t]*/.exec(text)![0];
      body = text.slice(lead.length);
      const expected = previous === undefined ? 0 : previous.indent + (isOpener(previous) ? 2 : 0);
      indent = expected;
      add({
        kind: 'tab-indent', line: no, column: tab + 1, endColumn: tab + 2,
        message: `a tab is used for indentation at line ${no}: use spaces`,
        repair: new Map([[no, ' '.repeat(expected) + body]]),
      });
    }
    const line = classify(no, indent, text, body, doc);
    lines.push(line);
    previous = line;
    // What follows a value on this line: block scalar content, or a quote or bracket left open.
    const value = valueOf(line, body);
    if (line.kind === 'block-scalar') {
      while (i + 1 < raw.length && (/^\s*$/.test(raw[i + 1]!) || indentOf(raw[i + 1]!) > indent)) i++;
      continue;
    }
    if (value === undefined) continue;
    const open = openAtEnd(value.text);
    if (open === undefined) {
      if (line.plainValue) {
        const colon = /:(?=[ \t]|$)/.exec(stripComment(value.text));
        if (colon) {
          const at = indent + value.offset + colon.index;
          add({
            kind: 'colon-in-value', line: no, column: at + 1, endColumn: at + 2,
            message: `a ':' inside the value at line ${no}: put the value in quotes`,
            repair: new Map([[no, text.slice(0, indent + value.offset) + JSON.stringify(value.text.trim())]]),
          });
        }
      }
      continue;
    }
    // Open at the end of the line: legitimate if it closes on a later line that is still indented
    // more than this one; a slip if a line at this indentation or less comes first (it meant to close).
    const at = indent + value.offset + open.offset;
    // A value alone on its line (under `key:`) may close at that line's own indentation.
    const floor = line.kind === 'bare' ? indent - 1 : indent;
    let j = i + 1;
    let state: Open | undefined = open;
    for (; j < raw.length && state !== undefined; j++) {
      const next = raw[j]!;
      if (!/^\s*$/.test(next) && indentOf(next) <= floor) break;
      state = continueOpen(state, next);
    }
    if (state === undefined) {
      i = j - 1;
      continue;
    }
    const what = open.kind === 'quote' ? 'quote' : `'${open.char}'`;
    const advice = open.kind === 'quote' ? `end the value with ${open.char}` : open.char === '[' ? "end the list with ']'" : "end the mapping with '}'";
    add({
      kind: open.kind === 'quote' ? 'unclosed-quote' : 'unclosed-bracket', line: no, column: at + 1, endColumn: at + 2,
      message: `an unclosed ${what} starting at line ${no}: ${advice}`,
      repair: new Map([[no, text.slice(0, indent + value.offset) + '""']]),
    });
  }
  for (const slip of structureSlips(lines, raw)) add(slip);
  return [...slips.values()].sort((a, b) => a.line - b.line);
}

/** `text` with every slip's repair applied. */
export function repairYamlSlips(text: string, slips: readonly YamlSlip[]): string {
  const lines = text.split('\n');
  for (const slip of slips) {
    for (const [no, repaired] of slip.repair) {
      const cr = lines[no - 1]?.endsWith('\r') ? '\r' : '';
      lines[no - 1] = repaired + cr;
    }
  }
  return lines.join('\n');
}

function indentOf(text: string): number {
  return /^[ \t]*/.exec(text)![0].length;
}

function classify(no: number, indent: number, text: string, body: string, doc: number): Line {
  let kind: Kind = 'bare';
  let isItem = false;
  let plainValue = false;
  let innerIndent: number | undefined;
  let innerOpener = false;
  let rest = body;
  if (/^-(?:[ \t]|$)/.test(body)) {
    isItem = true;
    const after = body.slice(1);
    const pad = /^[ \t]*/.exec(after)![0].length;
    rest = after.slice(pad);
    if (withoutProps(stripComment(rest)) === '') {
      return { no, indent, text, kind: 'item', isItem, plainValue, innerIndent, innerOpener: true, children: [], parent: undefined, doc };
    }
    const key = keyPattern.exec(rest);
    if (/^-(?:[ \t]|$)/.test(rest)) {
      // `- - a`: a list in a list; its other items line up with the inner dash.
      return { no, indent, text, kind: 'item', isItem, plainValue, innerIndent: indent + 1 + pad, innerOpener: false, children: [], parent: undefined, doc };
    }
    if (key) {
      innerIndent = indent + 1 + pad;
      const value = withoutProps(stripComment(rest.slice(key[0].length)));
      innerOpener = value === '';
      plainValue = isPlain(value);
    } else {
      plainValue = isPlain(withoutProps(stripComment(rest)));
    }
    kind = blockScalar.test(key ? rest.slice(key[0].length).trim() : rest) ? 'block-scalar' : 'item';
    return { no, indent, text, kind, isItem, plainValue, innerIndent, innerOpener, children: [], parent: undefined, doc };
  }
  const key = keyPattern.exec(body);
  if (key) {
    const value = withoutProps(stripComment(body.slice(key[0].length)));
    kind = value === '' ? 'opener' : blockScalar.test(value) ? 'block-scalar' : 'inline';
    plainValue = kind === 'inline' && isPlain(value);
  }
  return { no, indent, text, kind, isItem, plainValue, innerIndent, innerOpener, children: [], parent: undefined, doc };
}

// Anchors (&name) and tags (!tag) before a value are not the value: `enum: &a1` opens a block.
function withoutProps(value: string): string {
  return value.trim().replace(/^(?:[&!]\S*(?:[ \t]+|$))+/, '').trim();
}

function isPlain(value: string): boolean {
  return value !== '' && !/^[|>"'[{&*!]/.test(value);
}

/** The value part of a line (after `key:` or `- `), with its offset in the line's body. */
function valueOf(line: Line, body: string): { text: string; offset: number } | undefined {
  let offset = 0;
  let rest = body;
  if (line.isItem) {
    const pad = /^-[ \t]*/.exec(rest)![0].length;
    offset += pad;
    rest = rest.slice(pad);
  }
  const key = keyPattern.exec(rest);
  if (key) {
    offset += key[0].length;
    rest = rest.slice(key[0].length);
  }
  const lead = /^[ \t]*/.exec(rest)![0].length;
  offset += lead;
  rest = rest.slice(lead);
  // Anchors and tags before the value.
  const props = /^(?:[&!][^\s]*[ \t]+)*/.exec(rest)![0].length;
  offset += props;
  rest = rest.slice(props);
  if (rest === '' || rest.startsWith('#')) return undefined;
  return { text: rest, offset };
}

function stripComment(value: string): string {
  const hash = value.search(/(?:^|[ \t])#/);
  return hash === -1 ? value : value.slice(0, hash);
}

interface Open {
  readonly kind: 'quote' | 'bracket';
  /** The quote or the first bracket left open. */
  readonly char: string;
  readonly offset: number;
  /** Brackets still open, innermost last, and a quote open inside them. */
  readonly stack: readonly string[];
  readonly quote: string | undefined;
}

/** What is left open at the end of `value` (a quote, or brackets), or undefined when it closes. */
function openAtEnd(value: string): Open | undefined {
  const first = value[0];
  if (first === '"' || first === "'") {
    const end = closeQuote(value, 1, first);
    return end === -1 ? { kind: 'quote', char: first, offset: 0, stack: [], quote: first } : undefined;
  }
  if (first !== '[' && first !== '{') return undefined;
  const state = scanFlow({ kind: 'bracket', char: first, offset: 0, stack: [], quote: undefined }, value);
  return state;
}

/** The index after the closing quote from `from`, or -1. */
function closeQuote(text: string, from: number, quote: string): number {
  for (let k = from; k < text.length; k++) {
    const c = text[k]!;
    if (quote === '"' && c === '\\') k++;
    else if (c === quote) {
      if (quote === "'" && text[k + 1] === "'") k++;
      else return k + 1;
    }
  }
  return -1;
}

/** Brackets and quotes through `text`; undefined once every bracket has closed. */
function scanFlow(state: Open, text: string): Open | undefined {
  const stack = [...state.stack];
  let quote = state.quote;
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (quote !== undefined) {
      if (quote === '"' && c === '\\') k++;
      else if (c === quote) {
        if (quote === "'" && text[k + 1] === "'") k++;
        else quote = undefined;
      }
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (k === 0 || /[ \t]/.test(text[k - 1]!))) break;
    else if (c === '[' || c === '{') stack.push(c);
    else if (c === ']' || c === '}') {
      stack.pop();
      if (stack.length === 0) return undefined;
    }
  }
  return { ...state, stack, quote };
}

function continueOpen(state: Open, text: string): Open | undefined {
  if (state.kind === 'quote') return closeQuote(text, 0, state.char) === -1 ? state : undefined;
  return scanFlow(state, text);
}
