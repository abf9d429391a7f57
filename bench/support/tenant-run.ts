// One run of the tenants benchmark: a fresh emulator serving T tenants of D devices each (its
// failure rates at 0, so a second update of a device can only be a duplicate), the recording
// tap in front of its /beta, then either ONE `firmwarden run --dir` on a folder of T tenant
// namespaces, or three `firmwarden run --kubernetes --shards S` replicas against a fresh real
// kube-apiserver holding the same objects. From the replicas' start it polls their /metrics
// until every tenant has completed a reconcile, then reads each replica's peak resident set
// (VmHWM: the kernel's high-water mark of the process, the figure wait4's ru_maxrss gives), the
// tap's arrivals per tenant and the emulator's per-tenant 429s and updateSoftware log.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeEnv } from '../../test/kube/envtest.ts';
import { control, sleep, startEmulator, startFirmwarden, type Child } from './processes.ts';
import { BenchError } from './report.ts';
import { busiestWindow, startRequestTap, type RequestTap } from './request-tap.ts';
import { applyTenants, leaseNamespace, shardHolders, startTenantCluster } from './tenant-kube.ts';
import { FirstReconciles, namespaceOf, writeSecrets, writeTenantFolder, type TenantList } from './tenant-fleet.ts';

export interface TenantsRunOptions {
  readonly tenants: number;
  readonly devices: number;
  readonly replicas: 1 | 3;
  readonly shards: number;
  /** Tenants reconciled at once per replica; 0 = the controller's default. */
  readonly tenantConcurrency: number;
  readonly pollMs: number;
  readonly timeoutS: number;
}

/** What one run measured. */
export interface TenantsRun {
  /** Ms from the replicas' start to each tenant's first completed reconcile, ascending. */
  readonly firstReconcileMs: readonly number[];
  /** Peak RSS of each replica, MB (MiB). */
  readonly peakRssMb: readonly number[];
  /** Tenants whose first reconcile each replica completed. */
  readonly tenantsPerReplica: readonly number[];
  /** Shard Leases held by each replica at the end (replicas 3). */
  readonly shardsPerReplica: readonly number[];
  /** Graph requests the tenants' apps sent (inner $batch requests counted). */
  readonly graphRequests: number;
  /** Requests sent by any other app (the run's own single-tenant flags): should be 0. */
  readonly otherAppRequests: number;
  /** The tenant with the most requests in one 1-s window, over its limit (1 = at the limit). */
  readonly worstWindow: { readonly tenant: string; readonly requests: number; readonly limit: number };
  readonly tenantsOverLimit: number;
  /** Of those, tenants whose busiest window holds requests of two replicas (a tenant handed over). */
  readonly overLimitAcrossReplicas: number;
  /** 429 answers the emulator gave, all tenants. */
  readonly throttled: number;
  /** updateSoftware accepted twice for one (tenant, device, software type). */
  readonly duplicateUpdates: number;
  readonly updatesStarted: number;
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new BenchError(`no VmHWM for process ${pid}`);
  return Number(m[1]) / 1024;
}

async function listenUrl(c: Child, what: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const m = /health[^\n]* on (http:\/\/127\.0\.0\.1:\d+)/.exec(c.output());
    if (m) return m[1]!;
    if (c.child.exitCode !== null) break;
    await sleep(100);
  }
  throw new BenchError(`${what} did not start (exit ${c.child.exitCode}): ${c.output().slice(-800)}`);
}

/** A replica's last warning or error (its JSON log line's message and error, without the stack), else its last output. */
function lastWords(output: string): string {
  for (const line of output.split('\n').reverse()) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) >= 40) return `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`;
    } catch {
      // a line cut by the output's 64 KiB tail
    }
  }
  return output.slice(-400);
}

/** What each replica said last, for a failure's sentence. */
const lastLogs = (replicas: readonly Child[]) => replicas.map((r, i) => `[replica ${i}] ${lastWords(r.output())}`).join('\n');

const noTenants = (what: string) =>
  `${what} reconciled the manifests as ONE tenant (controller_runtime_reconcile_total has no tenant label), ` +
  'so this controller does not serve Tenants there: it needs the per-tenant pass (run/tenant-pass.ts) wired into this command';

