// Who may read the live view. It is read-only, but it names devices and rooms, so it is never
// served to a network by accident: on a loopback address it is on by default (only this
// machine can connect, and the Host header must name loopback too, so a web page cannot reach
// it by DNS rebinding); on any other address it is off unless a token is configured
// (--ui-token-file) or --ui opens it explicitly. A token, when set, is required everywhere.
// The browser shows the token once, in ?token=, and gets a cookie derived from it; scripts send
// `Authorization: Bearer`. Every comparison is in constant time. No I/O.
import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { isEqualConstantTime } from './webhook-auth.ts';

/** How the live view is served. */
export type LiveViewAccess =
  | { readonly mode: 'off' }
  /** No token. `loopbackOnly`: the Host header must name a loopback address or localhost. */
  | { readonly mode: 'open'; readonly loopbackOnly: boolean }
  /** The token is revealed at each request, so a rotated --ui-token-file applies at once. */
  | { readonly mode: 'token'; readonly token: { reveal(): string } };

/** True for 127.0.0.0/8, ::1 and localhost: addresses only this machine can connect to. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  // An IPv4-mapped IPv6 loopback.
  return /^::ffff:127\./.test(h);
}

/** The access rule from the listen address and the flags (see the file comment). */
export function decideLiveViewAccess(host: string, options: { readonly ui: boolean; readonly token: { reveal(): string } | undefined }): LiveViewAccess {
  if (options.token !== undefined) return { mode: 'token', token: options.token };
  if (isLoopbackHost(host)) return { mode: 'open', loopbackOnly: true };
  return options.ui ? { mode: 'open', loopbackOnly: false } : { mode: 'off' };
}

/** The cookie that stands for the token once exchanged: a MAC of a fixed text under the token, so the token itself is not stored, and a rotated token ends every session. */
export function sessionCookieValue(token: string): string {
  return createHmac('sha256', token).update('firmwarden live view session v1').digest('base64url');
}

export const sessionCookieName = 'firmwarden_ui';

function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The Host header's host part ("127.0.0.1", "[::1]", "localhost"), without its port. */
function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(header.trim());
  return m?.[1];
}

/** What one request may do. `exchange`: a correct ?token= that the caller turns into the cookie. */
export type AccessVerdict = 'allowed' | 'exchange' | 'unauthorized' | 'off';

export interface AccessRequest {
  readonly host: string | undefined;
  readonly cookie: string | undefined;
  readonly authorization: string | undefined;
  /** The ?token= value, only where the page is exchanged (the page itself). */
  readonly queryToken: string | undefined;
}

/** Decides one request. */
export function checkLiveViewAccess(access: LiveViewAccess, request: AccessRequest): AccessVerdict {
  switch (access.mode) {
    case 'off':
      return 'off';
    case 'open': {
      if (!access.loopbackOnly) return 'allowed';
      const host = hostOf(request.host);
      // Off rather than 401: to a rebinding page there is nothing here.
      return host !== undefined && isLoopbackHost(host) ? 'allowed' : 'off';
    }
    case 'token': {
      const token = access.token.reveal();
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.authorization ?? '')?.[1];
      if (bearer !== undefined && isEqualConstantTime(bearer, token)) return 'allowed';
      const session = cookie(request.cookie, sessionCookieName);
      if (session !== undefined && isEqualConstantTime(session, sessionCookieValue(token))) return 'allowed';
      if (request.queryToken !== undefined && isEqualConstantTime(request.queryToken, token)) return 'exchange';
      return 'unauthorized';
    }
  }
}
