// The conditions contract against a real kube-apiserver: `firmwarden run --kubernetes` (a real
// child process, as the production ServiceAccount) runs a ScheduledUpdate to its end against an
// emulator whose every update fails. The ScheduledUpdate must then rest as Stalled, so that
// `kubectl wait --for=condition=Stalled` returns and kstatus (Flux's health checks) reads the
// object from the API server as Failed rather than InProgress forever; and the start of the
// rollout is a Normal Event, its failure a Warning.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmulator } from '../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../controller/fleet/emulator/emulator-options.ts';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { eventually, installCrds } from './clients.ts';
import { root, start, stopAll, tail, type Proc } from './controller-process.ts';
import { kstatusOf } from '../status/kstatus.ts';

interface Condition {
  type: string;
  status: string;
  reason: string;
  message?: string;
  observedGeneration?: number;
}
interface ScheduledUpdateObject {
  metadata: { name: string; generation?: number };
  status?: { observedGeneration?: number; conditions?: Condition[]; updates?: { failed?: number; inProgress?: number; pending?: number }; completionTime?: string };
}
interface EventItem {
  type: string;
  reason: string;
  note: string;
  reportingController?: string;
  regarding?: { kind?: string; name?: string };
}

type Ctx = { env: KubeEnv | undefined; emulator: EmulatorHandle | undefined; kubeconfig: string };
const kube = suite<Ctx>('a failed ScheduledUpdate rests as Stalled on kube-apiserver', { env: undefined, emulator: undefined, kubeconfig: '' });

kube.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  await installCrds(ctx.env);
  await ctx.env.kubectlOk(['apply', '-f', 'examples/deploy/'], { cwd: root });
  await ctx.env.ensureNamespace('rooms');
  ctx.kubeconfig = await ctx.env.serviceAccountKubeconfig('firmwarden', 'firmwarden');
  // Every update fails, and quickly: the test is about where the controller leaves things.
  ctx.emulator = await startEmulator({ devices: 8, rateLimit: 0, failureRate: 1, queuedMs: 200, inProgressMs: 600, durationJitter: 0 });
});
kube.after(async (ctx) => {
  await ctx.emulator?.close();
  await ctx.env?.close();
});

async function scheduledUpdate(env: KubeEnv, name: string): Promise<ScheduledUpdateObject> {
  return JSON.parse(await env.kubectlOk(['get', '-n', 'rooms', `scheduledupdate/${name}`, '-o', 'json'])) as ScheduledUpdateObject;
}

kube('updates that all fail leave the ScheduledUpdate Stalled: kubectl wait returns, kstatus says Failed, the start was a Normal Event', async ({ env, emulator, kubeconfig }) => {
  const secretFile = join(env!.dir, 'graph-secret');
  await writeFile(secretFile, emulator!.clientSecret, { mode: 0o600 });
  const manifest = {
    apiVersion: 'firmwarden.dev/v1alpha1',
    kind: 'ScheduledUpdate',
    metadata: { name: 'teams-refresh', namespace: 'rooms' },
    spec: { targets: { selector: {} }, software: [{ type: 'teamsClient' }, { type: 'firmware' }], respectMaintenanceWindows: false },
  };
  await env!.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  const procs: Proc[] = [];
  try {
    const controller = start(['run', '--kubernetes', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--identity', 'solo',
      '--lease-duration', '3s', '--lease-renew-deadline', '2s', '--lease-retry-period', '400ms', '--resync', '1s',
      '--graph-url', emulator!.graphBaseUrl, '--tenant', emulator!.tenant, '--client-id', emulator!.clientId, '--client-secret-file', secretFile, '--fleet-rate', '1000']);
    procs.push(controller);

    // kubectl wait returns once Stalled=True: the failure is visible without a timeout.
    const waited = await env!.kubectl(['wait', '-n', 'rooms', '--for=condition=Stalled', '--timeout=45s', 'scheduledupdate/teams-refresh']);
    const su = await scheduledUpdate(env!, 'teams-refresh');
    assert.is(waited.code, 0, `kubectl wait: ${waited.stderr}\nstatus: ${JSON.stringify(su.status?.conditions)}\n${tail(controller)}`);
    assert.ok((su.status?.updates?.failed ?? 0) > 0, 'updates failed');
    assert.ok(su.status?.completionTime, 'the ScheduledUpdate completed');
    const byType = new Map((su.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.equal([byType.get('Ready')?.status, byType.get('Ready')?.reason], ['False', 'UpdatesFailed']);
    assert.equal([byType.get('Reconciling')?.status, byType.get('Stalled')?.status], ['False', 'True']);

    // kstatus reads the very object the API server holds: Failed, with the reason; the status
    // follows the current generation, so it is not InProgress for want of observedGeneration.
    assert.is(su.status?.observedGeneration, su.metadata.generation);
    for (const c of su.status?.conditions ?? []) assert.is(c.observedGeneration, su.metadata.generation, c.type);
    const read = kstatusOf(su);
    assert.is(read.status, 'Failed');
    assert.is(read.reason, 'UpdatesFailed');

    // Events: the rollout starting is Normal; the stall is a Warning.
    const events = await eventually('the Stalled event', async () => {
      const r = await env!.request('GET', '/apis/events.k8s.io/v1/namespaces/rooms/events');
      const items = ((r.body as { items?: EventItem[] }).items ?? []).filter((e) => e.reportingController === 'firmwarden.dev/controller' && e.regarding?.name === 'teams-refresh');
      return items.some((e) => e.note.startsWith('Stalled')) ? items : undefined;
    });
    const summary = events.map((e) => `${e.type} ${e.reason}: ${e.note}`).join('\n');
    if (process.env.DEBUG_KUBE) process.stderr.write(`${summary}\n`);
    const started = events.filter((e) => e.reason === 'Progressing');
    assert.ok(started.length > 0, `an event for the rollout starting:\n${summary}`);
    for (const e of started) assert.is(e.type, 'Normal', `the rollout starting is Normal news:\n${summary}`);
    const stalled = events.find((e) => e.note.startsWith('Stalled False -> True') || e.note.startsWith('Stalled unset -> True'));
    assert.is(stalled?.type, 'Warning', summary);
    assert.is(stalled?.reason, 'UpdatesFailed', summary);
    assert.not.ok(events.some((e) => /(False -> False|True -> True)/.test(e.note)), `no no-change event:\n${summary}`);

    controller.child.kill('SIGTERM');
    assert.is(await controller.exited, 0, tail(controller));
  } finally {
    await stopAll(procs);
  }
});

kube.run();
