// The Kubernetes desired-state source on a real API server: custom resources become the
// snapshot the reconcile loop reads, spec changes wake it, its own status writes do not, and
// statuses land in the status subresource with an Event per condition change.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { systemClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { KubeSource } from '../../controller/kube/kube-source.ts';
import { KubeEventRecorder } from '../../controller/kube/event-recorder.ts';
import type { KubeClient } from '../../controller/kube/kube-client.ts';
import type { ChangeReason } from '../../controller/model/source.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { clientFor, eventually, installCrds } from './clients.ts';

const root = new URL('../..', import.meta.url).pathname;
type Ctx = { env: KubeEnv | undefined; client: KubeClient | undefined; source: KubeSource | undefined; reasons: ChangeReason[]; writes: string[] };
const kube = suite<Ctx>('Kubernetes source against kube-apiserver', { env: undefined, client: undefined, source: undefined, reasons: [], writes: [] });

kube.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await installCrds(ctx.env);
  for (const ns of ['rooms', 'lab']) {
    await ctx.env.ensureNamespace(ns);
    await ctx.env.kubectlOk(['apply', '-n', ns, '-f', 'examples/groups', '-f', 'examples/policies', '-f', 'examples/schedules'], { cwd: root });
  }
  ctx.client = await clientFor(ctx.env.adminKubeconfig);
  const events = new KubeEventRecorder({ client: ctx.client, clock: systemClock, logger: silentLogger(), controller: 'firmwarden.dev/controller', instance: 'test' });
  ctx.source = new KubeSource({ client: ctx.client, clock: systemClock, logger: silentLogger(), events, metrics: { countStatusWrite: (result) => ctx.writes.push(result) } });
  ctx.source.subscribe((reason) => ctx.reasons.push(reason));
});
kube.after(async (ctx) => {
  await ctx.source?.close();
  ctx.client?.close();
  await ctx.env?.close();
});

kube('a snapshot holds every object of the three kinds as a manifest file', async ({ source }) => {
  const snapshot = await source!.sync();
  assert.is(snapshot.files.length, 18);
  assert.ok(snapshot.changed && snapshot.specChanged);
  assert.match(snapshot.revision, /^kube:[0-9a-f]{16}$/);
  const lab = snapshot.files.find((f) => f.path === 'rooms/devicegroups/lab.yaml');
  assert.ok(lab, snapshot.files.map((f) => f.path).join(','));
  const doc = parse(lab!.text) as { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: { policyRef: { name: string } } };
  assert.is(doc.apiVersion, 'firmwarden.dev/v1alpha1');
  assert.is(doc.kind, 'DeviceGroup');
  assert.equal(doc.metadata.namespace, 'rooms');
  assert.equal(doc.metadata.generation, 1);
  assert.is(doc.spec.policyRef.name, 'lab');
  assert.not.match(lab!.text, /last-applied-configuration|managedFields|resourceVersion/);
  const again = await source!.sync();
  assert.is(again.revision, snapshot.revision);
  assert.is(again.changed, false);
});

kube('statuses go to the status subresource, with an Event and counted; the controller\'s own write wakes nobody', async ({ env, source, reasons, writes }) => {
  const before = await source!.sync();
  reasons.length = 0;
  const status = { observedGeneration: 1, devices: 4, conditions: [{ type: 'Ready', status: 'True', reason: 'UpToDate', message: 'all 4 devices up to date', lastTransitionTime: '2026-01-05T09:00:00Z' }] };
  const result = await source!.writeStatus({ revision: before.revision, summary: 'test', statuses: [{ path: 'rooms/devicegroups/lab.yaml', docIndex: 0, status }] });
  assert.is(result.written, true);
  assert.equal(result.files, ['rooms/devicegroups/lab.yaml']);
  assert.equal(writes, ['written'], 'firmwarden_status_writes_total counts Kubernetes writes too');
  assert.is(await env!.kubectlOk(['get', 'dg', 'lab', '-n', 'rooms', '-o', 'jsonpath={.status.devices}']), '4');
  const events = await env!.kubectlOk(['events', '-n', 'rooms', '--for', 'devicegroup/lab']);
  assert.match(events, /Normal\s+UpToDate\s+DeviceGroup\/lab\s+Ready unset -> True: all 4 devices up to date/);
  await eventually('the informer to see the status', async () => {
    const s = await source!.sync();
    return s.files.find((f) => f.path === 'rooms/devicegroups/lab.yaml')!.text.includes('devices: 4') ? true : undefined;
  });
  const after = await source!.sync();
  assert.is(after.revision, before.revision, 'status is not part of the revision');
  assert.is(after.changed, false);
  assert.equal(reasons, [], 'no wake-up for our own status write');
});

kube('a status differing only in lastTransitionTime is not written again, and counts as unchanged', async ({ env, source, writes }) => {
  const rv = await env!.kubectlOk(['get', 'dg', 'lab', '-n', 'rooms', '-o', 'jsonpath={.metadata.resourceVersion}']);
  const status = { observedGeneration: 1, devices: 4, conditions: [{ type: 'Ready', status: 'True', reason: 'UpToDate', message: 'all 4 devices up to date', lastTransitionTime: '2026-02-01T00:00:00Z' }] };
  const result = await source!.writeStatus({ revision: 'x', summary: 'test', statuses: [{ path: 'rooms/devicegroups/lab.yaml', docIndex: 0, status }] });
  assert.is(result.written, false);
  assert.equal(writes, ['written', 'unchanged']);
  assert.is(await env!.kubectlOk(['get', 'dg', 'lab', '-n', 'rooms', '-o', 'jsonpath={.metadata.resourceVersion}']), rv);
});

kube('a spec change wakes the loop and changes the revision', async ({ env, source, reasons }) => {
  const before = await source!.sync();
  reasons.length = 0;
  await env!.kubectlOk(['patch', 'up', 'general', '-n', 'lab', '--type=merge', '-p', '{"spec":{"description":"edited in the cluster"}}']);
  await eventually('a wake-up', () => (reasons.includes('watch') ? true : undefined));
  const after = await source!.sync();
  assert.is.not(after.revision, before.revision);
  assert.ok(after.changed && after.specChanged);
  assert.match(after.files.find((f) => f.path === 'lab/updatepolicies/general.yaml')!.text, /edited in the cluster/);
});

kube('statuses for deleted objects or unknown paths are reported as skipped', async ({ env, source }) => {
  await env!.kubectlOk(['delete', 'su', 'teams-client-nyc', '-n', 'lab']);
  const result = await source!.writeStatus({
    revision: 'x',
    summary: 'test',
    statuses: [
      { path: 'lab/scheduledupdates/teams-client-nyc.yaml', docIndex: 0, status: { devices: 1 } },
      { path: 'groups/lab.yaml', docIndex: 0, status: { devices: 1 } },
    ],
  });
  assert.is(result.written, false);
  assert.equal(result.skipped.map((s) => s.reason), ['the object was deleted', 'not a Kubernetes object path']);
});

kube('a source limited to one namespace sees only that namespace', async ({ client }) => {
  const scoped = new KubeSource({ client: client!, namespace: 'rooms', clock: systemClock, logger: silentLogger() });
  try {
    const snapshot = await scoped.sync();
    assert.ok(snapshot.files.length > 0);
    assert.ok(snapshot.files.every((f) => f.path.startsWith('rooms/')));
  } finally {
    await scoped.close();
  }
});

kube.run();
