// The block structure of the fast YAML reader (fast-yaml.ts): a text cut into lines, read as
// documents of block mappings, sequences and block scalars; the one-line parts are
// fast-yaml-scalars.ts's. Gives up (fail(), notPlain) on anything it cannot read exactly as
// `yaml` would. Tells a SpanTracker (fast-yaml-spans.ts) of each node when spans are wanted.
// Pure.
import { fitted } from './fitted-array.ts';
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

/** Numbers per line in Reader.lines. */
const stride = 4;

/**
 * One text's documents, read once by documents(). Its lines are numbers in one typed array
 * (offsets into the text), their text sliced only where it is read (issue 17: an object and a
 * string per line were a tenth of lint's allocation).
 */
export class Reader {
  private readonly text: string;
  /**
   * Per line, `stride` numbers: offset of its first character, offset of the end of its text
   * (before \r\n), spaces that start it, 1 when it is blank or a comment alone.
   */
  private readonly lines: Int32Array;
  private readonly count: number;
  /** The next line to read. */
  private at = 0;
  /** Where the current line's content starts when a compact mapping starts inside it (`- key: v`). */
  private column = -1;
  /** Last content line read. */
  private last = -1;
  /** Told of every node, when spans are wanted. */
  private readonly track: SpanTracker | undefined;

  constructor(text: string, track: SpanTracker | undefined) {
    this.text = text;
    this.track = track;
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    this.count = count;
    const lines = (this.lines = new Int32Array(count * stride));
    let start = 0;
    for (let at = 0; ; at += stride) {
      let next = text.indexOf('\n', start);
      if (next < 0) next = text.length;
      const end = next > start && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
      let first = start;
      while (first < end && text.charCodeAt(first) === 32) first++;
      lines[at] = start;
      lines[at + 1] = end;
      lines[at + 2] = first - start;
      lines[at + 3] = first === end || text.charCodeAt(first) === 35 ? 1 : 0; // '#'
      if (next === text.length) break;
      start = next + 1;
    }
  }

  /** Line `i` from column `column` on (all of it by default), without its line break. */
  private lineText(i: number, column = 0): string {
    const end = this.lines[i * stride + 1]!;
    return this.text.slice(Math.min(this.lines[i * stride]! + column, end), end);
  }

  /** Line `i` starts with `prefix` (at column 0). */
  private startsWith(i: number, prefix: string): boolean {
    const from = this.lines[i * stride]!;
    return from + prefix.length <= this.lines[i * stride + 1]! && this.text.startsWith(prefix, from);
  }

  /** Line `i` is `-` or starts with `- ` from column `column`: a list item. */
  private isItem(i: number, column: number): boolean {
    const from = this.lines[i * stride]! + column;
    const end = this.lines[i * stride + 1]!;
    return from < end && this.text.charCodeAt(from) === 45 && (from + 1 === end || this.text.charCodeAt(from + 1) === 32);
  }

  /** A line at column 0 that starts with '---' or '...' ends a block; documents() tells a marker from a mistake. */
  private endsDocument(i: number): boolean {
    return this.lines[i * stride + 2]! === 0 && (this.startsWith(i, '---') || this.startsWith(i, '...'));
  }

  private isMarker(i: number): boolean {
    return this.startsWith(i, '---') && marker.test(this.lineText(i));
  }

  documents(): PlainDocument[] {
    const docs: PlainDocument[] = [];
    const count = this.count;
    let first = true;
    for (;;) {
      if (first) this.skipEmpty(); // comments before the first document belong to none
      const line = this.at;
      if (line >= count) break;
      const explicit = this.isMarker(line);
      if (explicit) this.at++;
      else if (!first) fail(); // a document ends only at a marker (or '...', left to yaml)
      first = false;
      this.skipEmpty();
      const content = this.at;
      if (content >= count || this.isMarker(content)) {
        docs.push({ value: null, start: this.lines[line * stride]!, end: this.lines[line * stride + 1]! });
        continue;
      }
      this.last = -1;
      this.track?.startDocument(docs.length);
      const value = this.block(-1);
      this.skipEmpty();
      if (this.at < count && !this.isMarker(this.at)) fail();
      // A comment after the last line: yaml counts some of them in the document's range, some not.
      for (let i = this.last + 1; i < this.at; i++) if (this.lineText(i).trim() !== '') fail();
      const start = explicit ? this.lines[line * stride]! : this.lines[content * stride]!;
      const end = this.lines[this.last * stride + 1]!;
      const spans = this.track?.documentSpans();
      docs.push(spans ? { value, start, end, spans } : { value, start, end });
    }
    return fitted(docs);
  }

  private skipEmpty(): void {
    while (this.at < this.count && this.lines[this.at * stride + 3] === 1) this.at++;
  }

