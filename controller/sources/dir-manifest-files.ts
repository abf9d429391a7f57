// Reads the manifest files (*.yaml, *.yml) under a folder, with bounds: a file larger than
// the per-file limit is left out (and reported), more files or bytes than the totals allow
// fail the whole read. Hidden files and folders (.git, .github, .ci) are skipped: CI
// workflows are YAML too and are not manifests. Both the Git and the directory source use it.
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { OmittedFile, SourceFile } from './source.ts';
import { SourceError, SourceFailureReasons } from './source.ts';

export interface FileLimits {
  /** Largest file read; larger ones are omitted. Default: 1 MiB. */
  readonly maxFileBytes: number;
  /** Most bytes read in all; more fails the read. Default: 32 MiB. */
  readonly maxTotalBytes: number;
  /** Most manifest files; more fails the read. Default: 5000. */
  readonly maxFiles: number;
}

export const defaultFileLimits: FileLimits = { maxFileBytes: 1 << 20, maxTotalBytes: 32 << 20, maxFiles: 5000 };

/** True for the file names a source reads. */
export function isManifestFileName(name: string): boolean {
  return !name.startsWith('.') && (name.endsWith('.yaml') || name.endsWith('.yml'));
}

/**
 * Resolves `subpath` (relative, POSIX or native) inside `root`; throws when it is absolute or
 * climbs out, so `--path ../../etc` cannot read outside the repository.
 */
export function resolveInside(root: string, subpath: string): string {
  const cleaned = normalize(subpath === '' ? '.' : subpath);
  if (isAbsolute(cleaned) || cleaned === '..' || cleaned.startsWith(`..${sep}`)) {
    throw new SourceError(SourceFailureReasons.invalidConfig, `the path '${subpath}' must stay inside the repository`, { retryable: false });
  }
  return join(root, cleaned);
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Lists and reads the manifests under `root/subpath`, sorted by path. Paths in the result are
 * relative to `root`. Symbolic links are followed only when `followSymlinks` and only when
 * they stay inside `root` (a Git repository could otherwise make the controller read
 * /etc/passwd); otherwise they are omitted.
 */
export async function readManifestFiles(
  root: string,
  subpath: string,
  options: { limits?: FileLimits; followSymlinks?: boolean } = {},
): Promise<{ files: SourceFile[]; omitted: OmittedFile[] }> {
  const limits = options.limits ?? defaultFileLimits;
  const follow = options.followSymlinks ?? false;
  const start = resolveInside(root, subpath);
  const realRoot = await realpath(root);
  const candidates: string[] = [];
  const omitted: OmittedFile[] = [];
  const visited = new Set<string>();

  const startStat = await lstat(start).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new SourceError(SourceFailureReasons.invalidConfig, `the path '${subpath}' does not exist in the source`, { retryable: false, cause: error });
    }
    throw error;
  });
  if (startStat.isFile()) {
    candidates.push(start);
  } else {
    await walk(start);
  }

  async function isInsideRoot(path: string): Promise<string | undefined> {
    const real = await realpath(path).catch(() => undefined);
    if (real === undefined) return undefined;
    const rel = relative(realRoot, real);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)) ? real : undefined;
  }

  async function walk(dir: string): Promise<void> {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a link cycle
    visited.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = follow ? await isInsideRoot(path) : undefined;
        if (target === undefined) {
          if (isManifestFileName(entry.name)) omitted.push({ path: toPosix(relative(root, path)), reason: follow ? 'a symbolic link leading outside the source' : 'a symbolic link' });
          continue;
        }
        const targetStat = await stat(path);
        if (targetStat.isDirectory()) await walk(path);
        else if (targetStat.isFile() && isManifestFileName(entry.name)) candidates.push(path);
      } else if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile() && isManifestFileName(entry.name)) {
        candidates.push(path);
      }
      if (candidates.length > limits.maxFiles) {
        throw new SourceError(SourceFailureReasons.tooLarge, `more than ${limits.maxFiles} manifest files under '${subpath}'`, { retryable: false });
      }
    }
  }

  const files: SourceFile[] = [];
  let total = 0;
  for (const path of candidates) {
    const rel = toPosix(relative(root, path));
    const info = await stat(path);
    if (info.size > limits.maxFileBytes) {
      omitted.push({ path: rel, reason: `larger than ${limits.maxFileBytes} bytes` });
      continue;
    }
    const bytes = await readFile(path);
    // Checked again after reading: the file may have grown since stat.
    if (bytes.length > limits.maxFileBytes) {
      omitted.push({ path: rel, reason: `larger than ${limits.maxFileBytes} bytes` });
      continue;
    }
    total += bytes.length;
    if (total > limits.maxTotalBytes) {
      throw new SourceError(SourceFailureReasons.tooLarge, `the manifests under '${subpath}' exceed ${limits.maxTotalBytes} bytes in all`, { retryable: false });
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      omitted.push({ path: rel, reason: 'not valid UTF-8' });
      continue;
    }
    files.push({ path: rel, text });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  omitted.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, omitted };
}
