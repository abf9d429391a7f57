// Which credential signs in, per authentication kind. The real clouds go through
// @azure/identity (loaded lazily: commands against the emulator do not pay for it); an explicit
// http authority on loopback (the emulator) uses the small client-credentials fetcher, because
// @azure/identity insists on https.
import type { TokenCredential } from '@azure/identity';
import { FleetError } from '../../model/fleet.ts';
import type { Clock } from '../../model/clock.ts';
import { createClientCredentialsFetcher } from './client-credentials.ts';
import { CachedTokenSource, type TokenFetcher, type TokenSource } from './token-source.ts';
import { scrubSecrets } from './scrub.ts';
import { describeSignInFailure, isRetryableSignIn, networkCodeOf } from './sign-in-errors.ts';
import { cloudEndpoints } from './clouds.ts';

/**
 * A secret sign-in sends, wrapped until the moment it is sent. `load`, when present, reads it
 * again from where it is kept (a Tenant's secretRef) before each sign-in, so a rotated secret is
 * used without a restart; its errors are the sign-in's.
 */
export interface SignInSecret {
  reveal(): string;
  load?(): Promise<void>;
}

/** How the app signs in (the secret stays wrapped until the moment it is sent). */
export type GraphAuth =
  | { readonly kind: 'secret'; readonly tenant: string; readonly clientId: string; readonly clientSecret: SignInSecret }
  | {
      readonly kind: 'certificate';
      readonly tenant: string;
      readonly clientId: string;
      /** The PEM file, read by the identity library at each sign-in; or, instead, the PEM text itself. */
      readonly certificatePath: string;
      readonly certificatePem?: SignInSecret | undefined;
      readonly certificatePassword?: { reveal(): string } | undefined;
    }
  | { readonly kind: 'workload-identity'; readonly tenant: string; readonly clientId: string; readonly tokenFilePath: string }
  | { readonly kind: 'managed-identity'; readonly clientId?: string | undefined };

export interface TokenSourceOptions {
  readonly auth: GraphAuth;
  /** The `.default` scope of the Graph host. */
  readonly scope: string;
  /** Authority base URL (https://login.microsoftonline.com, or the emulator's http URL). */
  readonly loginBaseUrl: string;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** True for http URLs on a loopback host, the only place a plain-http authority is accepted. */
export function isLoopbackHttp(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(parsed.hostname);
}

function isKnownAuthority(loginBaseUrl: string): boolean {
  const origin = new URL(loginBaseUrl).origin;
  return Object.values(cloudEndpoints).some((c) => c.loginHost === origin);
}

/** Builds the cached token source for an authentication kind. */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  return new CachedTokenSource(loadingFirst(createFetcher(options), options.auth), options.clock);
}

/** The fetcher, reading the secret again first when it says where from (SignInSecret.load). */
function loadingFirst(fetcher: TokenFetcher, auth: GraphAuth): TokenFetcher {
  const secret = auth.kind === 'secret' ? auth.clientSecret : auth.kind === 'certificate' ? auth.certificatePem : undefined;
  const load = secret?.load?.bind(secret);
  if (!load) return fetcher;
  return async (request) => {
    await load();
    return fetcher(request);
  };
}