  /** A node on the next content line, indented more than `parent`; a line outside it ends the node. */
  private block(parent: number): unknown {
    this.skipEmpty();
    const line = this.at;
    if (line >= this.count) fail();
    const indent = this.column >= 0 ? this.column : this.lines[line * stride + 2]!;
    if (indent <= parent || this.startsWith(line, '%') || this.endsDocument(line)) fail();
    const body = this.lineText(line, indent);
    if (body === '-' || body.startsWith('- ')) return this.sequence(indent);
    if (keyEnd(body) >= 0) return this.mapping(indent);
    // A scalar or flow collection alone on its line: nothing may continue it.
    const value = inlineValue(body, this.lines[line * stride]! + indent).value;
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
    const next = this.at;
    if (next < this.count && this.lines[next * stride + 2]! >= indent && !this.endsDocument(next)) fail();
  }

  private mapping(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    for (;;) {
      const line = this.at;
      const column = this.column >= 0 ? this.column : this.lines[line * stride + 2]!;
      const body = this.lineText(line, column);
      const colon = keyEnd(body);
      if (colon < 0) fail();
      const { key, length } = keyOf(body.slice(0, colon));
      if (Object.hasOwn(map, key)) fail(); // a duplicate key is a finding: yaml places it
      const keyStart = this.lines[line * stride]! + column;
      this.track?.enter(key);
      map[key] = this.valueAfter(indent, body, colon + 1, keyStart + colon + 1, keyStart, length);
      this.track?.leave();
      this.skipEmpty();
      const next = this.at;
      if (next >= this.count || this.lines[next * stride + 2]! < indent || this.endsDocument(next)) return map;
      if (this.lines[next * stride + 2]! > indent) fail();
    }
  }

  private sequence(indent: number): unknown[] {
    const list: unknown[] = [];
    for (;;) {
      const line = this.at;
      const body = this.lineText(line, this.column >= 0 ? this.column : this.lines[line * stride + 2]!);
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
        list.push(this.valueAfter(indent, body, 1, this.lines[line * stride]! + indent + 1, -1, 0));
      }
      this.track?.leave();
      this.skipEmpty();
      const next = this.at;
      if (next >= this.count || this.lines[next * stride + 2]! < indent || this.endsDocument(next)) return fitted(list);
      if (this.lines[next * stride + 2]! > indent) fail();
      if (!this.isItem(next, indent)) return fitted(list); // the mapping holding this list goes on
    }
  }

  /**
   * What follows `key:` or `-` on the current line: body.slice(restAt), just after the ':' or
   * '-', at offset `from`; the key's span starts at keyStart, keyLength long (keyStart -1: a list
   * item). Offsets, not sliced strings and span arrays, unless a tracker wants spans (issue 17).
   */
  private valueAfter(indent: number, body: string, restAt: number, from: number, keyStart: number, keyLength: number): unknown {
    const key: [number, number] | undefined = keyStart < 0 || this.track === undefined ? undefined : [keyStart, keyStart + keyLength];
    if (restAt < body.length && body.charCodeAt(restAt) !== 32) fail();
    // Spaces around the value, as trimStart() and trimEnd() would drop them; any other
    // character there that is not ASCII may be white space too: those take trim's own path.
    let first = restAt;
    while (body.charCodeAt(first) === 32) first++;
    let last = body.length;
    while (last > first && body.charCodeAt(last - 1) === 32) last--;
    let lead = first - restAt;
    let text: string;
    if (body.charCodeAt(first) > 127 || body.charCodeAt(last - 1) > 127) {
      const rest = body.slice(restAt);
      lead = rest.length - rest.trimStart().length;
      text = rest.slice(lead).trimEnd();
    } else text = body.slice(first, last);
    if (text === '' || text[0] === '#') {
      this.finishLine();
      this.skipEmpty();
      const next = this.at;
      if (next < this.count && !this.endsDocument(next) && this.lines[next * stride + 2]! >= indent) {
        // `key:` then `- item` at the key's own indentation: the list belongs to the key.
        const list = keyStart >= 0 && this.lines[next * stride + 2]! === indent && this.isItem(next, indent);
        if (this.lines[next * stride + 2]! > indent || list) {
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
    for (; this.at < this.count; this.at++) {
      const line = this.lineText(this.at);
      if (line.trim() === '') {
        // Blank lines first, or with spaces past the content's indentation: rules too fine to copy.
        if (indent < 0 || line.length > indent) fail();
        blank++;
        continue;
      }
      const lineIndent = this.lines[this.at * stride + 2]!;
      if (indent < 0) {
        if (lineIndent <= parent) fail(); // an empty block scalar
        indent = lineIndent;
      }
      if (lineIndent < indent) break;
      const text = line.slice(indent);
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
