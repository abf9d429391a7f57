// Reads and writes the release calendar file (state/calendar-file.ts) inside a Git clone or a
// watched folder, with the same containment as the manifests: never read or written through a
// symbolic link leading outside the source, reads bounded, writes atomic (temp file + rename).
import { lstat, mkdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, posix, relative as relativePath, resolve } from 'node:path';
import { calendarFilePath } from '../state/calendar-file.ts';
import { writeFileDurably } from '../state/durable-write.ts';
import { isWithin, readContained, resolveInside } from './dir-manifest-files.ts';
import { SourceError, SourceFailureReasons } from '../model/source.ts';

/** Largest calendar file read (it holds at most 20,000 records of ~120 bytes). Default: 8 MiB. */
const maxCalendarBytes = 8 << 20;

/** The calendar file's path relative to the source root (POSIX), for `git add` and messages. */
export function calendarPathIn(subpath: string): string {
  return posix.normalize(posix.join(subpath === '' ? '.' : subpath.split('\\').join('/'), calendarFilePath));
}

/** The calendar file as read: its text, absent, or left out with a reason (a link leading out, too large, not UTF-8). */
export type CalendarText = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'absent' } | { readonly kind: 'omitted'; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads `<root>/<subpath>/.firmwarden/releases.json` when it is there and stays inside the root. */
export async function readCalendarText(root: string, subpath: string): Promise<CalendarText> {
  const path = resolveInside(root, calendarPathIn(subpath));
  const realRoot = await realpath(root);
  const exists = await lstat(path).then(() => true, () => false);
  if (!exists) return { kind: 'absent' };
  const bytes = await readContained(path, realRoot, maxCalendarBytes).catch(() => 'unreadable' as const);
  if (bytes === 'outside') return { kind: 'omitted', reason: 'a symbolic link leading outside the source' };
  if (bytes === 'too-large') return { kind: 'omitted', reason: `larger than ${maxCalendarBytes} bytes` };
  if (bytes === 'unreadable') return { kind: 'omitted', reason: 'not a readable file' };
  try {
    return { kind: 'text', text: utf8.decode(bytes) };
  } catch {
    return { kind: 'omitted', reason: 'not valid UTF-8' };
  }
}

/**
 * Writes the calendar text when it differs from what is on disk; returns true when it wrote.
 * The `.firmwarden` folder is created when missing and must be a real folder inside the root:
 * a link there (or leading out) fails with StatusWriteFailed rather than writing through it.
 */
export async function writeCalendarText(root: string, subpath: string, text: string): Promise<boolean> {
  const relative = calendarPathIn(subpath);
  const path = resolveInside(root, relative);
  const folder = dirname(path);
  const realRoot = await realpath(root);
  const parentReal = await realpath(dirname(folder));
  if (!isWithin(realRoot, parentReal)) throw refused(relative, 'its folder leads outside the source');
  const target = join(parentReal, '.firmwarden');
  const info = await lstat(target).catch(() => undefined);
  if (info === undefined) await mkdir(target, { mode: 0o755 });
  else if (!info.isDirectory()) throw refused(relative, '.firmwarden is not a folder (a symbolic link or a file is never written through)');
  const file = join(target, 'releases.json');
  const current = await lstat(file).catch(() => undefined);
  if (current !== undefined && current.isFile() && (await readFile(file, 'utf8').catch(() => undefined)) === text) return false;
  // The rename replaces whatever is at the name (a link is replaced, not followed).
  await writeFileDurably(file, text, { mode: 0o644 });
  return true;
}

function refused(path: string, why: string): SourceError {
  return new SourceError(SourceFailureReasons.statusWriteFailed, `the release calendar ${path} was not written: ${why}; remove what is there and the controller writes it again`, { retryable: false });
}

/**
 * The calendar files near `paths` (for plan and why, which are given manifest files or folders):
 * for each, the first `.firmwarden/releases.json` found in its folder or a parent, stopping at
 * the repository's root (a folder holding `.git`). Each file once, with its path as given.
 */
export async function findCalendarTexts(paths: readonly string[], cwd: string): Promise<{ readonly file: string; readonly text: string }[]> {
  const found = new Map<string, string>();
  for (const p of paths) {
    const abs = resolve(cwd, p);
    let dir = (await lstat(abs).catch(() => undefined))?.isDirectory() ? abs : dirname(abs);
    for (;;) {
      const file = join(dir, calendarFilePath);
      if (!found.has(file)) {
        const text = await readFile(file, 'utf8').catch(() => undefined);
        if (text !== undefined) {
          found.set(file, text);
          break;
        }
      } else break;
      const atRoot = await lstat(join(dir, '.git')).then(() => true, () => false);
      const parent = dirname(dir);
      if (atRoot || parent === dir) break;
      dir = parent;
    }
  }
  return [...found].map(([file, text]) => ({ file: relativeTo(cwd, file), text }));
}

function relativeTo(cwd: string, file: string): string {
  const rel = relativePath(cwd, file);
  return rel.startsWith('..') ? file : rel;
}
