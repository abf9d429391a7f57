// The manifest loader: file texts → validated manifests and findings. PURE: no I/O, no clock
// (`now` is a parameter), never throws on bad input.
//
// Public API
//   parseManifests(files: {path, text}[], options: {now, maxFileBytes?, context?})
//     → { manifests: LoadedManifest[], findings: Finding[], documents: DocumentSummary[] }
//   LoadedManifest = { kind, manifest (typed; defaults NOT injected), file, docIndex,
//                      range {line, column, endLine, endColumn}, valid, key }
//     valid is false when any error-severity finding concerns the manifest; the engine acts
//     only on valid manifests, and one bad document never hides the good ones.
//     key is `${namespace}/${kind}/${name}` (namespace defaults to 'default').
//     docIndex is the index of the document in yaml's parseAllDocuments(text): the index
//     status-writer.ts's replaceStatus(text, docIndex, status) takes.
//   Finding (finding.ts) = { file, line, column, endLine, endColumn, severity, rule, message,
//                            key?, path? (JSON pointer), docIndex? }, sorted by file, line,
//                            column, rule. Rule ids and their severities: rules.ts.
//   options.context: more files whose manifests references may name (lint given a few files of
//     a repository reads the rest this way); nothing in them is checked or returned.
//   Files named *.ics among `files` are iCalendar files that spec.holidays.calendars may
//     reference (by a path relative to the manifest); each LoadedManifest carries the holiday
//     days read from its calendars (holidayDays), and missingCalendars lists the paths
//     referenced but not given, so a caller reading from disk can add them and parse again.
//
// Stages: per file, text guards and YAML (parse-yaml-file.ts); per document, kind and schema
// (schema-findings.ts); then the semantic checks across all files (semantic/).
import type { Finding, SourceRange } from './finding.ts';
import { compareFindings } from './finding.ts';
import type { Kind, KindMap } from './kinds.ts';
import { apiGroup, apiVersion, isKind, kinds, manifestKey, nameOf, namespaceOf } from './kinds.ts';
import { defaultMaxFileBytes, parseYamlFile } from './parse-yaml-file.ts';
import type { RuleId } from './rules.ts';
import { severityOf } from './rules.ts';
import { describeValue, validateSchema } from './schema-findings.ts';
import type { CheckContext, Entry } from './semantic/context.ts';
import { semanticChecks } from './semantic/run-checks.ts';
import { createSuggestBudget, suggest } from './suggest.ts';
import type { PathSegment, Target, YamlDocument } from './yaml-document.ts';
import { locate, locateDocument, toPointer } from './yaml-document.ts';
import type { HolidayDay, ParsedDesired } from '../model/desired.ts';

/** A manifest of one of the three kinds, with where it came from. */
export type LoadedManifest = {
  [K in Kind]: {
    kind: K;
    /** As written (no defaults injected). Matches the type only when valid is true. */
    manifest: KindMap[K];
    file: string;
    docIndex: number;
    /** The whole document's span. */
    range: SourceRange;
    /** False when any error-severity finding concerns this manifest. */
    valid: boolean;
    /** `${namespace}/${kind}/${name}`. */
    key: string;
    /** The days read from the .ics files its spec.holidays.calendars name (DeviceGroup, UpdatePolicy). */
    holidayDays?: readonly HolidayDay[];
  };
}[Kind];

/** Every YAML document seen, manifest or not (for per-document reports such as JUnit). */
export interface DocumentSummary {
  file: string;
  docIndex: number;
  range: SourceRange;
  /** The manifest's kind, when it is one of ours. */
  kind?: Kind;
  /** `${namespace}/${kind}/${name}`, when it is one of ours. */
  key?: string;
  /** True for a Kubernetes object of another API group, which lint leaves alone. */
  foreign: boolean;
}

export interface ParseOptions {
  /** The current time, ms since the epoch (for "in the past" checks). */
  now: number;
  /** Larger files are refused. Default: 1 MiB. */
  maxFileBytes?: number;
  /**
   * Files read only so that references from `files` resolve: their manifests can be named, but
   * they are not checked, and neither they nor their findings are returned. Default: none.
   */
  context?: readonly { path: string; text: string }[];
  /** False: read every file with the yaml library, not the fast path first (for tests). Default: true. */
  fastYaml?: boolean;
}

