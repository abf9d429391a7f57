// The controller state kept in a ConfigMap on a real API server: round trip, fencing against
// a second writer, and clear errors for a damaged ConfigMap.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigMapStateStore, StateConflictError, StateFormatError } from '../../controller/kube/configmap-state-store.ts';
import { emptyState, type ControllerState } from '../../controller/model/state.ts';
import type { KubeClient } from '../../controller/kube/kube-client.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor } from './clients.ts';

type Ctx = { env: KubeEnv | undefined; client: KubeClient | undefined };
const store = suite<Ctx>('ConfigMap state store against kube-apiserver', { env: undefined, client: undefined });

store.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await ctx.env.ensureNamespace('firmwarden');
  ctx.client = await clientFor(ctx.env.adminKubeconfig);
});
store.after(async (ctx) => {
  ctx.client?.close();
  await ctx.env?.close();
});

const sample: ControllerState = {
  version: 1,
  releases: [{ model: 'Poly CCX 600', softwareType: 'firmware', version: '8.1.2', firstSeen: Date.UTC(2026, 0, 2) }],
  ledger: [],
  rollouts: { 'default/UpdatePolicy/general|firmware|8.1.2': { wave: 1 } },
};

store('an absent ConfigMap is the empty state; a save creates it and a new store reads it back', async ({ env, client }) => {
  const a = new ConfigMapStateStore(client!, 'firmwarden');
  assert.equal(await a.load(), emptyState);
  await a.save(sample);
  const b = new ConfigMapStateStore(client!, 'firmwarden');
  assert.equal(await b.load(), sample);
  const shown = await env!.kubectlOk(['get', 'configmap', 'firmwarden-state', '-n', 'firmwarden', '-o', 'jsonpath={.data.state\\.json}']);
  assert.equal(JSON.parse(shown), sample);
  await a.save({ ...sample, ledger: [] });
});

store('the next leader loads the notifications already sent and those waiting', async ({ client }) => {
  const state: ControllerState = { ...sample, notifications: {
    version: 1,
    seen: { a1b2c3d4e5f6: 1803895200 },
    waves: { 'default/paris|firmware': { version: '1.2.0', wave: 2 } },
    outbox: [{ id: 'd1', rule: 'default/trouble', channel: 'default/ops', createdAt: 1803895200000, attempts: 2, lastError: 'HTTP 500', events: [], omitted: 0 }],
  } };
  const leader = new ConfigMapStateStore(client!, 'firmwarden');
  await leader.load();
  await leader.save(state);
  assert.equal(await new ConfigMapStateStore(client!, 'firmwarden').load(), state);
});

store('the next leader loads the regressions soaks found and the evidence for versions', async ({ client }) => {
  const state: ControllerState = { ...sample, health: {
    regressions: [{ deviceId: 'd1', softwareType: 'firmware', version: '8.1.2', requestedAt: 1803895200000, at: 1803906000000, what: ['Teams sign-in lost'], device: 'Room 4.12 Paris' }],
    evidence: [{ group: 'default/lab', deviceId: 'd2', softwareType: 'firmware', version: '8.1.2', since: 1803895200000, healthyUntil: 1803981600000, healthBefore: ['online'], regressedAt: 1803900000000 }],
  } };
  const leader = new ConfigMapStateStore(client!, 'firmwarden');
  await leader.load();
  await leader.save(state);
  assert.equal(await new ConfigMapStateStore(client!, 'firmwarden').load(), state);
});

store('a replica whose view is stale cannot overwrite what the new leader saved', async ({ client }) => {
  const old = new ConfigMapStateStore(client!, 'firmwarden');
  await old.load();
  const leader = new ConfigMapStateStore(client!, 'firmwarden');
  await leader.load();
  await leader.save({ ...sample, rollouts: { newer: true } });
  try {
    await old.save({ ...sample, rollouts: { older: true } });
    assert.unreachable('the stale save must fail');
  } catch (error) {
    assert.instance(error, StateConflictError);
  }
  assert.equal((await new ConfigMapStateStore(client!, 'firmwarden').load()).rollouts, { newer: true });
  // After reloading it may save again.
  await old.load();
  await old.save(sample);
});

store('a damaged ConfigMap is an error, never a silent reset', async ({ env, client }) => {
  await env!.kubectlOk(['create', 'configmap', 'broken-state', '-n', 'firmwarden', '--from-literal=state.json={not json']);
  try {
    await new ConfigMapStateStore(client!, 'firmwarden', 'broken-state').load();
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, StateFormatError);
    assert.match((error as Error).message, /not valid JSON/);
  }
});

store.run();
