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

/** One slip: where it was made, what to tell the person, and a repaired copy of its line(s). */
export interface YamlSlip {
  readonly kind: 'indented-more' | 'indented-less' | 'tab-indent' | 'unclosed-quote' | 'unclosed-bracket' | 'missing-colon' | 'colon-in-value';
  /** 1-based line and column of the slip; endColumn just after its span on that line. */
  readonly line: number;
  readonly column: number;
  readonly endColumn: number;
  readonly message: string;
  /** The slip's lines (1-based) with their text repaired: the same number of lines. */
  readonly repair: ReadonlyMap<number, string>;
}

type Kind = 'opener' | 'inline' | 'block-scalar' | 'item' | 'bare';

interface Line {
  readonly no: number;
  indent: number;
  readonly text: string;
  readonly kind: Kind;
  readonly isItem: boolean;
  /** A plain scalar value on the line (a bare line below continues it). */
  readonly plainValue: boolean;
  /** For `- key: …`: the column (0-based) of that key, where the item's other keys line up. */
  readonly innerIndent: number | undefined;
  /** For `- key:` (nothing after the colon): the item's inner key opens a block. */
  readonly innerOpener: boolean;
  readonly children: Line[];
  parent: Line | undefined;
  /** The first line of a document (after '---'), to keep documents apart. */
  readonly doc: number;
}

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

function canHaveChildren(line: Line): boolean {
  return line.kind === 'opener' || (line.isItem && (line.innerOpener || line.innerIndent !== undefined));
}

function isOpener(line: Line): boolean {
  return line.kind === 'opener' || (line.isItem && line.innerOpener);
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

/** Indentation and missing ':' slips, from each line's place among its siblings. */
function structureSlips(lines: Line[], raw: readonly string[]): YamlSlip[] {
  const root: Line[] = [];
  const firstRoot = new Map<number, Line>();
  const stack: Line[] = [];
  for (const line of lines) {
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      if (top.doc !== line.doc) {
        stack.length = 0;
        break;
      }
      if (top.indent < line.indent) break;
      // `key:` followed by `- item` at the key's own indentation: the items belong to the key.
      if (top.indent === line.indent && line.isItem && top.kind === 'opener' && !top.isItem && top.children.every((c) => c.isItem)) break;
      stack.pop();
    }
    // A line between a line's own indentation and that of its children: when it lines up with
    // the children of a line further up, it is one of those (the line above was indented less).
    const top = stack.at(-1);
    if (top !== undefined && top.children.length > 0 && line.indent < top.children[0]!.indent) {
      const at = stack.findLastIndex((a) => a.children[0]?.indent === line.indent);
      if (at !== -1) stack.length = at + 1;
      else if (firstRoot.get(line.doc)?.indent === line.indent) stack.length = 0;
    }
    const parent = stack.at(-1);
    line.parent = parent;
    (parent ? parent.children : root).push(line);
    if (!parent && !firstRoot.has(line.doc)) firstRoot.set(line.doc, line);
    stack.push(line);
  }
  const slips: YamlSlip[] = [];
  const check = (parent: Line | undefined, children: Line[]) => {
    // A bare line below a plain value continues that value (YAML allows it): not a sibling.
    const siblings = parent?.plainValue ? children.filter((c) => c.kind !== 'bare') : children;
    if (siblings.length === 0) {
      // nothing to compare
    } else if (parent !== undefined && !canHaveChildren(parent)) {
      // Nothing can be nested under a line that already has its value: it lines up with that line.
      const first = siblings[0]!;
      const run = siblings.filter((s) => s.indent === first.indent);
      slips.push(indentSlip('indented-more', run, parent.indent, raw, compared(first, parent.no, parent.indent, run.length > 1)));
    } else if (parent?.innerIndent !== undefined) {
      // `- key: …`: the item's other keys line up with that key; deeper lines are under it when it opens a block.
      const k = parent.innerIndent;
      let lastGood = parent.no;
      for (const c of siblings) {
        if (c.indent === k) {
          lastGood = c.no;
          if (c.kind === 'bare' && !c.isItem) slips.push(missingColon(c));
        } else if (!(c.indent > k && parent.innerOpener)) {
          slips.push(indentSlip(c.indent > k ? 'indented-more' : 'indented-less', [c], k, raw, compared(c, lastGood, k)));
        }
      }
    } else {
      for (const group of [siblings.filter((c) => c.isItem), siblings.filter((c) => !c.isItem)]) {
        if (group.length === 0) continue;
        const expected = majority(group.map((c) => c.indent));
        const keys = group.some((c) => c.kind !== 'bare');
        let run: Line[] = [];
        // The line to line up with: the last sibling before that is where it should be, else the first after.
        let lastGood: Line | undefined;
        const flush = () => {
          if (run.length === 0) return;
          const first = run[0]!;
          const ref = lastGood ?? group.find((s) => s.indent === expected && s.no > first.no);
          slips.push(indentSlip(first.indent > expected ? 'indented-more' : 'indented-less', run, expected, raw, compared(first, ref?.no ?? first.no, expected, run.length > 1)));
          run = [];
        };
        for (const child of group) {
          if (child.indent !== expected) {
            if (run.length > 0 && run[0]!.indent !== child.indent) flush();
            run.push(child);
            continue;
          }
          flush();
          lastGood = child;
          if (child.kind === 'bare' && keys && !child.isItem) slips.push(missingColon(child));
        }
        flush();
      }
    }
    for (const c of children) if (c.children.length > 0) check(c, c.children);
  };
  // Each document's top level on its own.
  const docs = new Map<number, Line[]>();
  for (const line of root) {
    const top = docs.get(line.doc);
    if (top) top.push(line);
    else docs.set(line.doc, [line]);
  }
  for (const top of docs.values()) check(undefined, top);
  return slips;
}

