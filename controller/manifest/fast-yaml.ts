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
//
// This file is the entry: the block structure is fast-yaml-reader.ts's, the one-line parts
// fast-yaml-scalars.ts's, spans and their trackers fast-yaml-spans.ts's.
import { notPlain } from './fast-yaml-scalars.ts';
import { Found, SpanFinder, SpanRecorder, type NodeSpan, type SpanPath } from './fast-yaml-spans.ts';
import { Reader, type PlainDocument } from './fast-yaml-reader.ts';

export type { PlainDocument } from './fast-yaml-reader.ts';

// Control characters, byte order marks, line and paragraph separators, tabs, lone CRs.
const unsafe = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFEFF\t]|\r(?!\n)/;

/** The documents of `text` as plain values, or undefined when the fast path cannot be sure. */
export function readPlainYaml(text: string, options: { spans?: boolean } = {}): PlainDocument[] | undefined {
  // A byte order mark too is left to yaml, which reads '- x' after one as an error.
  if (unsafe.test(text)) return undefined;
  try {
    return new Reader(text, options.spans === true ? new SpanRecorder() : undefined).documents();
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
    new Reader(text, new SpanFinder(doc, path)).documents();
    return undefined;
  } catch (error) {
    if (error instanceof Found) return error.span;
    if (error === notPlain) return undefined;
    throw error;
  }
}
