// examples/deploy/ on a real API server: it applies with kubectl -k (the kustomize base), the
// pod it would run passes the restricted Pod Security profile (enforced by the server's own
// admission), the controller's ServiceAccount can do what the controller needs and nothing
// else, the people's roles match the Teams admin roles, and the real controller components
// work with exactly those permissions.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { LeaderElector } from '../../controller/kube/leader-elector.ts';
import { Informer } from '../../controller/kube/informer.ts';
import { KubeStatusWriter } from '../../controller/kube/status-writer.ts';
import { KubeEventRecorder } from '../../controller/kube/event-recorder.ts';
import { ConfigMapStateStore } from '../../controller/kube/configmap-state-store.ts';
import { KubeApiError } from '../../controller/kube/kube-error.ts';
import { deviceGroups, firmwardenResources } from '../../controller/kube/resources.ts';
import { emptyState } from '../../controller/model/state.ts';
import type { DeviceGroup } from '../../controller/model/manifests.generated.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor, eventually, installCrds } from './clients.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const controllerSA = 'system:serviceaccount:firmwarden:firmwarden';

const deploy = suite<{ env: KubeEnv | undefined; applied: string }>('examples/deploy on kube-apiserver', { env: undefined, applied: '' });

deploy.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await installCrds(ctx.env);
  await ctx.env.ensureNamespace('rooms');
  await ctx.env.kubectlOk(['apply', '-n', 'rooms', '-f', 'examples/groups', '-f', 'examples/policies', '-f', 'examples/schedules'], { cwd: root });
});
deploy.after(async (ctx) => {
  await ctx.env?.close();
});

deploy('kubectl apply -k examples/deploy/ (the kustomize base) creates everything, with no Pod Security warning', async (ctx) => {
  const r = await ctx.env!.kubectl(['apply', '-k', 'examples/deploy/'], { cwd: root });
  assert.is(r.code, 0, r.stderr);
  ctx.applied = r.stdout;
  for (const expected of [
    'namespace/firmwarden created',
    'serviceaccount/firmwarden created',
    'clusterrole.rbac.authorization.k8s.io/firmwarden-controller created',
    'clusterrolebinding.rbac.authorization.k8s.io/firmwarden-controller created',
    'role.rbac.authorization.k8s.io/firmwarden-controller created',
    'rolebinding.rbac.authorization.k8s.io/firmwarden-controller created',
    'clusterrole.rbac.authorization.k8s.io/firmwarden-viewer created',
    'clusterrole.rbac.authorization.k8s.io/firmwarden-operator created',
    'clusterrole.rbac.authorization.k8s.io/firmwarden-device-admin created',
    'deployment.apps/firmwarden created',
    'service/firmwarden created',
    'poddisruptionbudget.policy/firmwarden created',
    // The base carries the CRDs too; installCrds applied the same files before.
    'customresourcedefinition.apiextensions.k8s.io/devicegroups.firmwarden.dev unchanged',
  ]) {
    assert.ok(r.stdout.includes(expected), `${expected} missing from:\n${r.stdout}`);
  }
  // The namespace warns on restricted: a template that violated it would print a warning here.
  assert.not.match(r.stderr, /PodSecurity/);
});

async function podFromTemplate(env: KubeEnv): Promise<{ apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown> & { containers: Record<string, unknown>[] } }> {
  const deployment = JSON.parse(await env.kubectlOk(['get', 'deployment', 'firmwarden', '-n', 'firmwarden', '-o', 'json'])) as {
    spec: { template: { metadata: Record<string, unknown>; spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
  };
  const { template } = deployment.spec;
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: 'firmwarden-probe', namespace: 'firmwarden' }, spec: template.spec };
}

deploy('the pod the Deployment runs is admitted under the enforced restricted profile; a weaker one is not', async ({ env }) => {
  const pod = await podFromTemplate(env!);
  const ok = await env!.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod) });
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, 'pod/firmwarden-probe created (server dry run)');
  assert.not.match(ok.stderr, /PodSecurity/);

  const weaker = structuredClone(pod);
  const container = weaker.spec.containers[0]!;
  container.securityContext = { ...(container.securityContext as object), allowPrivilegeEscalation: true, capabilities: { add: ['NET_ADMIN'] } };
  const refused = await env!.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(weaker) });
  assert.is.not(refused.code, 0);
  assert.match(refused.stderr, /violates PodSecurity "restricted:latest"/);
  assert.match(refused.stderr, /allowPrivilegeEscalation != false/);
});

