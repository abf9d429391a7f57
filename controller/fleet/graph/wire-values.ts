// Small readers for Graph's JSON where the documentation and the service disagree: enum casing,
// late enum members, single entities wrapped in `value`, timestamps with dashes in the time.
// They never throw; callers decide what is strict.

/** A JSON object, or undefined for anything else (arrays and null included). */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A string, or null for absent/null/non-string values; empty strings count as absent. */
export function asOptionalString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * Matches an enum string case-insensitively against the members we know; anything else,
 * including Graph's `unknownFutureValue` sentinel and members added later, becomes `unknown`.
 * (The list examples send `CollaborationBar`, the schema says `collaborationBar`.)
 */
export function normalizeEnum<T extends string>(value: unknown, members: readonly T[], fallback: T): T {
  if (typeof value !== 'string') return fallback;
  const key = value.replace(/[^a-z0-9]/gi, '').toLowerCase();
  for (const member of members) if (member.replace(/[^a-z0-9]/gi, '').toLowerCase() === key) return member;
  return fallback;
}

/** True when `normalizeEnum` would have had to fall back (so the caller can log the new spelling). */
export function isKnownEnum(value: unknown, members: readonly string[]): boolean {
  if (typeof value !== 'string') return false;
  const key = value.replace(/[^a-z0-9]/gi, '').toLowerCase();
  return members.some((m) => m.replace(/[^a-z0-9]/gi, '').toLowerCase() === key);
}

/**
 * The entity itself: documentation examples wrap single entities as `{"value": {...}}`, the
 * service (and OData) puts the properties at the top level. Accept both.
 */
export function unwrapEntity(body: unknown): Record<string, unknown> | undefined {
  const object = asObject(body);
  if (!object) return undefined;
  const inner = asObject(object['value']);
  if (inner && !('id' in object)) return inner;
  return object;
}

const dashedTime = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * An ISO 8601 UTC string (`toISOString` form), or null when absent or unreadable. Repairs the
 * documented `2021-06-19T12-01-03.45Z` form (dashes in the time part); a time without zone is
 * taken as UTC, as Graph's timestamps are.
 */
export function parseTimestamp(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  let text = value.trim();
  const dashed = dashedTime.exec(text);
  if (dashed) text = `${dashed[1]}T${dashed[2]}:${dashed[3]}:${dashed[4]}${dashed[5] ?? 'Z'}`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += 'Z';
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
