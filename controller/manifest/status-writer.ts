// Rewrites only the top-level `status:` of one document of a manifest file, leaving every other
// byte as it was: comments, key order, quoting, blank lines, other documents, CRLF line ends.
// The controller writes status back into Git; people review those diffs, so a status update
// must never reformat what they wrote.
//
// How: yaml's Document API gives the source span of the `status` pair (key start to value end);
// that span alone is replaced by freshly rendered YAML. Without a status, the new block goes
// after the last line of the document's root mapping. Only a flow-style root mapping
// (`{apiVersion: …}` on one line) is re-rendered as a whole, since a block cannot go inside it.
// Comments on the status's own lines go with it (the controller owns those lines). A bare CR
// ending the last line (yaml does not read it as a line break) may become the file's line
// break: see rewrite().
//
// Then it checks its own work (status-rewrite-check.ts): the new text must read exactly as the
// old one outside that status, with the status reading back as written. If not, nothing is
// returned to write: the callers skip the file and report the reason.
import type { Document, Range, YAMLMap } from 'yaml';
import { Document as YamlDocument, isMap } from 'yaml';
import { endOfValue, findRewriteDifference, readYaml, statusSpanOf } from './status-rewrite-check.ts';

/** The rewritten text, or why the file is to be left as it is (a sentence naming the document). */
export type StatusRewrite = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/**
 * The text with document `docIndex`'s status replaced by `status` (added when absent; removed
 * when `status` is undefined). docIndex counts as yaml's parseAllDocuments does, as
 * LoadedManifest.docIndex does. Never throws: a document that cannot take it, or a rewrite
 * that fails the self-check, is a reason.
 */
export function replaceStatus(text: string, docIndex: number, status: Record<string, unknown> | undefined): StatusRewrite {
  const before = readYaml(text);
  const docs = before.docs;
  const doc = docs[docIndex];
  if (!doc) return refuse(`document ${docIndex} does not exist (the file has ${docs.length})`);
  if (doc.errors.length > 0) return refuse(`document ${docIndex} has YAML errors: ${doc.errors[0]!.message}; fix the YAML and the status follows`);
  const root = doc.contents;
  if (!isMap(root) || !root.range) return refuse(`document ${docIndex} is not a mapping, so it cannot have a status`);
  let difference: string | undefined;
  for (const candidate of rewrite(text, doc, root, root.range, status)) {
    const found = findRewriteDifference(before, readYaml(candidate), docIndex, status);
    if (found === undefined) return { ok: true, text: candidate };
    difference ??= found;
  }
  return refuse(
    `the status was not written because the rewritten file failed firmwarden's own check: ${difference}. ` +
      'The file is left as it was; please report this as a firmwarden bug, with the file',
  );
}

function refuse(reason: string): StatusRewrite {
  return { ok: false, reason };
}

/** The rewritten text; two candidates, best first, where yaml's reading of a bare CR is ambiguous. */
function rewrite(text: string, doc: Document.Parsed, root: YAMLMap, range: Range, status: Record<string, unknown> | undefined): string[] {
  const eol = lineBreakOf(text);
  if (root.flow) return [rewriteFlowRoot(text, doc, status)];

  const span = statusSpanOf(text, doc);
  const indent = columnOf(text, range[0]);
  if (span) {
    if (status === undefined) {
      // Remove the whole lines the pair occupies.
      const lineStart = text.lastIndexOf('\n', span.keyStart - 1) + 1;
      const next = text.indexOf('\n', span.valueEnd);
      return [text.slice(0, lineStart) + text.slice(next < 0 ? text.length : next + 1)];
    }
    // The rest of the status's last line goes with it: a comment there (`status: {…}  # x`)
    // would end up after the new block's last line, inside its value, and the next write would
    // drop it. A bare CR ending that line (a CRLF file whose last line lost its LF) is not a
    // line break to yaml: kept, it would glue onto the new value ("1\r") or break the file
    // (`[]\r`, `"True"\r`). The line is rewritten, so is its break.
    const tail = text
      .slice(span.valueEnd)
      .replace(/^[ \t]*(?:#[^\n]*?)?(?=\r?\n|\r?$)/, '')
      .replace(/^\r(?!\n)/, eol);
    return [text.slice(0, span.keyStart) + render(status, indent, eol, false) + tail];
  }
  if (status === undefined) return [text];
  const end = range[1];
  // Insert after the mapping's last line break, so a block scalar's trailing lines stay its own.
  if (end > 0 && text[end - 1] === '\n') return [text.slice(0, end) + render(status, indent, eol, true) + text.slice(end)];
  if (text[end - 1] !== '\r') return [text.slice(0, end) + eol + render(status, indent, eol, false) + text.slice(end)];
  // The last line ends in a bare CR, which ended with a break in its author's eyes: so does the
  // status. yaml reads that CR as part of a plain value or comment (`latest\r`) but as the line
  // break of a block scalar (`|` text): kept, it preserves the first; turned into a line break,
  // the second. Rather than mirror yaml's lexer, both are offered and the self-check keeps the
  // one that reads the same. The kept CR is followed by CRLF even in an LF file: an LF right
  // after it would make the pair one line break, and the CR would no longer be read as text.
  const block = render(status, indent, eol, true);
  return [text.slice(0, end) + '\r\n' + block + text.slice(end), text.slice(0, end - 1) + eol + block + text.slice(end)];
}

/**
 * The line break the file mostly uses: CRLF or LF (LF when it has none). A bare CR does not
 * count: yaml does not read it as a line break.
 */
function lineBreakOf(text: string): '\r\n' | '\n' {
  let crlf = 0;
  let lf = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) {
    if (at > 0 && text[at - 1] === '\r') crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

/** `status:` and its value as block YAML, indented like the root mapping. */
function render(status: Record<string, unknown>, indent: number, eol: string, trailingBreak: boolean): string {
  const out = new YamlDocument({ status }, { version: '1.2' }).toString({ lineWidth: 0, indent: 2 }).replace(/\n$/, '');
  const pad = ' '.repeat(indent);
  const lines = out.split('\n').map((line, i) => (i === 0 || line === '' ? line : pad + line));
  return lines.join(eol) + (trailingBreak ? eol : '');
}

function columnOf(text: string, offset: number): number {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  // A byte order mark opening the file takes no column.
  return offset - lineStart - (lineStart === 0 && text.startsWith('\uFEFF') ? 1 : 0);
}

function rewriteFlowRoot(text: string, doc: Document.Parsed, status: Record<string, unknown> | undefined): string {
  const root = doc.contents!;
  const clone = doc.clone();
  if (status === undefined) clone.delete('status');
  else clone.set('status', clone.createNode(status));
  const range = root.range!;
  const rendered = new YamlDocument(clone.contents, { version: '1.2' }).toString({ lineWidth: 0 }).replace(/\n$/, '');
  const eol = lineBreakOf(text);
  return text.slice(0, range[0]) + rendered.split('\n').join(eol) + text.slice(endOfValue(text, range[1]));
}
