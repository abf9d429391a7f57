// Reads the manifest files (*.yaml, *.yml) under a folder, and the iCalendar files (*.ics) that
// spec.holidays.calendars may reference, with bounds: a file larger than
// the per-file limit is left out (and reported), more files or bytes than the totals allow
// fail the whole read. Hidden files and folders (.git, .github, .ci) are skipped: CI
// workflows are YAML too and are not manifests. Both the Git and the directory source use it.
//
// Containment: whoever can merge to the config repository decides what its symbolic links
// point at, so every path is resolved to its real path and must stay inside the root's real
// path: the start folder (`--path` itself may be a link), each file right before it is read,
// and each file right before a status is written into it. A link leading out is never read
// through; a start folder leading out fails the read with SymlinkOutsideSource.
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { OmittedFile, SourceFile } from '../model/source.ts';
import { SourceError, SourceFailureReasons } from '../model/source.ts';

export interface FileLimits {
  /** Largest file read; larger ones are omitted. Default: 1 MiB. */
  readonly maxFileBytes: number;
  /** Most bytes read in all; more fails the read. Default: 32 MiB. */
  readonly maxTotalBytes: number;
  /** Most manifest files; more fails the read. Default: 5000. */
  readonly maxFiles: number;
}

export const defaultFileLimits: FileLimits = { maxFileBytes: 1 << 20, maxTotalBytes: 32 << 20, maxFiles: 5000 };

/** True for the names of manifest files (a status may be written into them). */
export function isManifestFileName(name: string): boolean {
  return !name.startsWith('.') && (name.endsWith('.yaml') || name.endsWith('.yml'));
}

/** True for the names of iCalendar files, read beside the manifests for their holidays. */
export function isCalendarFileName(name: string): boolean {
  return !name.startsWith('.') && name.toLowerCase().endsWith('.ics');
}

/** True for the file names a source reads: manifests and calendars. */
export function isSourceFileName(name: string): boolean {
  return isManifestFileName(name) || isCalendarFileName(name);
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

// A config repository that installs firmwarden with npm (lint in CI, pre-commit) has the
// package's examples/ under node_modules: read, they would all be duplicates of real manifests.
const skippedFolder = 'node_modules';

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

  const realStart = await realpath(start).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new SourceError(SourceFailureReasons.invalidConfig, `the path '${subpath}' does not exist in the source`, { retryable: false, cause: error });
    }
    throw error;
  });
  // `--path` itself, or a folder on the way to it, may be a link: judged by where it really leads.
  if (!isWithin(realRoot, realStart)) throw await escapeError(root, realRoot, subpath, 'read');
  if ((await stat(realStart)).isFile()) {
    candidates.push(start);
  } else {
    await walk(start);
  }

  async function isInsideRoot(path: string): Promise<string | undefined> {
    const real = await realpath(path).catch(() => undefined);
    return real !== undefined && isWithin(realRoot, real) ? real : undefined;
  }

  async function walk(dir: string): Promise<void> {
    const real = await realpath(dir);
    if (visited.has(real)) return; // a link cycle
    visited.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === skippedFolder) continue;
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = follow ? await isInsideRoot(path) : undefined;
        if (target === undefined) {
          if (isSourceFileName(entry.name)) omitted.push({ path: toPosix(relative(root, path)), reason: follow ? await outsideReason(path) : 'a symbolic link' });
          continue;
        }
        const targetStat = await stat(path);
        if (targetStat.isDirectory()) await walk(path);
        else if (targetStat.isFile() && isSourceFileName(entry.name)) candidates.push(path);
      } else if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile() && isSourceFileName(entry.name)) {
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
    // Again right before reading: the tree may have changed since the walk (a file swapped for a link).
    const bytes = await readContained(path, realRoot, limits.maxFileBytes);
    if (bytes === 'outside') {
      omitted.push({ path: rel, reason: await outsideReason(path) });
      continue;
    }
    if (bytes === 'too-large') {
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

/**
 * The real path of the file `path` (relative to `root`) a status may be written into: it exists,
 * is a regular file and stays inside the real root. Throws SymlinkOutsideSource otherwise, so a
 * writer never writes through a link to outside. Call it right before writing.
 */
export async function resolveWritableFile(root: string, path: string): Promise<string> {
  const realRoot = await realpath(root);
  const target = resolveInside(root, path);
  const real = await realpath(target);
  if (!isWithin(realRoot, real)) throw await escapeError(root, realRoot, path, 'write');
  if (!(await lstat(real)).isFile()) {
    throw new SourceError(SourceFailureReasons.statusWriteFailed, `'${path}' is no longer a regular file: status not written`, { retryable: true });
  }
  return real;
}

/** True when the real path `real` is `realRoot` or below it. */
export function isWithin(realRoot: string, real: string): boolean {
  const rel = relative(realRoot, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Why a link was left out: where it points, so the reader can find and fix it. */
async function outsideReason(path: string): Promise<string> {
  const target = await readlink(path).catch(() => undefined);
  return target === undefined ? 'leads outside the source through a symbolic link' : `a symbolic link to '${target}', outside the source`;
}

/**
 * The SymlinkOutsideSource error for `subpath`, naming the first link on the way that leads out
 * and what it points at.
 */
async function escapeError(root: string, realRoot: string, subpath: string, action: 'read' | 'write'): Promise<SourceError> {
  let current = root;
  let culprit: { link: string; target: string } | undefined;
  for (const part of normalize(subpath).split(sep)) {
    if (part === '' || part === '.') continue;
    current = join(current, part);
    if (!(await lstat(current).catch(() => undefined))?.isSymbolicLink()) continue;
    const real = await realpath(current).catch(() => undefined);
    if (real === undefined || !isWithin(realRoot, real)) {
      culprit = { link: toPosix(relative(root, current)), target: await readlink(current).catch(() => '?') };
      break;
    }
  }
  const how = culprit === undefined ? 'through a symbolic link' : `: '${culprit.link}' is a symbolic link to '${culprit.target}'`;
  const done = action === 'read' ? 'nothing under it was read' : 'no status was written';
  return new SourceError(
    SourceFailureReasons.symlinkOutside,
    `the path '${subpath}' leads outside the source${how}; ${done}. Replace the link with the real folder or file, or remove it`,
    { retryable: false },
  );
}

/**
 * Reads `path` when its real path is inside `realRoot`, opening that real path without
 * following a link (so a link swapped in after the check is refused, not followed); at most
 * `max` bytes, checked on the open file.
 */
export async function readContained(path: string, realRoot: string, max: number): Promise<Uint8Array | 'outside' | 'too-large'> {
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined || !isWithin(realRoot, real)) return 'outside';
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') return 'outside';
    throw error;
  }
  try {
    if ((await handle.stat()).size > max) return 'too-large';
    // Read until the end, but never more than max + 1 bytes: a file that grew since stat is still caught.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, max + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > max) return 'too-large';
    }
    return Buffer.concat(chunks, length);
  } finally {
    await handle.close();
  }
}
