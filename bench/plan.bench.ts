// Benchmark: plans for 100,000 devices × 6 software types × 1,000 groups (synthetic fleet,
// bench/support/plan-fleet.ts). The goal (issue 17) is on the FIRST plan of a process — what
// `firmwarden plan` and a controller's start pay — under 1 s, and under 300 MB peak RSS
// including the fleet (process.resourceUsage().maxRSS, the kernel's peak, after the first
// plan). Later plans of the same input are reported too (median); bench/plan-repeated.bench.ts
// measures the controller's repeated plans with changes. No peer: there is no other planner.
// The fleet is ingested as the controller keeps it (--fleet compact: controller/plan/compact-fleet.ts,
// each device's software document folded into typed arrays as it is read, the ingestion timed
// apart) or as a listing and a Map of documents (--fleet map: what plans read before the compact form).
// The plan runs as `firmwarden plan` runs it (--launch command, the default): the bench starts
// itself again through bench/support/as-command.ts, with plan's own V8 flags
// (bin/command-v8-flags.mjs) and a warm compile cache, set before any plan code loads; --launch
// bare measures in the process `npm run bench` started (node --expose-gc, V8's defaults).
// CPU time (process.cpuUsage, every thread of the process) is reported beside wall time: on a
// shared machine wall time includes waiting for a core.
// Usage: node bench/plan.bench.ts [--devices N] [--groups N] [--runs N] [--fleet compact|map] [--launch command|bare]
import { buildPlan } from '../controller/plan/build-plan.ts';
import { generatePlanFleet, generatePlanInput, planNow } from './support/plan-fleet.ts';
import { inProcessPeakRssMb, median } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { onlyWarming, relaunchAsCommand, startedAsCommand } from './support/as-command.ts';
import { BenchError, Report, runBench } from './support/report.ts';

/** A fixed workload to tell this machine's speed: sorting a million numbers (about 150 ms on a current laptop). */
function calibrate(): number {
  let seed = 7;
  const data = Array.from({ length: 1_000_000 }, () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32));
  const t = performance.now();
  data.sort((a, b) => a - b);
  return performance.now() - t;
}

// The start that only warms the compile cache ends once the modules above are loaded.
if (!onlyWarming()) await runBench('plan', () => {
  const options = parseOptions('plan.bench.ts', {
    devices: { kind: 'count', default: 100_000, help: 'devices in the fleet' },
    groups: { kind: 'count', default: 1000, min: 4, help: 'device groups' },
    runs: { kind: 'count', default: 3, help: 'plans in the process (the first is the goal)' },
    fleet: { kind: 'choice', default: 'compact', choices: ['compact', 'map'], help: 'the fleet as the controller keeps it (compact) or a listing and a Map of documents' },
    launch: { kind: 'choice', default: 'command', choices: ['command', 'bare'], help: 'run the plans as `firmwarden plan` does (its V8 flags, warm compile cache) or in this bare process' },
  });
  if (options.launch === 'command' && !startedAsCommand('plan')) {
    process.exitCode = relaunchAsCommand('plan', import.meta.filename);
    return;
  }
  const report = new Report('plan', options);
  report.judgeOnlyAt('100,000 devices and 1,000 groups', options.devices === 100_000 && options.groups === 1000);
  const gc = (globalThis as { gc?: () => void }).gc;
  const ingestStart = performance.now();
  const input = options.fleet === 'map' ? generatePlanInput(options.devices, options.groups) : generatePlanFleet(options.devices, options.groups);
  const ingestMs = performance.now() - ingestStart;
  gc?.();
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const times: number[] = [];
  const cpu: number[] = [];
  let peakAfterFirst = 0;
  let planned = 0;
  let entries = 0;
  for (let r = 0; r < options.runs; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const plan = buildPlan({ now: planNow, ...input, rollouts: {} });
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    if (r === 0) peakAfterFirst = inProcessPeakRssMb();
    planned = plan.devices.length;
    entries = plan.devices.reduce((n, d) => n + d.entries.length, 0);
    gc?.();
  }
  report.note(`plan: ${options.devices} devices, ${input.groups.length} groups, ${options.runs} plans in one process, fleet kept as ${options.fleet === 'map' ? 'a Map of documents' : 'a compact fleet'}, ${startedAsCommand('plan') ? 'started as `firmwarden plan` (its V8 flags, warm compile cache)' : 'bare process'}${gc ? '' : ' (run with --expose-gc for steadier figures)'}`);
  // Generating the synthetic documents and ingesting them, together: the fleet's cost before any plan.
  report.figure('fleet_generate_and_ingest_ms', ingestMs, 'ms');
  report.figure('fleet_devices', input.devices.length, 'devices');
  // Devices no group selects are not in the plan; most are.
  report.work('plan_devices_planned', planned, 'devices', 'the plan has no device');
  if (planned < input.devices.length / 2) throw new BenchError(`the plan has ${planned} of ${input.devices.length} devices: most of the fleet was not planned`);
  report.work('plan_entries', entries, 'entries', 'the plan has no entry (device × software type)');
  report.figure('plan_first_ms', times[0]!, 'ms');
  report.figure('plan_first_cpu_ms', cpu[0]!, 'ms');
  if (times.length > 1) report.figure('plan_later_median_ms', median(times.slice(1)), 'ms');
  if (cpu.length > 1) report.figure('plan_later_median_cpu_ms', median(cpu.slice(1)), 'ms');
  report.figure('plan_rss_before_mb', rssBefore, 'MB');
  report.figure('plan_peak_rss_mb', peakAfterFirst, 'MB');
  report.figure('machine_sort_1m_ms', calibrate(), 'ms');
  report.goal('plan-first', 'plan_first_ms', '<', 1000);
  report.goal('plan-first', 'plan_peak_rss_mb', '<', 300);
  report.finish();
});
