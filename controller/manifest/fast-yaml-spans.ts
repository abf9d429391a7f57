// Where fast-yaml.ts saw each node, for placing findings without the `yaml` library: spans by
// path, read again only for a file with a finding. Imports nothing of fast-yaml.ts (which
// imports this). Pure.

/** A path as spans name it: mapping keys, and list indexes told apart from them. */
export type SpanPath = readonly (string | { index: number })[];

/** Where a node is: its key (in a mapping) and its value when that is on the key's line. */
export interface NodeSpan {
  readonly key: [number, number] | undefined;
  /** Undefined for a block collection or block scalar (yaml places those). */
  readonly value: [number, number] | undefined;
}

/**
 * The span of the node at `path` in a document read with spans, or undefined when the reader
 * could not place it (the caller asks yaml). Mapping keys and list indexes are told apart by
 * the value, as yaml-document.ts's walk tells them apart by the nodes. `doc` is a PlainDocument
 * of fast-yaml.ts.
 */
export function spanAt(doc: { readonly value: unknown; readonly spans?: ReadonlyMap<string, NodeSpan> }, path: readonly (string | number)[]): NodeSpan | undefined {
  if (!doc.spans) return undefined;
  const parts = spanPath(doc.value, path);
  return parts && doc.spans.get(spanKey(parts));
}

/**
 * `path` as spans name it, by what is at each step of `value`; undefined for the root or a
 * path to no node.
 */
export function spanPath(value: unknown, path: readonly (string | number)[]): SpanPath | undefined {
  if (path.length === 0) return undefined;
  const parts: (string | { index: number })[] = [];
  let v = value;
  for (const s of path) {
    if (Array.isArray(v)) {
      if (typeof s !== 'number' || s >= v.length) return undefined;
      parts.push({ index: s });
      v = v[s];
    } else if (v !== null && typeof v === 'object' && Object.hasOwn(v, String(s))) {
      parts.push(String(s));
      v = (v as Record<string, unknown>)[String(s)];
    } else return undefined;
  }
  return parts;
}

/** The key of a path in PlainDocument.spans: list indexes and mapping keys are told apart. */
export function spanKey(path: SpanPath): string {
  let key = '';
  for (const s of path) key += typeof s === 'string' ? `\u0000k${s}` : `\u0000i${s.index}`;
  return key;
}
