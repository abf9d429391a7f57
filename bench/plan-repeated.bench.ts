// Benchmark: the controller's repeated plans. In one process: the first plan of a 100,000-device
// fleet (bench/support/plan-fleet.ts), then plans of the same fleet, each after a few changes as
// a reconcile brings them — a minute later, a handful of devices with new software states, the
// releases and rollout memory the previous plan returned — all with the same device list and
// manifests (the objects a controller keeps between reconciles). Reports the first plan and
// the median of the repeated ones. Goal (issue 17): repeated plans under 0.4 s. The fleet is kept
// as the controller's FleetView keeps it (controller/plan/compact-fleet.ts): each reconcile's
// reads are a new version of it (withSoftware), and the device table's memo keeps the groups'
// membership and waves between plans. The plans run in a process started as `firmwarden run`
// starts the controller (--launch command, the default: run's node flags and environment from
// bin/run-node-flags.mjs, a warm compile cache; bench/support/as-command.ts); --launch bare
// measures in the process `npm run bench` started. CPU time is reported beside wall time.
// Usage: node bench/plan-repeated.bench.ts [--devices N] [--groups N] [--runs N] [--changes N] [--launch command|bare]
import type { SoftwareState, SoftwareType } from '../controller/model/fleet.ts';
import { buildPlan } from '../controller/plan/build-plan.ts';
import { compactOf } from '../controller/plan/compact-fleet.ts';
import { generatePlanFleet, planNow } from './support/plan-fleet.ts';
import { firstAndMedian, inProcessPeakRssMb, median } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { onlyWarming, relaunchAsCommand, startedAsCommand } from './support/as-command.ts';
import { BenchError, Report, runBench } from './support/report.ts';

// The start that only warms the compile cache ends once the modules above are loaded.
if (!onlyWarming()) await runBench('plan-repeated', () => {
  const options = parseOptions('plan-repeated.bench.ts', {
    devices: { kind: 'count', default: 100_000, help: 'devices in the fleet' },
    groups: { kind: 'count', default: 1000, min: 4, help: 'device groups' },
    runs: { kind: 'count', default: 7, help: 'repeated plans after the first' },
    changes: { kind: 'count', default: 20, help: 'devices whose software state changes before each repeated plan' },
    launch: { kind: 'choice', default: 'command', choices: ['command', 'bare'], help: 'plan in a process started as `firmwarden run` starts (its node flags, warm compile cache) or in this bare process' },
  });
  if (options.launch === 'command' && !startedAsCommand('run')) {
    process.exitCode = relaunchAsCommand('run', import.meta.filename);
    return;
  }
  const report = new Report('plan-repeated', options);
  report.judgeOnlyAt('100,000 devices and 1,000 groups', options.devices === 100_000 && options.groups === 1000);
  const gc = (globalThis as { gc?: () => void }).gc;
  const input = generatePlanFleet(options.devices, options.groups);
  let fleet = compactOf(input.devices, input.software)!;
  gc?.();
  let now = planNow;
  let releases: readonly (typeof input.releases)[number][] = input.releases;
  let rollouts = {};
  const times: number[] = [];
  const cpu: number[] = [];
  let planned = 0;
  let changed = 0;
  for (let r = 0; r <= options.runs; r++) {
    if (r > 0) {
      now += 60_000;
      // A few devices report a finished update: their firmware now at the available version.
      const read = [];
      for (let k = 0; k < options.changes; k++) {
        const device = input.devices[(r * 7919 + k * 104_729) % input.devices.length]!;
        const old = fleet.software.get(device.id)!;
        const firmware = old.software.firmware;
        const next: SoftwareState | undefined = firmware && { ...firmware, currentVersion: firmware.availableVersion ?? firmware.currentVersion, freshness: 'latest' };
        read.push({ deviceId: device.id, software: { ...old.software, ...(next ? { firmware: next } : {}) } as Record<SoftwareType, SoftwareState> });
        changed++;
      }
      fleet = fleet.withSoftware(read);
    }
    const t = performance.now();
    const c = process.cpuUsage();
    const plan = buildPlan({ ...input, now, devices: fleet.devices, software: fleet.software, releases, rollouts });
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    planned = plan.devices.length;
    releases = plan.releases;
    rollouts = plan.rollouts;
    if (planned < input.devices.length / 2) throw new BenchError(`plan ${r + 1} has ${planned} of ${input.devices.length} devices: most of the fleet was not planned`);
    gc?.();
  }
  report.note(`plan-repeated: ${options.devices} devices, ${input.groups.length} groups; a first plan, then ${options.runs} plans each a minute later with ${options.changes} changed devices; ${startedAsCommand('run') ? 'started as `firmwarden run` (its node flags, warm compile cache)' : 'bare process'}`);
  report.figure('fleet_devices', input.devices.length, 'devices');
  report.work('plan_devices_planned', planned, 'devices', 'the plan has no device');
  report.work('devices_changed', changed, 'devices', 'no device changed between plans');
  report.figure('plan_first_ms', times[0]!, 'ms');
  const repeated = firstAndMedian(times.slice(1));
  report.figure('repeated_first_ms', repeated.first, 'ms');
  report.figure('repeated_median_ms', repeated.median, 'ms');
  report.figure('repeated_median_cpu_ms', median(cpu.slice(1)), 'ms');
  report.figure('peak_rss_mb', inProcessPeakRssMb(), 'MB');
  report.goal('plan-repeated', 'repeated_median_ms', '<', 400);
  report.finish();
});
