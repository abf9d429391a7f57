// A completed ScheduledUpdate in Kubernetes keeps its outcome when the ledger forgets its
// operations: the reconcile in-process against a real kube-apiserver (the Kubernetes source and
// its status subresource, the state in a ConfigMap) and the emulator, on a manual clock. One
// target's model fails every update. Twenty days after it completed, the ConfigMap's ledger no
// longer holds its operations, yet the object's status is the same (full detail: the failing
// list too) and nothing was posted again; a spec change (a new generation) runs it again for the
// failed target only.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, systemClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../controller/config/fleet-connection.ts';
import type { DeviceView } from '../../controller/fleet/emulator/control.ts';
import { KubeSource } from '../../controller/kube/kube-source.ts';
import { ConfigMapStateStore } from '../../controller/kube/configmap-state-store.ts';
import type { KubeClient } from '../../controller/kube/kube-client.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor, eventually, installCrds } from './clients.ts';

const logger = silentLogger();
const hour = 3_600_000;
const day = 24 * hour;
const start = Date.parse('2027-01-11T03:00:00Z');
const owner = 'rooms/ScheduledUpdate/teams-refresh';

type Ctx = { env: KubeEnv | undefined; client: KubeClient | undefined; fleet: FleetConnection | undefined };
const kube = suite<Ctx>('a completed ScheduledUpdate on kube-apiserver', { env: undefined, client: undefined, fleet: undefined });

kube.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await installCrds(ctx.env);
  await ctx.env.ensureNamespace('rooms');
  await ctx.env.ensureNamespace('firmwarden');
  ctx.client = await clientFor(ctx.env.adminKubeconfig);
});
kube.after(async (ctx) => {
  await ctx.fleet?.close();
  ctx.client?.close();
  await ctx.env?.close();
});

interface ScheduledUpdateObject {
  metadata: { generation: number };
  status?: { completionTime?: string; updates?: { succeeded?: number; failed?: number }; failing?: { deviceId: string }[]; conditions?: { type: string; reason: string }[] };
}

kube('pruned 20 days after it completed: the status subresource is unchanged, the ConfigMap ledger forgot, nothing is posted again; a new generation runs it again', async (ctx) => {
  const env = ctx.env!;
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = (ctx.fleet = await createFleet(options, { logger, clock, emulator: { devices: 60, seed: 7, rateLimit: 0, failureRate: 0, durationJitter: 0 } }));
  const control = conn.emulator!.control;
  const candidates = control.devices({ limit: 60 }).filter((d: DeviceView) => d.healthStatus !== 'offline' && d.software.teamsClient?.availableVersion && d.software.teamsClient.availableVersion !== d.software.teamsClient.currentVersion);
  const failing = candidates.find((d) => candidates.filter((o) => o.model !== d.model).length >= 2)!;
  const targets = [failing, ...candidates.filter((d) => d.model !== failing.model).slice(0, 2)];
  assert.is(targets.length, 3, 'three online devices of two models with a Teams client update');
  control.setFailureRate(failing.model, 1);
  const ids = targets.map((d) => d.id);
  const manifest = (description?: string) => JSON.stringify({
    apiVersion: 'firmwarden.dev/v1alpha1', kind: 'ScheduledUpdate', metadata: { name: 'teams-refresh', namespace: 'rooms' },
    spec: { ...(description ? { description } : {}), targets: { deviceIds: ids }, software: [{ type: 'teamsClient' }] },
  });
  await env.kubectlOk(['apply', '-f', '-'], { input: manifest() });

  const source = new KubeSource({ client: ctx.client!, clock: systemClock, logger });
  const stateStore = new ConfigMapStateStore(ctx.client!, 'firmwarden');
  const fleetView = new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: 4 * hour, listIntervalMs: 24 * hour, chunk: 5000 });
  const reconcile = createReconciler({
    sync: () => source.sync(),
    parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
    fleet: conn.fleet, fleetView, stateStore, engine: createEngine(), statusWriter: source, clock, logger,
    isStopping: () => false, pollIntervalMs: 10 * 60_000,
  });
  let n = 0;
  const signal = new AbortController().signal;
  const runUntil = async (until: number) => {
    while (clock.now() < until) {
      const outcome = await reconcile({ reconcileId: ++n, signal });
      clock.set(Math.min(until, Math.max(clock.now() + 60_000, outcome.kind === 'waiting' ? Math.min(outcome.until, clock.now() + hour) : clock.now() + hour)));
    }
    await reconcile({ reconcileId: ++n, signal });
  };
  const object = async () => JSON.parse(await env.kubectlOk(['get', '-n', 'rooms', 'scheduledupdate/teams-refresh', '-o', 'json'])) as ScheduledUpdateObject;
  /** Waits until the source (its informer) reads back the status the API server holds. */
  const readBack = async (status: unknown) => eventually('the informer to see the status', async () => {
    const file = (await source.sync()).files.find((f) => f.path === 'rooms/scheduledupdates/teams-refresh.yaml');
    const read = file && (parseManifestTexts([file], clock.now()).manifests[0]?.manifest as { status?: unknown } | undefined)?.status;
    return JSON.stringify(read) === JSON.stringify(status) ? true : undefined;
  });
  const posts = (id: string) => control.actionLog({ deviceId: id, action: 'updateSoftware' }).filter((p) => p.softwareType === 'teamsClient').length;
  const ownEntries = async () => (await stateStore.load()).ledger.filter((e) => e.owner === owner).length;
  try {
    await runUntil(start + 4 * hour);
    const done = await object();
    assert.ok(done.status?.completionTime, JSON.stringify(done.status));
    assert.equal([done.status!.updates?.succeeded, done.status!.updates?.failed], [2, 1]);
    assert.equal(done.status!.failing?.map((f) => f.deviceId), [failing.id]);
    assert.is(done.status!.conditions?.find((c) => c.type === 'Stalled')?.reason, 'UpdatesFailed');
    assert.equal(ids.map(posts), [1, 1, 1]);
    assert.is(await ownEntries(), 3);
    await readBack(done.status);

    clock.advance(20 * day);
    await runUntil(clock.now() + 2 * hour);
    assert.is(await ownEntries(), 0, 'the ConfigMap ledger was pruned');
    assert.equal((await object()).status, done.status, 'the status subresource is unchanged');
    assert.equal(ids.map(posts), [1, 1, 1], 'nothing was posted again');

    // A spec change: a new generation, the completion of generation 1 no longer counts.
    control.setFailureRate(failing.model, 0);
    await env.kubectlOk(['apply', '-f', '-'], { input: manifest('again, once the room has its new network') });
    await eventually('the new generation', async () => ((await source.sync()).changed ? true : undefined));
    await runUntil(clock.now() + 4 * hour);
    assert.equal(ids.map(posts), [2, 1, 1]);
    const again = await object();
    assert.is(again.metadata.generation, 2);
    assert.ok(again.status?.completionTime && Date.parse(again.status.completionTime) > start + 20 * day, JSON.stringify(again.status));
    assert.is(again.status!.conditions?.find((c) => c.type === 'Ready')?.reason, 'Completed');
  } finally {
    await source.close();
  }
});

kube.run();
