// Benchmark: the controller's steady resident set with 10,000 devices. Each run starts a fresh
// `firmwarden emulator --devices N --rate-limit 0` (no limit: the fleet view fills in seconds)
// and `firmwarden run --dir` on a copy of examples/ (groups, policies, schedules), waits until
// the controller has read every device and settled, then reads its VmRSS from /proc (the
// kernel's count, what a container limit sees) every 0.5 s for a few seconds and keeps the
// highest; VmHWM (the kernel's peak) is reported beside it. The figure is the median of the
// runs. Goal (issue 17): under 150 MB, median of 5 runs.
// Usage: node bench/controller-rss.bench.ts [--devices N] [--runs N] [--settle-s N]
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { control, demoApp, fleetFlags, rssMb, sleep, startEmulator, startFirmwarden, type EmulatorStats } from './support/processes.ts';
import { BenchError, Report, runBench } from './support/report.ts';

const root = new URL('..', import.meta.url).pathname;

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new BenchError(`no VmHWM for process ${pid}`);
  return Number(m[1]) / 1024;
}

await runBench('controller-rss', async () => {
  const options = parseOptions('controller-rss.bench.ts', {
    devices: { kind: 'count', default: 10_000, min: 50, help: 'emulated devices' },
    runs: { kind: 'count', default: 5, help: 'controller processes, one after the other' },
    'settle-s': { kind: 'count', default: 5, help: 'seconds to wait after the fleet is read, before reading RSS' },
  });
  const report = new Report('controller-rss', options);
  report.judgeOnlyAt('10,000 devices, 5 runs', options.devices === 10_000 && options.runs >= 5);
  const steady: number[] = [];
  const peaks: number[] = [];
  const reads: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const work = mkdtempSync(join(tmpdir(), 'firmwarden-rss-bench-'));
    for (const part of ['groups', 'policies', 'schedules']) cpSync(join(root, 'examples', part), join(work, 'manifests', part), { recursive: true });
    const emulator = await startEmulator(['--devices', String(options.devices), '--rate-limit', '0']);
    const controller = startFirmwarden(
      ['run', '--dir', join(work, 'manifests'), '--state', join(work, 'state.json'), '--listen', '127.0.0.1:0', '--no-report', ...fleetFlags(emulator.url), '--fleet-rate', '10000'],
      { AZURE_CLIENT_SECRET: demoApp.clientSecret, FIRMWARDEN_LOG_LEVEL: 'warn', FIRMWARDEN_LOG_FORMAT: 'json' },
    );
    try {
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
      await sleep(options['settle-s'] * 1000);
      const samples: number[] = [];
      for (let i = 0; i < 10; i++) {
        samples.push(rssMb(controller.child.pid!));
        await sleep(500);
      }
      steady.push(Math.max(...samples));
      peaks.push(peakRssMb(controller.child.pid!));
    } finally {
      await controller.stop();
      await emulator.stop();
      rmSync(work, { recursive: true, force: true });
    }
  }
  report.note(`controller-rss: ${options.devices} emulated devices, examples/ manifests, ${options.runs} controller runs; steady = highest VmRSS over 5 s after the fleet is read and ${options['settle-s']} s of settling`);
  report.work('devices', options.devices, 'devices', 'no device');
  report.work('graph_requests_per_run', median(reads), 'requests', 'the controller read nothing');
  report.figure('steady_rss_median_mb', median(steady), 'MB');
  report.figure('steady_rss_min_mb', Math.min(...steady), 'MB');
  report.figure('steady_rss_max_mb', Math.max(...steady), 'MB');
  report.figure('peak_rss_median_mb', median(peaks), 'MB');
  report.goal('controller-rss', 'steady_rss_median_mb', '<', 150);
  report.finish();
});