deploy('the Deployment is what the image and probes expect', async ({ env }) => {
  const pod = await podFromTemplate(env!);
  const c = pod.spec.containers[0] as {
    args: string[];
    securityContext: { readOnlyRootFilesystem: boolean; capabilities: { drop: string[] } };
    livenessProbe: { httpGet: { path: string; port: string } };
    readinessProbe: { httpGet: { path: string; port: string } };
    ports: { name: string; containerPort: number }[];
    volumeMounts: { name: string; mountPath: string }[];
  };
  assert.equal(c.args.slice(0, 2), ['run', '--kubernetes']);
  assert.is(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.capabilities.drop, ['ALL']);
  assert.is(c.livenessProbe.httpGet.path, '/healthz');
  assert.is(c.readinessProbe.httpGet.path, '/readyz');
  assert.equal(c.ports.map((p) => p.containerPort), [8080]);
  assert.ok(c.volumeMounts.some((m) => m.mountPath === '/tmp'), 'a writable /tmp');
  // Workload ID is the overlay's (test/kube/kustomize.test.ts): the label would tie pod creation to its webhook.
  assert.is((pod.metadata.labels as Record<string, string>)['azure.workload.identity/use'], undefined);
});

async function canI(env: KubeEnv, as: string[], verb: string, resource: string, extra: string[] = []): Promise<boolean> {
  const r = await env.kubectl(['auth', 'can-i', verb, resource, ...as, ...extra]);
  if (r.stdout.trim() === 'yes') return true;
  if (r.stdout.trim() === 'no') return false;
  throw new Error(`kubectl auth can-i ${verb} ${resource}: ${r.stderr}`);
}

type Check = [verb: string, resource: string, extra: string[], expected: boolean];

async function checkAll(env: KubeEnv, as: string[], checks: Check[]): Promise<void> {
  const wrong: string[] = [];
  for (const [verb, resource, extra, expected] of checks) {
    if ((await canI(env, as, verb, resource, extra)) !== expected) wrong.push(`${expected ? 'cannot' : 'CAN'} ${verb} ${resource} ${extra.join(' ')}`);
  }
  assert.equal(wrong, [], `${as.join(' ')}:\n${wrong.join('\n')}`);
}

deploy('the controller ServiceAccount can do what the controller needs', async ({ env }) => {
  const kinds = ['devicegroups.firmwarden.dev', 'updatepolicies.firmwarden.dev', 'scheduledupdates.firmwarden.dev'];
  const checks: Check[] = [];
  for (const kind of kinds) {
    for (const verb of ['get', 'list', 'watch']) checks.push([verb, kind, ['-A'], true]);
    for (const verb of ['update', 'patch']) checks.push([verb, kind, ['--subresource=status', '-n', 'rooms'], true]);
  }
  checks.push(
    ['create', 'events.events.k8s.io', ['-n', 'rooms'], true],
    ['patch', 'events.events.k8s.io', ['-n', 'rooms'], true],
    ['create', 'leases.coordination.k8s.io', ['-n', 'firmwarden'], true],
    ['get', 'leases.coordination.k8s.io/firmwarden-controller', ['-n', 'firmwarden'], true],
    ['update', 'leases.coordination.k8s.io/firmwarden-controller', ['-n', 'firmwarden'], true],
    ['create', 'configmaps', ['-n', 'firmwarden'], true],
    ['get', 'configmaps/firmwarden-state', ['-n', 'firmwarden'], true],
    ['update', 'configmaps/firmwarden-state', ['-n', 'firmwarden'], true],
  );
  await checkAll(env!, [`--as=${controllerSA}`], checks);
});

deploy('the controller ServiceAccount is forbidden outside its scope', async ({ env }) => {
  await checkAll(env!, [`--as=${controllerSA}`], [
    ['get', 'secrets', ['-n', 'firmwarden'], false],
    ['get', 'secrets', ['-n', 'kube-system'], false],
    ['list', 'secrets', ['-A'], false],
    ['create', 'devicegroups.firmwarden.dev', ['-n', 'rooms'], false],
    ['update', 'devicegroups.firmwarden.dev', ['-n', 'rooms'], false],
    ['patch', 'updatepolicies.firmwarden.dev', ['-n', 'rooms'], false],
    ['delete', 'devicegroups.firmwarden.dev', ['-n', 'rooms'], false],
    ['delete', 'scheduledupdates.firmwarden.dev', ['-n', 'rooms'], false],
    ['update', 'leases.coordination.k8s.io/firmwarden-controller', ['-n', 'kube-system'], false],
    ['update', 'leases.coordination.k8s.io/someone-else', ['-n', 'firmwarden'], false],
    ['delete', 'leases.coordination.k8s.io/firmwarden-controller', ['-n', 'firmwarden'], false],
    ['get', 'configmaps/kube-root-ca.crt', ['-n', 'firmwarden'], false],
    ['create', 'configmaps', ['-n', 'rooms'], false],
    ['create', 'pods', ['-n', 'firmwarden'], false],
    ['update', 'deployments.apps/firmwarden', ['-n', 'firmwarden'], false],
    ['create', 'clusterrolebindings.rbac.authorization.k8s.io', [], false],
    ['update', 'customresourcedefinitions.apiextensions.k8s.io', [], false],
  ]);
});

