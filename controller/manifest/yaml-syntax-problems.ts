// The YAML syntax findings of a file the parser refused: slips of the hand found in the text
// (yaml-slips.ts) and confirmed by parsing again, and the parser's own errors in plain words.
import type { Document } from 'yaml';
import type { SourceRange } from './finding.ts';
import { LineIndex } from './line-index.ts';
import { yamlLibrary } from './yaml-library.ts';
import { findYamlSlips, repairYamlSlips } from './yaml-slips.ts';
import type { YamlSlip } from './yaml-slip-structure.ts';

/** Slips looked for per file (a file with more is seldom a manifest). */
const maxSyntaxErrors = 10;

/** Text parsed again to confirm slips, per file (characters). */
const maxConfirmChars = 2_000_000;

/** Largest file searched for slips (characters): 256 Ki, far above any manifest. */
const maxSlipSearchChars = 256 * 1024;

// uniqueKeys is off on purpose: yaml checks it by comparing every key with every other one
// (a 50,000-key mapping takes minutes); duplicate keys are found with a Set instead (parse-yaml-file.ts).
export const parseOptions = { uniqueKeys: false, prettyErrors: false, logLevel: 'silent', version: '1.2', strict: true } as const;

/**
 * One finding per slip of the hand. The parser reports a slip where its reading breaks down,
 * often lines later and several times over (a line indented too far breaks every sibling
 * after it), so the slips are found in the text (yaml-slips.ts), each kept only if undoing it
 * removes parser errors; what the kept slips do not explain (the parser's errors on the text
 * with them repaired) is reported too, the first of each document only, as the rest of a
 * document after an error the parser could not place is seldom worth reading.
 */
export function syntaxProblems(text: string, parsed: readonly Document.Parsed[], lines: LineIndex): Array<{ message: string; range: SourceRange }> {
  const errorCount = (docs: readonly Document.Parsed[]) => docs.reduce((n, d) => n + d.errors.length, 0);
  if (errorCount(parsed) === 0) return [];
  const reparse = (slips: readonly YamlSlip[]) => yamlLibrary().parseAllDocuments(repairYamlSlips(text, slips), parseOptions) as Document.Parsed[];
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

/** yaml's message in plain words where it speaks of its own workings, with advice for the common cases. */
export function syntaxMessage(code: string, message: string): string {
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
