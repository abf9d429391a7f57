// One parsed YAML document and how to find the source span of any node in it by path: the
// bridge that gives every finding, schema errors included, an exact line and column.
import type { Document, Node, Pair } from 'yaml';
import type { SourceRange } from './finding.ts';
import type { LineIndex } from './line-index.ts';
import { yamlLibrary } from './yaml-library.ts';

export type PathSegment = string | number;

/** A document of a file, with what is needed to point into it. */
export interface YamlDocument {
  readonly file: string;
  /** Index in yaml's parseAllDocuments(text) of the whole file (empty documents count). */
  readonly index: number;
  /** yaml's Document: built on first use when the fast path read the file (parse-yaml-file.ts). */
  readonly doc: Document.Parsed;
  readonly lines: LineIndex;
  /** The document as plain data; undefined when YAML errors made it untrustworthy. */
  readonly value: unknown;
  /** yaml's Document.range[0] and [1] (start, end of content), known without building `doc`. */
  readonly range: readonly [number, number];
  /** Nothing in it (a stray '---' at the end of a file): neither a manifest nor a finding. */
  readonly empty: boolean;
  /**
   * Where the node at `path` is, without building `doc`, when the fast path knows (a one-line
   * key or value); undefined otherwise (fast-yaml.ts).
   */
  readonly span?: (path: readonly PathSegment[]) => { key: [number, number] | undefined; value: [number, number] | undefined } | undefined;
}

/**
 * What to point at: the key of a field, its value, or the first line of the node (used for
 * "missing field" findings on a sequence item or the document itself, which have no key).
 */
export type Target = 'key' | 'value' | 'start';

interface Found {
  node: unknown;
  pair: Pair | undefined;
  complete: boolean;
}

function walk(doc: YamlDocument, path: readonly PathSegment[]): Found {
  const { isAlias, isMap, isPair, isSeq } = yamlLibrary();
  let node: unknown = doc.doc.contents;
  let pair: Pair | undefined;
  for (const segment of path) {
    // Follow aliases to keep walking, but stop on a cycle-free bound: aliases point backwards.
    if (isAlias(node)) node = node.resolve(doc.doc) ?? node;
    if (isMap(node)) {
      const next = node.items.find((p) => isPair(p) && keyText(p.key) === String(segment));
      if (!next) return { node, pair, complete: false };
      pair = next;
      node = next.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      pair = undefined;
      node = node.items[segment];
    } else {
      return { node, pair, complete: false };
    }
  }
  return { node, pair, complete: true };
}

/** The text of a mapping key as JSON sees it. */
export function keyText(key: unknown): string {
  if (yamlLibrary().isScalar(key)) return String(key.value);
  return String(key);
}

function nodeRange(node: unknown): [number, number] | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}

/** The node at `path` (undefined when absent). */
export function nodeAt(doc: YamlDocument, path: readonly PathSegment[]): unknown {
  const found = walk(doc, path);
  return found.complete ? found.node : undefined;
}

/**
 * The source span of the node at `path`. When the path does not exist, points at the deepest
 * node that does; a missing value (`phase:` with nothing after it) points at its key.
 */
export function locate(doc: YamlDocument, path: readonly PathSegment[], target: Target): SourceRange {
  const quick = quickSpan(doc, path, target);
  if (quick) return doc.lines.range(quick[0], quick[1]);
  const { node, pair, complete } = walk(doc, path);
  const keySpan = pair ? nodeRange(pair.key) : undefined;
  let span: [number, number] | undefined;
  if (!complete) span = keySpan ?? nodeRange(node);
  else if (target === 'key') span = keySpan ?? nodeRange(node);
  else span = nodeRange(node) ?? keySpan;
  if (span && span[1] === span[0] && keySpan) span = keySpan;
  if (!span) span = documentSpan(doc);
  if (target === 'start' && complete) {
    const lineEnd = doc.lines.text.indexOf('\n', span[0]);
    span = [span[0], lineEnd < 0 ? span[1] : Math.min(span[1], lineEnd)];
  }
  return doc.lines.range(span[0], span[1]);
}

/**
 * What locate() finds for a path to a node the fast path placed, by the same rules, or
 * undefined when it would need yaml's nodes (a block collection's span is yaml's to say).
 * The spans are on one line, so the 'start' target cuts nothing.
 */
function quickSpan(doc: YamlDocument, path: readonly PathSegment[], target: Target): [number, number] | undefined {
  const found = doc.span?.(path);
  if (!found) return undefined;
  if (target === 'key') return found.key ?? found.value;
  if (found.value === undefined) return undefined;
  return found.value[0] === found.value[1] ? found.key : found.value;
}

/** The first line of the document's content (or of the document, when it is empty). */
function documentSpan(doc: YamlDocument): [number, number] {
  const range = nodeRange(doc.doc.contents) ?? [doc.doc.range[0], doc.doc.range[1]];
  const lineEnd = doc.lines.text.indexOf('\n', range[0]);
  return [range[0], lineEnd < 0 ? range[1] : Math.max(range[0], Math.min(range[1], lineEnd))];
}

/** The range of the document's first content line: where findings about the whole document go. */
export function locateDocument(doc: YamlDocument): SourceRange {
  const [start, end] = documentSpan(doc);
  return doc.lines.range(start, end);
}

/** The source text of the node at `path`, as written (quotes included). */
export function sourceAt(doc: YamlDocument, path: readonly PathSegment[]): string | undefined {
  const quick = doc.span?.(path)?.value;
  if (quick) return doc.lines.text.slice(quick[0], quick[1]);
  const found = walk(doc, path);
  const span = found.complete ? nodeRange(found.node) : undefined;
  return span ? doc.lines.text.slice(span[0], span[1]) : undefined;
}

/** RFC 6901 JSON pointer of a path. */
export function toPointer(path: readonly PathSegment[]): string {
  return path.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The path of an RFC 6901 JSON pointer (numeric segments become numbers). */
export function fromPointer(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** A path as people read it: spec.software[0].type. */
export function fieldName(path: readonly PathSegment[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}