function createFetcher(options: TokenSourceOptions): TokenFetcher {
  const { auth } = options;
  if (isLoopbackHttp(options.loginBaseUrl)) {
    if (auth.kind !== 'secret') {
      throw new FleetError(`${auth.kind} authentication needs an https login URL; a plain-http login URL supports only a client secret`, {
        retryable: false,
        code: 'unsupportedAuthentication',
      });
    }
    const fetcher = createClientCredentialsFetcher({
      loginBaseUrl: options.loginBaseUrl,
      tenant: auth.tenant,
      clientId: auth.clientId,
      clientSecret: auth.clientSecret,
      scope: options.scope,
      timeoutMs: options.timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return fetcher;
  }
  if (new URL(options.loginBaseUrl).protocol !== 'https:') {
    throw new FleetError('the login URL must use https (plain http is accepted only on loopback)', { retryable: false, code: 'unsupportedAuthentication' });
  }
  return createIdentityFetcher(options);
}

/** `clientSecret`: the value read for this credential (kind `secret`). */
async function buildCredential(options: TokenSourceOptions, clientSecret: string | undefined): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const common = {
    authorityHost: options.loginBaseUrl,
    // Instance discovery asks login.microsoftonline.com about the authority: skip it for an
    // authority that is not a known cloud (a proxy, a test server).
    ...(isKnownAuthority(options.loginBaseUrl) ? {} : { disableInstanceDiscovery: true }),
  };
  const { auth } = options;
  switch (auth.kind) {
    case 'secret':
      return new identity.ClientSecretCredential(auth.tenant, auth.clientId, clientSecret ?? auth.clientSecret.reveal(), common);
    case 'certificate': {
      const password = auth.certificatePassword ? { certificatePassword: auth.certificatePassword.reveal() } : {};
      return auth.certificatePem
        ? new identity.ClientCertificateCredential(auth.tenant, auth.clientId, { certificate: auth.certificatePem.reveal(), ...password }, common)
        : new identity.ClientCertificateCredential(auth.tenant, auth.clientId, { certificatePath: auth.certificatePath, ...password }, common);
    }
    case 'workload-identity':
      return new identity.WorkloadIdentityCredential({ ...common, tenantId: auth.tenant, clientId: auth.clientId, tokenFilePath: auth.tokenFilePath });
    case 'managed-identity':
      return auth.clientId ? new identity.ManagedIdentityCredential({ clientId: auth.clientId }) : new identity.ManagedIdentityCredential();
  }
}

function secretsOf(auth: GraphAuth): string[] {
  if (auth.kind === 'secret') return [auth.clientSecret.reveal()];
  if (auth.kind === 'certificate') return [auth.certificatePassword?.reveal(), auth.certificatePem?.reveal()].filter((s): s is string => s !== undefined && s !== '');
  return [];
}

function createIdentityFetcher(options: TokenSourceOptions): TokenFetcher {
  let credential: Promise<TokenCredential> | undefined;
  let builtWith: string | undefined;
  return async ({ signal, fresh }) => {
    // The credential object keeps the client secret (or PEM text) it was built with, and a
    // FileSecret or a secretRef may have read a rotated one since: then a new object. (A
    // certificate file needs nothing: the library reads it at every sign-in.) MSAL caches tokens
    // per credential object: after a 401 a new object is the way to a new token.
    const secretNow = options.auth.kind === 'secret' ? options.auth.clientSecret.reveal() : options.auth.kind === 'certificate' ? options.auth.certificatePem?.reveal() : undefined;
    if (!credential || fresh || secretNow !== builtWith) {
      credential = buildCredential(options, secretNow);
      builtWith = secretNow;
    }
    const timeout = AbortSignal.timeout(options.timeoutMs);
    try {
      const token = await (await credential).getToken(options.scope, { abortSignal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      if (!token) throw new Error('no token returned');
      return { token: token.token, expiresInMs: token.expiresOnTimestamp - Date.now() };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      credential = undefined;
      const status = typeof (error as { statusCode?: unknown }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : undefined;
      const name = error instanceof Error ? error.name : 'Error';
      const failure = {
        authKind: options.auth.kind,
        loginUrl: options.loginBaseUrl,
        name,
        message: error instanceof Error ? error.message : String(error),
        status,
        // MSAL reports any network failure as "network_error" and drops the cause: ask the
        // resolver once, so "the name does not resolve" (DNS, proxy) can be told apart.
        networkCode: networkCodeOf(error) ?? (/network_error/.test(String((error as Error).message)) ? await resolverVerdict(options.loginBaseUrl) : undefined),
      };
      // A definite refusal (an AADSTS code, a 4xx, a credential that cannot work here) will not
      // change by retrying; a network failure, a 429 or a 5xx may.
      const retryable = isRetryableSignIn(failure);
      // The identity library's message can quote the request: only the sentence built from its
      // code goes out, scrubbed once more for safety.
      const text = scrubSecrets(describeSignInFailure(failure), secretsOf(options.auth));
      throw new FleetError(text, { retryable, code: retryable ? 'tokenUnavailable' : 'authenticationFailed', ...(status === undefined ? {} : { status }) });
    }
  };
}

/** ENOTFOUND/EAI_AGAIN when the host's name does not resolve; undefined when it does (or the check itself fails). */
async function resolverVerdict(url: string): Promise<string | undefined> {
  try {
    const { lookup } = await import('node:dns/promises');
    await lookup(new URL(url).hostname);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? code : undefined;
  }
}
