// Pure comparisons of manifest texts: did anything but `status` change (so the controller's
// own status commits, and comment-only edits, do not start a spec reconcile), and is a new
// status the same as the written one apart from volatile timestamps (so no commit is made
// for a timestamp alone).
import { parseAllDocuments } from 'yaml';
import type { ManifestKey, SourceFile } from '../model/source.ts';

/** A JSON text of `value` with object keys sorted, so key order never counts as a change. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  }) ?? 'undefined';
}

interface ParsedDocument {
  /** The document as plain data, undefined when it has errors. */
  readonly value: unknown;
  readonly ok: boolean;
}

/** Parses every document of a YAML text; undefined when the stream itself is broken. */
function parseDocuments(text: string): ParsedDocument[] | undefined {
  try {
    const docs = parseAllDocuments(text, { prettyErrors: false });
    if (!Array.isArray(docs)) return [];
    return docs.map((doc) => {
      if (doc.errors.length > 0) return { value: undefined, ok: false };
      try {
        return { value: doc.toJS({ maxAliasCount: 1000 }) as unknown, ok: true };
      } catch {
        return { value: undefined, ok: false };
      }
    });
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function withoutStatus(value: unknown): unknown {
  if (!isRecord(value) || !('status' in value)) return value;
  const { status: _status, ...rest } = value;
  return rest;
}

/** True when two texts of one file differ at most in their documents' `status` (or comments and layout). */
export function isStatusOnlyTextChange(before: string, after: string): boolean {
  if (before === after) return true;
  const a = parseDocuments(before);
  const b = parseDocuments(after);
  // An unreadable text cannot be proven unchanged: treat it as a spec change.
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return a.every((doc, i) => {
    const other = b[i]!;
    return doc.ok && other.ok && canonicalJson(withoutStatus(doc.value)) === canonicalJson(withoutStatus(other.value));
  });
}

/** True when two file sets have the same paths and every changed file changed only in status. */
export function isStatusOnlyFilesChange(before: readonly SourceFile[], after: readonly SourceFile[]): boolean {
  if (before.length !== after.length) return false;
  const old = new Map(before.map((f) => [f.path, f.text]));
  return after.every((f) => {
    const previous = old.get(f.path);
    // Only manifests have a status; any change to a calendar (.ics) is a change of holidays.
    if (previous !== undefined && !/\.ya?ml$/.test(f.path)) return previous === f.text;
    return previous !== undefined && isStatusOnlyTextChange(previous, f.text);
  });
}

/** Removes `keys` at any depth (volatile fields such as lastTransitionTime). */
export function stripKeys(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => stripKeys(v, keys));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!keys.has(k)) out[k] = stripKeys(v, keys);
  return out;
}

/** True when two statuses are equal once `volatileKeys` are ignored. */
export function isSameStatus(current: unknown, next: unknown, volatileKeys: ReadonlySet<string>): boolean {
  return canonicalJson(stripKeys(current, volatileKeys)) === canonicalJson(stripKeys(next, volatileKeys));
}

/** What one document of a file is: its key (kind/name/namespace) and current status; undefined when unreadable. */
export interface DocumentFacts {
  readonly key: ManifestKey | undefined;
  readonly status: unknown;
}

/** Facts of every document of a text (undefined entries for documents that do not parse). */
export function describeDocuments(text: string): (DocumentFacts | undefined)[] {
  const docs = parseDocuments(text) ?? [];
  return docs.map((doc) => {
    if (!doc.ok || !isRecord(doc.value)) return undefined;
    const metadata = doc.value.metadata;
    const kind = doc.value.kind;
    const name = isRecord(metadata) ? metadata.name : undefined;
    const namespace = isRecord(metadata) ? metadata.namespace : undefined;
    const key: ManifestKey | undefined =
      typeof kind === 'string' && typeof name === 'string'
        ? typeof namespace === 'string' ? { kind, name, namespace } : { kind, name }
        : undefined;
    return { key, status: doc.value.status };
  });
}

/** True when two keys name the same manifest (a missing namespace matches a missing one only). */
export function isSameKey(a: ManifestKey, b: ManifestKey): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}