deploy('people\'s roles follow the Teams admin roles', async ({ env }) => {
  for (const [user, role] of [['dana', 'firmwarden-device-admin'], ['oscar', 'firmwarden-operator'], ['vera', 'firmwarden-viewer']] as const) {
    await env!.kubectlOk(['create', 'rolebinding', `${user}-${role}`, `--clusterrole=${role}`, `--user=${user}`, '-n', 'rooms']);
  }
  const dg = 'devicegroups.firmwarden.dev';
  const up = 'updatepolicies.firmwarden.dev';
  const su = 'scheduledupdates.firmwarden.dev';
  const ns = ['-n', 'rooms'];
  await checkAll(env!, ['--as=dana'], [
    ['create', dg, ns, true], ['update', up, ns, true], ['patch', su, ns, true], ['delete', dg, ns, true], ['list', su, ns, true],
    ['update', dg, ['--subresource=status', ...ns], false],
    ['create', dg, ['-n', 'default'], false],
    ['get', 'secrets', ns, false],
  ]);
  await checkAll(env!, ['--as=oscar'], [
    ['create', su, ns, true], ['get', su, ns, true], ['list', dg, ns, true], ['get', up, ns, true],
    ['update', su, ns, false], ['delete', su, ns, false], ['create', dg, ns, false], ['patch', up, ns, false],
  ]);
  await checkAll(env!, ['--as=vera'], [
    ['list', dg, ns, true], ['watch', up, ns, true], ['get', su, ns, true],
    ['create', su, ns, false], ['update', dg, ns, false], ['delete', up, ns, false],
  ]);
  // And the server enforces it, not just can-i: the operator's ScheduledUpdate is created, their edit of a policy is refused.
  const schedule = { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'ScheduledUpdate', metadata: { name: 'oscar-now', namespace: 'rooms' }, spec: { targets: { groupRef: { name: 'lab' } }, software: [{ type: 'firmware', version: 'latest' }] } };
  const created = await env!.kubectl(['create', '--as=oscar', '-f', '-'], { input: JSON.stringify(schedule) });
  assert.is(created.code, 0, created.stderr);
  const edit = await env!.kubectl(['patch', '--as=oscar', 'updatepolicy', 'general', '-n', 'rooms', '--type=merge', '-p', '{"spec":{"description":"x"}}']);
  assert.is.not(edit.code, 0);
  assert.match(edit.stderr, /forbidden/);
});

deploy('the controller components work with exactly these permissions, and a Secret read is refused', async ({ env }) => {
  const kubeconfig = await env!.serviceAccountKubeconfig('firmwarden', 'firmwarden');
  const client = await clientFor(kubeconfig);
  const stop = new AbortController();
  try {
    const elector = new LeaderElector({ client, namespace: 'firmwarden', name: 'firmwarden-controller', identity: 'pod-a', clock: systemClock, logger: silentLogger() });
    assert.is(await elector.tryAcquireOrRenew(), true);
    assert.is(await elector.tryAcquireOrRenew(), true, 'renewal (update) is allowed too');

    const informers = firmwardenResources.map((type) => new Informer({ client, type, clock: systemClock, logger: silentLogger(), onEvent: () => {} }));
    const runs = informers.map((i) => i.run(stop.signal));
    await eventually('all three informers synced', () => (informers.every((i) => i.hasSynced) ? true : undefined));
    assert.ok(informers[0]!.list().length >= 5, 'the example groups, across namespaces');

    const writer = new KubeStatusWriter({ client, clock: systemClock, logger: silentLogger() });
    const status = { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'UpToDate', lastTransitionTime: '2026-01-05T09:00:00Z' }] };
    const written = await writer.writeStatus<DeviceGroup>(deviceGroups, 'rooms', 'lab', () => status);
    assert.is(written.result, 'written');

    const recorder = new KubeEventRecorder({ client, clock: systemClock, logger: silentLogger(), controller: 'firmwarden.dev/controller', instance: 'pod-a' });
    assert.is(await recorder.recordConditionChanges(deviceGroups, written.after!, written.before!.status, written.after!.status), 1);

    const state = new ConfigMapStateStore(client, 'firmwarden');
    assert.equal(await state.load(), emptyState);
    await state.save(emptyState);
    await state.load();
    await state.save({ ...emptyState, rollouts: { saved: true } });

    try {
      await client.request({ path: '/api/v1/namespaces/firmwarden/secrets' });
      assert.unreachable('listing secrets must be forbidden');
    } catch (error) {
      assert.instance(error, KubeApiError);
      assert.is((error as KubeApiError).status, 403);
    }
    try {
      await client.request({ method: 'PUT', path: '/apis/firmwarden.dev/v1alpha1/namespaces/rooms/devicegroups/lab', body: written.after });
      assert.unreachable('writing spec must be forbidden');
    } catch (error) {
      assert.is((error as KubeApiError).status, 403);
    }
    stop.abort();
    await Promise.all(runs);
  } finally {
    stop.abort();
    client.close();
  }
});

deploy.run();
