// How to reach the fleet: one parser for every command that talks to devices (plan, why, run,
// demo). Flags win over environment variables; the result is frozen, secrets are wrapped in
// Secret so that logging the options never prints them. Bad values are UsageErrors naming the
// flag or variable.
import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.ts';
import { CloudNames, cloudEndpoints, graphApiVersion, type CloudName } from '../fleet/graph/clouds.ts';
import { FileSecret, Secret } from './secret.ts';

export const FleetAuthKinds = ['secret', 'certificate', 'workload-identity', 'managed-identity'] as const;
export type FleetAuthKind = (typeof FleetAuthKinds)[number];

/** Where and how to connect; see `fleetOptionsHelp` for each field's flag, variable and default. */
export interface FleetOptions {
  /** `emulator`: start an emulator in-process; `graph`: talk to a Graph endpoint (a cloud, or an emulator started apart). */
  readonly target: 'emulator' | 'graph';
  /** Default `global`. */
  readonly cloud: CloudName;
  /** Graph base with version, default the cloud's host + /beta. */
  readonly graphUrl: string;
  /** Authority (sign-in) base, default the cloud's login host; for an http loopback Graph URL, its origin. */
  readonly loginUrl: string;
  readonly tenant: string | null;
  readonly clientId: string | null;
  /** null for the in-process emulator (it makes its own app). */
  readonly auth: FleetAuthKind | null;
  readonly clientSecret: Secret | null;
  readonly certificatePath: string | null;
  readonly certificatePassword: Secret | null;
  readonly federatedTokenFile: string | null;
  /** Starting (and highest) request rate, per second, inner $batch requests counted. Default 30. */
  readonly rate: number;
  /** Per-request timeout (ms). Default 30 000. */
  readonly timeoutMs: number;
}

export interface ParseFleetOptionsSettings {
  /**
   * What to use when neither flags nor environment name a fleet: the emulator (demo, plan),
   * nothing (an error), or `tenants` (run: each declared Tenant brings its own credentials; the
   * result has `single: false` and its options carry only the endpoints, cloud, rate and
   * timeout, e.g. a loopback emulator's --graph-url). Default `none`.
   */
  readonly fallback?: 'emulator' | 'none' | 'tenants';
  /** Reads --client-secret-file, at start and again when it changes (tests inject it). */
  readonly readFile?: (path: string) => string;
}

/** One line per option, for a command's --help. */
export const fleetOptionsHelp = `Fleet connection (flags win over environment variables):
  --emulator                  use a built-in emulator of the Graph device API          FIRMWARDEN_EMULATOR=1
  --cloud NAME                global | usgov | usgov-dod | china (default global)      FIRMWARDEN_CLOUD
  --tenant ID                 directory (tenant) id or domain                          AZURE_TENANT_ID
  --client-id ID              application (client) id                                  AZURE_CLIENT_ID
  --auth KIND                 secret | certificate | workload-identity | managed-identity
                              (default: inferred from the credential given)            FIRMWARDEN_FLEET_AUTH
  --client-secret-file PATH   file holding the client secret                           FIRMWARDEN_CLIENT_SECRET_FILE
  --client-secret VALUE       the secret itself (visible to other users: prefer the file or the variable)
                                                                                       AZURE_CLIENT_SECRET
  --certificate PATH          PEM with certificate and private key                    AZURE_CLIENT_CERTIFICATE_PATH
                              (password: AZURE_CLIENT_CERTIFICATE_PASSWORD)
  --federated-token-file PATH workload identity token file                            AZURE_FEDERATED_TOKEN_FILE
  --graph-url URL             Graph base URL (default per cloud, e.g. https://graph.microsoft.com/beta)
                                                                                       FIRMWARDEN_GRAPH_URL
  --login-url URL             sign-in authority (default per cloud)                    FIRMWARDEN_LOGIN_URL
  --fleet-rate N              requests per second to start at and never exceed (default 30)
                                                                                       FIRMWARDEN_FLEET_RATE
  --fleet-timeout SECONDS     per-request timeout (default 30)                         FIRMWARDEN_FLEET_TIMEOUT
`;

