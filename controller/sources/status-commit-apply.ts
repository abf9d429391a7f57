// Pure: puts statuses into manifest texts with replaceStatus (which rewrites one document's
// status and leaves every other byte alone), and reports which files really changed. An
// update whose status equals the written one (volatile timestamps aside) is not applied, so a
// reconcile that changed nothing produces no text change and therefore no commit.
import type { SourceFile, StatusUpdate } from '../model/source.ts';
import type { DocumentFacts } from './status-commit-detect.ts';
import { describeDocuments, isSameKey, isSameStatus } from './status-commit-detect.ts';

/**
 * Rewrites the status of document `docIndex` of `text` (controller/manifest/status-writer.ts):
 * the new text, or the reason the file must be left as it is (never throws).
 */
export type ReplaceStatus = (text: string, docIndex: number, status: never) => { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

/** Status fields whose change alone is not worth a commit. Default: lastTransitionTime. */
export const defaultVolatileKeys: ReadonlySet<string> = new Set(['lastTransitionTime']);

export interface SkippedUpdate {
  readonly path: string;
  readonly docIndex: number;
  readonly reason: string;
}

export interface AppliedStatuses {
  /** New texts of the files that changed, by path. */
  readonly changed: ReadonlyMap<string, string>;
  readonly skipped: readonly SkippedUpdate[];
}

/**
 * Applies `updates` to `files`. An update carrying a `key` follows its manifest when people
 * moved it (another document index, another file); an update whose manifest is gone is
 * skipped, never written onto whatever document took its place.
 */
export function applyStatuses(
  files: readonly SourceFile[],
  updates: readonly StatusUpdate[],
  replaceStatus: ReplaceStatus,
  volatileKeys: ReadonlySet<string> = defaultVolatileKeys,
): AppliedStatuses {
  const texts = new Map(files.map((f) => [f.path, f.text]));
  const facts = new Map<string, (DocumentFacts | undefined)[]>();
  const factsOf = (path: string): (DocumentFacts | undefined)[] => {
    let found = facts.get(path);
    if (found === undefined) {
      // Facts come from the original text: replacing a status never moves documents.
      found = describeDocuments(texts.get(path) ?? '');
      facts.set(path, found);
    }
    return found;
  };
  const locate = (update: StatusUpdate): { path: string; docIndex: number } | string => {
    const here = texts.has(update.path) ? factsOf(update.path)[update.docIndex] : undefined;
    if (update.key === undefined) {
      if (!texts.has(update.path)) return 'the file no longer exists';
      return { path: update.path, docIndex: update.docIndex };
    }
    if (here?.key !== undefined && isSameKey(here.key, update.key)) return { path: update.path, docIndex: update.docIndex };
    for (const path of [update.path, ...texts.keys()]) {
      if (!texts.has(path)) continue;
      const index = factsOf(path).findIndex((f) => f?.key !== undefined && isSameKey(f.key, update.key!));
      if (index >= 0) return { path, docIndex: index };
    }
    return `${update.key.kind}/${update.key.name} is no longer in the source`;
  };

  const changed = new Map<string, string>();
  const skipped: SkippedUpdate[] = [];
  for (const update of updates) {
    const target = locate(update);
    if (typeof target === 'string') {
      skipped.push({ path: update.path, docIndex: update.docIndex, reason: target });
      continue;
    }
    const current = factsOf(target.path)[target.docIndex];
    if (current !== undefined && isSameStatus(current.status, update.status, volatileKeys)) continue;
    const text = changed.get(target.path) ?? texts.get(target.path)!;
    // A refused rewrite (the document cannot take a status, or the writer's self-check found
    // that its output would read differently) leaves this file's text as it was: the broken
    // text is never written or committed, and the reason goes out with the skipped updates.
    const next = replaceStatus(text, target.docIndex, update.status as never);
    if (!next.ok) skipped.push({ path: target.path, docIndex: target.docIndex, reason: next.reason });
    else if (next.text !== text) changed.set(target.path, next.text);
  }
  // A file whose updates cancel out (or rewrote to the same bytes) is not a change.
  for (const [path, text] of changed) if (text === texts.get(path)) changed.delete(path);
  return { changed, skipped };
}
