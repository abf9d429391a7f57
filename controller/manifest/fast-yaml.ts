// The fast path of lint: YAML text → plain values for the kind of YAML manifests are written
// in, several times faster than the `yaml` library because it builds no nodes. Block mappings
// and sequences, plain and quoted one-line scalars, one-line flow collections, `|` and `>`
// block scalars, comments, `---` between documents.
//
// It reads a file only when it is sure to get exactly what `yaml` (YAML 1.2 core schema, as
// parse-yaml-file.ts calls it) would: anything else — anchors, aliases, tags, directives,
// escapes, tabs, duplicate or non-text keys, multi-line plain or quoted scalars, a comment
// after a document's last line, anything odd — makes it answer undefined, and the caller
// parses the file with `yaml`. Asked for spans, it also says where each one-line key and
// value is, which is what most findings point at. Never throws on any text. Pure.
import { fail, inlineValue, keyEnd, keyOf, notPlain, type FlowSpans } from './fast-yaml-scalars.ts';
import { spanKey, type NodeSpan, type SpanPath } from './fast-yaml-spans.ts';

/** One document: its value, and where `yaml` would say it starts and its content ends. */
export interface PlainDocument {
  readonly value: unknown;
  /** yaml's Document.range[0]. */
  readonly start: number;
  /** yaml's Document.range[1], up to trailing blanks (callers trim them, as LineIndex.range does). */
  readonly end: number;
  /** With spans: by spanKey(path), every node below the root the reader could place. */
  readonly spans?: ReadonlyMap<string, NodeSpan>;
}

