// `firmwarden lint [PATH…]`: checks manifests for CI. Reads files, directories, globs and '-'
// (stdin); prints findings in one of five formats; exits 0 when clean (warnings allowed unless
// --strict), 1 on error findings, 2 on a usage or I/O problem. Bad input never ends in a stack
// trace: every problem with a file is a finding.
import type { Command } from './command.ts';
import { ExitCode } from './command.ts';
import { UsageError } from '../config/usage-error.ts';
import { parseFlags } from './parse-flags.ts';
import type { Finding } from '../manifest/finding.ts';
import { compareFindings } from '../manifest/finding.ts';
import { parseManifests } from '../manifest/parse-manifests.ts';
import { defaultMaxFileBytes } from '../manifest/parse-yaml-file.ts';
import { readCalendarFiles, readManifestInputs } from '../sources/read-manifest-files.ts';
import { readReferenceContext } from '../sources/reference-context.ts';
import type { LintReport } from './lint-report.ts';
import { summaryLine } from './lint-report.ts';
import { formatText } from './lint-format-text.ts';
import { formatJson } from './lint-format-json.ts';
import { formatGithub } from './lint-format-github.ts';
import { formatSarif } from './lint-format-sarif.ts';
import { formatJunit } from './lint-format-junit.ts';
import { escapeText } from '../output/escape.ts';
import { formatAliases, lintFlags, type lintFormats } from './lint-flags.ts';

type Format = (typeof lintFormats)[number];
// Exactly the formats completion offers: a missing or an extra one is a type error.
const formats: Readonly<Record<Format, (report: LintReport) => string>> = { text: formatText, json: formatJson, github: formatGithub, sarif: formatSarif, junit: formatJunit };

const version = '0.1.0';

const help = `Usage: firmwarden lint [options] [PATH…]

Checks DeviceGroup, UpdatePolicy and ScheduledUpdate manifests: YAML, schema, and meaning
(references, time zones, windows, schedules, versions). PATH is a file, a directory (read
recursively: *.yaml, *.yml), a glob ('manifests/**/*.yaml') or - for standard input.
Default: the current directory. Given files (as pre-commit passes them) rather than folders,
lint also reads the other manifests of their Git repository (else of their common folder),
only so that their references resolve: nothing is reported about files not given.

Options:
  -f, --format FORMAT     text (default), json, github, sarif or junit
      --strict            warnings fail too (exit 1), and finding no manifests (exit 2)
      --max-file-size N   refuse larger files; bytes, or with KiB/MiB (K/M) (default: 1MiB)
      --now TIME          the current time, RFC 3339 (default: the clock); for reproducible runs
  -h, --help              this help

Exit codes: 0 no errors (warnings allowed unless --strict), 1 errors found, 2 usage or I/O problem,
or no manifests found under --strict.
`;

/** Parses "1048576", "512KiB", "2M", "1.5MiB" into bytes. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase()[0]!;
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const bytes = Math.floor(Number(m[1]) * factor);
  return bytes > 0 ? bytes : undefined;
}

interface LintOptions {
  paths: string[];
  format: Format;
  strict: boolean;
  maxFileBytes: number;
  now: number | undefined;
  help: boolean;
}

function parseOptions(args: string[]): LintOptions {
  const parsed = parseFlags(args, {
    allowPositionals: true,
    aliases: formatAliases,
    options: lintFlags,
  });
  const v = parsed.values;
  const format = v.format ?? 'text';
  if (!Object.hasOwn(formats, format)) throw new UsageError(`unknown format '${format}'; use one of ${Object.keys(formats).join(', ')}`);
  let maxFileBytes = defaultMaxFileBytes;
  if (v['max-file-size'] !== undefined) {
    const size = parseSize(v['max-file-size']);
    if (size === undefined) throw new UsageError(`--max-file-size '${v['max-file-size']}' is not a size (for example 1048576, 512KiB or 2MiB)`);
    maxFileBytes = size;
  }
  let now: number | undefined;
  if (v.now !== undefined) {
    now = Date.parse(v.now);
    if (!Number.isFinite(now) || !/\d{4}-\d{2}-\d{2}T/.test(v.now)) throw new UsageError(`--now '${v.now}' is not an RFC 3339 time (for example 2026-11-22T08:00:00Z)`);
  }
  return {
    paths: parsed.positionals.length > 0 ? parsed.positionals : ['.'],
    format: format as Format,
    strict: v.strict ?? false,
    maxFileBytes,
    now,
    help: v.help ?? false,
  };
}

/** The lint command. */
export const lint: Command = async (args, io) => {
  const options = parseOptions(args);
  if (options.help) {
    io.stdout.write(help);
    return ExitCode.ok;
  }
  let read = await readManifestInputs(options.paths, { cwd: io.cwd, maxFileBytes: options.maxFileBytes, stdin: io.stdin });
  const given = [...read.files.map((f) => f.path), ...read.findings.map((f) => f.file)];
  const context = readReferenceContext(options.paths, given, { cwd: io.cwd, maxFileBytes: options.maxFileBytes });
  let result = parseManifests(read.files, { now: options.now ?? Date.now(), maxFileBytes: options.maxFileBytes, context });
  if (result.missingCalendars.length > 0) {
    // A manifest given alone names a holiday calendar beside it: read that too, then check again.
    const calendars = readCalendarFiles(result.missingCalendars, { cwd: io.cwd, maxFileBytes: options.maxFileBytes });
    if (calendars.fileCount > 0) {
      read = { ...read, files: [...read.files, ...calendars.files], findings: [...read.findings, ...calendars.findings], fileCount: read.fileCount + calendars.fileCount };
      result = parseManifests(read.files, { now: options.now ?? Date.now(), maxFileBytes: options.maxFileBytes, context });
    }
  }
  const findings: Finding[] = [...read.findings, ...result.findings].sort(compareFindings);
  const files = [...new Set([...read.files.map((f) => f.path), ...read.findings.map((f) => f.file)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const report: LintReport = {
    findings,
    files,
    documents: result.documents,
    texts: new Map(read.files.map((f) => [f.path, f.text])),
    strict: options.strict,
    version,
  };
  io.stdout.write(formats[options.format](report));
  for (const problem of read.problems) io.stderr.write(`firmwarden lint: ${escapeText(problem)}\n`);
  if (read.problems.length > 0) {
    if (options.format === 'text') io.stderr.write(`${summaryLine(report)}\n`);
    return ExitCode.usage;
  }
  if (files.length === 0) {
    // A CI job pointed at the wrong folder would otherwise pass on "no problems". In every
    // format: the machine formats keep their (empty) report on stdout.
    io.stderr.write(`no manifests found under ${options.paths.map(escapeText).join(', ')}: nothing to check\n`);
    return options.strict ? ExitCode.usage : ExitCode.ok;
  }
  if (options.format === 'text') io.stderr.write(`${summaryLine(report)}\n`);
  const fails = findings.some((f) => f.severity === 'error' || options.strict);
  return fails ? ExitCode.findings : ExitCode.ok;
};