export interface ParseResult {
  manifests: LoadedManifest[];
  findings: Finding[];
  documents: DocumentSummary[];
  /** Calendar paths (in the form of the files' paths) referenced by spec.holidays but not among the files. */
  missingCalendars: string[];
}

/** Parses, validates and cross-checks manifest files. */
export function parseManifests(files: readonly { path: string; text: string }[], options: ParseOptions): ParseResult {
  const findings: Finding[] = [];
  const entries: Entry[] = [];
  const documents: DocumentSummary[] = [];
  const maxFileBytes = options.maxFileBytes ?? defaultMaxFileBytes;

  const calendarFiles = new Map<string, string>();
  for (const { path, text } of files) {
    if (isCalendarPath(path)) {
      calendarFiles.set(path, text);
      continue;
    }
    const parsed = parseYamlFile(path, text, maxFileBytes, { fast: options.fastYaml ?? true });
    findings.push(...parsed.findings);
    for (const doc of parsed.documents) {
      // Defence in depth: a bug on one document must not end the run with a stack trace.
      try {
        const summary = loadDocument(doc, findings, entries);
        if (summary) documents.push(summary);
      } catch (error) {
        findings.push({ ...findingAt(doc, [], 'start', 'internal-error', internalMessage(error)), ...locateDocument(doc) });
      }
    }
  }

  const contextEntries = loadContext(options.context ?? [], maxFileBytes);
  const ctx: CheckContext = {
    now: options.now,
    entries,
    referable: contextEntries.size > 0 ? [...entries, ...contextEntries] : entries,
    report(entry, path, target, rule, message) {
      // A check may reach a context manifest through a reference; those are not ours to judge.
      if (contextEntries.has(entry)) return;
      findings.push(findingAt(entry.doc, path, target, rule, message, entry.key));
    },
    suggestBudget: createSuggestBudget(),
    calendarFiles,
    calendarDays: new Map(),
    missingCalendars: new Set(),
  };
  for (const check of semanticChecks) {
    try {
      check(ctx);
    } catch (error) {
      const first = entries[0];
      if (first) findings.push({ ...findingAt(first.doc, [], 'start', 'internal-error', `${check.name}: ${internalMessage(error)}`), ...locateDocument(first.doc) });
    }
  }

  findings.sort(compareFindings);
  const broken = new Set(findings.filter((f) => f.severity === 'error' && f.docIndex !== undefined).map((f) => `${f.file}\u0000${f.docIndex}`));
  const manifests = entries.map(
    (e) =>
      ({
        kind: e.kind,
        manifest: e.manifest,
        file: e.doc.file,
        docIndex: e.doc.index,
        range: e.doc.lines.range(e.doc.range[0], e.doc.range[1]),
        valid: !broken.has(`${e.doc.file}\u0000${e.doc.index}`),
        key: e.key,
        ...(ctx.calendarDays?.has(e.key) ? { holidayDays: ctx.calendarDays.get(e.key) } : {}),
      }) as LoadedManifest,
  );
  return { manifests, findings, documents, missingCalendars: [...(ctx.missingCalendars ?? [])].sort() };
}

/** The manifests of context files; their findings are dropped (nobody asked about them). */
function loadContext(files: readonly { path: string; text: string }[], maxFileBytes: number): Set<Entry> {
  const entries: Entry[] = [];
  const ignored: Finding[] = [];
  for (const { path, text } of files) {
    for (const doc of parseYamlFile(path, text, maxFileBytes).documents) {
      try {
        loadDocument(doc, ignored, entries);
      } catch {
        // Same defence as for the files checked; a context document that breaks is skipped.
      }
    }
    ignored.length = 0;
  }
  return new Set(entries);
}

/**
 * parseManifests as the reconcile loop's `parse` port takes it: a snapshot's files at `now`;
 * invalid manifests are kept (valid: false) so their status can say why.
 */
export function parseManifestTexts(files: readonly { path: string; text: string }[], now: number): ParsedDesired<LoadedManifest, Finding> {
  const { manifests, findings } = parseManifests(files, { now });
  return { manifests, findings };
}

/** True for an iCalendar file given with the manifests (read by spec.holidays.calendars, never as YAML). */
export function isCalendarPath(path: string): boolean {
  return path.toLowerCase().endsWith('.ics');
}

function internalMessage(error: unknown): string {
  return `firmwarden could not finish checking this (${error instanceof Error ? error.message : String(error)}); please report it`;
}

