// What `firmwarden lint PATH…` reads: files as named, directories recursively (*.yaml, *.yml;
// hidden entries and node_modules skipped), globs, and '-' for standard input. Sizes are
// checked with stat BEFORE reading and reads are bounded, so a 30 MB file is never loaded.
// Text must be UTF-8; anything else becomes a finding, not an exception. The result is in a
// deterministic order (paths sorted by code unit), paths relative to the working directory.
import { closeSync, fstatSync, globSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Finding } from '../manifest/finding.ts';
import { formatBytes, tooLargeMessage } from '../manifest/parse-yaml-file.ts';
import { severityOf } from '../manifest/rules.ts';

/** How standard input is named in findings. */
export const stdinName = '<stdin>';

export interface ReadOptions {
  cwd: string;
  maxFileBytes: number;
  stdin: Readable;
}

export interface ReadResult {
  /** Files read as text, by display path. */
  files: { path: string; text: string }[];
  /** Files refused without parsing them (too large, not UTF-8). */
  findings: Finding[];
  /** Operational problems (missing path, unreadable file): lint exits 2. */
  problems: string[];
  /** Every file considered, read or refused. */
  fileCount: number;
}

const skippedDirs = new Set(['node_modules']);

/** True for the file names found in directories. */
export function isYamlName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/** True for iCalendar files, which directories also give (spec.holidays.calendars reads them). */
export function isCalendarName(name: string): boolean {
  return name.toLowerCase().endsWith('.ics');
}

/**
 * Reads the calendars that manifests reference but the inputs did not include (lint given one
 * manifest file): each path (relative to the working directory, as the manifests' paths are;
 * the holiday check has kept it no higher than its manifest) when it is a file; the others are
 * left for the holiday check to report as not found.
 */
export function readCalendarFiles(paths: readonly string[], options: { cwd: string; maxFileBytes: number }): ReadResult {
  const result: ReadResult = { files: [], findings: [], problems: [], fileCount: 0 };
  for (const path of paths) {
    if (isAbsolute(path)) continue;
    const abs = resolve(options.cwd, path);
    try {
      if (!statSync(abs).isFile()) continue;
    } catch {
      continue;
    }
    result.fileCount++;
    readOne(abs, path, options.maxFileBytes, result);
  }
  return result;
}

/** Expands and reads `inputs`. Never throws for a bad path or file; reports it instead. */
export async function readManifestInputs(inputs: readonly string[], options: ReadOptions): Promise<ReadResult> {
  const problems: string[] = [];
  const found = new Set<string>();
  let wantsStdin = false;
  for (const input of inputs) {
    if (input === '-') {
      wantsStdin = true;
      continue;
    }
    if (/[*?[{]/.test(input)) {
      let matches: string[];
      try {
        matches = globSync(input, { cwd: options.cwd });
      } catch (error) {
        problems.push(`bad pattern '${input}': ${(error as Error).message}`);
        continue;
      }
      if (matches.length === 0) problems.push(`no file matches '${input}'`);
      for (const m of matches) addPath(resolve(options.cwd, m), input, found, problems);
      continue;
    }
    addPath(resolve(options.cwd, input), input, found, problems);
  }

  const result: ReadResult = { files: [], findings: [], problems, fileCount: 0 };
  const byDisplay = [...found].map((abs) => ({ abs, path: displayPath(options.cwd, abs) })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const { abs, path } of byDisplay) {
    result.fileCount++;
    readOne(abs, path, options.maxFileBytes, result);
  }
  if (wantsStdin) {
    result.fileCount++;
    const bytes = await readBounded(options.stdin, options.maxFileBytes);
    if (bytes === 'too-large') result.findings.push(refused(stdinName, 'file-too-large', `standard input is over the ${formatBytes(options.maxFileBytes)} limit: not read (raise it with --max-file-size)`));
    else decodeInto(bytes, stdinName, result);
  }
  return result;
}

/** Reads every manifest file under the folder `dir` (absolute), as a folder named on the command line is read. */
export function readManifestTree(dir: string, options: { cwd: string; maxFileBytes: number }): ReadResult {
  const found = new Set<string>();
  const result: ReadResult = { files: [], findings: [], problems: [], fileCount: 0 };
  walk(dir, found, result.problems);
  const byDisplay = [...found].map((abs) => ({ abs, path: displayPath(options.cwd, abs) })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const { abs, path } of byDisplay) {
    result.fileCount++;
    readOne(abs, path, options.maxFileBytes, result);
  }
  return result;
}

/** A path relative to the working directory, with '/' separators. */
export function displayPath(cwd: string, abs: string): string {
  const rel = relative(cwd, abs) || '.';
  return sep === '/' ? rel : rel.split(sep).join('/');
}

function addPath(abs: string, input: string, found: Set<string>, problems: string[]): void {
  let st;
  try {
    st = statSync(abs);
  } catch (error) {
    problems.push(describeIoError(input, error));
    return;
  }
  if (st.isDirectory()) walk(abs, found, problems);
  // A file named on the command line (or by a glob) is read whatever its extension.
  else if (st.isFile()) found.add(abs);
  else problems.push(`'${input}' is not a file or directory`);
}

function walk(dir: string, found: Set<string>, problems: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    problems.push(describeIoError(dir, error));
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || skippedDirs.has(entry.name)) continue;
    const path = resolve(dir, entry.name);
    if (entry.isDirectory()) walk(path, found, problems);
    else if (entry.isFile() && (isYamlName(entry.name) || isCalendarName(entry.name))) found.add(path);
    else if (entry.isSymbolicLink() && (isYamlName(entry.name) || isCalendarName(entry.name))) {
      // Links to files are followed; links to folders are not (they can loop).
      try {
        if (statSync(path).isFile()) found.add(path);
      } catch {
        problems.push(`'${path}' is a broken symbolic link`);
      }
    }
  }
}

