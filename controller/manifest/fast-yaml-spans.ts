// Where the fast YAML reader saw each node, for placing findings without the `yaml` library:
// spans by path, read again only for a file with a finding. The two span trackers a Reader
// (fast-yaml-reader.ts) reports its nodes to: SpanRecorder keeps every span of a document,
// SpanFinder stops the read at the one node wanted. Imports nothing of fast-yaml.ts or
// fast-yaml-reader.ts (which import this). Pure.
import type { FlowSpans } from './fast-yaml-scalars.ts';

/** A path as spans name it: mapping keys, and list indexes told apart from them. */
export type SpanPath = readonly (string | { index: number })[];

/** Where a node is: its key (in a mapping) and its value when that is on the key's line. */
export interface NodeSpan {
  readonly key: [number, number] | undefined;
  /** Undefined for a block collection or block scalar (yaml places those). */
  readonly value: [number, number] | undefined;
}

/**
 * The span of the node at `path` in a document read with spans, or undefined when the reader
 * could not place it (the caller asks yaml). Mapping keys and list indexes are told apart by
 * the value, as yaml-document.ts's walk tells them apart by the nodes. `doc` is a PlainDocument
 * of fast-yaml.ts.
 */
export function spanAt(doc: { readonly value: unknown; readonly spans?: ReadonlyMap<string, NodeSpan> }, path: readonly (string | number)[]): NodeSpan | undefined {
  if (!doc.spans) return undefined;
  const parts = spanPath(doc.value, path);
  return parts && doc.spans.get(spanKey(parts));
}

/**
 * `path` as spans name it, by what is at each step of `value`; undefined for the root or a
 * path to no node.
 */
export function spanPath(value: unknown, path: readonly (string | number)[]): SpanPath | undefined {
  if (path.length === 0) return undefined;
  const parts: (string | { index: number })[] = [];
  let v = value;
  for (const s of path) {
    if (Array.isArray(v)) {
      if (typeof s !== 'number' || s >= v.length) return undefined;
      parts.push({ index: s });
      v = v[s];
    } else if (v !== null && typeof v === 'object' && Object.hasOwn(v, String(s))) {
      parts.push(String(s));
      v = (v as Record<string, unknown>)[String(s)];
    } else return undefined;
  }
  return parts;
}

/** The key of a path in PlainDocument.spans: list indexes and mapping keys are told apart. */
export function spanKey(path: SpanPath): string {
  let key = '';
  for (const s of path) key += typeof s === 'string' ? `\u0000k${s}` : `\u0000i${s.index}`;
  return key;
}

/** What a Reader tells of the nodes it reads, when spans are wanted (none: lint's plain read). */
export interface SpanTracker {
  /** A document with content starts: the `index`-th of the text. */
  startDocument(index: number): void;
  /** The spans of the document just read (SpanRecorder), or undefined. */
  documentSpans(): ReadonlyMap<string, NodeSpan> | undefined;
  /** Into the node at `segment` of the node being read. */
  enter(segment: string | { index: number }): void;
  /** Back out of the node enter() went into. */
  leave(): void;
  /** The span of the node being read. */
  record(key: [number, number] | undefined, value: [number, number] | undefined): void;
  /** What inlineValue() tells of a flow collection's items: recorded, or the wanted one found. */
  flow(): FlowSpans | undefined;
}

/** Every span of each document, by spanKey(path) (readPlainYaml with `spans`). */
export class SpanRecorder implements SpanTracker {
  /**
   * spanKey() of the path of the node being read and of each node above it: each level
   * extends the one above, so a node's key is built once, not per record.
   */
  private readonly keys: string[] = [''];
  private spans = new Map<string, NodeSpan>();

  startDocument(): void {
    this.spans = new Map();
  }

  documentSpans(): ReadonlyMap<string, NodeSpan> {
    return this.spans;
  }

  enter(segment: string | { index: number }): void {
    this.keys.push(this.keys[this.keys.length - 1]! + spanKey([segment]));
  }

  leave(): void {
    this.keys.pop();
  }

  record(key: [number, number] | undefined, value: [number, number] | undefined): void {
    this.spans.set(this.keys[this.keys.length - 1]!, { key, value });
  }

  flow(): FlowSpans {
    const spans = this.spans;
    const prefix = this.keys[this.keys.length - 1]!;
    return (inner, k, v) => spans.set(prefix + spanKey(inner.map((s) => (typeof s === 'number' ? { index: s } : s))), { key: k, value: v });
  }
}

/** Thrown by a SpanFinder when the Reader places the wanted node: nothing after it matters. */
export class Found {
  readonly span: NodeSpan;
  constructor(span: NodeSpan) {
    this.span = span;
  }
}

function sameSegment(a: string | { index: number }, b: string | { index: number } | undefined): boolean {
  return typeof a === 'string' ? a === b : typeof b === 'object' && a.index === b.index;
}

/**
 * The one node `path` of the document `doc` (spanOfPath): records nothing, throws Found with
 * its span when the Reader places it.
 */
export class SpanFinder implements SpanTracker {
  private readonly wantDoc: number;
  private readonly path: SpanPath;
  /** The document being read, the depth of the node being read, and how many of its leading path segments are the wanted one's. */
  private doc = 0;
  private depth = 0;
  private matched = 0;

  constructor(doc: number, path: SpanPath) {
    this.wantDoc = doc;
    this.path = path;
  }

  startDocument(index: number): void {
    this.doc = index;
  }

  documentSpans(): undefined {
    return undefined;
  }

  enter(segment: string | { index: number }): void {
    if (this.matched === this.depth && sameSegment(segment, this.path[this.depth])) this.matched++;
    this.depth++;
  }

  leave(): void {
    this.depth--;
    if (this.matched > this.depth) this.matched = this.depth;
  }

  record(key: [number, number] | undefined, value: [number, number] | undefined): void {
    if (this.doc === this.wantDoc && this.matched === this.depth && this.depth === this.path.length) throw new Found({ key, value });
  }

  flow(): FlowSpans | undefined {
    const path = this.path;
    if (this.doc !== this.wantDoc || this.matched !== this.depth || this.depth >= path.length) return undefined;
    const depth = this.depth;
    return (inner, k, v) => {
      if (depth + inner.length === path.length && inner.every((s, i) => sameSegment(typeof s === 'number' ? { index: s } : s, path[depth + i]))) throw new Found({ key: k, value: v });
    };
  }
}
