// Benchmark (issue 16): many tenants on one replica, then on three. `firmwarden emulator
// --tenants T --devices D` serves T emulated Microsoft 365 tenants (each its own app, secret,
// fleet and 30 requests/s limit); the configuration has one namespace per tenant with a Tenant
// (client secret in a file of its own), an UpdatePolicy and a DeviceGroup
// (bench/support/tenant-fleet.ts). Replicas 1: ONE `firmwarden run --dir`. Replicas 3: three
// `firmwarden run --kubernetes --shards 16` against a real kube-apiserver (the tests' envtest,
// scripts/provision-kube.sh). Measured from the replicas' start (support/tenant-run.ts):
//   - time until every tenant has completed its first reconcile (the controllers' /metrics,
//     per-tenant controller_runtime_reconcile_total), with the first and median tenant;
//   - peak RSS of each replica by the kernel (VmHWM);
//   - requests per tenant: the most any tenant sent in any 1-s window (a recording pass-through
//     in front of the emulator stamps every Graph request, $batch inner requests counted) against
//     its limit, and the emulator's 429s; updateSoftware accepted twice for one device (none
//     may be: with 3 replicas no tenant may be reconciled by two at once).
// With both settings, the ratio of the all-tenants times (1 replica / 3 replicas).
// Usage: node bench/tenants.bench.ts [--tenants N] [--devices N] [--replicas 1|3|1,3] [--runs N]
//   At 200 × 500 each tenant needs ~510 requests at 30/s (~17 s) and a replica reconciles 4
//   tenants at once by default: ~14 minutes for one replica, ~5 for three. `--tenants 20
//   --devices 50` takes about a minute.
import { firstAndMedian, median } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { BenchError, Report, runBench } from './support/report.ts';
import { runTenants, type TenantsRun } from './support/tenant-run.ts';

