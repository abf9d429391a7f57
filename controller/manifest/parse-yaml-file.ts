// Text of one file → its YAML documents, or findings for what keeps them from being read:
// size, binary content, hostile shapes, syntax errors, duplicate keys, alias bombs.
//
// Two ways to read a file, with the same result: fast-yaml.ts reads the plain YAML manifests
// are written in (values only, no positions), and the `yaml` library reads everything else
// and places findings. A document the fast path read gets yaml's Document only when something
// asks for a position (a finding), so a clean file never builds one and lint keeps values, not
// syntax trees (issue 17).
import type { Document } from 'yaml';
import type { Finding, SourceRange } from './finding.ts';
import { LineIndex } from './line-index.ts';
import type { RuleId } from './rules.ts';
import { severityOf } from './rules.ts';
import { findTextProblem, textLimits, utf8Length } from './text-guards.ts';
import { readPlainYaml, spanOfPath } from './fast-yaml.ts';
import { spanPath } from './fast-yaml-spans.ts';
import type { YamlDocument } from './yaml-document.ts';
import { keyText } from './yaml-document.ts';
import { yamlLibrary } from './yaml-library.ts';
import { parseOptions, syntaxMessage, syntaxProblems } from './yaml-syntax-problems.ts';

/** Default largest file lint reads: 1 MiB. */
export const defaultMaxFileBytes = 1024 * 1024;

/** Alias expansions allowed per document (yaml's maxAliasCount). */
export const maxAliasCount = 100;

export interface ParsedFile {
  documents: YamlDocument[];
  findings: Finding[];
  lines: LineIndex;
}

/**
 * Parses one file. Never throws: whatever goes wrong becomes a finding. `fast: false` reads it
 * with yaml only (the tests compare the two ways).
 */
export function parseYamlFile(file: string, text: string, maxFileBytes = defaultMaxFileBytes, options: { fast?: boolean } = {}): ParsedFile {
  const lines = new LineIndex(text);
  const findings: Finding[] = [];
  const fileFinding = (rule: RuleId, message: string, range: SourceRange, docIndex?: number) => {
    const f: Finding = { file, ...range, severity: severityOf(rule), rule, message };
    if (docIndex !== undefined) f.docIndex = docIndex;
    findings.push(f);
  };
  const atOffset = (offset: number) => lines.range(offset, offset + 1);
  const first: SourceRange = { line: 1, column: 1, endLine: 1, endColumn: 1 };

  // Cheap bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 > maxFileBytes) {
    const size = utf8Length(text);
    if (size > maxFileBytes) {
      fileFinding('file-too-large', tooLargeMessage(size, maxFileBytes), first);
      return { documents: [], findings, lines };
    }
  }
  if (text.trim() === '') {
    fileFinding('file-empty', 'the file is empty: no manifest in it', first);
    return { documents: [], findings, lines };
  }
  const problem = findTextProblem(text);
  if (problem) {
    switch (problem.kind) {
      case 'nul':
        fileFinding('file-binary', 'the file contains NUL bytes: it is binary, not YAML text', atOffset(problem.offset));
        break;
      case 'flow-depth':
        fileFinding('yaml-too-deep', `more than ${textLimits.maxFlowDepth} '[' or '{' open at once: not read (a manifest never nests this deep)`, atOffset(problem.offset));
        break;
      case 'block-depth':
        fileFinding('yaml-too-deep', `content starts at column ${problem.column}, nested deeper than a manifest ever is (limit ${textLimits.maxBlockColumn}): not read`, atOffset(problem.offset));
        break;
      case 'aliases':
        fileFinding('yaml-aliases', `more than ${textLimits.maxAliases} aliases (*name) in one file: not read, to guard against an alias bomb`, atOffset(problem.offset));
        break;
    }
    return { documents: [], findings, lines };
  }

  const plain = options.fast === false ? undefined : readPlainYaml(text);
  if (plain !== undefined) {
    if (plain.length === 0) {
      fileFinding('file-empty', 'the file holds only comments: no manifest in it', first);
      return { documents: [], findings, lines };
    }
    // Positions only for a finding: the fast reader again, up to the one node it names (cheap,
    // nothing kept), and yaml, once, for what that does not cover.
    const source = new FastFile(text);
    const documents = plain.map((d, index): YamlDocument => new FastDocument(file, index, lines, d.value, d.start, d.end, source));
    return { documents, findings, lines };
  }

  let parsed: Document.Parsed[];
  try {
    parsed = yamlLibrary().parseAllDocuments(text, parseOptions) as Document.Parsed[];
  } catch (error) {
    // The parser throws only on internal limits (deep recursion); say so without a stack.
    fileFinding('yaml-syntax', `the YAML could not be parsed (${(error as Error).message})`, first);
    return { documents: [], findings, lines };
  }
  if (!Array.isArray(parsed)) parsed = [];
  if (parsed.length === 0) {
    fileFinding('file-empty', 'the file holds only comments: no manifest in it', first);
    return { documents: [], findings, lines };
  }

  const docAt = (offset: number) => Math.max(0, parsed.findLastIndex((d) => d.range[0] <= offset));
  for (const problem of syntaxProblems(text, parsed, lines)) fileFinding('yaml-syntax', problem.message, problem.range, docAt(lines.starts[problem.range.line - 1] ?? 0));
  const documents: YamlDocument[] = [];
  parsed.forEach((doc, index) => {
    for (const warning of doc.warnings) {
      fileFinding('yaml-warning', syntaxMessage(warning.code, warning.message), lines.range(warning.pos[0], Math.max(warning.pos[1], warning.pos[0] + 1)), index);
    }
    if (doc.errors.length === 0) checkKeys(doc, lines, (rule, message, range) => fileFinding(rule, message, range, index));
    // Duplicate keys leave the document readable (the last value wins), so it is still
    // identified and validated; it stays invalid because of the error.
    const value = doc.errors.length === 0 ? toPlain(doc, lines, (rule, message, range) => fileFinding(rule, message, range, index)) : undefined;
    documents.push({ file, index, doc, lines, value, range: [doc.range[0], doc.range[1]], empty: doc.contents === null || value === null });
  });
  return { documents, findings, lines };
}