/** Starts the replicas of the run; the measured clock starts just before the first spawn. */
function startReplicas(o: TenantsRunOptions, common: (replica: number) => string[], env: NodeJS.ProcessEnv, dir: string, kube: KubeEnv | undefined): { replicas: Child[]; t0: number } {
  const concurrency = o.tenantConcurrency > 0 ? ['--tenant-concurrency', String(o.tenantConcurrency)] : [];
  const t0 = performance.now();
  if (!kube) return { t0, replicas: [startFirmwarden(['run', '--dir', join(dir, 'manifests'), '--state', join(dir, 'state.json'), '--no-report', ...concurrency, ...common(0)], env)] };
  const replicas = [0, 1, 2].map((i) => startFirmwarden([
    'run', '--kubernetes', '--kubeconfig', kube.adminKubeconfig, '--lease-namespace', leaseNamespace, '--identity', `replica-${i}`,
    '--shards', String(o.shards), ...concurrency, ...common(i),
  ], env));
  return { t0, replicas };
}

/** One run at `o`; everything it started is stopped before it returns or throws. */
export async function runTenants(o: TenantsRunOptions): Promise<TenantsRun> {
  const work = mkdtempSync(join(tmpdir(), 'firmwarden-tenants-bench-'));
  const listFile = join(work, 'tenants.json');
  let emulator: Awaited<ReturnType<typeof startEmulator>> | undefined;
  let tap: RequestTap | undefined;
  let kube: KubeEnv | undefined;
  let replicas: Child[] = [];
  try {
    emulator = await startEmulator(['--tenants', String(o.tenants), '--devices', String(o.devices), '--tenants-out', listFile]);
    const list = JSON.parse(readFileSync(listFile, 'utf8')) as TenantList;
    if (list.tenants.length !== o.tenants) throw new BenchError(`the emulator serves ${list.tenants.length} tenants, ${o.tenants} were asked`);
    for (const t of list.tenants) await control(emulator.url, 'POST', `tenants/${t.tenantId}/failure-rates`, { model: '*', rate: 0 });
    const through = await startRequestTap(emulator.url);
    tap = through;
    const secrets = writeSecrets(list, join(work, 'secrets'));
    if (o.replicas === 1) writeTenantFolder(list, join(work, 'manifests'), secrets);
    else {
      kube = await startTenantCluster();
      await applyTenants(kube, list, secrets);
    }
    // The run's own single-tenant connection is the first tenant's READ-ONLY app: should
    // anything use it beside the Tenants, its requests show apart and never eat a Tenant's limit.
    const first = list.tenants[0]!;
    const common = (i: number) => ['--listen', '127.0.0.1:0', '--graph-url', through.graphUrlFor(i), '--login-url', through.loginUrl, '--tenant', first.tenantId, '--client-id', first.readOnlyClientId];
    const env = { AZURE_CLIENT_SECRET: first.readOnlyClientSecret, FIRMWARDEN_LOG_LEVEL: 'warn', FIRMWARDEN_LOG_FORMAT: 'json' };
    const started = startReplicas(o, common, env, work, kube);
    replicas = started.replicas;
    const what = o.replicas === 1 ? 'firmwarden run --dir' : 'firmwarden run --kubernetes --shards';
    const urls = await Promise.all(replicas.map((r, i) => listenUrl(r, `${what} (replica ${i})`)));
    const progress = new FirstReconciles();
    for (;;) {
      await sleep(o.pollMs);
      const at = performance.now() - started.t0;
      for (const [i, r] of replicas.entries()) {
        if (r.child.exitCode !== null) throw new BenchError(`${what} (replica ${i}) exited with ${r.child.exitCode} after ${(at / 1000).toFixed(1)} s: ${r.output().slice(-800)}`);
        const text = await fetch(`${urls[i]}/metrics`).then((res) => res.text(), () => '');
        progress.observe(i, at, text);
      }
      if (progress.done === o.tenants) break;
      if (progress.untenanted > 0 && progress.done === 0 && progress.failing().length === 0) throw new BenchError(noTenants(what));
      // Every tenant failing again and again, none through: a broken setup, not a slow one.
      if (progress.done === 0 && progress.failing().length === o.tenants && progress.failing().every(([, n]) => n >= 3)) {
        throw new BenchError(`every tenant's reconcile failed 3 times and none completed; last log: ${lastLogs(replicas)}`);
      }
      if (at > o.timeoutS * 1000) {
        const failing = progress.failing().slice(0, 5).map(([t, n]) => `${t} (${n} failed)`).join(', ');
        throw new BenchError(`${progress.done} of ${o.tenants} tenants completed a reconcile in ${o.timeoutS} s${failing ? `; failing: ${failing}` : ''}; last log: ${lastLogs(replicas)}`);
      }
    }
    const peak = replicas.map((r) => peakRssMb(r.child.pid!));
    const holders = kube ? await shardHolders(kube) : new Map<string, string>();
    if (kube && holders.size === 0) {
      throw new BenchError(`the three replicas hold no shard Lease (firmwarden-shard-* in namespace ${leaseNamespace}): --shards is not wired into run --kubernetes, so one leader did all the work and the figures would be one replica's`);
    }
    await Promise.all(replicas.map((r) => r.stop()));
    return { ...(await tally(emulator.url, tap, list)), firstReconcileMs: progress.times(), peakRssMb: peak,
      tenantsPerReplica: replicas.map((_, i) => progress.perReplica().get(i) ?? 0),
      shardsPerReplica: kube ? replicas.map((_, i) => [...holders.values()].filter((h) => h === `replica-${i}`).length) : [] };
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await tap?.close();
    await emulator?.stop();
    await kube?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

interface LoggedUpdate {
  readonly deviceId: string;
  readonly softwareType: string | null;
  readonly status: number;
}

/** Requests per tenant from the tap, 429s and updates from the emulator. */
async function tally(url: string, tap: RequestTap, list: TenantList) {
  const arrivals = tap.arrivals();
  let graphRequests = 0;
  let otherAppRequests = tap.unsigned();
  let worstWindow = { tenant: '', requests: 0, limit: 1 };
  let tenantsOverLimit = 0;
  let overLimitAcrossReplicas = 0;
  let throttled = 0;
  let duplicateUpdates = 0;
  let updatesStarted = 0;
  for (const t of list.tenants) {
    const own = arrivals.find((a) => a.tenantId === t.tenantId.toLowerCase() && a.appId === t.clientId);
    const busiest = own ? busiestWindow(own.at, own.units) : { units: 0, from: 0, to: 0 };
    const most = busiest.units;
    graphRequests += own ? own.units.reduce((s, n) => s + n, 0) : 0;
    if (t.rateLimit > 0 && most > t.rateLimit) {
      tenantsOverLimit++;
      if (new Set(own!.replica.slice(busiest.from, busiest.to)).size > 1) overLimitAcrossReplicas++;
    }
    if (t.rateLimit > 0 && most / t.rateLimit > worstWindow.requests / worstWindow.limit) worstWindow = { tenant: namespaceOf(t), requests: most, limit: t.rateLimit };
    throttled += (await control<{ throttled: number }>(url, 'GET', `tenants/${t.tenantId}/stats`)).throttled;
    const seen = new Set<string>();
    for (const u of await control<LoggedUpdate[]>(url, 'GET', `tenants/${t.tenantId}/requests?action=updateSoftware`)) {
      if (u.status !== 202) continue;
      updatesStarted++;
      const key = `${u.deviceId} ${u.softwareType ?? ''}`;
      if (seen.has(key)) duplicateUpdates++;
      seen.add(key);
    }
  }
  for (const a of arrivals) if (!list.tenants.some((t) => a.tenantId === t.tenantId.toLowerCase() && a.appId === t.clientId)) otherAppRequests += a.units.reduce((s, n) => s + n, 0);
  return { graphRequests, otherAppRequests, worstWindow, tenantsOverLimit, overLimitAcrossReplicas, throttled, duplicateUpdates, updatesStarted };
}
