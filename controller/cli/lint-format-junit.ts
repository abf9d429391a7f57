// --format junit: one <testsuite> per file, one <testcase> per document, one <failure> per
// error (and per warning with --strict), for CI systems that show test reports.
import type { Finding } from '../manifest/finding.ts';
import type { LintReport } from './lint-report.ts';
import { escapeXml } from '../output/escape.ts';

interface Case {
  name: string;
  findings: Finding[];
}

/** Renders a JUnit XML report. */
export function formatJunit(report: LintReport): string {
  const fails = (f: Finding) => f.severity === 'error' || report.strict;
  const suites: string[] = [];
  let totalTests = 0;
  let totalFailures = 0;
  for (const file of report.files) {
    const docs = report.documents.filter((d) => d.file === file);
    const inFile = report.findings.filter((f) => f.file === file);
    const cases: Case[] = docs.map((d) => ({
      name: d.key ? `${d.kind} ${d.key.split('/').slice(2).join('/') || '(unnamed)'} (document ${d.docIndex + 1})` : `document ${d.docIndex + 1}${d.foreign ? ' (not a firmwarden kind, skipped)' : ''}`,
      findings: inFile.filter((f) => f.docIndex === d.docIndex),
    }));
    const fileLevel = inFile.filter((f) => f.docIndex === undefined || !docs.some((d) => d.docIndex === f.docIndex));
    if (fileLevel.length > 0 || cases.length === 0) cases.unshift({ name: 'file', findings: fileLevel });
    const failures = cases.reduce((n, c) => n + c.findings.filter(fails).length, 0);
    totalTests += cases.length;
    totalFailures += failures;
    const body = cases.map((c) => renderCase(file, c, fails)).join('');
    suites.push(`  <testsuite name="${escapeXml(file)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">\n${body}  </testsuite>\n`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="firmwarden lint" tests="${totalTests}" failures="${totalFailures}" errors="0">\n${suites.join('')}</testsuites>\n`;
}

function renderCase(file: string, c: Case, fails: (f: Finding) => boolean): string {
  const open = `    <testcase classname="${escapeXml(file)}" name="${escapeXml(c.name)}"`;
  if (c.findings.length === 0) return `${open}/>\n`;
  const lines: string[] = [`${open}>`];
  const notes: string[] = [];
  for (const f of c.findings) {
    const where = `${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message}`;
    if (fails(f)) lines.push(`      <failure message="${escapeXml(f.message)}" type="${escapeXml(f.rule)}">${escapeXml(where)}</failure>`);
    else notes.push(`${f.severity}: ${where}`);
  }
  // Each note escaped on its own: a newline inside one must not pass for the next note.
  if (notes.length > 0) lines.push(`      <system-out>${notes.map(escapeXml).join('\n')}</system-out>`);
  lines.push('    </testcase>');
  return `${lines.join('\n')}\n`;
}