// Control characters, byte order marks, line and paragraph separators, tabs, lone CRs.
const unsafe = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF\t]|\r(?!\n)/;
const marker = /^---(?: +#.*)?$/;

interface Line {
  readonly start: number;
  /** Offset of the end of the line's text (before \r\n). */
  readonly end: number;
  readonly indent: number;
  readonly text: string;
  /** Blank or a comment alone. */
  readonly empty: boolean;
}

/** The documents of `text` as plain values, or undefined when the fast path cannot be sure. */
export function readPlainYaml(text: string, options: { spans?: boolean } = {}): PlainDocument[] | undefined {
  // A byte order mark too is left to yaml, which reads '- x' after one as an error.
  if (unsafe.test(text)) return undefined;
  try {
    return new Reader(text, options.spans === true).documents();
  } catch (error) {
    if (error === notPlain) return undefined;
    throw error;
  }
}

/**
 * The span of one node, `path` in the document `doc` of `text`, read until it is found and
 * without recording any other (issue 17: a finding needs one node; recording every node's span
 * of its file cost a Map entry and a built string each). For a text readPlainYaml reads, the
 * span readPlainYaml(text, { spans: true }) has for that path; undefined when it has none.
 */
export function spanOfPath(text: string, doc: number, path: SpanPath): NodeSpan | undefined {
  if (unsafe.test(text)) return undefined;
  try {
    new Reader(text, false, { doc, path }).documents();
    return undefined;
  } catch (error) {
    if (error instanceof Found) return error.span;
    if (error === notPlain) return undefined;
    throw error;
  }
}

/** Thrown by a Reader looking for one node when it places it: nothing after it matters. */
class Found {
  readonly span: NodeSpan;
  constructor(span: NodeSpan) {
    this.span = span;
  }
}

function sameSegment(a: string | { index: number }, b: string | { index: number } | undefined): boolean {
  return typeof a === 'string' ? a === b : typeof b === 'object' && a.index === b.index;
}

/** A line at column 0 that starts with '---' or '...' ends a block; documents() tells a marker from a mistake. */
function endsDocument(line: Line): boolean {
  return line.indent === 0 && (line.text.startsWith('---') || line.text.startsWith('...'));
}

class Reader {
  private readonly lines: Line[] = [];
  /** The next line to read. */
  private at = 0;
  /** Where the current line's content starts when a compact mapping starts inside it (`- key: v`). */
  private column = -1;
  /** Last content line read. */
  private last = -1;
  /**
   * spanKey() of the path of the node being read and of each node above it, when spans are
   * wanted: each level extends the one above, so a node's key is built once, not per record.
   */
  private readonly keys: string[] = [''];
  private spans: Map<string, NodeSpan> | undefined;

  private readonly withSpans: boolean;
  /** The one node wanted (spanOfPath), instead of every span. */
  private readonly want: { readonly doc: number; readonly path: SpanPath } | undefined;
  /** With `want`: the document being read, the depth of the node being read, and how many of its leading path segments are the wanted one's. */
  private doc = 0;
  private depth = 0;
  private matched = 0;

  constructor(text: string, withSpans: boolean, want?: { doc: number; path: SpanPath }) {
    this.withSpans = withSpans;
    this.want = want;
    let start = 0;
    for (;;) {
      let next = text.indexOf('\n', start);
      if (next < 0) next = text.length;
      const end = next > start && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
      const body = text.slice(start, end);
      let indent = 0;
      while (body.charCodeAt(indent) === 32) indent++;
      const c = body[indent];
      this.lines.push({ start, end, indent, text: body, empty: c === undefined || c === '#' });
      if (next === text.length) break;
      start = next + 1;
    }
  }

  documents(): PlainDocument[] {
    const docs: PlainDocument[] = [];
    const isMarker = (line: Line) => line.text.startsWith('---') && marker.test(line.text);
    let first = true;
    for (;;) {
      if (first) this.skipEmpty(); // comments before the first document belong to none
      const line = this.lines[this.at];
      if (line === undefined) break;
      const explicit = isMarker(line);
      if (explicit) this.at++;
      else if (!first) fail(); // a document ends only at a marker (or '...', left to yaml)
      first = false;
      this.skipEmpty();
      const content = this.lines[this.at];
      if (content === undefined || isMarker(content)) {
        docs.push({ value: null, start: line.start, end: line.end });
        continue;
      }
      this.last = -1;
      this.spans = this.withSpans ? new Map() : undefined;
      this.doc = docs.length;
      const value = this.block(-1);
      this.skipEmpty();
      const after = this.lines[this.at];
      if (after !== undefined && !isMarker(after)) fail();
      // A comment after the last line: yaml counts some of them in the document's range, some not.
      for (let i = this.last + 1; i < this.at; i++) if (this.lines[i]!.text.trim() !== '') fail();
      const start = explicit ? line.start : content.start;
      const end = this.lines[this.last]!.end;
      docs.push(this.spans ? { value, start, end, spans: this.spans } : { value, start, end });
    }
    return docs;
  }

  private skipEmpty(): void {
    while (this.at < this.lines.length && this.lines[this.at]!.empty) this.at++;
  }

  private record(key: [number, number] | undefined, value: [number, number] | undefined): void {
    if (this.spans) this.spans.set(this.keys[this.keys.length - 1]!, { key, value });
    else if (this.want && this.doc === this.want.doc && this.matched === this.depth && this.depth === this.want.path.length) throw new Found({ key, value });
  }

  /** Into the node at `segment` of the node being read. */
  private enter(segment: string | { index: number }): void {
    if (this.spans) this.keys.push(this.keys[this.keys.length - 1]! + spanKey([segment]));
    else if (this.want) {
      if (this.matched === this.depth && sameSegment(segment, this.want.path[this.depth])) this.matched++;
      this.depth++;
    }
  }

  /** Back out of the node enter() went into. */
  private leave(): void {
    if (this.spans) this.keys.pop();
    else if (this.want) {
      this.depth--;
      if (this.matched > this.depth) this.matched = this.depth;
    }
  }

  /** What inlineValue() tells of a flow collection's items: recorded, or the wanted one found. */
  private flowSpans(): FlowSpans | undefined {
    const spans = this.spans;
    if (spans) {
      const prefix = this.keys[this.keys.length - 1]!;
      return (inner, k, v) => spans.set(prefix + spanKey(inner.map((s) => (typeof s === 'number' ? { index: s } : s))), { key: k, value: v });
    }
    const want = this.want;
    if (!want || this.doc !== want.doc || this.matched !== this.depth || this.depth >= want.path.length) return undefined;
    const depth = this.depth;
    return (inner, k, v) => {
      if (depth + inner.length === want.path.length && inner.every((s, i) => sameSegment(typeof s === 'number' ? { index: s } : s, want.path[depth + i]))) throw new Found({ key: k, value: v });
    };
  }

  /** A node on the next content line, indented more than `parent`; a line outside it ends the node. */
  private block(parent: number): unknown {
    this.skipEmpty();
    const line = this.lines[this.at];
    if (line === undefined) fail();
    const indent = this.column >= 0 ? this.column : line.indent;
    if (indent <= parent || line.text.startsWith('%') || endsDocument(line)) fail();
    const body = line.text.slice(indent);
    if (body === '-' || body.startsWith('- ')) return this.sequence(indent);
    if (keyEnd(body) >= 0) return this.mapping(indent);
    // A scalar or flow collection alone on its line: nothing may continue it.
    const value = inlineValue(body, line.start + indent).value;
    this.finishLine();
    this.expectEnd(indent);
    return value;
  }

  private finishLine(): void {
    this.last = this.at;
    this.at++;
    this.column = -1;
  }

  /** The next content line must be outside a node that started at column `indent`. */
  private expectEnd(indent: number): void {
    this.skipEmpty();
    const next = this.lines[this.at];
    if (next !== undefined && next.indent >= indent && !endsDocument(next)) fail();
  }

  private mapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (;;) {
      const line = this.lines[this.at]!;
      const column = this.column >= 0 ? this.column : line.indent;
      const body = line.text.slice(column);
      const colon = keyEnd(body);
      if (colon < 0) fail();
      const { key, length } = keyOf(body.slice(0, colon));
      if (Object.hasOwn(map, key)) fail(); // a duplicate key is a finding: yaml places it
      const keyStart = line.start + column;
      this.enter(key);
      map[key] = this.valueAfter(indent, body.slice(colon + 1), keyStart + colon + 1, [keyStart, keyStart + length]);
      this.leave();
      this.skipEmpty();
      const next = this.lines[this.at];
      if (next === undefined || next.indent < indent || endsDocument(next)) return map;
      if (next.indent > indent) fail();
    }
  }

  private sequence(indent: number): unknown[] {
    const list: unknown[] = [];
    for (;;) {
      const line = this.lines[this.at]!;
      const body = line.text.slice(this.column >= 0 ? this.column : line.indent);
      if (body !== '-' && !body.startsWith('- ')) fail();
      let pad = 1;
      while (body.charCodeAt(pad) === 32) pad++;
      const rest = body.slice(pad);
      this.enter({ index: list.length });
      if (rest !== '' && rest[0] !== '#' && keyEnd(rest) >= 0) {
        // `- key: value`: a mapping whose keys line up with this first one.
        this.record(undefined, undefined);
        this.column = indent + pad;
        list.push(this.mapping(indent + pad));
      } else {
        list.push(this.valueAfter(indent, body.slice(1), line.start + indent + 1, undefined));
      }
      this.leave();
      this.skipEmpty();
      const next = this.lines[this.at];
      if (next === undefined || next.indent < indent || endsDocument(next)) return list;
      if (next.indent > indent) fail();
      const text = next.text.slice(indent);
      if (text !== '-' && !text.startsWith('- ')) return list; // the mapping holding this list goes on
    }
  }

  /**
   * What follows `key:` or `-` on the current line: `rest` starts just after the ':' or '-', at
   * offset `from`; `key` is the key's span (undefined for a list item).
   */
  private valueAfter(indent: number, rest: string, from: number, key: [number, number] | undefined): unknown {
    if (rest !== '' && rest[0] !== ' ') fail();
    const lead = rest.length - rest.trimStart().length;
    const text = rest.slice(lead).trimEnd();
    if (text === '' || text[0] === '#') {
      this.finishLine();
      this.skipEmpty();
      const next = this.lines[this.at];
      if (next !== undefined && !endsDocument(next) && next.indent >= indent) {
        const inner = next.text.slice(indent);
        // `key:` then `- item` at the key's own indentation: the list belongs to the key.
        const list = key !== undefined && next.indent === indent && (inner === '-' || inner.startsWith('- '));
        if (next.indent > indent || list) {
          this.record(key, undefined);
          return list ? this.sequence(indent) : this.block(indent);
        }
      }
      this.record(key, [from, from]);
      return null;
    }
    if (text[0] === '|' || text[0] === '>') {
      this.record(key, undefined);
      return this.blockScalar(indent, text);
    }
    const at = from + lead;
    const { value, length } = inlineValue(text, at, this.flowSpans());
    this.record(key, [at, at + length]);
    this.finishLine();
    this.expectEnd(indent + 1);
    return value;
  }

  /** `|`, `|-`, `>`, `>-` and their lines; anything rarer gives up. */
  private blockScalar(parent: number, header: string): string {
    const m = /^([|>])(-?)(?: +#.*)?$/.exec(header);
    if (!m) fail();
    this.finishLine();
    const lines: string[] = [];
    let indent = -1;
    let blank = 0;
    for (; this.at < this.lines.length; this.at++) {
      const line = this.lines[this.at]!;
      if (line.text.trim() === '') {
        // Blank lines first, or with spaces past the content's indentation: rules too fine to copy.
        if (indent < 0 || line.text.length > indent) fail();
        blank++;
        continue;
      }
      if (indent < 0) {
        if (line.indent <= parent) fail(); // an empty block scalar
        indent = line.indent;
      }
      if (line.indent < indent) break;
      const text = line.text.slice(indent);
      if (m[1] === '>' && text[0] === ' ') fail(); // more-indented lines keep their breaks in folded scalars
      for (; blank > 0; blank--) lines.push('');
      lines.push(text);
      this.last = this.at;
    }
    this.at = this.last + 1;
    let value = '';
    if (m[1] === '|') value = lines.join('\n');
    else {
      for (let i = 0; i < lines.length; i++) {
        const text = lines[i]!;
        if (i === 0) value = text;
        else if (text === '') value += '\n';
        else value += lines[i - 1] === '' ? text : ` ${text}`;
      }
    }
    this.expectEnd(parent + 1);
    return m[2] === '-' ? value : `${value}\n`;
  }
}