/** A file the fast path read: yaml's documents of it are built once, when a finding first needs one. */
class FastFile {
  readonly text: string;
  #documents: Document.Parsed[] | undefined;

  constructor(text: string) {
    this.text = text;
  }

  yamlDocuments(): Document.Parsed[] {
    return (this.#documents ??= yamlLibrary().parseAllDocuments(this.text, parseOptions) as Document.Parsed[]);
  }
}

/**
 * A document the fast path read. A class rather than an object literal with a getter and a
 * closure: lint keeps one per document until its checks end, and the literal's accessor pair,
 * closures and the parse's whole scope they held cost ~1 KB a document (issue 17: lint of
 * 5,000 files under 100 MB).
 */
class FastDocument implements YamlDocument {
  readonly file: string;
  readonly index: number;
  readonly lines: LineIndex;
  readonly value: unknown;
  readonly range: readonly [number, number];
  readonly empty: boolean;
  readonly #source: FastFile;

  constructor(file: string, index: number, lines: LineIndex, value: unknown, start: number, end: number, source: FastFile) {
    this.file = file;
    this.index = index;
    this.lines = lines;
    this.value = value;
    this.range = [start, end];
    this.empty = value === null;
    this.#source = source;
  }

  get doc(): Document.Parsed {
    return this.#source.yamlDocuments()[this.index]!;
  }

  span(path: readonly (string | number)[]): ReturnType<NonNullable<YamlDocument['span']>> {
    const parts = spanPath(this.value, path);
    return parts && spanOfPath(this.#source.text, this.index, parts);
  }
}

/** The message for a file over the size limit. */
export function tooLargeMessage(size: number, max: number): string {
  return `the file is ${formatBytes(size)}, over the ${formatBytes(max)} limit: not read (raise it with --max-file-size if this is really a manifest)`;
}

/** 1.5 MiB, 512 KiB, 300 bytes. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Number((n / (1024 * 1024)).toFixed(1))} MiB`;
  if (n >= 1024) return `${Number((n / 1024).toFixed(1))} KiB`;
  return `${n} bytes`;
}

type Report = (rule: RuleId, message: string, range: SourceRange) => void;

/** Duplicate keys (at the second one) and keys that are not plain values. */
function checkKeys(doc: Document.Parsed, lines: LineIndex, report: Report): void {
  const { isAlias, isMap, isScalar, isSeq } = yamlLibrary();
  // A plain recursion: yaml's visit() is several times slower on the 1,000-file benchmark.
  const walkNode = (node: unknown): void => {
    if (isMap(node)) {
      const seen = new Map<string, number>();
      for (const pair of node.items) {
        const key = pair.key;
        const range = (key as { range?: [number, number, number] } | null)?.range;
        if (key !== null && !isScalar(key) && !isAlias(key)) {
          if (range) report('yaml-syntax', 'a key must be a plain value, not a list or mapping', lines.range(range[0], range[1]));
        } else {
          const text = keyText(key);
          const firstAt = seen.get(text);
          if (firstAt !== undefined && range) {
            report('yaml-duplicate-key', `the same key '${text}' twice in one mapping at lines ${lines.position(firstAt).line} and ${lines.position(range[0]).line}: keep only one`, lines.range(range[0], range[1]));
          } else if (range) {
            seen.set(text, range[0]);
          }
        }
        walkNode(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walkNode(item);
    }
  };
  walkNode(doc.contents);
}

/** The document as plain data, or undefined (with a finding) when aliases make that unsafe. */
function toPlain(doc: Document.Parsed, lines: LineIndex, report: Report): unknown {
  try {
    return doc.toJS({ maxAliasCount });
  } catch (error) {
    const message = (error as Error).message;
    const alias = firstAlias(doc, message.startsWith('Unresolved alias'));
    const range = alias ? lines.range(alias[0], alias[1]) : lines.range(doc.range[0], doc.range[0] + 1);
    if (message.startsWith('Unresolved alias')) {
      report('yaml-syntax', `${alias ? `alias '${lines.text.slice(alias[0], alias[1])}'` : 'an alias'} has no anchor before it: define &name first`, range);
    } else if (message.startsWith('Excessive alias count')) {
      report('yaml-aliases', `aliases expand to more than ${maxAliasCount} copies: refused, to guard against an alias bomb`, range);
    } else {
      report('yaml-syntax', `the YAML could not be read (${message})`, range);
    }
    return undefined;
  }
}

function firstAlias(doc: Document.Parsed, unresolvedOnly: boolean): [number, number] | undefined {
  const { visit } = yamlLibrary();
  let found: [number, number] | undefined;
  visit(doc, {
    Alias(_key, alias) {
      if (unresolvedOnly && alias.resolve(doc) !== undefined) return undefined;
      if (alias.range) found = [alias.range[0], alias.range[1]];
      return visit.BREAK;
    },
  });
  return found;
}
