// Benchmark: converge 10,000 emulated devices end to end at the API's rate limit. Real
// processes: `firmwarden emulator --devices N --rate-limit R --speed S` (its clock accelerated
// so an update's minutes of queueing and installing take well under a second; the rate limit
// is in real time, as the emulator enforces it) and `firmwarden run --dir` on a folder with one
// policy that wants firmware and the Teams app at the newest version on every device, at once
// (Test phase, one wave of 100 %, a window that is always open, no in-use check).
//
// The floor: the requests convergence cannot do without — a device list page per 50 devices,
// one health read per device, per (device, software type) behind one updateSoftware and the
// read of the device's operations every start needs (README, Operations: the API's operations
// carry no software type, so nothing may be posted without looking; the read that sees a
// device's first update end can be the one before its next, so it is not counted twice), one
// read per updated device to see the result — at R a second after the bucket's first R, plus
// the longest emulated update at speed S. Reports measured / floor (goal ≤ 1.1, issue 17), the
// requests sent against those needed, and 429s. Failure rates are set to 0 so every update
// can land; offline devices are not counted (no update reaches them).
// Usage: node bench/converge-10k.bench.ts [--devices N] [--rate R] [--speed S] [--timeout-s N]
//   At 30 requests/s, 10,000 devices need about 20,000 requests: 11 minutes or more. Give
//   --devices 2500 for a run of about 3 minutes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTiming } from '../controller/fleet/emulator/operations.ts';
import { parseOptions } from './support/options.ts';
import { control, demoApp, fleetFlags, sleep, startEmulator, startFirmwarden, type EmulatorStats } from './support/processes.ts';
import { BenchError, Report, runBench } from './support/report.ts';
import { convergeManifests, pendingUpdates, type EmulatedDevice } from './support/converge-fleet.ts';

await runBench('converge-10k', async () => {
  const options = parseOptions('converge-10k.bench.ts', {
    devices: { kind: 'count', default: 10_000, min: 10, help: 'emulated devices' },
    rate: { kind: 'number', default: 30, min: 1, help: 'the emulator\'s rate limit, requests per second' },
    speed: { kind: 'number', default: 600, min: 1, help: 'the emulator\'s clock acceleration' },
    'timeout-s': { kind: 'count', default: 3600, help: 'give up (an error, no figure) after this many seconds' },
  });
  const report = new Report('converge-10k', options);
  report.judgeOnlyAt('10,000 devices at 30 requests/s', options.devices === 10_000 && options.rate === 30);
  const work = mkdtempSync(join(tmpdir(), 'firmwarden-converge-bench-'));
  const emulator = await startEmulator(['--devices', String(options.devices), '--rate-limit', String(options.rate), '--speed', String(options.speed)]);
  let controller: ReturnType<typeof startFirmwarden> | undefined;
  try {
    await control(emulator.url, 'POST', 'failure-rates', { model: '*', rate: 0 });
    const list = () => control<EmulatedDevice[]>(emulator.url, 'GET', `devices?limit=${options.devices}`);
    const before = await list();
    report.expect('devices the emulator lists', before.length, options.devices);
    const targets = pendingUpdates(before);
    const updatedDevices = new Set(targets.map((t) => t.deviceId)).size;
    // Per update: its operations read and its POST (see the file comment).
    const needed = Math.ceil(options.devices / 50) + options.devices + 2 * targets.length + updatedDevices;
    // The bucket starts full (one second's worth), then refills at the rate.
    const longestUpdateS = ((defaultTiming.queuedMs + defaultTiming.scheduledMs + defaultTiming.inProgressMs) * (1 + defaultTiming.jitter)) / 1000 / options.speed;
    const floorS = Math.max(0, needed - options.rate) / options.rate + longestUpdateS;
    const dir = join(work, 'manifests');
    mkdirSync(dir);
    for (const [name, text] of Object.entries(convergeManifests())) writeFileSync(join(dir, name), text);
    await control(emulator.url, 'DELETE', 'requests');

    const started = performance.now();
    controller = startFirmwarden(
      ['run', '--dir', dir, '--state', join(work, 'state.json'), '--listen', '127.0.0.1:0', '--no-report', ...fleetFlags(emulator.url), '--fleet-rate', String(options.rate)],
      { AZURE_CLIENT_SECRET: demoApp.clientSecret, FIRMWARDEN_LOG_LEVEL: 'warn', FIRMWARDEN_LOG_FORMAT: 'json' },
    );
    // Polling the whole device list costs the emulator too: no more often than every 1 s per 2,000 devices.
    const pollMs = Math.max(1000, options.devices / 2);
    let pending = targets.length;
    let seconds = 0;
    for (;;) {
      await sleep(pollMs);
      seconds = (performance.now() - started) / 1000;
      if (controller.child.exitCode !== null) throw new BenchError(`firmwarden run exited with ${controller.child.exitCode}: ${controller.output().slice(-600)}`);
      pending = pendingUpdates(await list()).length;
      if (pending === 0) break;
      if (seconds > options['timeout-s']) throw new BenchError(`not converged after ${Math.round(seconds)} s: ${pending} of ${targets.length} updates still pending; controller log: ${controller.output().slice(-600)}`);
    }
    const stats = await control<EmulatorStats>(emulator.url, 'GET', 'stats');
    report.note(`converge-10k: ${options.devices} emulated devices at ${options.rate} requests/s, emulator clock ×${options.speed}; polled every ${pollMs / 1000} s`);
    report.work('devices', options.devices, 'devices', 'no device');
    report.work('updates_needed', targets.length, 'updates', 'no device was behind: nothing to converge');
    report.figure('updated_devices', updatedDevices, 'devices');
    report.figure('requests_needed', needed, 'requests');
    report.work('requests_sent', stats.graphRequests, 'requests', 'the controller sent no Graph request');
    report.figure('throttled_429', stats.throttled, 'responses', { zeroOk: true });
    report.figure('requests_sent_over_needed', stats.graphRequests / needed, 'x');
    report.figure('floor_s', floorS, 's');
    report.figure('converge_s', seconds, 's');
    report.figure('ratio_converge_over_floor', seconds / floorS, 'x');
    report.goal('converge-10k', 'ratio_converge_over_floor', '<=', 1.1);
    report.finish();
  } finally {
    await controller?.stop();
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
});
