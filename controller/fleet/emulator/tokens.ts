// Access tokens of the emulator: JWT-shaped (header.payload.signature, HMAC-SHA256) so a
// client that peeks at claims sees the usual ones (tid, appid, roles, exp), and valid across
// a restart with the same seed, tenant and secrets. Expiry follows the emulator clock.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const readWriteRole = 'TeamworkDevice.ReadWrite.All';
export const readRole = 'TeamworkDevice.Read.All';

/** An app registered in the emulated tenant. */
export interface AppRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly displayName: string;
  readonly roles: readonly string[];
}

export interface TokenClaims {
  readonly tid: string;
  readonly appid: string;
  readonly app_displayname: string;
  readonly roles: readonly string[];
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
}

export type VerifyResult =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'invalid' | 'expired' };

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export class TokenIssuer {
  readonly #key: Buffer;
  readonly #tenant: string;
  readonly #graphAudience: string;

  /** `keyMaterial` decides the signing key: the same material verifies tokens issued before a restart. */
  constructor(tenant: string, keyMaterial: string) {
    this.#tenant = tenant;
    this.#key = createHash('sha256').update(`firmwarden-emulator-token-key\0${keyMaterial}`).digest();
    this.#graphAudience = 'https://graph.microsoft.com';
  }

  /** A signed token for `app`, valid `lifetimeSeconds` from `now` (emulator ms). */
  issue(app: AppRegistration, now: number, lifetimeSeconds: number): string {
    const iat = Math.floor(now / 1000);
    const payload = {
      aud: this.#graphAudience, iss: `https://sts.windows.net/${this.#tenant}/`, iat, nbf: iat, exp: iat + lifetimeSeconds,
      tid: this.#tenant, appid: app.clientId, app_displayname: app.displayName, idtyp: 'app', roles: app.roles, uti: randomUUID(),
    };
    const unsigned = `${base64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))}.${base64url(JSON.stringify(payload))}`;
    return `${unsigned}.${this.#sign(unsigned)}`;
  }

  #sign(unsigned: string): string {
    return createHmac('sha256', this.#key).update(unsigned).digest('base64url');
  }

  /** Checks an Authorization header value against signature, tenant and the clock. */
  verifyHeader(authorization: string | undefined, now: number): VerifyResult {
    if (!authorization) return { ok: false, reason: 'missing' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) return { ok: false, reason: 'malformed' };
    const parts = match[1].split('.');
    if (parts.length !== 3) return { ok: false, reason: 'malformed' };
    const [header, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.#sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (claims.tid !== this.#tenant) return { ok: false, reason: 'invalid' };
    const seconds = now / 1000;
    // Five minutes of leeway before nbf, as identity platforms allow for clock skew.
    if (seconds >= claims.exp || seconds < claims.nbf - 300) return { ok: false, reason: 'expired' };
    return { ok: true, claims };
  }
}

/**
 * The tid claim of a bearer token, read without checking anything: it only says whose key is
 * to verify the token (each tenant signs with its own), so a forged tid fails verification.
 */
export function peekTenantId(authorization: string | undefined): string | undefined {
  const payload = /^Bearer\s+[^.\s]+\.([^.\s]+)\.[^.\s]+\s*$/i.exec(authorization ?? '')?.[1];
  if (payload === undefined) return undefined;
  try {
    const tid = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown }).tid;
    return typeof tid === 'string' ? tid : undefined;
  } catch {
    return undefined;
  }
}
