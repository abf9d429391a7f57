// Text of one file → its YAML documents, or findings for what keeps them from being read:
// size, binary content, hostile shapes, syntax errors, duplicate keys, alias bombs.
import type { Document } from 'yaml';
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit } from 'yaml';
import type { Finding, SourceRange } from './finding.ts';
import { LineIndex } from './line-index.ts';
import type { RuleId } from './rules.ts';
import { severityOf } from './rules.ts';
import { findTextProblem, textLimits, utf8Length } from './text-guards.ts';
import type { YamlDocument } from './yaml-document.ts';
import { keyText } from './yaml-document.ts';
import { findYamlSlips, repairYamlSlips, type YamlSlip } from './yaml-slips.ts';

/** Default largest file lint reads: 1 MiB. */
export const defaultMaxFileBytes = 1024 * 1024;

/** Alias expansions allowed per document (yaml's maxAliasCount). */
export const maxAliasCount = 100;

/** Slips looked for per file (a file with more is seldom a manifest). */
const maxSyntaxErrors = 10;

/** Text parsed again to confirm slips, per file (characters). */
const maxConfirmChars = 2_000_000;

/** Largest file searched for slips (characters): 256 Ki, far above any manifest. */
const maxSlipSearchChars = 256 * 1024;

// uniqueKeys is off on purpose: yaml checks it by comparing every key with every other one
// (a 50,000-key mapping takes minutes); duplicate keys are found below with a Set instead.
const parseOptions = { uniqueKeys: false, prettyErrors: false, logLevel: 'silent', version: '1.2', strict: true } as const;

export interface ParsedFile {
  documents: YamlDocument[];
  findings: Finding[];
  lines: LineIndex;
}

/** Parses one file. Never throws: whatever goes wrong becomes a finding. */
export function parseYamlFile(file: string, text: string, maxFileBytes = defaultMaxFileBytes): ParsedFile {
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

  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, parseOptions) as Document.Parsed[];
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
    documents.push({ file, index, doc, lines, value });
  });
  return { documents, findings, lines };
}

/**
 * One finding per slip of the hand. The parser reports a slip where its reading breaks down,
 * often lines later and several times over (a line indented too far breaks every sibling
 * after it), so the slips are found in the text (yaml-slips.ts), each kept only if undoing it
 * removes parser errors; what the kept slips do not explain (the parser's errors on the text
 * with them repaired) is reported too, the first of each document only, as the rest of a
 * document after an error the parser could not place is seldom worth reading.
 */
function syntaxProblems(text: string, parsed: readonly Document.Parsed[], lines: LineIndex): Array<{ message: string; range: SourceRange }> {
  const errorCount = (docs: readonly Document.Parsed[]) => docs.reduce((n, d) => n + d.errors.length, 0);
  if (errorCount(parsed) === 0) return [];
  const reparse = (slips: readonly YamlSlip[]) => parseAllDocuments(repairYamlSlips(text, slips), parseOptions) as Document.Parsed[];
  // A manifest is a few KiB: a large broken file gets the parser's word alone, parsed once.
  let slips = text.length <= maxSlipSearchChars ? findYamlSlips(text).slice(0, maxSyntaxErrors) : [];
  let repaired = slips.length > 0 ? reparse(slips) : parsed;
  // Confirming each slip parses the file once more: within a bound, so a large broken file stays quick.
  if (slips.length > 1 && text.length * slips.length <= maxConfirmChars) {
    // A slip whose repair changes nothing the parser says was no slip (YAML allowed it).
    const left = errorCount(repaired);
    const kept = slips.filter((slip) => errorCount(reparse(slips.filter((s) => s !== slip))) > left);
    if (kept.length !== slips.length) {
      slips = kept;
      repaired = reparse(slips);
    }
  } else if (slips.length === 1 && errorCount(repaired) >= errorCount(parsed)) {
    slips = [];
    repaired = parsed;
  }
  const problems = slips.map((s) => ({ message: s.message, range: { line: s.line, column: s.column, endLine: s.line, endColumn: s.endColumn } }));
  const slipLines = new Set(slips.map((s) => s.line));
  // The repaired text has the same lines, so the parser's positions hold for the original.
  const repairedLines = repaired === parsed ? lines : new LineIndex(repairYamlSlips(text, slips));
  for (const doc of repaired) {
    const error = doc.errors.find((e) => !slipLines.has(repairedLines.position(e.pos[0]).line));
    if (!error) continue;
    const at = repairedLines.position(error.pos[0]);
    const start = (lines.starts[at.line - 1] ?? 0) + at.column - 1;
    const range = repaired === parsed ? lines.range(error.pos[0], Math.max(error.pos[1], error.pos[0] + 1)) : lines.range(start, start + 1);
    problems.push({ message: syntaxMessage(error.code, error.message), range });
  }
  return problems.sort((a, b) => a.range.line - b.range.line || a.range.column - b.range.column);
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

/** yaml's message in plain words where it speaks of its own workings, with advice for the common cases. */
function syntaxMessage(code: string, message: string): string {
  const text = message.replace(/\s+at line \d+, column \d+[\s\S]*$/, '').trim();
  const token = /: "([^"]*)"$/.exec(text)?.[1];
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'a tab is used for indentation here: use spaces';
    case 'UNEXPECTED_TOKEN':
      return token !== undefined ? `unexpected ${JSON.stringify(token)} here: check the brackets, quotes and indentation on this line` : `${text}; check the brackets, quotes and indentation on this line`;
    case 'MULTILINE_IMPLICIT_KEY':
    case 'BLOCK_AS_IMPLICIT_KEY':
      return "a key runs over more than one line: a ':' or a closing quote is probably missing here or just above";
    case 'BAD_INDENT':
      return 'the indentation here does not match the lines around it';
    case 'MISSING_CHAR':
      return `${text.replace(/^Missing/, 'missing')}; check the brackets and quotes around here`;
    case 'BAD_DQ_ESCAPE':
      return `${text}: in double quotes a backslash starts an escape; write \\\\ or use single quotes`;
    case 'TAG_RESOLVE_FAILED':
      return `${text}; manifests use no YAML tags`;
    default:
      return text;
  }
}
