// Bundles the schema files into one self-contained schema: every $ref points inside it.
// Used by the type generator and by the CRD generator (which then inlines the refs).
import type { JsonSchema, KindName } from './load-schemas.ts';
import { loadAllSchemas } from './load-schemas.ts';

const fileRef = /^[a-z]+\.schema\.json#\/\$defs\//;

/** Rewrites refs to point at the bundle's $defs; `dropRefSiblings` removes keys beside a $ref. */
function rewrite(node: unknown, dropRefSiblings: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, dropRefSiblings));
  if (node === null || typeof node !== 'object') return node;
  const obj = node as JsonSchema;
  if (typeof obj.$ref === 'string') {
    const ref = obj.$ref.replace(fileRef, '#/$defs/');
    if (dropRefSiblings) return { $ref: ref };
    return { ...Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, rewrite(v, dropRefSiblings)])), $ref: ref };
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, rewrite(v, dropRefSiblings)]));
}

/** One schema whose $defs hold every definition and one entry per kind (named after the kind). */
export function bundleSchemas(options: { dropRefSiblings: boolean }): { defs: Record<string, JsonSchema>; kinds: KindName[] } {
  const { common, kinds } = loadAllSchemas();
  const defs: Record<string, JsonSchema> = {};
  const add = (name: string, schema: JsonSchema) => {
    if (defs[name]) throw new Error(`schema definition ${name} is defined twice`);
    defs[name] = rewrite(schema, options.dropRefSiblings) as JsonSchema;
  };
  for (const [name, def] of Object.entries((common.$defs ?? {}) as Record<string, JsonSchema>)) add(name, def);
  for (const [kind, schema] of Object.entries(kinds) as [KindName, JsonSchema][]) {
    const { $defs, $schema: _s, $id: _i, ...root } = schema;
    for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) add(name, def);
    add(kind, root);
  }
  return { defs, kinds: Object.keys(kinds) as KindName[] };
}
