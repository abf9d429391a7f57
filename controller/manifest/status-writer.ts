// Rewrites only the top-level `status:` of one document of a manifest file, leaving every other
// byte as it was: comments, key order, quoting, blank lines, other documents, CRLF line ends.
// The controller writes status back into Git; people review those diffs, so a status update
// must never reformat what they wrote.
//
// How: yaml's Document API gives the source span of the `status` pair (key start to value end);
// that span alone is replaced by freshly rendered YAML. Without a status, the new block goes
// after the last line of the document's root mapping. Only a flow-style root mapping
// (`{apiVersion: …}` on one line) is re-rendered as a whole, since a block cannot go inside it.
import type { Document, Node } from 'yaml';
import { Document as YamlDocument, isMap, isPair, isScalar, parseAllDocuments } from 'yaml';

/** The file cannot take a status: no such document, YAML errors, or not a mapping. */
export class StatusWriteError extends Error {
  override readonly name = 'StatusWriteError';
}

const parseOptions = { uniqueKeys: false, prettyErrors: false, logLevel: 'silent', version: '1.2' } as const;

/**
 * The text with document `docIndex`'s status replaced by `status` (added when absent; removed
 * when `status` is undefined). docIndex counts as yaml's parseAllDocuments does, as
 * LoadedManifest.docIndex does. Throws StatusWriteError when the document cannot take it.
 */
export function replaceStatus(text: string, docIndex: number, status: Record<string, unknown> | undefined): string {
  const parsed = parseAllDocuments(text, parseOptions);
  const docs = Array.isArray(parsed) ? (parsed as Document.Parsed[]) : [];
  const doc = docs[docIndex];
  if (!doc) throw new StatusWriteError(`document ${docIndex} does not exist (the file has ${docs.length})`);
  if (doc.errors.length > 0) throw new StatusWriteError(`document ${docIndex} has YAML errors: ${doc.errors[0]!.message}`);
  const root = doc.contents;
  if (!isMap(root) || !root.range) throw new StatusWriteError(`document ${docIndex} is not a mapping`);
  const eol = lineBreakOf(text);

  if (root.flow) return rewriteFlowRoot(text, doc, status);

  const pair = root.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'status');
  const indent = columnOf(text, root.range[0]);
  if (pair) {
    const keyRange = (pair.key as Node).range!;
    const valueEnd = endOfValue(text, (pair.value as Node | null)?.range?.[1] ?? keyRange[1]);
    if (status === undefined) {
      // Remove the whole lines the pair occupies.
      const lineStart = text.lastIndexOf('\n', keyRange[0] - 1) + 1;
      const next = text.indexOf('\n', valueEnd);
      return text.slice(0, lineStart) + text.slice(next < 0 ? text.length : next + 1);
    }
    // A bare CR ending the status's last line (a CRLF file whose last line lost its LF) is
    // not a line break to yaml: kept after the new last line, it would glue onto its value
    // ("1\r") or break the file (`[]\r`, `"True"\r`). The line is rewritten, so is its break.
    const tail = text.slice(valueEnd).replace(/^[ \t]*\r(?!\n)/, eol);
    return text.slice(0, keyRange[0]) + render(status, indent, eol, false) + tail;
  }
  if (status === undefined) return text;
  const end = root.range[1];
  // Insert after the mapping's last line break, so a block scalar's trailing lines stay its own.
  if (end > 0 && text[end - 1] === '\n') return text.slice(0, end) + render(status, indent, eol, true) + text.slice(end);
  // A last line ending in a bare CR ended with a break in its author's eyes: so does the status.
  const bareCr = text[end - 1] === '\r';
  return text.slice(0, end) + eol + render(status, indent, eol, bareCr) + text.slice(end);
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

/** The end of a value without the blanks and line breaks its range ends with. */
function endOfValue(text: string, end: number): number {
  let e = end;
  while (e > 0 && /[ \t\r\n]/.test(text[e - 1]!)) e--;
  return e;
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
