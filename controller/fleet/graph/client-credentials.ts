// A minimal OAuth 2.0 client-credentials token fetcher for an explicit http authority on
// loopback (the emulator). @azure/identity refuses any authority that is not https, so the
// real clouds use it and this one serves only `--login-url http://127.0.0.1:…`.
import { FleetError } from '../../model/fleet.ts';
import { aadstsCode, describeSignInFailure, networkCodeOf } from './sign-in-errors.ts';
import type { FetchedToken, TokenFetcher } from './token-source.ts';
import { asObject, asOptionalString } from './wire-values.ts';
import { scrubSecrets } from './scrub.ts';

export interface ClientCredentialsOptions {
  /** Authority base, e.g. http://127.0.0.1:4100 (the token URL is {base}/{tenant}/oauth2/v2.0/token). */
  readonly loginBaseUrl: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret: { reveal(): string };
  readonly scope: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** The token endpoint of a tenant under an authority base URL. */
export function tokenEndpointFor(loginBaseUrl: string, tenant: string): string {
  return `${loginBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;
}

/** A TokenFetcher posting the client-credentials grant with a shared secret. */
export function createClientCredentialsFetcher(options: ClientCredentialsOptions): TokenFetcher {
  const doFetch = options.fetch ?? fetch;
  const url = tokenEndpointFor(options.loginBaseUrl, options.tenant);
  return async ({ signal }): Promise<FetchedToken> => {
    const secret = options.clientSecret.reveal();
    const form = new URLSearchParams({ client_id: options.clientId, scope: options.scope, client_secret: secret, grant_type: 'client_credentials' });
    const timeout = AbortSignal.timeout(options.timeoutMs);
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // No cause: a network error object may carry the request, and the request carries the secret.
      const networkCode = timeout.aborted ? 'ETIMEDOUT' : (networkCodeOf(error) ?? 'network');
      throw new FleetError(describeSignInFailure({ authKind: 'secret', loginUrl: options.loginBaseUrl, name: 'Error', message: '', networkCode }), {
        retryable: true,
        code: 'tokenUnavailable',
      });
    }
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const object = asObject(body);
    if (response.ok) {
      const token = asOptionalString(object?.['access_token']);
      const expiresIn = Number(object?.['expires_in']);
      if (!token) throw new FleetError('token response without access_token', { retryable: true, status: response.status, code: 'tokenUnavailable' });
      return { token, expiresInMs: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 60 * 60_000 };
    }
    const code = asOptionalString(object?.['error']) ?? 'tokenRequestFailed';
    const description = scrubSecrets(asOptionalString(object?.['error_description']) ?? '', [secret]).slice(0, 200);
    const retryable = response.status === 429 || response.status >= 500;
    const said = describeSignInFailure({ authKind: 'secret', loginUrl: options.loginBaseUrl, name: code, message: description, status: response.status });
    throw new FleetError(aadstsCode(description) === undefined && description ? `${said} (${code}: ${description})` : said, {
      retryable,
      status: response.status,
      code: retryable ? 'tokenUnavailable' : 'authenticationFailed',
    });
  };
}
