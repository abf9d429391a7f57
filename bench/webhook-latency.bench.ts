// Issue 5's benchmark: from a push of an immediate ScheduledUpdate to the first updateSoftware
// the controller sends, with the webhook, on a 10,000-device fleet; and the controller's memory
// in steady state with those 10,000 devices.
// Real processes: `firmwarden emulator` (10,000 devices, no rate limit so the fleet view fills in
// seconds — the latency measured is the controller's, not the API's), `firmwarden run` on a real
// Git remote (smart HTTP on loopback). Usage: node bench/webhook-latency.bench.ts [--devices N]
// The controller's memory is bench/controller-rss.bench.ts's (median of 5 runs); the VmRSS
// printed here is context.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitFiles, git, startGitRemote } from '../test/support/git-remote.ts';
import { median } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { demoApp, fleetFlags, rssMb, sleep, startEmulator, startFirmwarden } from './support/processes.ts';
import { BenchError, Report, runBench } from './support/report.ts';

const secret = 'bench-webhook-secret-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

await runBench('webhook-latency', async () => {
  const options = parseOptions('webhook-latency.bench.ts', { devices: { kind: 'count', default: 10_000, help: 'emulated devices' } });
  const devices = options.devices;
  const report = new Report('webhook-latency', options);
  report.judgeOnlyAt('10,000 devices', devices === 10_000);
  const emulator = await startEmulator(['--devices', String(devices), '--rate-limit', '0']);
  const remote = await startGitRemote({ files: { 'README.md': '# fleet config\n' } });
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-bench-run-'));
  let controller: ReturnType<typeof startFirmwarden> | undefined;
  try {
    const base = emulator.url;
    const httpPort = await freePort();
    controller = startFirmwarden(
      ['run', '--repo', remote.url, '--data-dir', dataDir, '--interval', '0', '--resync', '5m', '--listen', `127.0.0.1:${httpPort}`, ...fleetFlags(base), '--fleet-rate', '10000'],
      { FIRMWARDEN_WEBHOOK_SECRET: secret, AZURE_CLIENT_SECRET: demoApp.clientSecret, FIRMWARDEN_LOG_LEVEL: 'warn' },
    );
    // Wait until the controller has read every device (its fleet view fills in steps of 500).
    const readsNeeded = devices;
    for (let i = 0; ; i++) {
      const stats = (await (await fetch(`${base}/_emulator/stats`)).json()) as { byStatus?: Record<string, number>; graphRequests?: number };
      if ((stats.graphRequests ?? 0) >= readsNeeded + devices / 50) break;
      if (i >= 600) throw new BenchError(`the controller read ${stats.graphRequests ?? 0} of ${readsNeeded + devices / 50} requests' worth of fleet in 5 minutes: ${controller.output().slice(-400)}`);
      await sleep(500);
    }
    await sleep(3000);
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      samples.push(rssMb(controller.child.pid!));
      await sleep(500);
    }
    const list = (await (await fetch(`${base}/_emulator/devices?limit=500`)).json()) as { id: string; unknownFirmware: boolean; healthStatus: string; software: { firmware?: { availableVersion: string | null } } }[];
    const target = (Array.isArray(list) ? list : (list as { devices: typeof list }).devices).find((d) => !d.unknownFirmware && d.healthStatus !== 'offline' && d.software.firmware?.availableVersion);
    if (!target) throw new BenchError('no device with a firmware update to target');
    const person = remote.clonePerson('ada');
    commitFiles(person, {
      'schedules/now.yaml': `apiVersion: firmwarden.dev/v1alpha1\nkind: ScheduledUpdate\nmetadata:\n  name: now\nspec:\n  targets:\n    deviceIds: ["${target.id}"]\n  software:\n    - type: firmware\n      version: latest\n`,
    }, 'Update one device now');
    const t0 = performance.now();
    git(person, ['push', '-q', 'origin', 'HEAD:main']);
    const hook = await fetch(`http://127.0.0.1:${httpPort}/hooks/git`, { method: 'POST', headers: { 'x-firmwarden-token': secret, 'content-type': 'application/json' }, body: '{}' });
    let latency = NaN;
    for (let i = 0; i < 600; i++) {
      const log = (await (await fetch(`${base}/_emulator/requests?deviceId=${target.id}&action=updateSoftware`)).json()) as unknown[] | { entries: unknown[] };
      const entries = Array.isArray(log) ? log : log.entries;
      if (entries.length > 0) {
        latency = performance.now() - t0;
        break;
      }
      await sleep(20);
    }
    if (!hook.ok) throw new BenchError(`the webhook answered HTTP ${hook.status}`);
    if (Number.isNaN(latency)) throw new BenchError('no updateSoftware reached the emulator within 12 s of the push: nothing was measured');
    report.note(`webhook-latency: ${devices} emulated devices (no rate limit), a push of an immediate ScheduledUpdate, then the webhook`);
    report.work('fleet_devices', devices, 'devices', 'no device');
    report.figure('push_to_first_operation_ms', latency, 'ms');
    report.figure('controller_rss_median_mb', median(samples), 'MB (VmRSS, 20 readings before the push; bench/controller-rss.bench.ts is the memory benchmark)');
    report.goal('webhook-latency', 'push_to_first_operation_ms', '<', 2000);
    report.finish();
  } finally {
    await controller?.stop();
    await emulator.stop();
    await remote.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
