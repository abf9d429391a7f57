// The rest of a repository, for `firmwarden lint FILE…`. pre-commit (and people) lint the few
// files that changed; a group among them names a policy in a file that did not change, and that
// reference must not be reported as dangling. So when lint is given files (or globs, or standard
// input) rather than folders, it also reads the other manifests of the Git work tree holding
// them (else of their common folder) to resolve references. Those files are never checked:
// nobody asked about them, and the folder may hold unrelated YAML.
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import { readManifestTree, stdinName } from './read-manifest-files.ts';

/** `apiVersion: firmwarden.dev/…` in block, flow or JSON style. */
const ourApiVersion = /apiVersion["']?\s*:\s*["']?firmwarden\.dev\//;

export interface ContextOptions {
  cwd: string;
  maxFileBytes: number;
}

/**
 * The manifest files references from `given` (display paths, as read from `inputs`) may name,
 * `given` excluded; none when every input is a folder (the folder is the whole scope).
 */
export function readReferenceContext(inputs: readonly string[], given: readonly string[], options: ContextOptions): { path: string; text: string }[] {
  const root = contextRoot(inputs, given, options.cwd);
  if (root === undefined) return [];
  const skip = new Set(given.filter((p) => p !== stdinName).map((p) => resolve(options.cwd, p)));
  // Problems reading the rest (an unreadable folder, a file too large) are not the user's
  // question here: what cannot be read simply resolves nothing.
  const read = readManifestTree(root, options);
  // Only a text with our apiVersion can hold one of our manifests: the rest (CRDs, RBAC, other
  // tools' YAML) is not parsed at all.
  return read.files.filter((f) => !skip.has(resolve(options.cwd, f.path)) && ourApiVersion.test(f.text));
}

/** The folder whose manifests resolve references, or undefined when lint was given only folders. */
export function contextRoot(inputs: readonly string[], given: readonly string[], cwd: string): string | undefined {
  if (inputs.every((input) => input !== '-' && isDirectory(resolve(cwd, input)))) return undefined;
  const anchors = given.map((p) => (p === stdinName ? cwd : dirname(resolve(cwd, p))));
  if (anchors.length === 0) return undefined;
  const common = commonFolder(anchors);
  return gitRoot(common) ?? common;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The deepest folder holding every one of `folders` (absolute). */
export function commonFolder(folders: readonly string[]): string {
  let common = folders[0]!;
  for (const folder of folders.slice(1)) {
    while (!isInside(common, folder) && dirname(common) !== common) common = dirname(common);
  }
  return common;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The nearest folder at or above `folder` with a .git entry (a work tree, or a worktree's .git file). */
function gitRoot(folder: string): string | undefined {
  const top = parse(folder).root;
  for (let dir = folder; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dir === top) return undefined;
  }
}
