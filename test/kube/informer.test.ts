// Informers against the real API server, through a proxy that breaks things on demand: list
// then watch, the server ending watches, a resourceVersion the server has compacted away
// (its own 410 Expired), a silent connection caught by the watchdog, failing requests, and
// the periodic resync.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock, systemClock, type Clock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { Informer, type InformerEvent, type InformerOptions } from '../../controller/kube/informer.ts';
import { deviceGroups, scheduledUpdates, updatePolicies, type KubeObject } from '../../controller/kube/resources.ts';
import type { KubeClient } from '../../controller/kube/kube-client.ts';
import type { DeviceGroup } from '../../controller/model/manifests.generated.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor, eventually, installCrds } from './clients.ts';
import { FaultProxy } from './fault-proxy.ts';

type Ctx = { env: KubeEnv | undefined; proxy: FaultProxy | undefined; client: KubeClient | undefined };
const informers = suite<Ctx>('informers against kube-apiserver', { env: undefined, proxy: undefined, client: undefined });

informers.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await installCrds(ctx.env);
  await ctx.env.ensureNamespace('team-a');
  await ctx.env.ensureNamespace('team-b');
  ctx.proxy = new FaultProxy(ctx.env);
  await ctx.proxy.start();
  const kubeconfig = join(ctx.env.dir, 'proxy.kubeconfig');
  await writeFile(kubeconfig, ctx.proxy.kubeconfigText());
  ctx.client = await clientFor(kubeconfig);
});
informers.after(async (ctx) => {
  ctx.client?.close();
  await ctx.proxy?.close();
  await ctx.env?.close();
});

const group = (name: string, namespace: string, description = '') =>
  JSON.stringify({ apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name, namespace }, spec: { description, selector: {} } });

/** Starts an informer collecting events as "type ns/name"; returns it with its log and stopper. */
function startInformer<T extends KubeObject>(
  client: KubeClient,
  overrides: Partial<InformerOptions<T>> & { clock?: Clock } = {},
): { informer: Informer<T>; seen: string[]; objects: InformerEvent<T>[]; stop: () => Promise<void> } {
  const seen: string[] = [];
  const objects: InformerEvent<T>[] = [];
  const informer = new Informer<T>({
    client,
    type: deviceGroups,
    clock: systemClock,
    logger: silentLogger(),
    initialBackoffMs: 50,
    maxBackoffMs: 200,
    onEvent: (e) => {
      seen.push(`${e.type} ${e.object.metadata.namespace}/${e.object.metadata.name}`);
      objects.push(e);
    },
    ...overrides,
  });
  const abort = new AbortController();
  const running = informer.run(abort.signal);
  return { informer, seen, objects, stop: async () => (abort.abort(), await running) };
}

const has = (seen: string[], line: string) => (seen.includes(line) ? true : undefined);

informers('lists what exists, then delivers adds, edits and deletes as typed objects, across namespaces', async ({ env, client }) => {
  await env!.kubectlOk(['apply', '-f', '-'], { input: group('existing', 'team-a') });
  const { informer, seen, objects, stop } = startInformer<DeviceGroup>(client!);
  try {
    await eventually('the initial list', () => (informer.hasSynced ? true : undefined));
    assert.ok(seen.includes('added team-a/existing'), seen.join(','));
    await env!.kubectlOk(['apply', '-f', '-'], { input: group('new', 'team-b') });
    await eventually('the add', () => has(seen, 'added team-b/new'));
    await env!.kubectlOk(['apply', '-f', '-'], { input: group('new', 'team-b', 'edited') });
    await eventually('the edit', () => has(seen, 'modified team-b/new'));
    const edited = objects.find((e) => e.type === 'modified')!.object;
    assert.is(edited.spec.description, 'edited');
    assert.is(edited.kind, 'DeviceGroup');
    assert.is(informer.get('team-b', 'new')?.spec.description, 'edited');
    await env!.kubectlOk(['delete', 'dg', 'new', '-n', 'team-b']);
    await eventually('the delete', () => has(seen, 'deleted team-b/new'));
    assert.equal(informer.list().map((g) => g.metadata.name), ['existing']);
    // Listed objects carry apiVersion and kind too (list items come without them).
    assert.is(objects[0]!.object.apiVersion, 'firmwarden.dev/v1alpha1');
    assert.is(informer.stats.lists, 1);
  } finally {
    await stop();
  }
});

informers('when the server ends a watch (timeoutSeconds) it re-watches from where it was, without relisting', async ({ env, client }) => {
  const { informer, seen, stop } = startInformer<DeviceGroup>(client!, { watchTimeoutSeconds: 1, random: () => 0 });
  try {
    await eventually('the initial list', () => (informer.hasSynced ? true : undefined));
    await eventually('two watches', () => (informer.stats.watches >= 3 ? true : undefined));
    await env!.kubectlOk(['apply', '-f', '-'], { input: group('after-timeouts', 'team-a') });
    await eventually('the add', () => has(seen, 'added team-a/after-timeouts'));
    assert.is(informer.stats.lists, 1);
    assert.is(informer.stats.failures, 0);
  } finally {
    await stop();
  }
});

