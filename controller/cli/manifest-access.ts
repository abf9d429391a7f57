// How the commands that reconcile (run, demo) read manifests and write status: the manifest
// loader's parse and in-place status rewrite, in the shapes the controller's ports take.
import { parseManifests, type LoadedManifest } from '../manifest/parse-manifests.ts';
import type { Finding } from '../manifest/finding.ts';
import { replaceStatus as replaceDocumentStatus } from '../manifest/status-writer.ts';
import type { ParsedDesired } from '../model/desired.ts';
import type { ReplaceStatus } from '../sources/status-commit-apply.ts';

/** Parses the files of a snapshot; invalid manifests are kept (valid: false) so their status can say why. */
export function parseManifestTexts(files: readonly { path: string; text: string }[], now: number): ParsedDesired<LoadedManifest, Finding> {
  const { manifests, findings } = parseManifests(files, { now });
  return { manifests, findings };
}

/** Rewrites one document's status, every other byte untouched, or says why it will not. */
export const replaceStatus: ReplaceStatus = (text, docIndex, status) =>
  replaceDocumentStatus(text, docIndex, status as Record<string, unknown> | undefined);
