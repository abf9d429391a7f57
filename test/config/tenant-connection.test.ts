// A Tenant manifest to the connection of that tenant: the settings (cloud hosts, rate, which
// credential), then for real against the emulator serving three tenants over loopback: a Tenant
// for tenant A signs in as A and sees A's devices only; a client secret is read from its
// secretRef (file, environment, Kubernetes Secret reader) again at each sign-in; a wrong or
// missing secret fails that tenant alone; no secret value reaches a log line or an error.
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { connectTenant, tenantFleetSettings, TenantConnectionError, type TenantConnectionSettings } from '../../controller/config/tenant-connection.ts';
import { startEmulator } from '../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle, TenantInfo } from '../../controller/fleet/emulator/emulator-options.ts';
import { createLogger } from '../../controller/log/logger.ts';
import { ManualClock } from '../../controller/model/clock.ts';
import { FleetError } from '../../controller/model/fleet.ts';
import type { Tenant } from '../../controller/model/manifests.generated.ts';
import { validateTenant } from '../../controller/manifest/schema-validators.generated.js';

/** A Tenant manifest, checked against the schema so the tests only use what users can write. */
function tenantManifest(namespace: string, spec: Partial<Tenant['spec']> & Pick<Tenant['spec'], 'credentials'>): Tenant {
  const tenant: Tenant = {
    apiVersion: 'firmwarden.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name: namespace, namespace },
    spec: { tenantId: `${namespace}.onmicrosoft.com`, clientId: '00000000-0000-4000-8000-000000000001', ...spec },
  };
  assert.ok(validateTenant(tenant), JSON.stringify(validateTenant.errors));
  return tenant;
}

const noSecrets: TenantConnectionSettings = { secrets: { env: {} } };

test('each cloud signs in at its own hosts; the rate is 30 per second unless the Tenant says', () => {
  const rows: [Tenant['spec']['cloud'], string, string][] = [
    [undefined, 'https://graph.microsoft.com/beta', 'https://login.microsoftonline.com'],
    ['Global', 'https://graph.microsoft.com/beta', 'https://login.microsoftonline.com'],
    ['USGov', 'https://graph.microsoft.us/beta', 'https://login.microsoftonline.us'],
    ['USGovDoD', 'https://dod-graph.microsoft.us/beta', 'https://login.microsoftonline.us'],
    ['China', 'https://microsoftgraph.chinacloudapi.cn/beta', 'https://login.chinacloudapi.cn'],
  ];
  for (const [cloud, graphUrl, loginUrl] of rows) {
    const s = tenantFleetSettings(tenantManifest('contoso', { ...(cloud ? { cloud } : {}), credentials: { workloadIdentity: { tokenFile: '/var/run/token' } } }), noSecrets);
    assert.equal([s.graphUrl, s.loginUrl, s.rate], [graphUrl, loginUrl, 30], String(cloud));
  }
  const slow = tenantFleetSettings(tenantManifest('contoso', { rateLimitPerSecond: 5, credentials: { workloadIdentity: { tokenFile: '/t' } } }), noSecrets);
  assert.is(slow.rate, 5);
  const emulated = tenantFleetSettings(tenantManifest('contoso', { cloud: 'USGov', credentials: { workloadIdentity: { tokenFile: '/t' } } }), { ...noSecrets, endpoints: { graphUrl: 'http://127.0.0.1:9/beta/', loginUrl: 'http://127.0.0.1:9' } });
  assert.equal([emulated.graphUrl, emulated.loginUrl, emulated.cloud], ['http://127.0.0.1:9/beta', 'http://127.0.0.1:9', 'usgov'], 'the run\'s endpoints (an emulator) win over the cloud\'s hosts');
});

