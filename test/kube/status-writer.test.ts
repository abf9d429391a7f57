// The status writer on a real API server: writes through /status only, skips no-op writes,
// and survives resourceVersion conflicts by re-reading and recomputing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { systemClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { KubeStatusWriter, StatusConflictError } from '../../controller/kube/status-writer.ts';
import { deviceGroups } from '../../controller/kube/resources.ts';
import type { DeviceGroup } from '../../controller/model/manifests.generated.ts';
import type { KubeClient } from '../../controller/kube/kube-client.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor, installCrds } from './clients.ts';

type Ctx = { env: KubeEnv | undefined; client: KubeClient | undefined };
const writer = suite<Ctx>('status writer against kube-apiserver', { env: undefined, client: undefined });

writer.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await installCrds(ctx.env);
  ctx.client = await clientFor(ctx.env.adminKubeconfig);
});
writer.after(async (ctx) => {
  ctx.client?.close();
  await ctx.env?.close();
});

async function createGroup(env: KubeEnv, name: string): Promise<void> {
  const manifest = { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name, namespace: 'default' }, spec: { policyRef: { name: 'general' }, selector: {} } };
  await env.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
}

async function readGroup(env: KubeEnv, name: string): Promise<DeviceGroup> {
  return (await env.request('GET', `/apis/firmwarden.dev/v1alpha1/namespaces/default/devicegroups/${name}`)).body as DeviceGroup;
}

const newWriter = (client: KubeClient, maxAttempts?: number) =>
  new KubeStatusWriter({ client, logger: silentLogger(), clock: systemClock, retryDelayMs: 1, ...(maxAttempts ? { maxAttempts } : {}) });

const statusFor = (g: DeviceGroup, devices: number) => ({ observedGeneration: g.metadata.generation, devices, phase: 'General' as const });

writer('writes the status through the subresource without touching spec or generation', async ({ env, client }) => {
  await createGroup(env!, 'first');
  const before = await readGroup(env!, 'first');
  const outcome = await newWriter(client!).writeStatus<DeviceGroup>(deviceGroups, 'default', 'first', (g) => statusFor(g, 7));
  assert.is(outcome.result, 'written');
  assert.is(outcome.attempts, 1);
  const after = await readGroup(env!, 'first');
  assert.equal(after.status, { observedGeneration: 1, devices: 7, phase: 'General' });
  assert.equal(after.spec, before.spec);
  assert.is(after.metadata.generation, before.metadata.generation);
  assert.is(outcome.after?.metadata.resourceVersion, after.metadata.resourceVersion);
  const column = await env!.kubectlOk(['get', 'dg', 'first', '-o', 'jsonpath={.status.devices}']);
  assert.is(column, '7');
});

writer('an unchanged status is not written', async ({ env, client }) => {
  const rv = (await readGroup(env!, 'first')).metadata.resourceVersion;
  const outcome = await newWriter(client!).writeStatus<DeviceGroup>(deviceGroups, 'default', 'first', (g) => statusFor(g, 7));
  assert.is(outcome.result, 'unchanged');
  assert.is(outcome.attempts, 0);
  assert.is((await readGroup(env!, 'first')).metadata.resourceVersion, rv);
});

writer('a conflict (someone edited the object meanwhile) is retried on the fresh object', async ({ env, client }) => {
  await createGroup(env!, 'contended');
  const seen: (number | undefined)[] = [];
  const outcome = await newWriter(client!).writeStatus<DeviceGroup>(deviceGroups, 'default', 'contended', async (g) => {
    seen.push(g.metadata.generation);
    // The first time round, a person changes the spec between our read and our write.
    if (seen.length === 1) await env!.kubectlOk(['patch', 'dg', 'contended', '--type=merge', '-p', '{"spec":{"description":"edited meanwhile"}}']);
    return statusFor(g, 3);
  });
  assert.equal(seen, [1, 2], 'recomputed from the re-read object');
  assert.is(outcome.result, 'written');
  assert.is(outcome.attempts, 2);
  const after = await readGroup(env!, 'contended');
  assert.is(after.spec.description, 'edited meanwhile', 'the person\'s change survived');
  assert.is(after.status?.observedGeneration, 2, 'status describes the generation it was computed from');
});

writer('conflicts on every attempt give up with StatusConflictError', async ({ env, client }) => {
  await createGroup(env!, 'hot');
  let calls = 0;
  try {
    await newWriter(client!, 3).writeStatus<DeviceGroup>(deviceGroups, 'default', 'hot', async (g) => {
      calls++;
      await env!.kubectlOk(['annotate', '--overwrite', 'dg', 'hot', `touch=${calls}`]);
      return statusFor(g, calls);
    });
    assert.unreachable('should have given up');
  } catch (error) {
    assert.instance(error, StatusConflictError);
    assert.match((error as Error).message, /DeviceGroup default\/hot/);
  }
  assert.is(calls, 3);
});

writer('a deleted object is reported as gone, not as an error', async ({ env, client }) => {
  await createGroup(env!, 'doomed');
  let calls = 0;
  const outcome = await newWriter(client!).writeStatus<DeviceGroup>(deviceGroups, 'default', 'doomed', async (g) => {
    calls++;
    await env!.kubectlOk(['delete', 'dg', 'doomed']);
    return statusFor(g, 1);
  });
  assert.is(outcome.result, 'gone');
  assert.is(calls, 1);
  const missing = await newWriter(client!).writeStatus<DeviceGroup>(deviceGroups, 'default', 'never-existed', () => ({ devices: 1 }));
  assert.is(missing.result, 'gone');
});

writer.run();