informers('a resourceVersion the server has compacted away (410 Expired) makes it relist and deliver the difference', async ({ env, proxy, client }) => {
  await env!.kubectlOk(['apply', '-f', '-'], { input: group('doomed', 'team-a') });
  const { informer, seen, stop } = startInformer<DeviceGroup>(client!);
  try {
    await eventually('the initial list', () => (informer.hasSynced ? true : undefined));
    await eventually('a watch', () => (proxy!.openWatches > 0 ? true : undefined));
    // The watch goes deaf while things change; then it breaks and the next watch is refused.
    proxy!.freezeWatches();
    await env!.kubectlOk(['apply', '-f', '-'], { input: group('born-while-deaf', 'team-b') });
    await env!.kubectlOk(['delete', 'dg', 'doomed', '-n', 'team-a']);
    proxy!.staleNextWatch();
    proxy!.cutWatches();
    await eventually('the relist', () => (informer.stats.gone > 0 && informer.stats.lists >= 2 ? true : undefined));
    await eventually('the add seen by the relist', () => has(seen, 'added team-b/born-while-deaf'));
    await eventually('the delete seen by the relist', () => has(seen, 'deleted team-a/doomed'));
    assert.is(informer.get('team-a', 'doomed'), undefined);
    const refused = proxy!.requests.find((r) => r.query.get('resourceVersion') === '1');
    assert.ok(refused, 'the stale watch reached the real server');
  } finally {
    await stop();
  }
});

informers('a watch that goes silent is aborted by the inactivity watchdog and replaced', async ({ env, proxy, client }) => {
  const { informer, seen, stop } = startInformer<DeviceGroup>(client!, { inactivityMs: 500 });
  try {
    await eventually('the initial list', () => (informer.hasSynced ? true : undefined));
    await eventually('a watch', () => (proxy!.openWatches > 0 ? true : undefined));
    proxy!.freezeWatches();
    await eventually('the watchdog', () => (informer.stats.watchdogAborts > 0 ? true : undefined));
    await env!.kubectlOk(['apply', '-f', '-'], { input: group('after-silence', 'team-a') });
    await eventually('the add on the new watch', () => has(seen, 'added team-a/after-silence'));
    assert.is(informer.stats.gone, 0);
  } finally {
    await stop();
  }
});

informers('failing lists and watches are retried with back-off until they work', async ({ env, proxy, client }) => {
  proxy!.failNext(3, 503);
  const { informer, seen, stop } = startInformer<DeviceGroup>(client!);
  try {
    await eventually('the list after failures', () => (informer.hasSynced ? true : undefined));
    assert.ok(informer.stats.failures >= 3, JSON.stringify(informer.stats));
    await eventually('a watch', () => (proxy!.openWatches > 0 ? true : undefined));
    proxy!.failNext(2, 500);
    proxy!.cutWatches();
    await env!.kubectlOk(['apply', '-f', '-'], { input: group('after-errors', 'team-b') });
    await eventually('the add after watch errors', () => has(seen, 'added team-b/after-errors'));
    assert.ok(informer.stats.failures >= 5, JSON.stringify(informer.stats));
  } finally {
    await stop();
  }
});

informers('every resync period the cache is delivered again', async ({ client }) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const { informer, seen, stop } = startInformer<DeviceGroup>(client!, { clock, resyncMs: 600_000, inactivityMs: 86_400_000 });
  try {
    await eventually('the initial list', () => (informer.hasSynced ? true : undefined));
    const cached = informer.list().map((g) => `resync ${g.metadata.namespace}/${g.metadata.name}`);
    assert.ok(cached.length >= 2);
    assert.is(seen.filter((l) => l.startsWith('resync')).length, 0);
    clock.advance(600_000);
    await eventually('the resync', () => (seen.filter((l) => l.startsWith('resync')).length >= cached.length ? true : undefined));
    assert.equal(seen.filter((l) => l.startsWith('resync')).sort(), cached.sort());
  } finally {
    await stop();
  }
});

informers('one informer per kind: policies and schedules arrive typed too', async ({ env, client }) => {
  const root = new URL('../..', import.meta.url).pathname;
  await env!.kubectlOk(['apply', '-n', 'team-a', '-f', 'examples/policies', '-f', 'examples/schedules'], { cwd: root });
  const policies = startInformer(client!, { type: updatePolicies });
  const schedules = startInformer(client!, { type: scheduledUpdates });
  try {
    await eventually('policies', () => has(policies.seen, 'added team-a/vip'));
    await eventually('schedules', () => has(schedules.seen, 'added team-a/teams-client-nyc'));
    assert.ok(policies.objects.every((e) => e.object.kind === 'UpdatePolicy'));
    assert.ok(schedules.objects.every((e) => e.object.kind === 'ScheduledUpdate'));
  } finally {
    await policies.stop();
    await schedules.stop();
  }
});

informers.run();
