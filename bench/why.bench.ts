// Benchmark (issue 11): `firmwarden why DEVICE examples/` as a whole process against
// `firmwarden emulator --devices N` running as another process at its default rate limit (30
// requests a second per app, as Teams documents), for devices of four kinds — two in a group
// selected by tags (the whole device list is needed to place them), one in its first wave and
// one in its last (whose wait names the earlier waves' devices still to update, so those are
// read), one in a group selected by device type (only those types are listed), one in no group —
// interleaved with a peer on the same fleet: `firmwarden plan examples/`, the whole read why used
// to make. Reports per kind the
// first run and the median, the requests each run sent, and the time the rate limit alone
// forces for them (the floor: the emulator's bucket holds 30, then 30 a second).
// Per kind it also counts, from the emulated fleet and the manifests alone, the requests the
// exact answer cannot do without: the device by id, the pages of the list its group needs (a
// group by tags: the whole list, 50 devices a page, the most the API serves; by device type:
// those types), its health and operations, and when it waits for an earlier wave every device
// of those waves (the reason counts the ones still to update, and only each one's health says
// so). At 5,000 devices a group by tags needs 100 pages, which the rate limit alone makes
// longer than 2 s: the `why` goal cannot be met there, so `why-bounded` judges the kinds whose
// answer fits in 60 requests, and `why-reads` that no kind reads more than its answer needs.
// The benchmark checks its own numbers: a run that explained another device or no group, a
// plan without devices, a run that sent no request or fewer than its answer needs, or a time
// that is not a positive number is an error, not a figure. Each run starts after a pause that refills the emulator's bucket.
// Prints `name: value unit` lines and one JSON line.
// Usage: node bench/why.bench.ts [--devices N] [--runs N] [--peer-runs N]
//   Defaults: 5,000 devices, 5 runs of each kind, 1 run of the peer (at 5,000 devices one plan
//   takes about three minutes: give --peer-runs 5 for a full interleaved comparison).
import type { Device } from '../controller/model/fleet.ts';
import type { DeviceGroup, ScheduledUpdate, UpdatePolicy } from '../controller/model/manifests.generated.ts';
import { readPaths } from '../controller/cli/plan.ts';
import { parseManifests } from '../controller/manifest/parse-manifests.ts';
import { buildPlan } from '../controller/plan/build-plan.ts';
import { assignWaves } from '../controller/policy/waves.ts';
import { maxPageSize } from '../controller/fleet/graph/paging.ts';
import { median, runProcess } from './support/measure.ts';
import { parseOptions } from './support/options.ts';
import { control as controlCall, demoApp, sleep, startEmulator } from './support/processes.ts';
import { BenchError, Report, runBench } from './support/report.ts';

const root = new URL('..', import.meta.url).pathname;
const rate = 30;
const control = <T>(url: string, method: string, path: string) => controlCall<T>(url, method, path);

