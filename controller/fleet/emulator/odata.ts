// The few OData query options this API documents: $top, $skiptoken, $select, and $filter with
// a single `eq` on deviceType, hardwareDetail/uniqueId or currentUser/id. Anything else is a
// 400, like Graph answers an unsupported query.
import { DeviceTypes, type DeviceType } from '../../model/fleet.ts';

export type DeviceFilter =
  | { readonly kind: 'deviceType'; readonly deviceType: DeviceType }
  | { readonly kind: 'uniqueId'; readonly value: string }
  | { readonly kind: 'currentUserId'; readonly value: string };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Page sizes of both list endpoints. */
export const defaultPageSize = 20;
export const maxPageSize = 50;

/** A query option by name, with or without its `$`, any case (Graph accepts both spellings). */
export function readQueryOption(query: URLSearchParams, name: string): string | null {
  const wanted = name.toLowerCase();
  for (const [key, value] of query) {
    const k = key.toLowerCase();
    if (k === `$${wanted}` || k === wanted) return value;
  }
  return null;
}

/** $top: default 20; above 50 is clamped to 50 (or a 400 when `strict`). */
export function parseTop(text: string | null, strict: boolean): Parsed<number> {
  if (text === null) return { ok: true, value: defaultPageSize };
  if (!/^\d+$/.test(text.trim())) return { ok: false, message: `Invalid value '${text}' for query option $top: a positive integer is expected.` };
  const top = Number(text);
  if (top < 1) return { ok: false, message: '$top must be at least 1.' };
  if (top > maxPageSize && strict) return { ok: false, message: `The limit of '${maxPageSize}' for $top query has been exceeded. The value from the incoming request is '${top}'.` };
  return { ok: true, value: Math.min(top, maxPageSize) };
}

/** $select: top-level property names of `allowed` (id is always returned). */
export function parseSelect(text: string | null, allowed: readonly string[], typeName: string): Parsed<readonly string[] | undefined> {
  if (text === null || text.trim() === '') return { ok: true, value: undefined };
  const fields = text.split(',').map((f) => f.trim()).filter((f) => f !== '');
  for (const field of fields) {
    if (!allowed.includes(field)) return { ok: false, message: `Could not find a property named '${field}' on type 'microsoft.graph.${typeName}'.` };
  }
  return { ok: true, value: fields };
}

function canonicalDeviceType(text: string): DeviceType | undefined {
  const wanted = text.toLowerCase();
  return DeviceTypes.find((t) => t.toLowerCase() === wanted);
}

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/''/g, "'");
}

/**
 * `deviceType eq 'teamsRoom'` (any case: the docs show 'TeamsRoom'), or namespace-qualified:
 * `deviceType eq microsoft.graph.teamworkDeviceType'teamsRoom'`, including the malformed form
 * of the docs' nextLink (`…teamworkDeviceType%collaborationBar'`).
 */
export function parseDeviceFilter(text: string): Parsed<DeviceFilter> {
  let clause = text.trim();
  while (clause.startsWith('(') && clause.endsWith(')')) clause = clause.slice(1, -1).trim();
  const match = /^([A-Za-z/]+)\s+eq\s+(.+)$/i.exec(clause);
  if (!match?.[1] || !match[2]) return { ok: false, message: `Invalid filter clause: only "<property> eq '<value>'" on deviceType, hardwareDetail/uniqueId or currentUser/id is supported.` };
  const property = match[1].toLowerCase();
  const literal = match[2].trim();
  if (property === 'devicetype') {
    const enumMatch = /^(?:[A-Za-z0-9_.]*teamworkDeviceType)?['%]([A-Za-z]+)'$/i.exec(literal);
    const value = enumMatch?.[1];
    if (!value) return { ok: false, message: `The value ${literal} is not a valid teamworkDeviceType literal.` };
    const deviceType = canonicalDeviceType(value);
    if (!deviceType) return { ok: false, message: `The string '${value}' is not a valid enumeration type constant of teamworkDeviceType.` };
    return { ok: true, value: { kind: 'deviceType', deviceType } };
  }
  if (!/^'(?:[^']|'')*'$/.test(literal)) return { ok: false, message: `A quoted string is expected after 'eq', got ${literal}.` };
  if (property === 'hardwaredetail/uniqueid') return { ok: true, value: { kind: 'uniqueId', value: unquote(literal) } };
  if (property === 'currentuser/id') return { ok: true, value: { kind: 'currentUserId', value: unquote(literal) } };
  return { ok: false, message: `Filtering on '${match[1]}' is not supported; only deviceType, hardwareDetail/uniqueId and currentUser/id are.` };
}

/** An opaque continuation token for position `position`. */
export function encodeSkipToken(position: number): string {
  return Buffer.from(JSON.stringify({ p: position, v: 1 })).toString('base64url');
}

/** The position in a skip token, or undefined when it is not one of ours. */
export function decodeSkipToken(token: string): number | undefined {
  try {
    const data = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { p?: unknown; v?: unknown };
    return data.v === 1 && Number.isInteger(data.p) && (data.p as number) >= 0 ? (data.p as number) : undefined;
  } catch {
    return undefined;
  }
}