function majority(indents: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const n of indents) counts.set(n, (counts.get(n) ?? 0) + 1);
  // Ties go to the first line: it is the one the others were meant to follow.
  let best = indents[0]!;
  for (const [n, count] of counts) if (count > counts.get(best)!) best = n;
  return best;
}

/** One slip for a run of sibling lines indented alike but not like the others; the repair moves them and what is under them. */
function indentSlip(kind: 'indented-more' | 'indented-less', run: readonly Line[], expected: number, raw: readonly string[], reason: string): YamlSlip {
  const first = run[0]!;
  const last = run.at(-1)!;
  const which = kind === 'indented-more' ? 'more' : 'less';
  const message = run.length === 1
    ? `line ${first.no} is indented ${which} than the lines around it: ${reason}`
    : `lines ${first.no}-${last.no} are indented ${which} than the lines around them: ${reason}`;
  const shift = expected - first.indent;
  const repair = new Map<number, string>();
  const move = (line: Line) => {
    const text = raw[line.no - 1]!;
    const lead = /^[ \t]*/.exec(text)![0].length;
    repair.set(line.no, ' '.repeat(Math.max(0, line.indent + shift)) + text.slice(lead));
    for (const c of line.children) move(c);
  };
  for (const line of run) move(line);
  return { kind, line: first.no, column: first.indent + 1, endColumn: first.indent + 2, message, repair };
}

// Where the line starts and where the line it should line up with starts (1-based columns).
function compared(line: Line, reference: number, expected: number, they = false): string {
  return `${they ? 'they start' : 'it starts'} at column ${line.indent + 1}, line ${reference} at column ${expected + 1}`;
}

function missingColon(line: Line): YamlSlip {
  const text = line.text;
  const body = text.slice(line.indent);
  const word = /^\S*/.exec(body)![0];
  return {
    kind: 'missing-colon', line: line.no, column: line.indent + 1, endColumn: line.indent + 1 + word.length,
    message: `a key with no value or a missing ':' at line ${line.no}`,
    repair: new Map([[line.no, `${' '.repeat(line.indent)}${word.replace(/:$/, '')}:${body.slice(word.length) === '' ? '' : ` ${JSON.stringify(body.slice(word.length).trim())}`}`]]),
  };
}
