// The identity platform side: /{tenant}/oauth2/v2.0/token issues a token bound to the tenant in
// its path (only that tenant's apps sign in there), plus the OpenID configuration per tenant
// and instance discovery, which MSAL-style clients read before asking for a token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorClock } from './emulator-clock.ts';
import { readBody, sendJson } from './http-io.ts';
import type { TenantDirectory } from './tenant-world.ts';
import { answerTokenRequest } from './token-endpoint.ts';

export interface IdentityDeps {
  readonly tenants: TenantDirectory;
  readonly clock: EmulatorClock;
  /** The emulator's origin (known once it listens). */
  readonly url: () => string;
  readonly tokenLifetimeSeconds: number;
}

function openIdConfiguration(url: string, tenant: string): Record<string, unknown> {
  return {
    token_endpoint: `${url}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    jwks_uri: `${url}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${url}/${tenant}/v2.0`,
    authorization_endpoint: `${url}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${url}/${tenant}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${url}/${tenant}/oauth2/v2.0/logout`,
    http_logout_supported: true,
    request_uri_parameter_supported: false,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'emulator',
    msgraph_host: new URL(url).host,
  };
}

/** Answers an identity request; false when `path` is none of the identity endpoints. */
export async function answerIdentity(req: IncomingMessage, res: ServerResponse, path: string, deps: IdentityDeps): Promise<boolean> {
  const url = deps.url();
  const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
  if (token?.[1]) {
    const tenantInPath = decodeURIComponent(token[1]);
    // An unknown tenant is answered (AADSTS90002) and counted by the first tenant's log.
    const world = deps.tenants.find(tenantInPath) ?? deps.tenants.primary;
    const { clock } = deps;
    world.log.countHttp('token');
    const body = await readBody(req);
    if ((req.method ?? '').toUpperCase() !== 'POST') {
      sendJson(res, 405, { error: 'invalid_request', error_description: 'AADSTS900561: The endpoint only accepts POST requests.', error_codes: [900561] });
      return true;
    }
    const answer = answerTokenRequest(
      { tenant: tenantInPath, contentType: req.headers['content-type'], authorization: req.headers.authorization, body },
      // Tokens expire by the emulator clock, stretched by its speed so that a client caching a token for
      // expires_in real seconds does not see it expire a thousand times sooner on an accelerated clock.
      {
        tenant: world.id, apps: world.apps, issuer: world.issuer, now: clock.now(), lifetimeSeconds: deps.tokenLifetimeSeconds,
        validitySeconds: Math.round(deps.tokenLifetimeSeconds * clock.speed), origin: url,
      },
    );
    sendJson(res, answer.status, answer.body, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    return true;
  }
  const wellKnown = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
  if (wellKnown?.[1]) {
    const world = deps.tenants.find(decodeURIComponent(wellKnown[1]));
    if (!world) sendJson(res, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${wellKnown[1]}' not found.` });
    else sendJson(res, 200, openIdConfiguration(url, world.id));
    return true;
  }
  if (path === '/common/discovery/instance') {
    const hostName = new URL(url).host;
    sendJson(res, 200, {
      tenant_discovery_endpoint: `${url}/${deps.tenants.primary.id}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1',
      metadata: [{ preferred_network: hostName, preferred_cache: hostName, aliases: [hostName] }],
    });
    return true;
  }
  return false;
}
