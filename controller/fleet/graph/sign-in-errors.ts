// Why a sign-in failed, in words an admin can act on. The identity libraries report a refusal
// as an AADSTS code inside a long message (or, for a network failure, as a bare
// "network_error"); the code is the cause, and each common one has a known fix. Pure.

/** What is known of one failed sign-in. */
export interface SignInFailure {
  /** secret | certificate | workload-identity | managed-identity */
  readonly authKind: string;
  /** The sign-in host, e.g. https://login.microsoftonline.com. */
  readonly loginUrl: string;
  /** The error's name (CredentialUnavailableError, AuthenticationRequiredError, …). */
  readonly name: string;
  /** The error's message; read for an AADSTS code and network words, never shown whole (it can quote the request). */
  readonly message: string;
  readonly status?: number | undefined;
  /** A Node network error code from the cause chain (ENOTFOUND, ECONNREFUSED, …), when there is one. */
  readonly networkCode?: string | undefined;
}

const permission = 'TeamworkDevice.ReadWrite.All';

/** The commonest AADSTS codes of an app signing in with client credentials, and what fixes each. */
const aadstsCauses: Readonly<Record<string, string>> = {
  '7000215': 'the client secret is wrong: use the secret\'s Value (not its Secret ID) from the app registration\'s Certificates & secrets page',
  '7000222': 'the client secret has expired: create a new one in the app registration and update --client-secret-file (or AZURE_CLIENT_SECRET)',
  '700016': 'no application with this client id exists in the tenant: check --client-id (AZURE_CLIENT_ID) and --tenant, and that an admin has consented to the app in this tenant',
  '90002': 'the tenant was not found: check --tenant (AZURE_TENANT_ID), and --cloud if the tenant is in a national cloud',
  '900023': 'the tenant is neither a tenant id (GUID) nor a domain: check --tenant (AZURE_TENANT_ID)',
  '900021': 'the tenant is not valid for this cloud: check --tenant and --cloud',
  '700027': 'the certificate is not the one registered: upload its public part to the app registration (Certificates & secrets) or use the matching --certificate',
  '700024': 'the signed assertion is outside its validity time: check this machine\'s clock, or refresh the workload identity token file',
  '70021': 'no federated credential of the app matches this workload: check the app\'s federated credential (issuer, subject = system:serviceaccount:NAMESPACE:NAME)',
  '7000112': 'the application is disabled in the tenant: an admin must enable it (Enterprise applications, Properties)',
  '65001': `the app has no admin consent: an admin must grant consent for the application permission ${permission}`,
  '500011': 'the Graph service is not known in this tenant\'s cloud: check --cloud (a GCC High or 21Vianet tenant needs its own cloud)',
  '50049': 'the sign-in authority is not a known cloud: check --cloud and --login-url',
  '53003': 'a Conditional Access policy blocked the sign-in: exclude this workload identity or allow it from this network',
  '7000229': 'the app has no service principal in the tenant: an admin must consent to the app in this tenant',
};

const networkCauses: Readonly<Record<string, string>> = {
  ENOTFOUND: 'its name does not resolve: check DNS, or set HTTPS_PROXY if this network reaches the internet through a proxy',
  EAI_AGAIN: 'name resolution failed for now: check DNS',
  ECONNREFUSED: 'the connection was refused: check --login-url and any proxy',
  ECONNRESET: 'the connection was reset: a proxy or firewall may be blocking it',
  ETIMEDOUT: 'the connection timed out: check the firewall, or set HTTPS_PROXY',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out: check the firewall, or set HTTPS_PROXY',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is not trusted (a TLS-inspecting proxy?): add the proxy\'s CA with NODE_EXTRA_CA_CERTS',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its TLS certificate is not trusted (a TLS-inspecting proxy?): add the proxy\'s CA with NODE_EXTRA_CA_CERTS',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed: add its CA with NODE_EXTRA_CA_CERTS',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired (or this machine\'s clock is wrong)',
};

/** The AADSTS number in a message, if any. */
export function aadstsCode(message: string): string | undefined {
  return /AADSTS(\d+)/.exec(message)?.[1];
}

/** Whether retrying could help: a network failure or an overloaded service may pass; a refusal will not. */
export function isRetryableSignIn(failure: SignInFailure): boolean {
  if (aadstsCode(failure.message) !== undefined) return false;
  if (failure.name === 'CredentialUnavailableError') return false;
  if (failure.status !== undefined) return failure.status === 429 || failure.status >= 500;
  return true;
}

/** One sentence: what failed, the cause when known, and what to do. */
export function describeSignInFailure(failure: SignInFailure): string {
  let host: string;
  try {
    host = new URL(failure.loginUrl).host;
  } catch {
    host = failure.loginUrl;
  }
  const head = `sign-in to ${host} failed (${failure.authKind})`;
  const code = aadstsCode(failure.message);
  if (code !== undefined) {
    const cause = aadstsCauses[code];
    return cause ? `${head}: AADSTS${code}: ${cause}` : `${head}: AADSTS${code}: look the code up at https://login.microsoftonline.com/error?code=${code}`;
  }
  const network = failure.networkCode ?? (/network_error|fetch failed|getaddrinfo/i.test(failure.message) ? 'network' : undefined);
  if (network !== undefined) {
    const cause = networkCauses[network];
    const code = network === 'network' ? '' : ` (${network})`;
    return cause ? `${head}: cannot reach ${host}: ${cause}` : `${head}: cannot reach ${host}${code}: check DNS, the firewall and HTTPS_PROXY`;
  }
  if (failure.name === 'CredentialUnavailableError') {
    return failure.authKind === 'managed-identity'
      ? `${head}: no managed identity is available on this machine: run on an Azure resource with one, or choose another --auth`
      : `${head}: the credential cannot be used here: check the files it names (certificate, token file) exist and are readable`;
  }
  if (failure.status === 401 || failure.status === 400) return `${head}: HTTP ${failure.status}: the credential was refused: check --tenant, --client-id and the secret or certificate`;
  if (failure.status === 429 || (failure.status !== undefined && failure.status >= 500)) return `${head}: HTTP ${failure.status}: the sign-in service is unavailable for now; it will be retried`;
  return `${head}: ${failure.name}${failure.status ? ` HTTP ${failure.status}` : ''}`;
}

/** The first Node network error code along an error's cause chain. */
export function networkCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code in networkCauses || /^E[A-Z_]+$/.test(code) || code.startsWith('UND_ERR'))) return code;
  }
  return undefined;
}