test('each credential goes to the sign-in code the single-tenant flags use', () => {
  const settings = { secrets: { env: { AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token' } } };
  const auth = (credentials: Tenant['spec']['credentials']) => tenantFleetSettings(tenantManifest('contoso', { credentials }), settings).auth;
  const secret = auth({ clientSecret: { secretRef: { name: 'graph', key: 'secret' } } });
  assert.equal([secret.kind, secret.kind === 'secret' && typeof secret.clientSecret.load], ['secret', 'function'], 'read from its secretRef at each sign-in');
  const certFile = auth({ certificate: { secretRef: { file: '/etc/firmwarden/contoso.pem' } } });
  assert.equal(certFile, { kind: 'certificate', tenant: 'contoso.onmicrosoft.com', clientId: '00000000-0000-4000-8000-000000000001', certificatePath: '/etc/firmwarden/contoso.pem' }, 'a PEM file by path, as --certificate');
  const certEnv = auth({ certificate: { secretRef: { env: 'CONTOSO_PEM' } } });
  assert.ok(certEnv.kind === 'certificate' && certEnv.certificatePem !== undefined, 'PEM text from a variable or a Secret');
  assert.equal(auth({ workloadIdentity: {} }), { kind: 'workload-identity', tenant: 'contoso.onmicrosoft.com', clientId: '00000000-0000-4000-8000-000000000001', tokenFilePath: '/var/run/secrets/azure/tokens/azure-identity-token' });
  assert.equal(auth({ workloadIdentity: { tokenFile: '/own/token' } }), { kind: 'workload-identity', tenant: 'contoso.onmicrosoft.com', clientId: '00000000-0000-4000-8000-000000000001', tokenFilePath: '/own/token' });
  assert.throws(
    () => tenantFleetSettings(tenantManifest('contoso', { credentials: { workloadIdentity: {} } }), noSecrets),
    (e: Error) => e instanceof TenantConnectionError && e.message === 'Tenant contoso/contoso spec.credentials.workloadIdentity: no token file; set tokenFile, or run the controller with Workload ID enabled on its pod (which sets AZURE_FEDERATED_TOKEN_FILE)',
  );
});

const emulated = suite<{ emulator: EmulatorHandle; a: TenantInfo; b: TenantInfo; clock: ManualClock; dir: string; logs: string[] }>('Tenants against the emulator serving three tenants');

emulated.before.each(async (ctx) => {
  ctx.clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  ctx.emulator = await startEmulator({ tenants: 3, devices: 12, rateLimit: 0, failureRate: 0, clock: ctx.clock, tokenLifetimeSeconds: 240 });
  // Neither is the first tenant, on which requests of no known tenant would fall back.
  [, ctx.a, ctx.b] = ctx.emulator.tenants().tenants as [TenantInfo, TenantInfo, TenantInfo];
  ctx.dir = mkdtempSync(join(tmpdir(), 'fw-tenant-'));
  ctx.logs = [];
});
emulated.after.each(async (ctx) => {
  await ctx.emulator.close();
  rmSync(ctx.dir, { recursive: true, force: true });
});

function connect(ctx: { emulator: EmulatorHandle; clock: ManualClock; logs: string[] }, tenant: Tenant, secrets: TenantConnectionSettings['secrets']) {
  const logger = createLogger({ level: 'debug', destination: new Writable({ write(c, _e, done) { ctx.logs.push(String(c)); done(); } }) });
  return connectTenant(tenant, { secrets, endpoints: { graphUrl: ctx.emulator.graphBaseUrl, loginUrl: ctx.emulator.loginBaseUrl } }, { logger, clock: ctx.clock });
}

const ids = (list: readonly { id: string }[]) => list.map((d) => d.id).sort();

emulated("a Tenant for A signs in as A and sees exactly A's devices; B's Tenant B's; A's fleet does not find B's device", async (ctx) => {
  const { a, b } = ctx;
  writeFileSync(join(ctx.dir, 'a-secret'), `${a.clientSecret}\n`);
  const fleetA = connect(ctx, tenantManifest('contoso', { tenantId: a.tenantId, clientId: a.clientId, credentials: { clientSecret: { secretRef: { file: join(ctx.dir, 'a-secret') } } } }), { env: {} });
  const fleetB = connect(ctx, tenantManifest('fabrikam', { tenantId: b.tenantId, clientId: b.clientId, credentials: { clientSecret: { secretRef: { env: 'FABRIKAM_SECRET' } } } }), { env: { FABRIKAM_SECRET: b.clientSecret } });
  const devicesA = await fleetA.fleet.listDevices();
  const devicesB = await fleetB.fleet.listDevices();
  assert.equal(ids(devicesA), ids(ctx.emulator.tenantControl(a.tenantId).devices({ limit: 100 })));
  assert.equal(ids(devicesB), ids(ctx.emulator.tenantControl(b.tenantId).devices({ limit: 100 })));
  assert.is(devicesA.length, 12);
  assert.ok(devicesA.every((d) => !ids(devicesB).includes(d.id)), 'no device in both');
  assert.is(await fleetA.fleet.getDevice(devicesB[0]!.id), undefined, "B's device id is not found through A's connection");
  assert.is(ctx.emulator.tenantControl(a.tenantId).stats().tokenRequests, 1, 'one sign-in, in A');
  assert.is(ctx.emulator.tenantControl(b.tenantId).stats().tokenRequests, 1, 'one sign-in, in B');
  const text = ctx.logs.join('');
  assert.match(text, '"tenant":"contoso"');
  assert.ok(![a.clientSecret, b.clientSecret].some((s) => text.includes(s)), 'no secret in the logs');
});

emulated('the secret is read again at the next sign-in: a rotated file and a rotated Kubernetes Secret need no restart', async (ctx) => {
  const { a, b } = ctx;
  const file = join(ctx.dir, 'a-secret');
  writeFileSync(file, a.clientSecret);
  const kube = { value: b.clientSecret, reads: [] as string[] };
  const secrets = { env: {}, kubeSecret: async (namespace: string, name: string, key: string) => (kube.reads.push(`${namespace}/${name}/${key}`), kube.value) };
  const fleetA = connect(ctx, tenantManifest('contoso', { tenantId: a.tenantId, clientId: a.clientId, credentials: { clientSecret: { secretRef: { file } } } }), secrets);
  const fleetB = connect(ctx, tenantManifest('fabrikam', { tenantId: b.tenantId, clientId: b.clientId, credentials: { clientSecret: { secretRef: { name: 'graph', key: 'client-secret' } } } }), secrets);
  await fleetA.fleet.listDevices();
  await fleetB.fleet.listDevices();
  assert.equal(kube.reads, ['fabrikam/graph/client-secret'], "read in the Tenant's own namespace, at sign-in");
  await fleetB.fleet.listDevices();
  assert.is(kube.reads.length, 1, 'a token in hand needs no read');

  ctx.emulator.tenantControl(a.tenantId).setClientSecret(a.clientId, 'contoso-rotated-secret-1');
  writeFileSync(file, 'contoso-rotated-secret-1\n');
  ctx.emulator.tenantControl(b.tenantId).setClientSecret(b.clientId, 'fabrikam-rotated-secret-1');
  kube.value = 'fabrikam-rotated-secret-1';
  ctx.clock.advance(3 * 60_000); // past renewal: the next request signs in again
  assert.is((await fleetA.fleet.listDevices()).length, 12);
  assert.is((await fleetB.fleet.listDevices()).length, 12);
  assert.is(ctx.emulator.tenantControl(a.tenantId).stats().tokenRequests, 2);
  assert.is(kube.reads.length, 2);
  assert.ok(!ctx.logs.join('').includes('rotated-secret'), 'no secret in the logs');
});

emulated("a wrong or missing secret fails that tenant's sign-in alone; the error names the Tenant and where, never a value", async (ctx) => {
  const { a, b } = ctx;
  const fleetA = connect(ctx, tenantManifest('contoso', { tenantId: a.tenantId, clientId: a.clientId, credentials: { clientSecret: { secretRef: { env: 'CONTOSO_SECRET' } } } }), { env: { CONTOSO_SECRET: a.clientSecret } });
  // B's app with A's secret: a secret of another tenant never signs in.
  const wrong = connect(ctx, tenantManifest('fabrikam', { tenantId: b.tenantId, clientId: b.clientId, credentials: { clientSecret: { secretRef: { env: 'FABRIKAM_SECRET' } } } }), { env: { FABRIKAM_SECRET: a.clientSecret } });
  const missing = connect(ctx, tenantManifest('northwind', { tenantId: b.tenantId, clientId: b.clientId, credentials: { clientSecret: { secretRef: { env: 'NORTHWIND_SECRET' } } } }), { env: {} });
  const failure = async (p: Promise<unknown>): Promise<FleetError> => {
    try {
      await p;
    } catch (error) {
      return error as FleetError;
    }
    throw new Error('signed in');
  };
  const refused = await failure(wrong.fleet.listDevices());
  assert.instance(refused, FleetError);
  assert.is(refused.retryable, false);
  assert.ok(!refused.message.includes(a.clientSecret) && !inspect(refused).includes(a.clientSecret), refused.message);
  const absent = await failure(missing.fleet.listDevices());
  assert.instance(absent, FleetError);
  assert.is(absent.message, "cannot sign in: Tenant northwind/northwind spec.credentials.clientSecret.secretRef: the environment variable NORTHWIND_SECRET is not set in the controller's process");
  assert.is(ctx.emulator.tenantControl(b.tenantId).stats().tokenRequests, 1, 'the missing secret was never sent');
  assert.is((await fleetA.fleet.listDevices()).length, 12, 'the other tenant goes on');
  const text = ctx.logs.join('');
  assert.ok(!text.includes(a.clientSecret) && !text.includes(b.clientSecret), 'no secret in the logs');
});

test('the settings print without their secrets', async () => {
  const s = tenantFleetSettings(tenantManifest('contoso', { credentials: { clientSecret: { secretRef: { env: 'S' } } } }), { secrets: { env: { S: 'very-secret-value-123' } } });
  assert.ok(s.auth.kind === 'secret' && s.auth.clientSecret.load);
  await s.auth.clientSecret.load!();
  assert.is(s.auth.clientSecret.reveal(), 'very-secret-value-123');
  for (const shown of [JSON.stringify(s), inspect(s, { depth: 10 }), String(s.auth.clientSecret)]) assert.not.match(shown, 'very-secret-value-123');
});

test.run();
emulated.run();
