// The tenants one emulator serves, pure: from a count (`--tenants 20`) or a list (a tenants
// file), each with its own tenant id, app registrations, fleet seed and limits. Tenant #0 is
// the single-tenant emulator's (its defaults or the --tenant/--client-* options), so one
// tenant behaves exactly as before; tenant #i ≥ 1 derives what it is not given from the base
// seed and i, so the same command always serves the same tenants with the same credentials.
import { createRandom, hashSeed, mix, randomHex, type Random } from './prng.ts';

/** What may be said about one tenant; everything is optional. */
export interface TenantOptions {
  /** Tenant id (a GUID or a domain-like name) in the token URL and tokens. */
  readonly tenantId?: string;
  /** A short label (default tenant-000, tenant-001, …). */
  readonly name?: string;
  /** The read-write app (TeamworkDevice.ReadWrite.All). */
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** The read-only app (TeamworkDevice.Read.All). */
  readonly readOnlyClientId?: string;
  readonly readOnlyClientSecret?: string;
  /** Devices of this tenant (default: the emulator's devices option). */
  readonly devices?: number;
  /** Seed of this tenant's fleet (default: derived from the base seed and the tenant's position). */
  readonly seed?: number | string;
  /** Requests per second per app in this tenant, 0 = unlimited (default: the emulator's rateLimit). */
  readonly rateLimit?: number;
  /** Failure rate of updates for every model in this tenant (default: the emulator's failureRate, else per model from the seed). */
  readonly failureRate?: number;
}

/** One tenant with every field decided. */
export interface TenantConfig {
  readonly index: number;
  readonly name: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly readOnlyClientId: string;
  readonly readOnlyClientSecret: string;
  readonly devices: number;
  readonly seed: number | string;
  readonly rateLimit: number;
  readonly failureRate: number | undefined;
}

/** Tenant #0: the single-tenant emulator's identity and fleet. */
export type BaseTenant = Omit<TenantConfig, 'index' | 'name' | 'failureRate'> & { readonly failureRate?: number | undefined };

/** Most tenants one emulator serves. */
export const maxTenants = 10_000;

const knownFields: readonly (keyof TenantOptions)[] = [
  'tenantId', 'name', 'clientId', 'clientSecret', 'readOnlyClientId', 'readOnlyClientSecret', 'devices', 'seed', 'rateLimit', 'failureRate',
];
const tenantIdPattern = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

function guid(random: Random): string {
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${randomHex(random, 8)}-${randomHex(random, 4)}-4${randomHex(random, 3)}-${variant}${randomHex(random, 3)}-${randomHex(random, 12)}`;
}

/** The identities of tenant #i ≥ 1, derived from the base seed (demo values, not credentials of anything real). */
function derivedTenant(base: BaseTenant, index: number): TenantConfig {
  const random = createRandom(mix(hashSeed(base.seed), index, 401));
  return {
    index, name: `tenant-${String(index).padStart(3, '0')}`, tenantId: guid(random), clientId: guid(random), clientSecret: `emulator-secret-${index}-${randomHex(random, 16)}`,
    readOnlyClientId: guid(random), readOnlyClientSecret: `emulator-readonly-secret-${index}-${randomHex(random, 16)}`,
    devices: base.devices, seed: `${String(base.seed)}/tenant-${index}`, rateLimit: base.rateLimit, failureRate: base.failureRate,
  };
}

function defaultsFor(base: BaseTenant, index: number): TenantConfig {
  return index === 0 ? { ...base, index: 0, name: 'tenant-000', failureRate: base.failureRate } : derivedTenant(base, index);
}

/**
 * Every tenant to serve: one (tenant #0) without `tenants`, `tenants` of them for a count, or
 * one per entry of a list. Throws RangeError naming the tenant and field that is wrong.
 */
export function resolveTenants(base: BaseTenant, tenants: number | readonly TenantOptions[] | undefined): TenantConfig[] {
  const list: readonly TenantOptions[] = tenants === undefined ? [{}] : typeof tenants === 'number' ? countToList(tenants) : tenants;
  if (list.length === 0 || list.length > maxTenants) throw new RangeError(`tenants must list 1 to ${maxTenants} tenants, got ${list.length}`);
  const configs = list.map((given, index) => {
    const merged = { ...defaultsFor(base, index), ...withoutUndefined(given), index };
    // One tenant from the plain options: its fields are named as those options are.
    checkTenant(merged, tenants === undefined ? '' : `tenants[${index}].`);
    return merged;
  });
  const seen = new Map<string, number>();
  for (const t of configs) {
    const key = t.tenantId.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) throw new RangeError(`tenants[${t.index}].tenantId ${t.tenantId} is also the id of tenants[${other}]; tenant ids must differ`);
    seen.set(key, t.index);
  }
  return configs;
}

function countToList(count: number): TenantOptions[] {
  if (!Number.isInteger(count) || count < 1 || count > maxTenants) throw new RangeError(`tenants must be a whole number from 1 to ${maxTenants}, got ${count}`);
  return Array.from({ length: count }, () => ({}));
}

function withoutUndefined(given: TenantOptions): TenantOptions {
  return Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as TenantOptions;
}

function checkTenant(t: TenantConfig, prefix: string): void {
  const fail = (field: string, what: string, value: unknown) => {
    throw new RangeError(`${prefix}${field} must be ${what}, got ${JSON.stringify(value)}`);
  };
  for (const field of ['tenantId', 'name', 'clientId', 'clientSecret', 'readOnlyClientId', 'readOnlyClientSecret'] as const) {
    if (typeof t[field] !== 'string' || t[field].trim() === '') fail(field, 'a non-empty string', t[field]);
  }
  if (!tenantIdPattern.test(t.tenantId)) fail('tenantId', 'a GUID or a domain name (letters, digits, dots, hyphens)', t.tenantId);
  if (t.clientId.toLowerCase() === t.readOnlyClientId.toLowerCase()) fail('readOnlyClientId', 'different from clientId', t.readOnlyClientId);
  if (!Number.isInteger(t.devices) || t.devices < 0 || t.devices > 1_000_000) fail('devices', 'a whole number from 0 to 1000000', t.devices);
  if (typeof t.seed !== 'string' && !Number.isFinite(t.seed)) fail('seed', 'a number or a string', t.seed);
  if (typeof t.rateLimit !== 'number' || !Number.isFinite(t.rateLimit) || t.rateLimit < 0) fail('rateLimit', 'a number of requests per second >= 0', t.rateLimit);
  if (t.failureRate !== undefined && (typeof t.failureRate !== 'number' || !(t.failureRate >= 0 && t.failureRate <= 1))) fail('failureRate', 'a number from 0 to 1', t.failureRate);
}

/**
 * Reads a tenants file's JSON: a list of TenantOptions, or `{ "tenants": [...] }` (the shape
 * the emulator's own tenant list has, so its output can be fed back). Throws RangeError
 * naming the file, the entry and the field.
 */
export function parseTenantsFile(text: string, path: string): TenantOptions[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RangeError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(data) ? data : (data as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(list)) throw new RangeError(`${path} must hold a list of tenants, or an object with a "tenants" list`);
  return list.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new RangeError(`${path}: tenants[${index}] must be an object`);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entry)) {
      // The emulator's tenant list also carries these; they are its output, not settings.
      if (key === 'index' || key === 'tokenUrl') continue;
      if (!(knownFields as readonly string[]).includes(key)) throw new RangeError(`${path}: tenants[${index}] has an unknown field "${key}"; known: ${knownFields.join(', ')}`);
      out[key] = value;
    }
    return out as TenantOptions;
  });
}
