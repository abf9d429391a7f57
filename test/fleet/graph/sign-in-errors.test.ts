// Sign-in failures in words an admin can act on: each common AADSTS code and network failure
// maps to its cause and fix, and only network trouble or an overloaded service is retried.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeSignInFailure, isRetryableSignIn, networkCodeOf, type SignInFailure } from '../../../controller/fleet/graph/sign-in-errors.ts';

const base: SignInFailure = { authKind: 'secret', loginUrl: 'https://login.microsoftonline.com', name: 'AuthenticationError', message: '' };

const cases: [string, Partial<SignInFailure>, RegExp, boolean][] = [
  ['a wrong secret names the Value-not-ID mistake', { message: 'AADSTS7000215: Invalid client secret provided. Trace ID: x' }, /AADSTS7000215: the client secret is wrong: use the secret's Value \(not its Secret ID\)/, false],
  ['an expired secret says to create a new one', { message: 'AADSTS7000222: The provided client secret keys are expired.' }, /has expired: create a new one/, false],
  ['an unknown app names the client id and consent', { message: 'AADSTS700016: Application with identifier x was not found' }, /no application with this client id .* consented/, false],
  ['an unknown tenant names --tenant and --cloud', { message: 'AADSTS90002: Tenant x not found.' }, /tenant was not found: check --tenant .* --cloud/, false],
  ['missing consent names the permission', { message: 'AADSTS65001: The user or administrator has not consented' }, /no admin consent: .*TeamworkDevice\.ReadWrite\.All/, false],
  ['a wrong cloud says so', { message: 'AADSTS500011: The resource principal named https://graph.microsoft.com was not found' }, /check --cloud/, false],
  ['an unmapped code points to its lookup page', { message: 'AADSTS123456: Something new' }, /AADSTS123456: look the code up at https:\/\/login\.microsoftonline\.com\/error\?code=123456/, false],
  ['a name that does not resolve points to DNS and the proxy', { networkCode: 'ENOTFOUND' }, /cannot reach login\.microsoftonline\.com: its name does not resolve: check DNS, or set HTTPS_PROXY/, true],
  ['a TLS-inspecting proxy points to NODE_EXTRA_CA_CERTS', { networkCode: 'SELF_SIGNED_CERT_IN_CHAIN' }, /NODE_EXTRA_CA_CERTS/, true],
  ['MSAL\'s bare network_error is still a network failure', { message: 'network_error: See https://aka.ms/msal.js.errors#network_error' }, /cannot reach login\.microsoftonline\.com: check DNS, the firewall and HTTPS_PROXY$/, true],
  ['no managed identity on this machine says to choose another --auth', { authKind: 'managed-identity', name: 'CredentialUnavailableError' }, /no managed identity is available .* another --auth/, false],
  ['a 503 is retried', { status: 503 }, /HTTP 503: the sign-in service is unavailable for now/, true],
  ['a bare 401 is refused', { status: 401 }, /HTTP 401: the credential was refused/, false],
];

for (const [name, failure, sentence, retryable] of cases) {
  test(name, () => {
    const f = { ...base, ...failure };
    const text = describeSignInFailure(f);
    assert.match(text, /^sign-in to [^ ]+ failed \((secret|managed-identity)\): /);
    assert.match(text, sentence);
    assert.is(isRetryableSignIn(f), retryable);
  });
}

test('the network code is found along the cause chain', () => {
  const inner = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.is(networkCodeOf(new TypeError('fetch failed', { cause: inner })), 'ECONNREFUSED');
  assert.is(networkCodeOf(new Error('plain')), undefined);
});

test.run();
