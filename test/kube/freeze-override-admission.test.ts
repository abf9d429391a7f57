// examples/deploy/50-freeze-override-admission.yaml on a real API server: only a user RBAC
// allows the verb override-freeze may create (or change) a ScheduledUpdate with
// spec.freezeOverride; anyone who may create ScheduledUpdates still creates them without it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { eventually, installCrds } from './clients.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const admission = suite<{ env: KubeEnv | undefined }>('spec.freezeOverride admission on kube-apiserver', { env: undefined });

admission.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await installCrds(ctx.env);
  await ctx.env.ensureNamespace('rooms');
  await ctx.env.kubectlOk(['apply', '-f', 'examples/deploy/30-rbac-people.yaml', '-f', 'examples/deploy/50-freeze-override-admission.yaml'], { cwd: root });
  // Both are help-desk operators; only bree is also a freeze breaker.
  for (const user of ['bree', 'oscar']) await ctx.env.kubectlOk(['create', 'rolebinding', `${user}-operator`, '--clusterrole=firmwarden-operator', `--user=${user}`, '-n', 'rooms']);
  await ctx.env.kubectlOk(['create', 'rolebinding', 'bree-breaker', '--clusterrole=firmwarden-freeze-breaker', '--user=bree', '-n', 'rooms']);
});
admission.after(async (ctx) => {
  await ctx.env?.close();
});

const schedule = (name: string, override: boolean) => JSON.stringify({
  apiVersion: 'firmwarden.dev/v1alpha1',
  kind: 'ScheduledUpdate',
  metadata: { name, namespace: 'rooms' },
  spec: { targets: { groupRef: { name: 'lab' } }, software: [{ type: 'firmware', version: 'latest' }], ...(override ? { freezeOverride: { reason: 'CVE-2027-0001 fix' } } : {}) },
});

admission('a user without the verb is refused with a message naming what is missing; with it, admitted', async ({ env }) => {
  // The policy is compiled and bound asynchronously: wait until it refuses.
  const refused = await eventually('the admission policy to refuse oscar', async () => {
    const r = await env!.kubectl(['create', '--as=oscar', '--dry-run=server', '-f', '-'], { input: schedule('oscar-glass', true) });
    return r.code !== 0 ? r : undefined;
  }, 30_000);
  assert.match(refused.stderr, /ValidatingAdmissionPolicy 'firmwarden-freeze-override'/);
  assert.match(refused.stderr, /spec\.freezeOverride starts updates during a change freeze; oscar may not set it: it needs the verb override-freeze on scheduledupdates\.firmwarden\.dev in rooms \(ClusterRole firmwarden-freeze-breaker\)/);
  const plain = await env!.kubectl(['create', '--as=oscar', '-f', '-'], { input: schedule('oscar-plain', false) });
  assert.is(plain.code, 0, plain.stderr);
  const bree = await env!.kubectl(['create', '--as=bree', '-f', '-'], { input: schedule('bree-glass', true) });
  assert.is(bree.code, 0, bree.stderr);
  const stored = JSON.parse(await env!.kubectlOk(['get', 'scheduledupdate', 'bree-glass', '-n', 'rooms', '-o', 'json'])) as { spec: { freezeOverride?: { reason: string } } };
  assert.equal(stored.spec.freezeOverride, { reason: 'CVE-2027-0001 fix' });
});

admission('an admin without the verb cannot add an override to an existing ScheduledUpdate, nor change one', async ({ env }) => {
  await env!.kubectlOk(['create', 'rolebinding', 'dana-admin', '--clusterrole=firmwarden-device-admin', '--user=dana', '-n', 'rooms']);
  const add = await env!.kubectl(['patch', '--as=dana', 'scheduledupdate', 'oscar-plain', '-n', 'rooms', '--type=merge', '-p', '{"spec":{"freezeOverride":{"reason":"why not"}}}']);
  assert.is.not(add.code, 0);
  assert.match(add.stderr, /dana may not set it/);
  const retarget = await env!.kubectl(['patch', '--as=dana', 'scheduledupdate', 'bree-glass', '-n', 'rooms', '--type=merge', '-p', '{"spec":{"targets":{"groupRef":{"name":"vip-rooms"}}}}']);
  assert.is.not(retarget.code, 0, 'a break-glass update cannot be pointed at other devices by someone who may not break glass');
  const label = await env!.kubectl(['label', '--as=dana', 'scheduledupdate', 'bree-glass', '-n', 'rooms', 'ticket=INC-42']);
  assert.is(label.code, 0, label.stderr);
});

admission.run();
