// The OAuth 2.0 client-credentials token endpoint (/{tenant}/oauth2/v2.0/token): form-encoded
// client_id + client_secret (or HTTP Basic, RFC 6749 §2.3.1), scope `<resource>/.default`.
// Errors mimic the identity platform's: 400/401 with an AADSTS code in error_description.
import { randomUUID } from 'node:crypto';
import type { AppRegistration, TokenIssuer } from './tokens.ts';

export interface TokenContext {
  readonly tenant: string;
  readonly apps: readonly AppRegistration[];
  readonly issuer: TokenIssuer;
  readonly now: number;
  /** expires_in as reported (the client counts it in real seconds). */
  readonly lifetimeSeconds: number;
  /** How long the token stays valid in emulator seconds: lifetimeSeconds times the clock speed. */
  readonly validitySeconds: number;
  /** The emulator's own origin, also accepted as a resource (`http://127.0.0.1:PORT/.default`). */
  readonly origin: string;
}

export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

// Graph's resource identifiers in each national cloud, plus its well-known application id.
const graphResources = new Set([
  'https://graph.microsoft.com', 'https://graph.microsoft.us', 'https://dod-graph.microsoft.us',
  'https://microsoftgraph.chinacloudapi.cn', '00000003-0000-0000-c000-000000000000',
]);

function aadError(status: number, error: string, code: number, message: string, now: number): TokenAnswer {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date(now).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    },
  };
}

function readBasic(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return undefined;
  }
}

function isGraphScope(scope: string, origin: string): boolean {
  const resource = scope.slice(0, -'/.default'.length).replace(/\/$/, '');
  return graphResources.has(resource.toLowerCase()) || resource === origin;
}

/** Answers one token request. */
export function answerTokenRequest(
  request: { tenant: string; contentType: string | undefined; authorization: string | undefined; body: string },
  ctx: TokenContext,
): TokenAnswer {
  const now = ctx.now;
  if (request.tenant.toLowerCase() !== ctx.tenant.toLowerCase()) {
    return aadError(400, 'invalid_request', 90002, `Tenant '${request.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, now);
  }
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.contentType ?? '')) {
    return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.", now);
  }
  const form = new URLSearchParams(request.body);
  const grantType = form.get('grant_type');
  if (!grantType) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.", now);
  if (grantType !== 'client_credentials') {
    return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'; this emulator issues client_credentials tokens only.`, now);
  }
  const basic = readBasic(request.authorization);
  const clientId = basic?.id ?? form.get('client_id');
  if (!clientId) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.", now);
  const scope = form.get('scope');
  if (!scope) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.", now);
  if (!scope.endsWith('/.default') || scope.includes(' ')) {
    return aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, now);
  }
  if (!isGraphScope(scope, ctx.origin)) {
    return aadError(400, 'invalid_resource', 500011, `The resource principal named ${scope.slice(0, -'/.default'.length)} was not found in the tenant named ${ctx.tenant}.`, now);
  }
  const app = ctx.apps.find((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
  if (!app) {
    return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${ctx.tenant}'.`, now);
  }
  if (form.has('client_assertion')) {
    return aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation: this emulator accepts client secrets only.', now);
  }
  const secret = basic?.secret ?? form.get('client_secret');
  if (!secret) return aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", now);
  if (secret !== app.clientSecret) {
    return aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`, now);
  }
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: ctx.lifetimeSeconds,
      ext_expires_in: ctx.lifetimeSeconds,
      access_token: ctx.issuer.issue(app, now, ctx.validitySeconds),
    },
  };
}
