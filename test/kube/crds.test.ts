// The generated CRDs on a real API server, driven with the real kubectl: they install and
// become Established, the example manifests apply, the server's own validation rejects a bad
// resource with a message that names the field, printer columns and short names work, and the
// status subresource separates spec (generation) from status.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { startKubeEnv, type KubeEnv } from './envtest.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const crdNames = ['devicegroups.firmwarden.dev', 'updatepolicies.firmwarden.dev', 'scheduledupdates.firmwarden.dev', 'notificationchannels.firmwarden.dev', 'notificationrules.firmwarden.dev', 'tenants.firmwarden.dev'];

const crds = suite<{ env: KubeEnv | undefined }>('CRDs on kube-apiserver', { env: undefined });

crds.before(async (ctx) => {
  ctx.env = await startKubeEnv();
});
crds.after(async (ctx) => {
  await ctx.env?.close();
});

const kubectl = (env: KubeEnv | undefined, args: string[], input?: string) => env!.kubectl(args, { cwd: root, ...(input !== undefined ? { input } : {}) });

crds('kubectl apply -f crds/ installs every kind and they become Established', async ({ env }) => {
  const applied = await kubectl(env, ['apply', '-f', 'crds/']);
  assert.is(applied.code, 0, applied.stderr);
  for (const name of crdNames) assert.match(applied.stdout, `customresourcedefinition.apiextensions.k8s.io/${name} created`);
  const waited = await kubectl(env, ['wait', '--for=condition=Established', '--timeout=60s', ...crdNames.map((n) => `crd/${n}`)]);
  assert.is(waited.code, 0, waited.stderr);
  for (const name of crdNames) {
    const r = await env!.request('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    const conditions = (r.body as { status: { conditions: { type: string; status: string }[] } }).status.conditions;
    assert.ok(conditions.some((c) => c.type === 'Established' && c.status === 'True'), name);
    assert.ok(conditions.some((c) => c.type === 'NamesAccepted' && c.status === 'True'), name);
    // A structural schema is what lets the server prune and default; NonStructuralSchema would say otherwise.
    assert.not.ok(conditions.some((c) => c.type === 'NonStructuralSchema' && c.status === 'True'), name);
  }
});

crds('the example manifests apply with kubectl', async ({ env }) => {
  const applied = await kubectl(env, ['apply', '-f', 'examples/groups', '-f', 'examples/policies', '-f', 'examples/schedules']);
  assert.is(applied.code, 0, applied.stderr);
  const created = applied.stdout.trim().split('\n');
  assert.ok(created.length >= 9, applied.stdout);
  for (const line of created) assert.match(line, / created$/);
  assert.match(applied.stdout, 'devicegroup.firmwarden.dev/lab created');
  assert.match(applied.stdout, 'updatepolicy.firmwarden.dev/vip created');
  assert.match(applied.stdout, 'scheduledupdate.firmwarden.dev/teams-client-nyc created');
});

crds('the example notification channel and rules apply; a channel with its URL written in is refused by the server', async ({ env }) => {
  const applied = await kubectl(env, ['apply', '-f', 'examples/notifications']);
  assert.is(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, 'notificationchannel.firmwarden.dev/it-ops-teams created');
  assert.match(applied.stdout, 'notificationrule.firmwarden.dev/it-ops-trouble created');
  const url = { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'NotificationChannel', metadata: { name: 'leaky', namespace: 'default' }, spec: { type: 'teams', url: 'https://example.invalid/hook' } };
  const refused = await kubectl(env, ['create', '-f', '-'], JSON.stringify(url));
  assert.is.not(refused.code, 0);
  assert.match(refused.stderr, /unknown field "spec\.url"/);
});

crds('re-applying the examples is a no-op, client-side and server-side (as Flux applies)', async ({ env }) => {
  const files = ['-f', 'examples/groups', '-f', 'examples/policies', '-f', 'examples/schedules'];
  const versions = async () => env!.kubectlOk(['get', 'dg,up,su', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}']);
  const specs = async () => env!.kubectlOk(['get', 'dg,up,su', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec} {end}']);
  const specsBefore = await specs();
  const again = await kubectl(env, ['apply', ...files]);
  assert.is(again.code, 0, again.stderr);
  // A default inside items of an atomic list would make kubectl resend the list: "configured".
  for (const line of again.stdout.trim().split('\n')) assert.match(line, / unchanged$/, `${line}: is there a schema default inside the items of an atomic list?`);
  // The first server-side apply takes the fields over from client-side apply (managedFields
  // change, the spec does not); from then on it is a no-op.
  const migrated = await kubectl(env, ['apply', '--server-side', ...files]);
  assert.is(migrated.code, 0, migrated.stderr);
  assert.is(await specs(), specsBefore, 'the spec is untouched by the field-manager migration');
  const before = await versions();
  const serverSide = await kubectl(env, ['apply', '--server-side', ...files]);
  assert.is(serverSide.code, 0, serverSide.stderr);
  assert.is(await versions(), before, 'nothing was rewritten');
});

crds('defaults from the schema are applied by the server', async ({ env }) => {
  const out = await env!.kubectlOk(['get', 'devicegroup', 'general-nyc', '-o', 'jsonpath={.spec.license}/{.spec.priority}']);
  assert.match(out, /^(Pro|Basic)\/\d+$/);
});

crds('the server rejects an invalid DeviceGroup and names every bad field', async ({ env }) => {
  const bad = JSON.stringify({
    apiVersion: 'firmwarden.dev/v1alpha1',
    kind: 'DeviceGroup',
    metadata: { name: 'broken' },
    spec: { selector: { deviceTypes: ['toaster'] }, priority: 5000, license: 'Gold', timeZone: 'not a zone' },
  });
  const r = await kubectl(env, ['apply', '-f', '-'], bad);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /The DeviceGroup "broken" is invalid/);
  assert.match(r.stderr, /spec\.selector\.deviceTypes\[0\]: Unsupported value: "toaster"/);
  assert.match(r.stderr, /spec\.priority: Invalid value: 5000: spec\.priority in body should be less than or equal to 1000/);
  assert.match(r.stderr, /spec\.license: Unsupported value: "Gold": supported values: "Basic", "Pro"/);
  assert.match(r.stderr, /spec\.timeZone in body should match/);
  const gone = await kubectl(env, ['get', 'devicegroup', 'broken']);
  assert.is.not(gone.code, 0, 'nothing was stored');
});

crds('kubectl get shows the printer columns, by plural and by short name', async ({ env }) => {
  const all = await env!.kubectlOk(['get', 'devicegroups,updatepolicies,scheduledupdates']);
  assert.match(all, /NAME\s+POLICY\s+PHASE\s+DEVICES\s+UPDATES-UP-TO-DATE\s+UPDATES-FAILED\s+READY\s+AGE/);
  assert.match(all, /NAME\s+FIRMWARE\s+DEVICES\s+UPDATES-UP-TO-DATE\s+UPDATES-FAILED\s+SUSPENDED\s+READY\s+AGE/);
  assert.match(all, /NAME\s+GROUP\s+AT\s+DEVICES\s+UPDATES-SUCCEEDED\s+UPDATES-FAILED\s+READY\s+AGE/);
  assert.match(all, /devicegroup\.firmwarden\.dev\/lab\s+lab\s/);
  const short = await env!.kubectlOk(['get', 'dg,up,su', '-o', 'name']);
  const full = await env!.kubectlOk(['get', 'devicegroups,updatepolicies,scheduledupdates', '-o', 'name']);
  assert.is(short, full);
  const category = await env!.kubectlOk(['get', 'firmwarden', '-o', 'name']);
  const every = await env!.kubectlOk(['get', 'devicegroups,updatepolicies,scheduledupdates,notificationchannels,notificationrules,tenants', '-o', 'name']);
  assert.is(category.split('\n').sort().join('\n'), every.split('\n').sort().join('\n'));
});

crds('a Tenant applies and shows its tenant id and cloud (defaulted); a client secret written in is refused by the server', async ({ env }) => {
  const tenant = (credentials: unknown) => JSON.stringify({
    apiVersion: 'firmwarden.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name: 'contoso', namespace: 'default' },
    spec: { tenantId: 'contoso.onmicrosoft.com', clientId: '00000000-0000-4000-8000-000000000001', credentials },
  });
  const leaky = await kubectl(env, ['create', '-f', '-'], tenant({ clientSecret: 'abc' }));
  assert.is.not(leaky.code, 0);
  assert.match(leaky.stderr, /spec\.credentials\.clientSecret: Invalid value: "string": spec\.credentials\.clientSecret in body must be of type object/);
  const applied = await kubectl(env, ['apply', '-f', '-'], tenant({ clientSecret: { secretRef: { name: 'contoso-graph', key: 'client-secret' } } }));
  assert.is(applied.code, 0, applied.stderr);
  const columns = await env!.kubectlOk(['get', 'fwtenant', 'contoso']);
  assert.match(columns, /NAME\s+TENANT ID\s+CLOUD\s+AGE/);
  assert.match(columns, /contoso\s+contoso\.onmicrosoft\.com\s+Global\s/);
  await env!.kubectlOk(['delete', 'tenant.firmwarden.dev', 'contoso']);
});

crds('status written through the subresource shows in the columns', async ({ env }) => {
  const status = {
    observedGeneration: 1,
    devices: 12,
    phase: 'Test',
    updates: { upToDate: 10, failed: 1 },
    conditions: [{ type: 'Ready', status: 'False', reason: 'UpdatesFailing', message: 'one device failed', lastTransitionTime: '2026-01-05T09:00:00Z' }],
  };
  const current = (await env!.request('GET', '/apis/firmwarden.dev/v1alpha1/namespaces/default/devicegroups/lab')).body as Record<string, unknown>;
  const put = await env!.request('PUT', '/apis/firmwarden.dev/v1alpha1/namespaces/default/devicegroups/lab/status', { ...current, status });
  assert.is(put.status, 200, put.text);
  const row = (await env!.kubectlOk(['get', 'dg', 'lab', '--no-headers'])).trim().split(/\s+/);
  assert.equal(row.slice(0, 7), ['lab', 'lab', 'Test', '12', '10', '1', 'False']);
});

crds('spec changes bump metadata.generation; status writes do not, and cannot change spec', async ({ env }) => {
  const path = '/apis/firmwarden.dev/v1alpha1/namespaces/default/updatepolicies/general';
  const read = async () => (await env!.request('GET', path)).body as { metadata: { generation: number; resourceVersion: string }; spec: { description?: string }; status?: { observedGeneration?: number } };
  const before = await read();
  await env!.kubectlOk(['patch', 'updatepolicy', 'general', '--type=merge', '-p', '{"spec":{"description":"changed by the test"}}']);
  const afterSpec = await read();
  assert.is(afterSpec.metadata.generation, before.metadata.generation + 1);

  // A status write that also tries to change spec: status lands, spec and generation do not move.
  const sneaky = { ...afterSpec, spec: { ...afterSpec.spec, description: 'sneaked in through /status' }, status: { observedGeneration: afterSpec.metadata.generation } };
  const put = await env!.request('PUT', `${path}/status`, sneaky);
  assert.is(put.status, 200, put.text);
  const afterStatus = await read();
  assert.is(afterStatus.metadata.generation, afterSpec.metadata.generation);
  assert.is(afterStatus.spec.description, 'changed by the test');
  assert.is(afterStatus.status?.observedGeneration, afterSpec.metadata.generation);
  assert.is.not(afterStatus.metadata.resourceVersion, afterSpec.metadata.resourceVersion);

  // And the main resource ignores status: people applying manifests cannot overwrite it.
  const main = await env!.request('PUT', path, { ...afterStatus, status: { observedGeneration: 99 } });
  assert.is(main.status, 200, main.text);
  assert.is((await read()).status?.observedGeneration, afterSpec.metadata.generation);
});

crds('a stale resourceVersion on /status is refused with 409 Conflict', async ({ env }) => {
  const path = '/apis/firmwarden.dev/v1alpha1/namespaces/default/scheduledupdates/teams-client-nyc';
  const stale = (await env!.request('GET', path)).body as Record<string, unknown>;
  await env!.kubectlOk(['annotate', 'scheduledupdate', 'teams-client-nyc', 'test/touched=yes']);
  const put = await env!.request('PUT', `${path}/status`, { ...stale, status: { devices: 3 } });
  assert.is(put.status, 409);
  assert.match(put.text, /the object has been modified/);
});

crds.run();
