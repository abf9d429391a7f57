// Writes docs/reference.md: every field of the kinds, its type, default and description,
// straight from the schemas.
import type { JsonSchema, KindName } from './load-schemas.ts';
import { bundleSchemas } from './bundle.ts';

export const referenceFile = new URL('../../docs/reference.md', import.meta.url).pathname;

function typeOf(schema: JsonSchema, defs: Record<string, JsonSchema>): string {
  const s = resolve(schema, defs);
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.type === 'array') return `list of ${typeOf(s.items as JsonSchema, defs)}`;
  if (s.type === 'object' && !s.properties) return 'map';
  return String(s.type ?? 'any');
}

function resolve(schema: JsonSchema, defs: Record<string, JsonSchema>): JsonSchema {
  if (typeof schema.$ref !== 'string') return schema;
  const { $ref, ...siblings } = schema;
  return { ...resolve(defs[$ref.replace('#/$defs/', '')]!, defs), ...siblings };
}

function rows(schema: JsonSchema, defs: Record<string, JsonSchema>, prefix: string, depth: number, out: string[]): void {
  const s = resolve(schema, defs);
  const props = (s.properties ?? (s.type === 'array' ? resolve(s.items as JsonSchema, defs).properties : undefined)) as
    | Record<string, JsonSchema>
    | undefined;
  if (!props || depth > 8) return;
  const required = new Set((s.required ?? (s.type === 'array' ? resolve(s.items as JsonSchema, defs).required : [])) as string[]);
  for (const [name, child] of Object.entries(props)) {
    const c = resolve(child, defs);
    const path = `${prefix}${name}`;
    const desc = String(c.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const extra = [required.has(name) ? '**required**' : '', c.pattern ? `pattern \`${String(c.pattern)}\`` : '']
      .filter(Boolean)
      .join('; ');
    out.push(`| \`${path}\` | ${typeOf(child, defs)} | ${extra} | ${desc} |`);
    const isList = c.type === 'array';
    rows(c, defs, `${path}${isList ? '[]' : ''}.`, depth + 1, out);
  }
}

/** The Markdown reference of every field. */
export function generateReference(): string {
  const { defs, kinds } = bundleSchemas({ dropRefSiblings: false });
  const out = [
    '<!-- GENERATED from schemas/*.schema.json by `npm run generate`. Do not edit by hand. -->',
    '# Manifest reference (firmwarden.dev/v1alpha1)',
    '',
    'Every field of the kinds, from the JSON Schemas in `schemas/` (the single source of truth for',
    'lint, the CRDs in `crds/` and the TypeScript types). `spec` is written by people, `status` only by the controller.',
    '',
  ];
  for (const kind of kinds as KindName[]) {
    const root = defs[kind]!;
    out.push(`## ${kind}`, '', String(root.description ?? ''), '', '| Field | Type | Notes | Description |', '|---|---|---|---|');
    rows(root, defs, '', 0, out);
    out.push('');
  }
  return out.join('\n');
}
