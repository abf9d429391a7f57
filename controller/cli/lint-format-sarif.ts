// --format sarif: SARIF 2.1.0, what GitHub code scanning and other CI dashboards read. Every
// result carries a region (start and end line and column); artifact URIs are relative to the
// working directory (uriBaseId %SRCROOT%), so the report is the same on every machine.
import { rules } from '../manifest/rules.ts';
import type { LintReport } from './lint-report.ts';
import { stringifyJson } from '../output/escape.ts';

const ruleIds = Object.keys(rules) as (keyof typeof rules)[];

/** A relative path as a URI reference: each segment percent-encoded, '/' kept. */
export function toUriReference(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Renders findings as a SARIF 2.1.0 log. */
export function formatSarif(report: LintReport): string {
  const index = new Map<string, number>(ruleIds.map((id, i) => [id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'firmwarden',
            version: report.version,
            informationUri: 'https://firmwarden.dev',
            rules: ruleIds.map((id) => ({
              id,
              name: id,
              shortDescription: { text: rules[id].description },
              fullDescription: { text: rules[id].description },
              defaultConfiguration: { level: rules[id].severity },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((f) => {
          const result: Record<string, unknown> = {
            ruleId: f.rule,
            level: f.severity,
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: toUriReference(f.file), uriBaseId: '%SRCROOT%' },
                  region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: Math.max(f.endColumn, f.endLine === f.line ? f.column : 1) },
                },
              },
            ],
          };
          const i = index.get(f.rule);
          if (i !== undefined) result.ruleIndex = i;
          return result;
        }),
      },
    ],
  };
  return `${stringifyJson(log)}\n`;
}
