// The status writer's self-check. PURE. A status rewrite is text surgery on files people wrote
// and review, and in Git mode the result is committed and pushed, so the writer re-reads what it
// produced before handing it back: same number of documents, every document reads as the same
// JS value (the rewritten one with `status` left out), the same comments in the same order
// outside the status lines, and the status reads back as the value that was written. Anything
// else is a bug in the writer, and the file must then be left as it was.
import { isDeepStrictEqual } from 'node:util';
import type { Document, Node } from 'yaml';
import { Composer, isMap, isPair, isScalar, isSeq, Parser } from 'yaml';

/** The options the writer and this check parse with (they must read the same way). */
export const statusParseOptions = { uniqueKeys: false, prettyErrors: false, logLevel: 'silent', version: '1.2' } as const;

/** A file's YAML read once: its documents (as parseAllDocuments gives them) and its comments. */
export interface ReadYaml {
  readonly text: string;
  readonly docs: readonly Document.Parsed[];
  /** Every comment (`# …` as written) with its offset, in text order. */
  readonly comments: readonly { readonly offset: number; readonly source: string }[];
}

/** Reads a file as parseAllDocuments(text, statusParseOptions) does, keeping its comments. */
export function readYaml(text: string): ReadYaml {
  // One pass of yaml's parser feeds both: composing documents from the same tokens costs no
  // second parse, which matters since every status write reads two texts.
  const tokens = Array.from(new Parser().parse(text));
  const docs = Array.from(new Composer(statusParseOptions).compose(tokens)) as Document.Parsed[];
  return { text, docs, comments: commentsOf(tokens) };
}

/**
 * The `status` pair of a document's root mapping: its key's start and the end of its value's
 * last node (blanks dropped), or undefined. Comments on the lines after it are not its own.
 */
export function statusSpanOf(text: string, doc: Document.Parsed): { keyStart: number; valueEnd: number } | undefined {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  const pair = root.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'status');
  const keyRange = (pair?.key as Node | undefined)?.range;
  if (!pair || !keyRange) return undefined;
  return { keyStart: keyRange[0], valueEnd: endOfValue(text, lastNodeEnd(pair.value) ?? keyRange[1]) };
}

/**
 * Where a value's last node ends. Not the value's own range: a block collection's takes in
 * the comment lines indented under it, so a comment after a one-line status would become part
 * of the new block status written in its place, and be dropped by the write after.
 */
function lastNodeEnd(value: unknown): number | undefined {
  let node = value;
  while ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) {
    const last: unknown = node.items[node.items.length - 1];
    node = isPair(last) ? (last.value ?? last.key) : last;
  }
  return (node as Node | null | undefined)?.range?.[1];
}

/** The end of a value without the blanks and line breaks its range ends with. */
export function endOfValue(text: string, end: number): number {
  let e = end;
  while (e > 0 && /[ \t\r\n]/.test(text[e - 1]!)) e--;
  return e;
}

/**
 * Why `after` does not read like `before` outside document `docIndex`'s status (or does not
 * carry `status` there), in a sentence; undefined when it does.
 */
export function findRewriteDifference(before: ReadYaml, after: ReadYaml, docIndex: number, status: Record<string, unknown> | undefined): string | undefined {
  const [oldDocs, newDocs] = [before.docs, after.docs];
  if (newDocs.length !== oldDocs.length) return `it would hold ${newDocs.length} YAML document(s) instead of ${oldDocs.length}`;
  for (let i = 0; i < newDocs.length; i++) {
    const old = oldDocs[i]!;
    const now = newDocs[i]!;
    if (now.errors.length > old.errors.length) return `document ${i} would no longer parse (${now.errors[0]!.message.split('\n')[0]})`;
    const oldValue = readDocument(old);
    const newValue = readDocument(now);
    if (i !== docIndex) {
      if (!isDeepStrictEqual(oldValue, newValue)) return `document ${i}, which it was not asked to change, would read differently`;
      continue;
    }
    if (!isDeepStrictEqual(withoutStatus(oldValue), withoutStatus(newValue))) return `document ${i} would read differently outside status`;
    const written = status === undefined ? undefined : (JSON.parse(JSON.stringify(status)) as unknown);
    if (!isDeepStrictEqual(statusOf(newValue), written)) return `document ${i}'s status would not read back as the status written`;
  }
  const oldComments = commentsOutsideStatus(before, oldDocs[docIndex]);
  const newComments = commentsOutsideStatus(after, newDocs[docIndex]);
  if (!isDeepStrictEqual(oldComments, newComments)) return 'a comment outside status would change, move or disappear';
  return undefined;
}

type Read = { readonly value: unknown } | { readonly error: string };

function readDocument(doc: Document.Parsed): Read {
  try {
    return { value: doc.toJS() };
  } catch (error) {
    // Unresolved or excessive aliases: the document is compared by its error.
    return { error: (error as Error).message };
  }
}

function withoutStatus(read: Read): Read {
  if (!('value' in read) || read.value === null || typeof read.value !== 'object' || Array.isArray(read.value)) return read;
  const { status: _status, ...rest } = read.value as Record<string, unknown>;
  return { value: rest };
}

function statusOf(read: Read): unknown {
  return 'value' in read && read.value !== null && typeof read.value === 'object' ? (read.value as Record<string, unknown>).status : undefined;
}

/** The comments of the file, except those on the lines of `doc`'s status. */
function commentsOutsideStatus(read: ReadYaml, doc: Document.Parsed | undefined): string[] {
  const span = doc ? statusLines(read.text, doc) : undefined;
  return read.comments.filter((c) => !span || c.offset < span[0] || c.offset >= span[1]).map((c) => c.source);
}

/** Every comment token in a concrete syntax tree, in text order. */
function commentsOf(tokens: readonly unknown[]): { offset: number; source: string }[] {
  const comments: { offset: number; source: string }[] = [];
  // An explicit stack: the tree is as deep as the file nests.
  const stack: unknown[] = [...tokens];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      for (const child of item) stack.push(child);
    } else if (item !== null && typeof item === 'object') {
      const token = item as { type?: unknown; offset?: unknown; source?: unknown };
      if (token.type === 'comment' && typeof token.offset === 'number' && typeof token.source === 'string') {
        comments.push({ offset: token.offset, source: token.source });
        continue;
      }
      for (const value of Object.values(item)) if (value !== null && typeof value === 'object') stack.push(value);
    }
  }
  // The walk's order is not the text's; the offsets are.
  return comments.sort((x, y) => x.offset - y.offset);
}

/** [first, end) offsets of the whole lines the status pair occupies. */
function statusLines(text: string, doc: Document.Parsed): [number, number] | undefined {
  const span = statusSpanOf(text, doc);
  if (!span) return undefined;
  const lineEnd = text.indexOf('\n', span.valueEnd);
  return [text.lastIndexOf('\n', span.keyStart - 1) + 1, lineEnd < 0 ? text.length : lineEnd];
}
