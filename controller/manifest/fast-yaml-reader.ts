// The block structure of the fast YAML reader (fast-yaml.ts): a text cut into lines, read as
// documents of block mappings, sequences and block scalars; the one-line parts are
// fast-yaml-scalars.ts's. Gives up (fail(), notPlain) on anything it cannot read exactly as
// `yaml` would. Tells a SpanTracker (fast-yaml-spans.ts) of each node when spans are wanted.
// Pure.
import { blockScalarValue, fail, inlineValue, keyEnd, keyOf } from './fast-yaml-scalars.ts';
import type { NodeSpan, SpanTracker } from './fast-yaml-spans.ts';

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

/** A line at column 0 that starts with '---' or '...' ends a block; documents() tells a marker from a mistake. */
function endsDocument(line: Line): boolean {
  return line.indent === 0 && (line.text.startsWith('---') || line.text.startsWith('...'));
}

/** One text's documents, read once by documents(). */
export class Reader {
  private readonly lines: Line[] = [];
  /** The next line to read. */
  private at = 0;
  /** Where the current line's content starts when a compact mapping starts inside it (`- key: v`). */
  private column = -1;
  /** Last content line read. */
  private last = -1;
  /** Told of every node, when spans are wanted. */
  private readonly track: SpanTracker | undefined;

  constructor(text: string, track: SpanTracker | undefined) {
    this.track = track;
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
      this.track?.startDocument(docs.length);
      const value = this.block(-1);
      this.skipEmpty();
      const after = this.lines[this.at];
      if (after !== undefined && !isMarker(after)) fail();
      // A comment after the last line: yaml counts some of them in the document's range, some not.
      for (let i = this.last + 1; i < this.at; i++) if (this.lines[i]!.text.trim() !== '') fail();
      const start = explicit ? line.start : content.start;
      const end = this.lines[this.last]!.end;
      const spans = this.track?.documentSpans();
      docs.push(spans ? { value, start, end, spans } : { value, start, end });
    }
    return docs;
  }

  private skipEmpty(): void {
    while (this.at < this.lines.length && this.lines[this.at]!.empty) this.at++;
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
      this.track?.enter(key);
      map[key] = this.valueAfter(indent, body.slice(colon + 1), keyStart + colon + 1, [keyStart, keyStart + length]);
      this.track?.leave();
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
      this.track?.enter({ index: list.length });
      if (rest !== '' && rest[0] !== '#' && keyEnd(rest) >= 0) {
        // `- key: value`: a mapping whose keys line up with this first one.
        this.track?.record(undefined, undefined);
        this.column = indent + pad;
        list.push(this.mapping(indent + pad));
      } else {
        list.push(this.valueAfter(indent, body.slice(1), line.start + indent + 1, undefined));
      }
      this.track?.leave();
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
          this.track?.record(key, undefined);
          return list ? this.sequence(indent) : this.block(indent);
        }
      }
      this.track?.record(key, [from, from]);
      return null;
    }
    if (text[0] === '|' || text[0] === '>') {
      this.track?.record(key, undefined);
      return this.blockScalar(indent, text);
    }
    const at = from + lead;
    const { value, length } = inlineValue(text, at, this.track?.flow());
    this.track?.record(key, [at, at + length]);
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
    this.expectEnd(parent + 1);
    return blockScalarValue(lines, m[1] === '>', m[2] === '-');
  }
}