function findingAt(doc: YamlDocument, path: readonly PathSegment[], target: Target, rule: RuleId, message: string, key?: string): Finding {
  const f: Finding = { file: doc.file, ...locate(doc, path, target), severity: severityOf(rule), rule, message, path: toPointer(path), docIndex: doc.index };
  if (key !== undefined) f.key = key;
  return f;
}

const supported = `supported kinds: ${kinds.join(', ')} (apiVersion ${apiVersion})`;

/** Classifies one document; schema-validates it when it is one of ours. */
function loadDocument(doc: YamlDocument, findings: Finding[], entries: Entry[]): DocumentSummary | undefined {
  const range = doc.lines.range(doc.range[0], doc.range[1]);
  const summary: DocumentSummary = { file: doc.file, docIndex: doc.index, range, foreign: false };
  const value = doc.value;
  // An empty document (a stray '---' at the end of a file) is nothing at all.
  if (doc.empty) return undefined;
  if (value === undefined) return summary; // YAML errors, already reported
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = Array.isArray(value) ? 'a list' : `a ${typeof value === 'string' ? 'text' : typeof value} value`;
    const f = findingAt(doc, [], 'value', 'not-a-mapping', `this document is ${what}, not a manifest; a manifest is a mapping with apiVersion, kind, metadata and spec`);
    findings.push({ ...f, ...locateDocument(doc) });
    return summary;
  }
  const record = value as Record<string, unknown>;
  const av = record.apiVersion;
  const kind = record.kind;
  const ours = typeof av === 'string' && (av === apiGroup || av.startsWith(`${apiGroup}/`));
  if (!isKind(kind) || av !== apiVersion) {
    if (!ours && typeof av === 'string' && av !== '' && !isKind(kind)) {
      // A Kubernetes object of another group (a Namespace, a Deployment): not ours to judge.
      summary.foreign = true;
      return summary;
    }
    // apiVersion or kind that is not text (a mapping, a list, a number) says nothing about what
    // the document is; it is a wrong value, and describing it never calls its toString.
    const wrongType = (['apiVersion', 'kind'] as const).filter((field) => record[field] !== undefined && typeof record[field] !== 'string');
    if (wrongType.length > 0) {
      for (const field of wrongType) findings.push(typeFinding(doc, field, record[field]));
      return summary;
    }
    findings.push(kindFinding(doc, av, kind, ours));
    return summary;
  }
  const key = manifestKey(kind, value);
  summary.kind = kind;
  summary.key = key;
  const schemaFindings = validateSchema(doc, kind, value, key);
  findings.push(...schemaFindings);
  entries.push({
    kind,
    manifest: value,
    doc,
    key,
    namespace: namespaceOf(value),
    name: nameOf(value),
    schemaValid: schemaFindings.length === 0,
  } as Entry);
  return summary;
}

function typeFinding(doc: YamlDocument, field: 'apiVersion' | 'kind', value: unknown): Finding {
  const expected = field === 'kind' ? `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}` : apiVersion;
  return findingAt(doc, [field], 'value', 'schema-type', `${field}: expected text (${expected}), got ${describeValue(value)}`);
}

/** The unknown-kind finding; `av` and `kind` are text or absent. */
function kindFinding(doc: YamlDocument, av: unknown, kind: unknown, ours: boolean): Finding {
  const report = (path: PathSegment[], message: string) => findingAt(doc, path, path.length ? 'value' : 'start', 'unknown-kind', message);
  if (av === undefined && kind === undefined) {
    return { ...report([], ''), ...locateDocument(doc), message: `not a firmwarden manifest: no apiVersion and no kind; ${supported}` };
  }
  if (ours && av !== apiVersion) {
    return report(['apiVersion'], `unsupported apiVersion '${String(av)}'; this firmwarden reads ${apiVersion}`);
  }
  if (isKind(kind)) {
    const path = av === undefined ? [] : ['apiVersion'];
    return report(path, `${kind} needs apiVersion: ${apiVersion}${av === undefined ? '' : `, not '${String(av)}'`}`);
  }
  if (kind === undefined) return report([], `missing kind; ${supported}`);
  const guess = typeof kind === 'string' ? suggest(kind, kinds) : undefined;
  return report(['kind'], `unknown kind '${String(kind)}'${guess ? `; did you mean '${guess}'?` : ''}; ${supported}`);
}