/** Runs `firmwarden ARGS` as a process; its wall time, output and exit code. */
async function firmwarden(args: readonly string[]): Promise<{ ms: number; stdout: string; stderr: string; code: number | null }> {
  return runProcess(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/firmwarden.mjs', ...args], { cwd: root, node: true });
}

interface DeviceView extends Omit<Device, 'macAddresses' | 'createdDateTime' | 'notes'> { notes: string; tags: string[] }

/** Group and wave of every device under examples/, from the engine's own functions (the device list is all they need), and the groups. */
async function placeDevices(list: readonly DeviceView[], now: number): Promise<{ placed: Map<string, { group: string; wave: number | undefined }>; groups: DeviceGroup[] }> {
  const parsed = parseManifests(await readPaths(['examples'], root), { now });
  const of = <T>(kind: string) => parsed.manifests.filter((m) => m.valid && m.kind === kind).map((m) => m.manifest as T);
  const policies = of<UpdatePolicy>('UpdatePolicy');
  const devices: Device[] = list.map((d) => ({ ...d, notes: d.notes, macAddresses: [], createdDateTime: null }));
  const groups = of<DeviceGroup>('DeviceGroup');
  const plan = buildPlan({ now, groups, policies, scheduledUpdates: of<ScheduledUpdate>('ScheduledUpdate'), devices, software: new Map(), operations: [], releases: [] });
  const out = new Map<string, { group: string; wave: number | undefined }>();
  for (const g of plan.groups) {
    const policy = policies.find((p) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}` === g.policy);
    const waves = policy ? assignWaves(g.deviceIds, policy.metadata.name, policy.spec.rollout?.waves) : undefined;
    for (const id of g.deviceIds) out.set(id, { group: g.key, wave: waves?.get(id) });
  }
  return { placed: out, groups };
}

/**
 * The requests the exact answer for `device` needs whatever reads them (see the file comment):
 * GET by id, the list pages its group's policy needs, its health and operations, and the
 * earlier waves' devices when an entry waits for them. A slot under maxConcurrent can need
 * more (none of these kinds waits for one).
 */
function requestsNeeded(device: DeviceView, all: readonly DeviceView[], groups: readonly DeviceGroup[], placed: ReadonlyMap<string, { group: string; wave: number | undefined }>, waitsForWave: boolean): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / maxPageSize));
  const mine = placed.get(device.id);
  let list = 0;
  if (mine) {
    const keyOf = (g: DeviceGroup) => `${g.metadata.namespace ?? 'default'}/${g.metadata.name}`;
    const policy = groups.find((g) => keyOf(g) === mine.group)?.spec.policyRef?.name;
    const sharing = groups.filter((g) => keyOf(g) === mine.group || (policy !== undefined && g.spec.policyRef?.name === policy));
    const types = new Set(sharing.flatMap((g) => g.spec.selector?.deviceTypes ?? []));
    // A group without a device-type selector (or naming devices) is found only in the whole list: tags cannot be filtered on.
    const whole = sharing.some((g) => !(g.spec.selector?.deviceTypes?.length) || (g.spec.include ?? []).length > 0 || (g.spec.exclude ?? []).length > 0);
    list = whole ? pages(all.length) : [...types].reduce((sum, t) => sum + pages(all.filter((d) => d.deviceType === t).length), 0);
  }
  const earlier = waitsForWave && mine?.wave !== undefined ? [...placed.values()].filter((p) => p.group === mine.group && p.wave !== undefined && p.wave < mine.wave!).length : 0;
  return 1 + list + 2 + earlier;
}
interface Stats { graphRequests: number; throttled: number }

await runBench('why', async () => {
  const options = parseOptions('why.bench.ts', {
    devices: { kind: 'count', default: 5000, min: 100, help: 'emulated devices' },
    runs: { kind: 'count', default: 5, help: 'runs of each kind of device' },
    'peer-runs': { kind: 'count', default: 1, min: 0, help: 'runs of the peer (plan reads the whole fleet: minutes each at 5,000 devices)' },
  });
  const deviceCount = options.devices;
  const runs = options.runs;
  const peerRuns = options['peer-runs'];
  const report = new Report('why', options);
  report.judgeOnlyAt('5,000 devices at 30 requests/s', deviceCount === 5000);
  const emulator = await startEmulator(['--devices', String(deviceCount)]);
  try {
    const clock = await control<{ now: string }>(emulator.url, 'GET', 'clock');
    const at = clock.now;
    // The emulator's own demo app (see `firmwarden emulator --help`).
    const flags = ['--graph-url', `${emulator.url}/beta`, '--tenant', demoApp.tenant, '--client-id', demoApp.clientId, '--client-secret', demoApp.clientSecret, '--at', at];
    const all = await control<DeviceView[]>(emulator.url, 'GET', `devices?limit=${deviceCount}`);
    if (all.length !== deviceCount) throw new BenchError(`the emulator lists ${all.length} devices, not ${deviceCount}`);
    // Kinds, by group and wave as the engine places them: the middle of each list, so no kind gets the first device.
    const { placed, groups } = await placeDevices(all, Date.parse(at));
    const middle = (what: string, test: (p: { group: string; wave: number | undefined } | undefined) => boolean) => {
      const list = all.filter((d) => test(placed.get(d.id)));
      if (list.length === 0) throw new BenchError(`no ${what} in the emulated fleet`);
      return list[Math.floor(list.length / 2)]!;
    };
    const kinds = [
      { kind: 'tags_group_wave1', group: 'default/general-paris', device: middle('Paris device in wave 1', (p) => p?.group === 'default/general-paris' && p.wave === 1) },
      { kind: 'tags_group_wave3', group: 'default/general-paris', device: middle('Paris device in wave 3', (p) => p?.group === 'default/general-paris' && p.wave === 3) },
      { kind: 'type_group', group: 'default/vip-rooms', device: middle('VIP room', (p) => p?.group === 'default/vip-rooms') },
      { kind: 'no_group', group: undefined, device: middle('device in no group', (p) => p === undefined) },
    ];

    const times = new Map<string, number[]>(kinds.map((k) => [k.kind, []]));
    const requests = new Map<string, number[]>(kinds.map((k) => [k.kind, []]));
    const waves = new Map<string, unknown>();
    const needed = new Map<string, number>();
    const peer: { ms: number[]; requests: number[] } = { ms: [], requests: [] };
    const measure = async (args: string[]) => {
      await sleep(1_200); // the emulator's bucket refills: every run starts on the same terms
      await control(emulator.url, 'DELETE', 'requests');
      const r = await firmwarden(args);
      const stats = await control<Stats>(emulator.url, 'GET', 'stats');
      if (stats.graphRequests <= 0) throw new BenchError(`${args[0]} sent no request (exit ${r.code}${r.stderr ? `: ${r.stderr.trim().slice(-300)}` : ''}): nothing was measured`);
      return { ...r, requests: stats.graphRequests, throttled: stats.throttled };
    };
    for (let round = 0; round < Math.max(runs, peerRuns); round++) {
      if (round < runs) {
        for (const k of kinds) {
          const r = await measure(['why', k.device.id, 'examples', '--format', 'json', ...flags]);
          if (r.code !== 0) throw new BenchError(`why ${k.kind} exited with ${r.code}: ${r.stderr}`);
          const json = JSON.parse(r.stdout) as { device: { id: string }; group?: string; wave?: number; blocker?: string; explanation: string[]; software: { reason: { code: string } }[] };
          if (json.device.id !== k.device.id) throw new BenchError(`why ${k.kind} explained ${json.device.id}, not ${k.device.id}`);
          if (json.group !== k.group) throw new BenchError(`why ${k.kind}: group ${json.group}, expected ${k.group}`);
          if (json.explanation.length < 5) throw new BenchError(`why ${k.kind}: an explanation of ${json.explanation.length} lines`);
          waves.set(k.kind, { wave: json.wave, blocker: json.blocker?.slice(0, 120) });
          const need = requestsNeeded(k.device, all, groups, placed, json.software.some((e) => e.reason.code === 'WaitingForWave'));
          if (r.requests < need) throw new BenchError(`why ${k.kind} sent ${r.requests} requests, fewer than the ${need} its exact answer needs: the answer or this count is wrong`);
          needed.set(k.kind, need);
          times.get(k.kind)!.push(r.ms);
          requests.get(k.kind)!.push(r.requests);
        }
      }
      if (round < peerRuns) {
        const r = await measure(['plan', 'examples', '--format', 'json', ...flags]);
        if (r.code !== 0) throw new BenchError(`plan exited with ${r.code}: ${r.stderr}`);
        const json = JSON.parse(r.stdout) as { devices: unknown[] };
        if (r.requests < deviceCount || json.devices.length === 0) throw new BenchError(`plan sent ${r.requests} requests for ${deviceCount} devices and planned ${json.devices.length}: not a whole read`);
        peer.ms.push(r.ms);
        peer.requests.push(r.requests);
      }
    }

    const floor = (n: number) => Math.max(0, n - rate) / rate;
    report.note(`why: ${deviceCount} emulated devices at ${rate} requests/s, examples/, at ${at}; ${runs} runs of each kind, ${peerRuns} of the peer (plan), interleaved`);
    const worst: number[] = [];
    const bounded: number[] = [];
    let over = 0;
    let worstFloor = 0;
    for (const k of kinds) {
      const t = times.get(k.kind)!;
      const n = requests.get(k.kind)!;
      report.note(`${k.kind}: device ${k.device.id} ${JSON.stringify(waves.get(k.kind))}`);
      report.figure(`${k.kind}_first_s`, t[0]! / 1000, 's');
      report.figure(`${k.kind}_median_s`, median(t) / 1000, 's');
      report.work(`${k.kind}_requests`, median(n), 'requests', `why ${k.kind} sent no request`);
      report.figure(`${k.kind}_floor_s`, floor(median(n)), 's (the rate limit alone, for those requests)', { zeroOk: true });
      const need = needed.get(k.kind)!;
      report.figure(`${k.kind}_requests_needed`, need, 'requests (the least its exact answer needs)');
      report.figure(`${k.kind}_needed_floor_s`, floor(need), 's (the rate limit alone, for the requests needed)', { zeroOk: true });
      over = Math.max(over, median(n) - need);
      worstFloor = Math.max(worstFloor, floor(need));
      if (need <= 2 * rate) bounded.push(median(t) / 1000);
      if (peer.ms.length > 0) report.figure(`${k.kind}_ratio_peer_over_why`, median(peer.ms) / median(t), 'x');
      worst.push(median(t) / 1000);
    }
    report.figure('why_slowest_kind_median_s', Math.max(...worst), 's');
    report.note(`the exact answers need up to ${Math.max(...needed.values())} requests (a group by tags: the whole list, ${Math.ceil(deviceCount / maxPageSize)} pages; a wave wait: every earlier-wave device's health); the rate limit alone makes that ${worstFloor.toFixed(1)} s, and the why goal (<= 2 s, the table's row) cannot be met by a kind whose floor is above 2 s; why-bounded judges the kinds needing at most ${2 * rate} requests, why-reads the most requests a kind sent beyond its need`);
    report.figure('why_slowest_kind_needed_floor_s', worstFloor, 's', { zeroOk: true });
    if (bounded.length > 0) report.figure('why_slowest_bounded_kind_median_s', Math.max(...bounded), 's');
    report.figure('why_requests_over_needed', over, 'requests', { zeroOk: true });
    if (peer.ms.length > 0) {
      report.figure('peer_plan_first_s', peer.ms[0]! / 1000, 's');
      report.figure('peer_plan_median_s', median(peer.ms) / 1000, 's');
      report.figure('peer_plan_requests', median(peer.requests), 'requests');
    }
    report.figure('peer_floor_s', floor(Math.ceil(deviceCount / 50) + deviceCount), 's (a page per 50 devices and a health read per device, at the rate limit)');
    report.goal('why', 'why_slowest_kind_median_s', '<=', 2);
    if (bounded.length > 0) report.goal('why-bounded', 'why_slowest_bounded_kind_median_s', '<=', 2);
    report.goal('why-reads', 'why_requests_over_needed', '<=', 0);
    report.finish();
  } finally {
    await emulator.stop();
  }
});
