// Benchmark: the controller's steady resident set with 10,000 devices. Each run starts a fresh
// `firmwarden emulator --devices N --rate-limit 0` (no limit: the fleet view fills in seconds)
// and `firmwarden run --dir` on a copy of examples/ (groups, policies, schedules), waits until
// the controller has read every device, then checks on its /metrics that it reconciled without
// errors. Two readings of VmRSS/VmHWM from /proc (the kernel's counts, what a container limit
// sees):
// - settled: the highest VmRSS over 5 s after --settle-s seconds of quiet (the figure before
//   issue 17.4; it falls between passes, so a pass's own growth is not in it);
// - steady (the goal's figure): the kernel's peak (VmHWM, reset through /proc/PID/clear_refs)
//   over a whole resync cycle: after the settled reading, one regular pass and 10 s, then
//   from there through the next regular pass and 10 s after it; its mean VmRSS beside it.
//   --resync is 30 s so two cycles fit in a run; the controller's CPU time over the measured
//   cycle (pass, collections, idle) is reported per pass.
// The figures are medians of the runs. Goal (issue 17): steady under 150 MB, median of 5 runs.
// The controller runs as users run it: laid out as the container image is (--layout image, the
// default: dist/'s JavaScript, support/image-app.ts) with an empty compile cache at each start,
// as a new container has; --layout sources runs the repository's TypeScript with its cache.
// Usage: node bench/controller-rss.bench.ts [--devices N] [--runs N] [--settle-s N] [--layout image|sources]
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { control, demoApp, fleetFlags, rssMb, sleep, startEmulator, startFirmwarden, type EmulatorStats } from './support/processes.ts';
import { BenchError, Report, runBench } from './support/report.ts';
import { buildImageApp } from './support/image-app.ts';

const root = new URL('..', import.meta.url).pathname;

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new BenchError(`no VmHWM for process ${pid}`);
  return Number(m[1]) / 1024;
}

/** Starts the kernel's peak (VmHWM) again from the current resident set (proc(5), clear_refs). */
function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** User + system CPU time of a process so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** A counter summed over its label sets from the controller's /metrics. */
async function counter(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').at(-1));
  return sum;
}

const resyncS = 30;

