// The fleet report (FLEET.md, --report) of a pass over several tenants: one file, whichever
// tenants wrote one, with a section per tenant in namespace order and a line saying which
// tenants it covers (those not reconciled in the pass, e.g. a failed sign-in, are absent and
// named as such by their absence). Each tenant's own report is kept whole, its headings one level
// down under its section. Deterministic: same reports in, same text out. PURE.
import type { WrittenFile } from '../model/source.ts';

/** One tenant's files of a pass. */
export interface TenantFiles {
  readonly namespace: string;
  readonly files: readonly WrittenFile[];
}

/** Why the report of a pass over Tenants has no forecast: one simulation per tenant per pass would cost too much. */
export const tenantReportNoForecast = 'not drawn when the manifests declare Tenants';

// Headings one level down, outside fenced code (the gantt's mermaid block).
function demote(text: string): string[] {
  let fenced = false;
  return text.replace(/\n+$/, '').split('\n').map((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && /^#{1,5} /.test(line) ? `#${line}` : line;
  });
}

/** The tenants' files merged by path: one report per path, a section per tenant. */
export function mergeTenantFiles(tenants: readonly TenantFiles[]): WrittenFile[] {
  const byPath = new Map<string, { namespace: string; text: string }[]>();
  for (const t of tenants) for (const f of t.files) byPath.set(f.path, [...(byPath.get(f.path) ?? []), { namespace: t.namespace, text: f.text }]);
  return [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, parts]) => {
    const sorted = [...parts].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
    const names = sorted.map((p) => p.namespace);
    const out = [
      '# Fleet report',
      '',
      `Covers ${names.length} tenant${names.length === 1 ? '' : 's'} (by namespace): ${names.join(', ')}. A tenant not listed was not reconciled in the last pass (see its manifests' conditions).`,
    ];
    for (const p of sorted) out.push('', `## Tenant ${p.namespace}`, '', ...demote(p.text));
    return { path, text: `${out.join('\n')}\n` };
  });
}
