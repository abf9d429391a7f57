// From a Tenant manifest to the connection of that one tenant: the cloud's Graph and sign-in
// hosts (fleet/graph/clouds.ts), the app, and the credential, signed in with the same code as
// the single-tenant flags (fleet/graph/credentials.ts). A client secret or a certificate's PEM
// text is read from its secretRef again before each sign-in (file, environment variable, or a
// Kubernetes Secret through the reader passed in), so rotating it needs no restart. A secret's
// value is never logged and never in an error: errors name the Tenant, the field and where the
// controller looked. Wiring (config/): it stands above the adapters it joins.
import type { Tenant } from '../model/manifests.generated.ts';
import { FleetError } from '../model/fleet.ts';
import { cloudEndpoints, graphApiVersion, type CloudName } from '../fleet/graph/clouds.ts';
import type { GraphAuth, SignInSecret } from '../fleet/graph/credentials.ts';
import { createGraphFleet, type CreateFleetDeps, type GraphFleet } from '../fleet/index.ts';
import { normalizeGraphBase } from '../fleet/graph/graph-urls.ts';
import { readSecretRef, type SecretRefSpec, type SecretSources } from '../notify/secret-ref.ts';
import { Secret } from './secret.ts';

/** The schema's cloud names, to the Graph adapter's. */
export const tenantClouds: Readonly<Record<NonNullable<Tenant['spec']['cloud']>, CloudName>> = {
  Global: 'global',
  USGov: 'usgov',
  USGovDoD: 'usgov-dod',
  China: 'china',
};

/** The documented limit per app per tenant for the device calls: a Tenant's default rate. */
export const defaultTenantRate = 30;

/** A Tenant that cannot be connected as written; the message names the Tenant and the field. */
export class TenantConnectionError extends Error {
  override readonly name = 'TenantConnectionError';
}

export interface TenantConnectionSettings {
  /** Where secrets are read: the environment, files, and Kubernetes Secrets (kube/secret-reader.ts, run --kubernetes only). */
  readonly secrets: SecretSources;
  /**
   * Graph and sign-in base URLs to use instead of the cloud's, for every tenant (the run's
   * --graph-url and --login-url: an emulator on loopback serving several tenants).
   */
  readonly endpoints?: { readonly graphUrl: string; readonly loginUrl: string } | undefined;
  /** Per-request timeout (ms). Default 30 000. */
  readonly timeoutMs?: number | undefined;
}

/** What the Graph adapter needs to reach one tenant (createGraphFleet's settings), and whose they are. */
export interface TenantFleetSettings {
  /** The Tenant's namespace: the tenant's name inside firmwarden. */
  readonly namespace: string;
  readonly tenantId: string;
  readonly cloud: CloudName;
  readonly graphUrl: string;
  readonly loginUrl: string;
  readonly auth: GraphAuth;
  /** Requests per second, at most (spec.rateLimitPerSecond, default 30). */
  readonly rate: number;
  readonly timeoutMs: number;
}

/** One tenant's fleet. */
export interface TenantConnection {
  readonly namespace: string;
  readonly tenantId: string;
  readonly fleet: GraphFleet;
  readonly graphUrl: string;
}

/**
 * A secret read from its secretRef before each sign-in; reveal() gives the value last read.
 * Printing or serialising it gives "[redacted]" (config/secret.ts).
 */
class SecretRefValue extends Secret implements SignInSecret {
  readonly #state: { value: string | undefined };
  readonly #read: () => Promise<string>;

  constructor(read: () => Promise<string>) {
    const state: { value: string | undefined } = { value: undefined };
    super(() => state.value ?? '');
    this.#state = state;
    this.#read = read;
  }

  async load(): Promise<void> {
    this.#state.value = await this.#read();
  }
}