function readOne(abs: string, path: string, max: number, result: ReadResult): void {
  let fd: number | undefined;
  try {
    fd = openSync(abs, 'r');
    const size = fstatSync(fd).size;
    if (size > max) {
      result.findings.push(refused(path, 'file-too-large', tooLargeMessage(size, max)));
      return;
    }
    // Read at most max + 1 bytes: a file that grew since stat is still caught.
    const buffer = Buffer.allocUnsafe(Math.min(size, max) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) break;
    }
    if (length > max) {
      result.findings.push(refused(path, 'file-too-large', tooLargeMessage(length, max)));
      return;
    }
    decodeInto(buffer.subarray(0, length), path, result);
  } catch (error) {
    result.problems.push(describeIoError(path, error));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeInto(bytes: Uint8Array, path: string, result: ReadResult): void {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    result.findings.push(refused(path, 'file-binary', 'the file is UTF-16 text; save it as UTF-8'));
    return;
  }
  try {
    result.files.push({ path, text: decoder.decode(bytes) });
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, bad);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < before.length; i++) if (before[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    const column = new TextDecoder().decode(bytes.subarray(lineStart, bad)).length + 1;
    const byte = bytes[bad]!.toString(16).padStart(2, '0');
    const f = refused(path, 'file-binary', `the file is not UTF-8 text (byte 0x${byte} at line ${line}, column ${column}): it cannot be a manifest`);
    Object.assign(f, { line, column, endLine: line, endColumn: column + 1 });
    result.findings.push(f);
  }
}

/** Offset of the first byte that breaks UTF-8. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return Math.max(0, bytes.length - 1);
}

function refused(path: string, rule: 'file-too-large' | 'file-binary', message: string): Finding {
  return { file: path, line: 1, column: 1, endLine: 1, endColumn: 1, severity: severityOf(rule), rule, message };
}

/** Reads a stream up to max bytes; 'too-large' as soon as it passes that. */
async function readBounded(stream: Readable, max: number): Promise<Uint8Array | 'too-large'> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > max) {
      stream.destroy();
      return 'too-large';
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function describeIoError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const shown = isAbsolute(path) ? path : `'${path}'`;
  switch (code) {
    case 'ENOENT':
      return `${shown}: no such file or directory`;
    case 'EACCES':
    case 'EPERM':
      return `${shown}: permission denied`;
    case 'EISDIR':
      return `${shown}: is a directory`;
    default:
      return `${shown}: cannot be read (${code ?? (error as Error).message})`;
  }
}
