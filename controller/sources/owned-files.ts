// Files the controller writes with its statuses that are not manifests (the fleet report, and
// any other file a reconcile hands over as {path, text}), inside a Git clone or a watched folder.
// The same containment as the manifests: every folder on the way must be a real folder inside
// the root (created when missing; a link there is refused, never written through), the file is
// replaced atomically (temp file + rename, which replaces a link at the name rather than following
// it), and it is written only when its text changes, so an unchanged file is never a commit.
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { writeFileDurably } from '../state/durable-write.ts';
import { isManifestFileName, resolveInside } from './dir-manifest-files.ts';
import type { WrittenFile } from '../model/source.ts';
import { SourceError, SourceFailureReasons } from '../model/source.ts';

/** The path as git and messages show it: POSIX, normalised, relative to the root. */
export function ownedPath(path: string): string {
  return posix.normalize(path.split('\\').join('/'));
}

/**
 * Writes `file.text` at `file.path` under `root` when the text there differs (or nothing is
 * there); resolves to true when it wrote. Throws StatusWriteFailed for a path through a link,
 * a file, or outside the root.
 */
export async function writeOwnedFile(root: string, file: WrittenFile): Promise<boolean> {
  const relative = ownedPath(file.path);
  // A manifest name would be read back as a manifest, and statuses are written into those.
  if (isManifestFileName(posix.basename(relative))) throw refused(relative, 'a .yaml or .yml name is read as a manifest');
  const target = resolveInside(root, relative);
  const segments = relative.split('/');
  let folder = root;
  for (let i = 0; i < segments.length - 1; i++) {
    folder = join(folder, segments[i]!);
    const info = await lstat(folder).catch(() => undefined);
    if (info === undefined) await mkdir(folder, { mode: 0o755 });
    else if (!info.isDirectory()) throw refused(relative, `${segments.slice(0, i + 1).join('/')} is not a folder (a symbolic link or a file is never written through)`);
  }
  const current = await lstat(target).catch(() => undefined);
  if (current?.isDirectory()) throw refused(relative, 'a folder is there');
  if (current?.isFile() && (await readFile(target, 'utf8').catch(() => undefined)) === file.text) return false;
  await writeFileDurably(target, file.text, { mode: 0o644 });
  return true;
}

function refused(path: string, why: string): SourceError {
  return new SourceError(SourceFailureReasons.statusWriteFailed, `${path} was not written: ${why}; remove what is there, or choose another path with --report`, { retryable: false });
}
