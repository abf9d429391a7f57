// `firmwarden run --kubernetes` as real child processes against a real kube-apiserver: the
// examples applied with kubectl, reconciled against the emulator, status and Events visible
// through kubectl; then two replicas, the leader killed with SIGKILL, the other taking over
// without both ever acting (no duplicate update requests in the emulator's action log).
// The controllers authenticate as the ServiceAccount with exactly the production RBAC.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startKubeEnv, type KubeEnv } from './envtest.ts';
import { eventually, installCrds } from './clients.ts';
import { httpUrl, root, start, stopAll, tail, type Proc } from './controller-process.ts';
import { monitoredMetricNames, sampleNames } from '../support/monitoring.ts';

interface Condition {
  type: string;
  status: string;
  observedGeneration?: number;
}
interface Obj {
  metadata: { name: string; generation?: number };
  status?: { observedGeneration?: number; conditions?: Condition[]; devices?: number; summary?: Record<string, unknown> };
}

async function groups(env: KubeEnv): Promise<Obj[]> {
  return (JSON.parse(await env.kubectlOk(['get', 'devicegroups', '-n', 'rooms', '-o', 'json'])) as { items: Obj[] }).items;
}

async function leaseHolder(env: KubeEnv): Promise<string | undefined> {
  const r = await env.request('GET', '/apis/coordination.k8s.io/v1/namespaces/firmwarden/leases/firmwarden-controller');
  return r.status === 200 ? ((r.body as { spec?: { holderIdentity?: string } }).spec?.holderIdentity ?? undefined) : undefined;
}

/** True when every group's status and conditions follow its current generation. */
function allObserved(items: Obj[]): boolean {
  return items.length > 0 && items.every((o) => o.status?.observedGeneration === o.metadata.generation && (o.status?.conditions ?? []).length > 0 && o.status!.conditions!.every((c) => c.observedGeneration === o.metadata.generation));
}