await runBench('tenants', async () => {
  const options = parseOptions('tenants.bench.ts', {
    tenants: { kind: 'count', default: 200, help: 'emulated tenants' },
    devices: { kind: 'count', default: 500, help: 'devices per tenant' },
    replicas: { kind: 'choice', default: '1,3', choices: ['1', '3', '1,3'], help: 'one `run --dir`, three `run --kubernetes --shards` replicas, or both (then the ratio)' },
    runs: { kind: 'count', default: 1, help: 'runs of each setting, interleaved (first and median reported)' },
    shards: { kind: 'count', default: 16, help: 'shard Leases of the three replicas' },
    'tenant-concurrency': { kind: 'count', default: 0, min: 0, help: 'tenants reconciled at once per replica, 0 = the controller\'s default' },
    'poll-ms': { kind: 'count', default: 500, min: 50, help: 'how often each replica\'s /metrics is read' },
    'timeout-s': { kind: 'count', default: 3600, help: 'give up (an error, no figure) after this many seconds per run' },
  });
  const report = new Report('tenants', options);
  const settings = options.replicas.split(',').map(Number) as (1 | 3)[];
  const runs = new Map<number, TenantsRun[]>(settings.map((r) => [r, []]));
  for (let run = 0; run < options.runs; run++) {
    for (const replicas of settings) {
      runs.get(replicas)!.push(await runTenants({
        tenants: options.tenants, devices: options.devices, replicas, shards: options.shards,
        tenantConcurrency: options['tenant-concurrency'], pollMs: options['poll-ms'], timeoutS: options['timeout-s'],
      }));
    }
  }
  report.note(`tenants: ${options.tenants} emulated tenants × ${options.devices} devices, ${options.runs} run(s) of ${settings.map((r) => `${r} replica${r > 1 ? 's' : ''}`).join(' and ')}; times from the replicas' start, /metrics read every ${options['poll-ms']} ms`);
  report.work('tenants', options.tenants, 'tenants', 'no tenant');
  report.figure('devices_per_tenant', options.devices, 'devices');
  const allS = new Map<number, number>();
  for (const [replicas, series] of runs) {
    const p = `r${replicas}_`;
    for (const r of series) {
      // Zero tenants reconciled cannot reach here (the run throws), but a short list would make every figure lie.
      report.expect(`tenants that completed a first reconcile (${replicas} replica(s))`, r.firstReconcileMs.length, options.tenants);
      if (r.graphRequests === 0) throw new BenchError(`${replicas} replica(s): the tenants' apps sent no Graph request, so nothing reached the fleet`);
    }
    const all = firstAndMedian(series.map((r) => r.firstReconcileMs.at(-1)! / 1000));
    allS.set(replicas, all.median);
    report.figure(`${p}all_tenants_first_reconcile_s`, all.first, 's');
    if (options.runs > 1) report.figure(`${p}all_tenants_first_reconcile_median_s`, all.median, 's');
    report.figure(`${p}first_tenant_s`, median(series.map((r) => r.firstReconcileMs[0]! / 1000)), 's');
    report.figure(`${p}median_tenant_s`, median(series.map((r) => median(r.firstReconcileMs) / 1000)), 's');
    report.figure(`${p}peak_rss_max_mb`, median(series.map((r) => Math.max(...r.peakRssMb))), 'MB');
    if (replicas > 1) report.figure(`${p}peak_rss_sum_mb`, median(series.map((r) => r.peakRssMb.reduce((s, v) => s + v, 0))), 'MB');
    report.work(`${p}graph_requests`, median(series.map((r) => r.graphRequests)), 'requests', `${replicas} replica(s): no Graph request`);
    report.figure(`${p}requests_per_tenant`, median(series.map((r) => r.graphRequests)) / options.tenants, 'requests');
    const worst = series.map((r) => r.worstWindow).reduce((a, b) => (b.requests / b.limit > a.requests / a.limit ? b : a));
    report.figure(`${p}worst_tenant_1s_requests`, worst.requests, 'requests', { zeroOk: true });
    report.figure(`${p}worst_tenant_1s_over_limit`, worst.requests / worst.limit, 'x', { zeroOk: true });
    report.figure(`${p}tenants_over_limit`, Math.max(...series.map((r) => r.tenantsOverLimit)), 'tenants', { zeroOk: true });
    if (replicas > 1) report.figure(`${p}tenants_over_limit_two_senders`, Math.max(...series.map((r) => r.overLimitAcrossReplicas)), 'tenants', { zeroOk: true });
    report.figure(`${p}throttled_429`, Math.max(...series.map((r) => r.throttled)), 'responses', { zeroOk: true });
    report.figure(`${p}other_app_requests`, Math.max(...series.map((r) => r.otherAppRequests)), 'requests', { zeroOk: true });
    report.figure(`${p}updates_started`, median(series.map((r) => r.updatesStarted)), 'updates', { zeroOk: true });
    report.figure(`${p}duplicate_updates`, Math.max(...series.map((r) => r.duplicateUpdates)), 'updates', { zeroOk: true });
    const last = series.at(-1)!;
    report.note(`${replicas} replica(s), last run: first reconciles per replica ${last.tenantsPerReplica.join('/')}` +
      `${last.shardsPerReplica.length > 0 ? `, shards held at the end ${last.shardsPerReplica.join('/')}` : ''}, peak RSS ${last.peakRssMb.map((v) => v.toFixed(0)).join('/')} MB; worst 1-s window ${worst.requests} of ${worst.limit} (${worst.tenant})`);
    report.goal('tenants-within-limit', `${p}tenants_over_limit`, '<=', 0);
    report.goal('tenants-no-duplicate', `${p}duplicate_updates`, '<=', 0);
  }
  if (allS.has(1) && allS.has(3)) report.figure('ratio_all_tenants_1_over_3', allS.get(1)! / allS.get(3)!, 'x');
  report.finish();
});
