// A line-based stand-in for controller/manifest/status-writer.ts's replaceStatus, used by the
// source tests until (and unless) the real one is wired in: replaces the top-level `status:`
// block of one document (or appends one), leaving every other line untouched.
import { parseAllDocuments, stringify } from 'yaml';

/** Rewrites the status of document `docIndex` of `text`; throws when the document does not exist. */
export function replaceStatusStub(text: string, docIndex: number, status: unknown): string {
  const docs = parseAllDocuments(text);
  if (Array.isArray(docs) && docs.some((d) => d.errors.length > 0)) throw new Error('the file is not valid YAML');
  const lines = text.split('\n');
  // Document boundaries: a `---` line starts a new document unless nothing came before it.
  const starts: number[] = [0];
  let seenContent = false;
  for (const [i, line] of lines.entries()) {
    if (/^---(\s|$)/.test(line)) {
      if (seenContent) starts.push(i + 1);
      else starts[0] = i + 1;
      seenContent = true;
      continue;
    }
    if (line.trim() !== '' && !line.startsWith('#')) seenContent = true;
  }
  if (docIndex >= starts.length) throw new Error(`document ${docIndex} does not exist`);
  const from = starts[docIndex]!;
  const to = docIndex + 1 < starts.length ? starts[docIndex + 1]! - 1 : lines.length;
  let statusAt = -1;
  let statusEnd = to;
  for (let i = from; i < to; i++) {
    const line = lines[i]!;
    if (statusAt < 0 && /^status:/.test(line)) {
      statusAt = i;
      continue;
    }
    if (statusAt >= 0 && /^\S/.test(line) && !line.startsWith('#')) {
      statusEnd = i;
      break;
    }
  }
  const block = stringify({ status }).replace(/\n$/, '').split('\n');
  if (statusAt >= 0) {
    // Keep trailing blank lines of the old block where they were.
    let end = statusEnd;
    while (end > statusAt + 1 && lines[end - 1]!.trim() === '') end--;
    lines.splice(statusAt, end - statusAt, ...block);
  } else {
    let end = to;
    while (end > from && lines[end - 1]!.trim() === '') end--;
    lines.splice(end, 0, ...block);
  }
  return lines.join('\n');
}