const valueFlags = [
  '--cloud', '--tenant', '--client-id', '--auth', '--client-secret', '--client-secret-file', '--certificate', '--federated-token-file',
  '--graph-url', '--login-url', '--fleet-rate', '--fleet-timeout',
] as const;
type ValueFlag = (typeof valueFlags)[number];

/** The fleet connection flags that take a value (all but --emulator). */
export const fleetValueFlagNames: readonly string[] = valueFlags;

/** Every fleet connection flag, for "did you mean" on a mistyped one. */
export const fleetFlagNames: readonly string[] = ['--emulator', ...valueFlags];

/** Flags naming a remote fleet: they cannot be combined with --emulator. */
const connectionFlags: readonly ValueFlag[] = [
  '--tenant', '--client-id', '--auth', '--client-secret', '--client-secret-file', '--certificate', '--federated-token-file', '--graph-url', '--login-url', '--cloud',
];

interface Source {
  readonly value: string;
  /** The flag or variable it came from, for error messages. */
  readonly from: string;
}

function splitArgs(args: readonly string[]): { flags: Map<ValueFlag, string>; emulator: boolean; rest: string[] } {
  const flags = new Map<ValueFlag, string>();
  const rest: string[] = [];
  let emulator = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg === '--emulator') {
      emulator = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(0, eq) : arg) as ValueFlag;
    if (!(valueFlags as readonly string[]).includes(name)) {
      rest.push(arg);
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
      i++;
    }
    if (value.trim() === '') throw new UsageError(`${name} needs a non-empty value`);
    flags.set(name, value);
  }
  return { flags, emulator, rest };
}

/** The arguments that are not fleet connection flags, so a command can check its own flags first. */
export function withoutFleetFlags(args: readonly string[]): string[] {
  return splitArgs(args).rest;
}

function pick(flags: Map<ValueFlag, string>, flag: ValueFlag, env: Readonly<Record<string, string | undefined>>, ...vars: string[]): Source | undefined {
  const fromFlag = flags.get(flag);
  if (fromFlag !== undefined) return { value: fromFlag, from: flag };
  for (const name of vars) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { value: value.trim(), from: name };
  }
  return undefined;
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}

function checkUrl(source: Source): URL {
  let url: URL;
  try {
    url = new URL(source.value);
  } catch {
    throw new UsageError(`${source.from}: not a URL: ${source.value}`);
  }
  if (url.protocol === 'https:') return url;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && loopback) return url;
  throw new UsageError(`${source.from}: must be an https URL (plain http only on 127.0.0.1/localhost): ${source.value}`);
}

function checkNumber(source: Source | undefined, fallback: number, min: number, max: number): number {
  if (!source) return fallback;
  const value = Number(source.value);
  if (!Number.isFinite(value) || value <= min || value > max) throw new UsageError(`${source.from}: must be a number above ${min} and at most ${max}, got ${source.value}`);
  return value;
}

function checkId(source: Source | undefined): string | null {
  if (!source) return null;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(source.value)) throw new UsageError(`${source.from}: not a valid id or domain: ${source.value}`);
  return source.value;
}

/**
 * Parses the fleet connection flags out of `args` (other arguments are returned in `rest`, in
 * order) and completes them from `env`.
 */