await runBench('controller-rss', async () => {
  const options = parseOptions('controller-rss.bench.ts', {
    devices: { kind: 'count', default: 10_000, min: 50, help: 'emulated devices' },
    runs: { kind: 'count', default: 5, help: 'controller processes, one after the other' },
    'settle-s': { kind: 'count', default: 5, help: 'seconds to wait after the fleet is read, before reading RSS' },
    layout: { kind: 'choice', default: 'image', choices: ['image', 'sources'], help: "the container image's (dist/, a new compile cache each start) or the repository's" },
  });
  const app = options.layout === 'image' ? buildImageApp() : undefined;
  process.once('exit', () => app?.remove());
  const report = new Report('controller-rss', options);
  report.judgeOnlyAt('10,000 devices, 5 runs', options.devices === 10_000 && options.runs >= 5);
  const settled: number[] = [];
  const steady: number[] = [];
  const steadySampled: number[] = [];
  const peaks: number[] = [];
  const reads: number[] = [];
  const passCpu: number[] = [];
  const cycleMean: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const work = mkdtempSync(join(tmpdir(), 'firmwarden-rss-bench-'));
    for (const part of ['groups', 'policies', 'schedules']) cpSync(join(root, 'examples', part), join(work, 'manifests', part), { recursive: true });
    const emulator = await startEmulator(['--devices', String(options.devices), '--rate-limit', '0']);
    const controller = startFirmwarden(
      ['run', '--dir', join(work, 'manifests'), '--state', join(work, 'state.json'), '--listen', '127.0.0.1:0', '--no-report', '--resync', `${resyncS}s`, ...fleetFlags(emulator.url), '--fleet-rate', '10000'],
      { AZURE_CLIENT_SECRET: demoApp.clientSecret, FIRMWARDEN_LOG_LEVEL: 'warn', FIRMWARDEN_LOG_FORMAT: 'json', ...(app ? { NODE_COMPILE_CACHE: join(work, 'compile-cache') } : {}) },
      app?.dir,
    );
    try {
      const pid = controller.child.pid!;
      // Every device listed (a page per 50) and its health read once, in batches or not.
      const needed = Math.ceil(options.devices / 50) + options.devices;
      let stats: EmulatorStats = { graphRequests: 0, httpRequests: 0, throttled: 0, batches: 0 };
      for (let waited = 0; stats.graphRequests < needed; waited += 500) {
        if (controller.child.exitCode !== null) throw new BenchError(`firmwarden run exited with ${controller.child.exitCode}: ${controller.output().slice(-600)}`);
        if (waited > 300_000) throw new BenchError(`the controller read ${stats.graphRequests} of the ${needed} requests' worth of fleet in 5 minutes`);
        await sleep(500);
        stats = await control<EmulatorStats>(emulator.url, 'GET', 'stats');
      }
      reads.push(stats.graphRequests);
      const metricsUrl = /health, metrics and webhook on (http:\/\/\S+)/.exec(controller.output())?.[1];
      if (!metricsUrl) throw new BenchError(`firmwarden run did not say where its metrics are: ${controller.output().slice(-400)}`);
      await sleep(options['settle-s'] * 1000);
      const samples: number[] = [];
      for (let i = 0; i < 10; i++) {
        samples.push(rssMb(pid));
        await sleep(500);
      }
      settled.push(Math.max(...samples));
      peaks.push(peakRssMb(pid));
      const passesBefore = await counter(metricsUrl, 'controller_runtime_reconcile_total');
      if (passesBefore < 1) throw new BenchError('the controller read the fleet but finished no reconcile');
      // One regular pass and its aftermath first (the read's own passes end nearer than that),
      // then a whole cycle measured: from the quiet after that pass through the next regular pass
      // (at most resyncS × 1.1 away) and the same quiet after it.
      const afterPass = async (record: number[]) => {
        const from = await counter(metricsUrl, 'controller_runtime_reconcile_total');
        for (let waited = 0; ; waited += 250) {
          if (waited > resyncS * 2000) throw new BenchError(`no reconcile in ${resyncS * 2} s after the fleet was read (--resync ${resyncS}s)`);
          record.push(rssMb(pid));
          await sleep(250);
          const passes = (await counter(metricsUrl, 'controller_runtime_reconcile_total')) - from;
          if (passes > 0) break;
        }
        for (let i = 0; i < (options['settle-s'] + 5) * 4; i++) {
          record.push(rssMb(pid));
          await sleep(250);
        }
      };
      await afterPass([]);
      resetPeakRss(pid);
      const cpuBefore = cpuMs(pid);
      const passesAtReset = await counter(metricsUrl, 'controller_runtime_reconcile_total');
      const cycle: number[] = [];
      await afterPass(cycle);
      const passes = (await counter(metricsUrl, 'controller_runtime_reconcile_total')) - passesAtReset;
      cycleMean.push(cycle.reduce((a, b) => a + b, 0) / cycle.length);
      passCpu.push((cpuMs(pid) - cpuBefore) / passes);
      steady.push(peakRssMb(pid));
      steadySampled.push(Math.max(...cycle));
      const errors = await counter(metricsUrl, 'controller_runtime_reconcile_errors_total');
      if (errors > 0) throw new BenchError(`the controller's reconciles failed ${errors} times: the figures would not describe real passes`);
    } finally {
      await controller.stop();
      await emulator.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }
  report.note(`controller-rss: run laid out as ${options.layout === 'image' ? 'the container image (dist/, empty compile cache)' : 'the repository (TypeScript sources, warm compile cache)'}; ${options.devices} emulated devices, examples/ manifests, --resync ${resyncS}s, ${options.runs} controller runs; settled = highest VmRSS over 5 s after the fleet is read and ${options['settle-s']} s of quiet; steady = VmHWM over a cycle from ${options['settle-s'] + 5} s after a regular pass through the next one and ${options['settle-s'] + 5} s after it`);
  report.work('devices', options.devices, 'devices', 'no device');
  report.work('graph_requests_per_run', median(reads), 'requests', 'the controller read nothing');
  report.figure('steady_rss_median_mb', median(steady), 'MB');
  report.figure('steady_rss_min_mb', Math.min(...steady), 'MB');
  report.figure('steady_rss_max_mb', Math.max(...steady), 'MB');
  report.figure('steady_rss_sampled_median_mb', median(steadySampled), 'MB (highest VmRSS read every 0.25 s over the cycle)');
  report.figure('steady_rss_mean_median_mb', median(cycleMean), 'MB (mean VmRSS over the cycle, read every 0.25 s)');
  report.figure('settled_rss_median_mb', median(settled), 'MB');
  report.figure('peak_rss_median_mb', median(peaks), 'MB (VmHWM from the start through the settled reading: the fleet read)');
  report.figure('cycle_cpu_ms_per_pass_median', median(passCpu), 'ms (controller CPU over the cycle / passes in it: pass, collections, idle)');
  report.goal('controller-rss', 'steady_rss_median_mb', '<', 150);
  report.finish();
});
