// Which spec a status was computed from, when there is no API server to count generations (a
// Git repository, a folder): a digest of the spec's value. Comments, formatting and key order
// do not change it, any changed value does. A ScheduledUpdate uses it to re-arm: a completion
// recorded for another digest no longer counts. Pure (hashing only).
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** `sha256:` and the first 16 hex digits of the SHA-256 of the spec's canonical JSON. */
export function specDigest(spec: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(spec ?? null)).digest('hex').slice(0, 16)}`;
}
