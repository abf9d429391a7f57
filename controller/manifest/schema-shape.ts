// What the schema says about a place in a manifest: the allowed field names, the description,
// the definition used there. Read from the generated schema bundle to word lint's messages.
import { schemaDefs } from './schema-validators.generated.js';
import type { PathSegment } from './yaml-document.ts';

type Schema = Record<string, unknown>;

/** The schema that applies at a path, merged with the sibling keywords of its $ref. */
export interface SchemaAt {
  schema: Schema;
  /** Name of the $defs entry the value follows (LocalTime, Duration…), when it follows one. */
  definition?: string;
}

function deref(schema: Schema): SchemaAt {
  let current = schema;
  let definition: string | undefined;
  // Refs chain at most a few levels; the bound guards against a cycle in a broken bundle.
  for (let i = 0; i < 8 && typeof current.$ref === 'string'; i++) {
    definition = current.$ref.replace('#/$defs/', '');
    const { $ref: _ref, ...siblings } = current;
    current = { ...(schemaDefs[definition] ?? {}), ...siblings };
  }
  return definition === undefined ? { schema: current } : { schema: current, definition };
}

/** The schema at `path` inside a manifest of `kind`, or undefined when the schema has no such place. */
export function schemaAt(kind: string, path: readonly PathSegment[]): SchemaAt | undefined {
  const root = schemaDefs[kind];
  if (!root) return undefined;
  let at = deref(root);
  for (const segment of path) {
    const s = at.schema;
    const props = s.properties as Record<string, Schema> | undefined;
    let next: Schema | undefined;
    if (typeof segment === 'number' && s.items && typeof s.items === 'object') next = s.items as Schema;
    else if (props && Object.hasOwn(props, String(segment))) next = props[String(segment)];
    else if (s.additionalProperties && typeof s.additionalProperties === 'object') next = s.additionalProperties as Schema;
    if (!next) return undefined;
    at = deref(next);
  }
  return at;
}

/** The field names allowed in the mapping at `path`. */
export function fieldsAt(kind: string, path: readonly PathSegment[]): string[] {
  const props = schemaAt(kind, path)?.schema.properties;
  return props && typeof props === 'object' ? Object.keys(props) : [];
}

/** The description of a definition (LocalTime: "A wall-clock time, HH:MM…"). */
export function definitionDescription(definition: string): string | undefined {
  const d = schemaDefs[definition]?.description;
  return typeof d === 'string' ? d : undefined;
}
