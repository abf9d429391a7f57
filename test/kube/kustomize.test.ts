// examples/deploy/ as a kustomize base and examples/deploy-overlays/example/ on top of it, built
// by the real kubectl (its own kustomize) and the overlay applied to a real API server: the
// objects the server stores carry the overlay's namespace, image tag and Workload ID settings.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { findKubeBinaries } from './envtest-binaries.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const base = 'examples/deploy';
const overlay = 'examples/deploy-overlays/example';
const image = 'ghcr.io/firmwarden/firmwarden';
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  subjects?: { kind: string; name: string; namespace?: string }[];
};
type Container = { name: string; image: string; env?: { name: string; value?: string }[] };
type PodTemplate = { metadata: { labels: Record<string, string> }; spec: { serviceAccountName: string; containers: Container[] } };

/** `kubectl kustomize DIR`, parsed. */
function build(dir: string): Promise<Obj[]> {
  return new Promise((resolve, reject) => {
    execFile(findKubeBinaries().kubectl, ['kustomize', dir], { cwd: root, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl kustomize ${dir}: ${stderr || error.message}`));
      else resolve(parseAllDocuments(stdout).map((d) => d.toJSON() as Obj));
    });
  });
}

const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const find = (objects: Obj[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} is in the build`);
  return found;
};
const template = (deployment: Obj) => (deployment.spec as { template: PodTemplate }).template;

const render = suite('kubectl kustomize');

render('the base holds the CRDs and the controller\'s objects, in the firmwarden namespace', async () => {
  const objects = await build(base);
  const crds = readdirSync(join(root, 'crds')).filter((f) => f.endsWith('.yaml')).map((f) => `CustomResourceDefinition/${f.replace(/\.yaml$/, '')}`);
  assert.equal(objects.map(key).sort(), [
    ...crds,
    'ClusterRole/firmwarden-controller',
    'ClusterRole/firmwarden-device-admin',
    'ClusterRole/firmwarden-operator',
    'ClusterRole/firmwarden-viewer',
    'ClusterRoleBinding/firmwarden-controller',
    'Deployment/firmwarden/firmwarden',
    'Namespace/firmwarden',
    'PodDisruptionBudget/firmwarden/firmwarden',
    'Role/firmwarden/firmwarden-controller',
    'RoleBinding/firmwarden/firmwarden-controller',
    'Service/firmwarden/firmwarden',
    'ServiceAccount/firmwarden/firmwarden',
  ].sort());
  // kubectl applies in the order given: the Namespace and the CRDs before what lives in them.
  assert.equal(objects.slice(0, 1 + crds.length).map((o) => o.kind).sort(), ['Namespace', ...crds.map(() => 'CustomResourceDefinition')].sort());
});

render('one image name: the base Deployment runs it at the package version, the Dockerfile names it, the overlay sets its tag', async () => {
  const deployment = find(await build(base), 'Deployment', 'firmwarden');
  assert.is(template(deployment).spec.containers[0]!.image, `${image}:${version}`);
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, `docker build -t ${image}:${version} .`);
  assert.match(dockerfile, 'org.opencontainers.image.source="https://github.com/firmwarden/firmwarden"');
  // kustomize ignores an images entry that names no image of the base, silently: the names must match.
  const kustomization = parse(readFileSync(join(root, overlay, 'kustomization.yaml'), 'utf8')) as { images: { name: string; newTag: string }[] };
  assert.equal(kustomization.images.map((i) => i.name), [image]);
  const built = find(await build(overlay), 'Deployment', 'firmwarden');
  assert.is(template(built).spec.containers[0]!.image, `${image}:${kustomization.images[0]!.newTag}`);
});

render('the base pod does not ask for Workload ID: the label makes pod creation depend on the webhook', async () => {
  const deployment = find(await build(base), 'Deployment', 'firmwarden');
  assert.is(template(deployment).metadata.labels['azure.workload.identity/use'], undefined);
});

render('the overlay moves every namespaced object and the bindings\' subjects to its namespace, Pod Security labels kept', async () => {
  const objects = await build(overlay);
  const ns = find(objects, 'Namespace', 'teams-devices');
  assert.is(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  assert.not.ok(objects.some((o) => o.kind === 'Namespace' && o.metadata.name === 'firmwarden'));
  for (const o of objects) {
    if (o.metadata.namespace !== undefined) assert.is(o.metadata.namespace, 'teams-devices', key(o));
    for (const s of o.subjects ?? []) assert.equal(s, { kind: 'ServiceAccount', name: 'firmwarden', namespace: 'teams-devices' }, key(o));
  }
});

render('the overlay sets up Workload ID: client id on the ServiceAccount, the pod label, the tenant and the auth choice', async () => {
  const objects = await build(overlay);
  const sa = find(objects, 'ServiceAccount', 'firmwarden');
  assert.match(sa.metadata.annotations?.['azure.workload.identity/client-id'] ?? '', guid);
  const pod = template(find(objects, 'Deployment', 'firmwarden'));
  assert.is(pod.metadata.labels['azure.workload.identity/use'], 'true');
  assert.is(pod.spec.serviceAccountName, 'firmwarden');
  const env = Object.fromEntries((pod.spec.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
  assert.match(env['AZURE_TENANT_ID'] ?? '', guid);
  assert.is(env['FIRMWARDEN_FLEET_AUTH'], 'workload-identity');
  assert.ok('POD_NAMESPACE' in env, 'the base\'s env is kept beside the overlay\'s');
});

render.run();

const apply = suite<{ env: KubeEnv | undefined; applied: { code: number; stdout: string; stderr: string } | undefined }>('the overlay on kube-apiserver', { env: undefined, applied: undefined });

apply.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  ctx.applied = await ctx.env.kubectl(['apply', '--server-side', '-k', overlay], { cwd: root });
});
apply.after(async (ctx) => {
  await ctx.env?.close();
});

apply('kubectl apply --server-side -k applies everything in one go, with no Pod Security warning', async ({ env, applied }) => {
  assert.is(applied!.code, 0, applied!.stderr);
  assert.not.match(applied!.stderr, /PodSecurity|Warning/);
  for (const expected of ['namespace/teams-devices', 'customresourcedefinition.apiextensions.k8s.io/devicegroups.firmwarden.dev', 'deployment.apps/firmwarden', 'serviceaccount/firmwarden']) {
    assert.match(applied!.stdout, `${expected} serverside-applied`);
  }
  await env!.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/devicegroups.firmwarden.dev', 'crd/updatepolicies.firmwarden.dev', 'crd/scheduledupdates.firmwarden.dev']);
});

apply('the server holds the overlay\'s values', async ({ env }) => {
  const get = async <T>(...args: string[]) => JSON.parse(await env!.kubectlOk(['get', ...args, '-o', 'json'])) as T;
  const ns = await get<Obj>('namespace', 'teams-devices');
  assert.is(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  const sa = await get<Obj>('serviceaccount', 'firmwarden', '-n', 'teams-devices');
  assert.is(sa.metadata.annotations?.['azure.workload.identity/client-id'], '11111111-2222-3333-4444-555555555555');
  const deployment = await get<Obj>('deployment', 'firmwarden', '-n', 'teams-devices');
  const pod = template(deployment);
  assert.is(pod.metadata.labels['azure.workload.identity/use'], 'true');
  assert.is(pod.spec.containers[0]!.image, `${image}:${version}`);
  const env2 = Object.fromEntries((pod.spec.containers[0]!.env ?? []).map((e) => [e.name, e.value]));
  assert.is(env2['AZURE_TENANT_ID'], 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
  assert.is(env2['FIRMWARDEN_FLEET_AUTH'], 'workload-identity');
  const binding = await get<Obj>('clusterrolebinding', 'firmwarden-controller');
  assert.equal(binding.subjects, [{ kind: 'ServiceAccount', name: 'firmwarden', namespace: 'teams-devices' }]);
  const missing = await env!.kubectl(['get', 'namespace', 'firmwarden']);
  assert.is.not(missing.code, 0, 'the base namespace is not created');
});

apply('the pod the overlay runs is admitted under the namespace\'s restricted profile', async ({ env }) => {
  const deployment = JSON.parse(await env!.kubectlOk(['get', 'deployment', 'firmwarden', '-n', 'teams-devices', '-o', 'json'])) as Obj;
  const t = template(deployment);
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...t.metadata, name: 'firmwarden-probe', namespace: 'teams-devices' }, spec: t.spec };
  const r = await env!.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod) });
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /PodSecurity/);
});

apply('the controller\'s ServiceAccount in the overlay\'s namespace has its Lease and state there, and reads the kinds', async ({ env }) => {
  const as = '--as=system:serviceaccount:teams-devices:firmwarden';
  const can = async (...args: string[]) => (await env!.kubectl(['auth', 'can-i', as, ...args])).stdout.trim();
  assert.is(await can('update', 'leases.coordination.k8s.io/firmwarden-controller', '-n', 'teams-devices'), 'yes');
  assert.is(await can('update', 'configmaps/firmwarden-state', '-n', 'teams-devices'), 'yes');
  assert.is(await can('update', 'leases.coordination.k8s.io/firmwarden-controller', '-n', 'firmwarden'), 'no');
  assert.is(await can('list', 'devicegroups.firmwarden.dev', '-A'), 'yes');
  assert.is(await can('get', 'secrets', '-n', 'teams-devices'), 'no');
});

apply.run();