type Ctx = { env: KubeEnv | undefined; kubeconfig: string };
const t0 = Date.now();
const mark = (what: string) => process.env.DEBUG_KUBE && process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}\n`);
const kube = suite<Ctx>('run --kubernetes against kube-apiserver', { env: undefined, kubeconfig: '' });

kube.before(async (ctx) => {
  ctx.env = await startKubeEnv();
  mark('env');
  await installCrds(ctx.env);
  mark('crds');
  await ctx.env.kubectlOk(['apply', '-f', 'examples/deploy/'], { cwd: root });
  await ctx.env.ensureNamespace('rooms');
  await ctx.env.kubectlOk(['apply', '-n', 'rooms', '-f', 'examples/groups', '-f', 'examples/policies', '-f', 'examples/schedules'], { cwd: root });
  ctx.kubeconfig = await ctx.env.serviceAccountKubeconfig('firmwarden', 'firmwarden');
  mark('applied');
});
kube.after(async (ctx) => {
  await ctx.env?.close();
});

kube('unknown flags are usage errors', async () => {
  const p = start(['run', '--kubernetes', '--emulator', '--no-such-flag']);
  assert.is(await p.exited, 2, tail(p));
  assert.match(p.err.join('\n'), /no-such-flag/);
});

kube('reconciles the examples against the emulator: status through kubectl, observedGeneration, Events, probes', async ({ env, kubeconfig }) => {
  const p = start(['run', '--kubernetes', '--emulator', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--identity', 'solo',
    '--lease-duration', '3s', '--lease-renew-deadline', '2s', '--lease-retry-period', '400ms', '--resync', '5s']);
  try {
    const url = await httpUrl(p);
    mark('solo http');
    assert.is((await fetch(`${url}/healthz`)).status, 200);
    await eventually(`status on every DeviceGroup\n${tail(p)}`, async () => (allObserved(await groups(env!)) ? true : undefined), 30_000);
    mark('solo status');
    const items = await groups(env!);
    assert.ok(items.some((o) => (o.status?.devices ?? 0) > 0), 'some group has devices');
    const table = await env!.kubectlOk(['get', 'devicegroups', '-n', 'rooms']);
    const [header, ...rows] = table.trim().split('\n');
    assert.match(header!, /DEVICES\s+UPDATES-UP-TO-DATE/);
    assert.is(rows.length, items.length);
    assert.ok(rows.every((r) => /\s\d+\s+\d+\s/.test(r)), `numbers in the DEVICES and UPDATES-UP-TO-DATE columns:\n${table}`);
    assert.is(await leaseHolder(env!), 'solo');
    assert.is((await fetch(`${url}/readyz`)).status, 200, 'the leader is ready after reconciling');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    // The leader serves every metric examples/deploy/monitoring's alerts and dashboard read.
    const missing = [...monitoredMetricNames()].filter((name) => !sampleNames(metrics).has(name));
    assert.equal(missing, [], `metrics the monitoring examples name that run --kubernetes does not serve:\n${missing.join('\n')}`);
    assert.match(metrics, 'leader_election_master_status{name="firmwarden-controller"} 1');
    assert.match(metrics, /firmwarden_status_writes_total\{result="written"\} [1-9]/);
    assert.match(metrics, /firmwarden_group_devices\{namespace="rooms",name="lab",state="\w+"\} \d+/);
    const events = await env!.request('GET', '/apis/events.k8s.io/v1/namespaces/rooms/events');
    const ours = ((events.body as { items: { reportingController?: string; reportingInstance?: string; regarding?: { kind?: string } }[] }).items ?? []).filter(
      (e) => e.reportingController === 'firmwarden.dev/controller',
    );
    assert.ok(ours.length > 0, 'an Event per condition change');
    assert.is(ours[0]!.reportingInstance, 'solo');
    // A spec change by a person bumps the generation; the controller follows it.
    await env!.kubectlOk(['annotate', '-n', 'rooms', 'devicegroup/lab', 'x=y']); // metadata only: no new generation
    await env!.kubectlOk(['patch', '-n', 'rooms', 'devicegroup/lab', '--type=merge', '-p', '{"spec":{"description":"changed by a person"}}']);
    await eventually('observedGeneration to follow the spec change', async () => (allObserved(await groups(env!)) ? true : undefined), 20_000);
    assert.is((await groups(env!)).find((o) => o.metadata.name === 'lab')!.metadata.generation, 2);
    mark('solo followed');
    p.child.kill('SIGTERM');
    assert.is(await p.exited, 0, tail(p));
    assert.is(await leaseHolder(env!), undefined, 'a clean stop releases the lease');
  } finally {
    await stopAll([p]);
  }
});

kube('two replicas: the leader is killed, the standby takes over, and they never both act', async ({ env, kubeconfig }) => {
  const emulator = start(['emulator', '--port', '0', '--rate-limit', '0']);
  const procs: Proc[] = [emulator];
  try {
    const graph = await eventually('the emulator', () => emulator.out.map((l) => /Graph base URL\s+(\S+)/.exec(l)?.[1]).find(Boolean));
    const field = (label: string) => emulator.out.map((l) => new RegExp(`^\\s*${label}\\s+(\\S+)`).exec(l)?.[1]).find(Boolean)!;
    const secretFile = join(env!.dir, 'graph-secret');
    await writeFile(secretFile, field('Client secret'), { mode: 0o600 });
    // The lab's maintenance window is office hours; without it the lab policy starts updates
    // now, so the action log has something to be duplicated (or not).
    await env!.kubectlOk(['patch', '-n', 'rooms', 'updatepolicy/lab', '--type=json', '-p', '[{"op":"remove","path":"/spec/maintenanceWindows"}]']);
    const updates = async () =>
      (await (await fetch(`${graph.replace(/\/beta\/?$/, '')}/_emulator/requests?action=updateSoftware`)).json()) as {
        deviceId: string; softwareType: string | null; targetVersion: string | null; status: number;
      }[];
    const replica = (identity: string) =>
      start(['run', '--kubernetes', '--kubeconfig', kubeconfig, '--listen', '127.0.0.1:0', '--identity', identity,
        '--lease-duration', '3s', '--lease-renew-deadline', '2s', '--lease-retry-period', '400ms', '--resync', '2s',
        '--graph-url', graph, '--tenant', field('Tenant'), '--client-id', field('Client id'), '--client-secret-file', secretFile, '--fleet-rate', '1000']);
    const a = replica('replica-a');
    procs.push(a);
    await eventually(`replica-a to lead\n${tail(a)}`, async () => ((await leaseHolder(env!)) === 'replica-a' ? true : undefined));
    mark('a leads');
    const b = replica('replica-b');
    procs.push(b);
    const urlB = await httpUrl(b);
    await eventually('the standby to be ready', async () => ((await fetch(`${urlB}/readyz`)).status === 200 ? true : undefined));
    assert.is(await leaseHolder(env!), 'replica-a');
    assert.not.ok(b.err.some((l) => l.includes('replica-b leads')), 'the standby does not lead');
    const standby = await (await fetch(`${urlB}/metrics`)).text();
    assert.match(standby, 'leader_election_master_status{name="firmwarden-controller"} 0');
    assert.not.match(standby, /^firmwarden_group_devices\{/m, 'a standby reports no rollout gauges');
    await eventually('status from the leader', async () => (allObserved(await groups(env!)) ? true : undefined), 30_000);

    const startedByA = await eventually('updates started by the first leader', async () => {
      const n = (await updates()).filter((e) => e.status === 202).length;
      return n > 0 ? n : undefined;
    });
    mark('a started updates');
    a.child.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    await eventually(`replica-b to take over\n${tail(b)}`, async () => ((await leaseHolder(env!)) === 'replica-b' ? true : undefined), 15_000);
    assert.ok(Date.now() - killedAt < 15_000);
    mark('b took over');
    // Reconciles continue under the new leader: a spec change is observed.
    const before = (await groups(env!)).find((o) => o.metadata.name === 'lab')!.metadata.generation!;
    await env!.kubectlOk(['patch', '-n', 'rooms', 'devicegroup/lab', '--type=merge', '-p', `{"spec":{"description":"after the takeover ${before}"}}`]);
    await eventually(`the new leader to reconcile\n${tail(b)}`, async () => {
      const items = await groups(env!);
      return items.find((o) => o.metadata.name === 'lab')!.metadata.generation === before + 1 && allObserved(items) ? true : undefined;
    }, 20_000);

    mark('b reconciled');
    assert.match(await (await fetch(`${urlB}/metrics`)).text(), 'leader_election_master_status{name="firmwarden-controller"} 1');
    const log = await updates();
    const accepted = log.filter((e) => e.status === 202).map((e) => `${e.deviceId} ${e.softwareType} ${e.targetVersion}`);
    assert.is(new Set(accepted).size, accepted.length, 'no update was requested twice');
    assert.ok(accepted.length >= startedByA, 'the log holds what the first leader started');
    if (process.env.DEBUG_KUBE) process.stderr.write(`update requests accepted: ${startedByA} by the first leader, ${accepted.length} in all\n`);
    // Someone else takes the lease (as after a partition): the leader stops and exits non-zero.
    const lease = (await env!.request('GET', '/apis/coordination.k8s.io/v1/namespaces/firmwarden/leases/firmwarden-controller')).body as { spec: Record<string, unknown> };
    lease.spec.holderIdentity = 'replica-z';
    assert.is((await env!.request('PUT', '/apis/coordination.k8s.io/v1/namespaces/firmwarden/leases/firmwarden-controller', lease)).status, 200);
    assert.is(await b.exited, 1, tail(b));
    assert.ok(b.err.some((l) => l.includes('lost the leadership')), tail(b));
    assert.is(await leaseHolder(env!), 'replica-z', 'a deposed leader does not release the lease it lost');
  } finally {
    await stopAll(procs);
  }
});

kube.run();