function secretFrom(ref: SecretRefSpec, namespace: string, where: string, sources: SecretSources): SecretRefValue {
  return new SecretRefValue(async () => {
    try {
      return await readSecretRef(ref, namespace, where, sources);
    } catch (error) {
      // SecretRefError names the field and where it looked, never a value. Not retried: a
      // missing secret stays missing until someone adds it; the next sign-in reads it again.
      throw new FleetError(`cannot sign in: ${error instanceof Error ? error.message : String(error)}`, { retryable: false, code: 'authenticationFailed' });
    }
  });
}

/** The connection settings of a Tenant (valid by the schema). Secrets are not read here but at each sign-in. */
export function tenantFleetSettings(tenant: Tenant, settings: TenantConnectionSettings): TenantFleetSettings {
  const namespace = tenant.metadata.namespace ?? 'default';
  const name = `Tenant ${namespace}/${tenant.metadata.name}`;
  const { tenantId, clientId, credentials } = tenant.spec;
  const cloud = tenantClouds[tenant.spec.cloud ?? 'Global'];
  const where = (field: string) => `${name} spec.credentials.${field}`;
  let auth: GraphAuth;
  if (credentials.clientSecret) {
    auth = { kind: 'secret', tenant: tenantId, clientId, clientSecret: secretFrom(credentials.clientSecret.secretRef, namespace, where('clientSecret.secretRef'), settings.secrets) };
  } else if (credentials.certificate) {
    const ref = credentials.certificate.secretRef;
    // A PEM file goes to the identity library by path, as --certificate does: it reads the file at each sign-in.
    auth = ref.file !== undefined && ref.env === undefined && ref.name === undefined
      ? { kind: 'certificate', tenant: tenantId, clientId, certificatePath: ref.file }
      : { kind: 'certificate', tenant: tenantId, clientId, certificatePath: '', certificatePem: secretFrom(ref, namespace, where('certificate.secretRef'), settings.secrets) };
  } else if (credentials.workloadIdentity) {
    const tokenFile = credentials.workloadIdentity.tokenFile ?? settings.secrets.env['AZURE_FEDERATED_TOKEN_FILE'];
    if (tokenFile === undefined || tokenFile.trim() === '') {
      throw new TenantConnectionError(`${where('workloadIdentity')}: no token file; set tokenFile, or run the controller with Workload ID enabled on its pod (which sets AZURE_FEDERATED_TOKEN_FILE)`);
    }
    auth = { kind: 'workload-identity', tenant: tenantId, clientId, tokenFilePath: tokenFile.trim() };
  } else {
    throw new TenantConnectionError(`${name} spec.credentials: give one of clientSecret, certificate or workloadIdentity`);
  }
  const endpoints = settings.endpoints ?? { graphUrl: `${cloudEndpoints[cloud].graphHost}/${graphApiVersion}`, loginUrl: cloudEndpoints[cloud].loginHost };
  return {
    namespace,
    tenantId,
    cloud,
    graphUrl: normalizeGraphBase(endpoints.graphUrl),
    loginUrl: endpoints.loginUrl,
    auth,
    rate: tenant.spec.rateLimitPerSecond ?? defaultTenantRate,
    timeoutMs: settings.timeoutMs ?? 30_000,
  };
}

/** The Graph adapter for one Tenant: its own token, its own pacer. */
export function connectTenant(tenant: Tenant, settings: TenantConnectionSettings, deps: CreateFleetDeps): TenantConnection {
  const s = tenantFleetSettings(tenant, settings);
  const logger = deps.logger.child({ tenant: s.namespace });
  const fleet = createGraphFleet({ graphUrl: s.graphUrl, loginUrl: s.loginUrl, auth: s.auth, rate: s.rate, timeoutMs: s.timeoutMs }, { ...deps, logger });
  logger.info({ component: 'fleet', target: 'graph', cloud: s.cloud, graphUrl: s.graphUrl, auth: s.auth.kind }, 'tenant fleet connected');
  return { namespace: s.namespace, tenantId: s.tenantId, fleet, graphUrl: s.graphUrl };
}
