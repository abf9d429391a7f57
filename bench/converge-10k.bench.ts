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
// device's first update end can be the one before its next, so it is not counted twice), and
// per updated device the read that sees its last update end and the health read that sees its
// new version (as test/reconcile/converge-requests.test.ts counts them) — at R a second after
// the bucket's first R, plus the longest emulated update at speed S. Reports measured / floor
// (goal ≤ 1.1, issue 17), the requests sent against those needed, and 429s. Failure rates are
// set to 0 so every update can land; offline devices are not counted (no update reaches them).
// The generated fleet has about 1.6 updates to make per updated device and 0.8 updated devices
// per device, so 10,000 devices need about 51,000 requests: 28 minutes at 30 a second, and
// --devices 2500 about 12,800 (7 minutes); the run takes a little longer than its floor.
//
// Convergence is watched through the emulator's control API a page of 500 devices at a time,
// round robin over the pages that still have an update behind, one page every 0.5 s. Asking
// for the whole list every N/2000 s held the emulator's event loop: 0.34 s on average (up to
// 0.75 s) at 5,000 devices, more at 10,000; a $batch arriving meanwhile was evaluated at the
// end, next to the following one, and their sum went over the emulator's bucket (429s the
// controller could not avoid; every 429 of a 5,000-device run came right after such a read,
// issue 17).
// Usage: node bench/converge-10k.bench.ts [--devices N] [--rate R] [--speed S] [--timeout-s N]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTiming } from '../controller/fleet/emulator/operations.ts';
import { parseOptions } from './support/options.ts';
import { control, demoApp, fleetFlags, sleep, startEmulator, startFirmwarden, type EmulatorStats } from './support/processes.ts';
import { BenchError, Report, runBench } from './support/report.ts';
import { convergeManifests, pendingUpdates, type EmulatedDevice } from './support/converge-fleet.ts';

/** Devices per control-API page the benchmark reads, and the pause before each read (see the file comment). */
const pageSize = 500;
const pollStepMs = 500;

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
    const page = (offset: number) => control<EmulatedDevice[]>(emulator.url, 'GET', `devices?offset=${offset}&limit=${pageSize}`);
    const offsets = Array.from({ length: Math.ceil(options.devices / pageSize) }, (_, i) => i * pageSize);
    const pages = await Promise.all(offsets.map(page));
    const before = pages.flat();
    report.expect('devices the emulator lists', before.length, options.devices);
    const targets = pendingUpdates(before);
    const updatedDevices = new Set(targets.map((t) => t.deviceId)).size;
    // Per update: its operations read and its POST; per updated device: two reads of the result (see the file comment).
    const needed = Math.ceil(options.devices / 50) + options.devices + 2 * targets.length + 2 * updatedDevices;
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
    // Updates still behind per page (see the file comment); a page with none is not read again.
    const behind = new Map(offsets.map((offset, i) => [offset, pendingUpdates(pages[i]!).length]));
    let seconds = 0;
    let next = 0;
    for (;;) {
      await sleep(pollStepMs);
      if (controller.child.exitCode !== null) throw new BenchError(`firmwarden run exited with ${controller.child.exitCode}: ${controller.output().slice(-600)}`);
      const open = offsets.filter((o) => (behind.get(o) ?? 0) > 0);
      const offset = open.find((o) => o >= next) ?? open[0];
      if (offset !== undefined) {
        behind.set(offset, pendingUpdates(await page(offset)).length);
        next = offset + pageSize;
      }
      seconds = (performance.now() - started) / 1000;
      const pending = [...behind.values()].reduce((sum, n) => sum + n, 0);
      if (pending === 0) break;
      if (seconds > options['timeout-s']) throw new BenchError(`not converged after ${Math.round(seconds)} s: ${pending} of ${targets.length} updates still pending; controller log: ${controller.output().slice(-600)}`);
    }
    const stats = await control<EmulatorStats>(emulator.url, 'GET', 'stats');
    report.note(`converge-10k: ${options.devices} emulated devices at ${options.rate} requests/s, emulator clock ×${options.speed}; watched a page of ${pageSize} devices every ${pollStepMs / 1000} s`);
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
