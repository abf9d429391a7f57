// Helpers for the manifest tests: manifests as YAML text, where a snippet sits in a text, and
// the table-driven lint check (exactly these findings, at these places).
import * as assert from 'uvu/assert';
import type { Finding } from '../../controller/manifest/finding.ts';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';

export const now = Date.parse('2026-11-22T08:00:00Z');

/** Indents every line of `text` by `n` spaces. */
export function indent(text: string, n: number): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : ' '.repeat(n) + l))
    .join('\n');
}

/** One manifest document; `spec` is YAML written at column 0. */
export function manifest(kind: string, name: string, spec: string, namespace?: string): string {
  const ns = namespace ? `\n  namespace: ${namespace}` : '';
  return `apiVersion: firmwarden.dev/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}${ns}\nspec:\n${indent(spec.trim(), 2)}\n`;
}

/** Documents joined into one multi-document file. */
export function file(...docs: string[]): string {
  return docs.join('---\n');
}

export const policy = (name: string, spec = 'description: ok') => manifest('UpdatePolicy', name, spec);
export const group = (name: string, spec: string) => manifest('DeviceGroup', name, spec);
export const schedule = (name: string, spec: string) => manifest('ScheduledUpdate', name, spec);

/** 1-based line and column of the `nth` (from 1) occurrence of `snippet`. */
export function positionOf(text: string, snippet: string, nth = 1): { line: number; column: number; endColumn: number } {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(snippet, at + 1);
    if (at < 0) throw new Error(`snippet '${snippet}' (#${nth}) not in the text`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column, endColumn: column + snippet.length };
}

/** Lints one file's text. */
export function lintText(text: string, options: { now?: number; path?: string } = {}): Finding[] {
  return parseManifests([{ path: options.path ?? 'm.yaml', text }], { now: options.now ?? now }).findings;
}

/** "rule@line:column" of each finding, for compact assertions. */
export function brief(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule}@${f.line}:${f.column}`);
}

/** A finding lint must report: its rule, at the `nth` occurrence (from 1) of `snippet`, `offset` columns on. */
export type ExpectedFinding = [rule: string, snippet: string, nth?: number, offset?: number];

/** Asserts that lint reports for `text` exactly the findings `expect` (rule and position), in any order. */
export function assertFindings(text: string, expect: readonly ExpectedFinding[]): void {
  const findings = lintText(text);
  const expected = expect.map(([rule, snippet, nth, offset]) => {
    const p = positionOf(text, snippet, nth);
    return `${rule}@${p.line}:${p.column + (offset ?? 0)}`;
  });
  assert.equal(brief(findings).sort(), expected.sort(), findings.map((f) => `${f.rule} ${f.line}:${f.column} ${f.message}`).join('\n'));
}
