// Single values of run's options, parsed and checked: durations, listen addresses, identities, repository addresses, branch names, the report path.
import { isAbsolute, posix } from 'node:path';
import { UsageError } from './usage-error.ts';
import type { CommitIdentity } from '../sources/status-commit-message.ts';

/** Parses 500ms, 30s, 1m, 2h, 1m30s (or a bare number of seconds) into milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = trimmed;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!match) throw new UsageError(`invalid duration '${text}' (use e.g. 30s, 1m, 1h30m)`);
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  if (trimmed === '') throw new UsageError('empty duration');
  return total;
}

/** Parses HOST:PORT, [IPv6]:PORT, or :PORT (all interfaces). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new UsageError(`invalid --listen '${text}' (use HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080)`);
  const host = match[1] ?? (match[2] === '' ? '0.0.0.0' : match[2]!);
  return { host, port };
}

/** Parses `Name <email>`. */
export function parseIdentity(text: string): CommitIdentity {
  const match = /^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(text);
  if (!match) throw new UsageError(`invalid --status-author '${text}' (use 'Name <email>')`);
  return { name: match[1]!, email: match[2]! };
}

/** True for a URL or scp-like address (git@host:path); false for a local path. */
export function isRemoteAddress(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\]+@[^/\\:]+:/.test(repo);
}

/** A name git accepts as a branch and no command can mistake for an option. */
export function isBranchName(name: string): boolean {
  return /^[A-Za-z0-9._/-]+$/.test(name) && !name.startsWith('-') && !name.includes('..') && !name.endsWith('/') && !name.endsWith('.lock');
}

/** The default report file name, at the root of --path. */
export const defaultReportName = 'FLEET.md';

/**
 * The report's path relative to the repository (or folder) root, POSIX: --report as given, or
 * FLEET.md in --path; undefined with --no-report. Never a manifest name (the sources would read
 * it back as one), never inside .git, never outside the root.
 */
export function reportPath(flag: string | undefined, off: boolean, manifestsPath: string): string | undefined {
  if (off) {
    if (flag !== undefined) throw new UsageError('give --report or --no-report, not both');
    return undefined;
  }
  const raw = flag ?? posix.join(manifestsPath.split('\\').join('/'), defaultReportName);
  const path = posix.normalize(raw.split('\\').join('/'));
  if (flag !== undefined && (isAbsolute(flag) || path === '..' || path.startsWith('../') || path === '.' || path.endsWith('/'))) {
    throw new UsageError(`--report '${flag}' must be a file path relative to the repository, inside it`);
  }
  if (path.split('/').includes('.git')) throw new UsageError(`--report '${raw}' must not be inside .git`);
  if (/\.ya?ml$/i.test(path)) throw new UsageError(`--report '${raw}' must not end in .yaml or .yml: the controller would read it as a manifest (use e.g. FLEET.md)`);
  return path;
}