export function parseFleetOptions(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  settings: ParseFleetOptionsSettings = {},
): { options: FleetOptions; rest: string[]; single: boolean } {
  const { flags, emulator: emulatorFlag, rest } = splitArgs(args);
  const readFile = settings.readFile ?? ((path: string) => readFileSync(path, 'utf8'));

  const rate = checkNumber(pick(flags, '--fleet-rate', env, 'FIRMWARDEN_FLEET_RATE'), 30, 0, 10_000);
  const timeoutMs = checkNumber(pick(flags, '--fleet-timeout', env, 'FIRMWARDEN_FLEET_TIMEOUT'), 30, 0, 600) * 1000;
  const cloudSource = pick(flags, '--cloud', env, 'FIRMWARDEN_CLOUD');
  if (cloudSource && !(CloudNames as readonly string[]).includes(cloudSource.value)) {
    throw new UsageError(`${cloudSource.from}: unknown cloud ${JSON.stringify(cloudSource.value)}; one of ${CloudNames.join(', ')}`);
  }
  const cloud = (cloudSource?.value ?? 'global') as CloudName;
  const endpoints = cloudEndpoints[cloud];

  if (emulatorFlag) {
    const clash = connectionFlags.find((f) => flags.has(f));
    if (clash) throw new UsageError(`--emulator cannot be combined with ${clash}`);
  }
  const graphSource = pick(flags, '--graph-url', env, 'FIRMWARDEN_GRAPH_URL');
  const tenantSource = pick(flags, '--tenant', env, 'AZURE_TENANT_ID');
  const clientIdSource = pick(flags, '--client-id', env, 'AZURE_CLIENT_ID');
  const authSource = pick(flags, '--auth', env, 'FIRMWARDEN_FLEET_AUTH');
  const namesFleet = graphSource !== undefined || tenantSource !== undefined || clientIdSource !== undefined || authSource?.value === 'managed-identity';
  const emulator = emulatorFlag || (!namesFleet && isTruthy(env['FIRMWARDEN_EMULATOR'])) || (!namesFleet && settings.fallback === 'emulator');

  if (emulator) {
    return {
      options: Object.freeze({
        target: 'emulator', cloud, graphUrl: '', loginUrl: '', tenant: null, clientId: null, auth: null, clientSecret: null,
        certificatePath: null, certificatePassword: null, federatedTokenFile: null, rate, timeoutMs,
      }),
      rest,
      single: true,
    };
  }
  // A tenant, an app or a way to sign in names a single-tenant connection; a Graph URL alone
  // (an emulator serving the Tenants) does not, for a command that can serve Tenants only.
  const namesSingle = tenantSource !== undefined || clientIdSource !== undefined || authSource !== undefined;
  const graph = graphSource ? checkUrl(graphSource) : new URL(`${endpoints.graphHost}/${graphApiVersion}`);
  const graphPath = graph.pathname.replace(/\/+$/, '');
  const graphUrl = `${graph.origin}${graphPath === '' ? `/${graphApiVersion}` : graphPath}`;
  const loginSource = pick(flags, '--login-url', env, 'FIRMWARDEN_LOGIN_URL');
  // An emulator started apart serves its token endpoint next to the API: default to its origin.
  const loginUrl = loginSource
    ? checkUrl(loginSource).toString().replace(/\/+$/, '')
    : graph.protocol === 'http:' ? graph.origin : endpoints.loginHost;
  if (settings.fallback === 'tenants' && !namesSingle) {
    return {
      options: Object.freeze({
        target: 'graph', cloud, graphUrl, loginUrl, tenant: null, clientId: null, auth: null, clientSecret: null, certificatePath: null, certificatePassword: null, federatedTokenFile: null, rate, timeoutMs,
      }),
      rest,
      single: false,
    };
  }
  if (!namesFleet) {
    // Never fall back to the emulator silently: a CI job whose secret is missing would post a
    // plan of invented devices as if it were the tenant's.
    throw new UsageError(
      'no fleet credentials: set AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET (or FIRMWARDEN_CLIENT_SECRET_FILE, '
        + 'AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE), or give --tenant, --client-id and --client-secret-file; '
        + 'add --emulator to try the built-in emulated fleet instead',
    );
  }

  const tenant = checkId(tenantSource);
  const clientId = checkId(clientIdSource);
  const secretFile = pick(flags, '--client-secret-file', env, 'FIRMWARDEN_CLIENT_SECRET_FILE');
  const secretValue = pick(flags, '--client-secret', env, 'AZURE_CLIENT_SECRET');
  let clientSecret: Secret | null = null;
  if (secretFile) {
    let text: string;
    try {
      text = readFile(secretFile.value);
    } catch (error) {
      throw new UsageError(`${secretFile.from}: cannot read ${secretFile.value} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (text.trim() === '') throw new UsageError(`${secretFile.from}: ${secretFile.value} is empty`);
    // Read again at each token request when the file has changed: a rotated secret needs no restart.
    clientSecret = new FileSecret(secretFile.value, text.trim(), { readFile });
  } else if (secretValue) {
    clientSecret = new Secret(secretValue.value);
  }
  const certificate = pick(flags, '--certificate', env, 'AZURE_CLIENT_CERTIFICATE_PATH');
  const certificatePasswordValue = env['AZURE_CLIENT_CERTIFICATE_PASSWORD'];
  const federated = pick(flags, '--federated-token-file', env, 'AZURE_FEDERATED_TOKEN_FILE');

  if (authSource && !(FleetAuthKinds as readonly string[]).includes(authSource.value)) {
    throw new UsageError(`${authSource.from}: unknown authentication ${JSON.stringify(authSource.value)}; one of ${FleetAuthKinds.join(', ')}`);
  }
  // Explicit flags decide before ambient variables: --certificate beats an AZURE_CLIENT_SECRET in the shell.
  const inferred: FleetAuthKind | undefined =
    certificate?.from.startsWith('--') ? 'certificate'
    : clientSecret && (secretFile?.from.startsWith('--') || secretValue?.from.startsWith('--')) ? 'secret'
    : federated?.from.startsWith('--') ? 'workload-identity'
    : certificate ? 'certificate'
    : clientSecret ? 'secret'
    : federated ? 'workload-identity'
    : undefined;
  const auth = (authSource?.value as FleetAuthKind | undefined) ?? inferred;
  if (!auth) throw new UsageError('no credential: give --client-secret-file, --certificate, --auth workload-identity or --auth managed-identity');
  const need = (ok: unknown, what: string) => {
    if (!ok) throw new UsageError(`--auth ${auth} needs ${what}`);
  };
  if (auth !== 'managed-identity') {
    need(tenant, '--tenant (or AZURE_TENANT_ID)');
    need(clientId, '--client-id (or AZURE_CLIENT_ID)');
  }
  if (auth === 'secret') need(clientSecret, '--client-secret-file (or AZURE_CLIENT_SECRET)');
  if (auth === 'certificate') need(certificate, '--certificate (or AZURE_CLIENT_CERTIFICATE_PATH)');
  if (auth === 'workload-identity') need(federated, '--federated-token-file (or AZURE_FEDERATED_TOKEN_FILE)');
  if ((graph.protocol === 'http:' || loginUrl.startsWith('http:')) && auth !== 'secret') {
    throw new UsageError(`${graph.protocol === 'http:' ? (graphSource as Source).from : (loginSource as Source).from}: a plain-http fleet (an emulator) accepts only --auth secret, not ${auth}`);
  }

  return {
    options: Object.freeze({
      target: 'graph',
      cloud,
      graphUrl,
      loginUrl,
      tenant,
      clientId,
      auth,
      clientSecret: auth === 'secret' ? clientSecret : null,
      certificatePath: auth === 'certificate' ? (certificate?.value ?? null) : null,
      certificatePassword: auth === 'certificate' && certificatePasswordValue ? new Secret(certificatePasswordValue) : null,
      federatedTokenFile: auth === 'workload-identity' ? (federated?.value ?? null) : null,
      rate,
      timeoutMs,
    }),
    rest,
    single: true,
  };
}
