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
// The benchmark checks its own numbers: a run that explained another device or no group, a
// plan without devices, a run that sent no request, or a time that is not a positive number is
// an error, not a figure. Each run starts after a pause that refills the emulator's bucket.
// Prints `name: value unit` lines and one JSON line.
// Usage: node bench/why.bench.ts [--devices N] [--runs N] [--peer-runs N]
//   Defaults: 5,000 devices, 5 runs of each kind, 1 run of the peer (at 5,000 devices one plan
//   takes about three minutes: give --peer-runs 5 for a full interleaved comparison).
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Device } from '../controller/model/fleet.ts';
import type { DeviceGroup, ScheduledUpdate, UpdatePolicy } from '../controller/model/manifests.generated.ts';
import { readPaths } from '../controller/cli/plan.ts';
import { parseManifests } from '../controller/manifest/parse-manifests.ts';
import { buildPlan } from '../controller/plan/build-plan.ts';
import { assignWaves } from '../controller/policy/waves.ts';

const { values } = parseArgs({ options: { devices: { type: 'string', default: '5000' }, runs: { type: 'string', default: '5' }, 'peer-runs': { type: 'string', default: '1' } } });
const deviceCount = Number(values.devices);
const runs = Number(values.runs);
const peerRuns = Number(values['peer-runs']);
if (!Number.isInteger(deviceCount) || deviceCount < 100 || !Number.isInteger(runs) || runs < 1 || !Number.isInteger(peerRuns) || peerRuns < 0) {
  process.stderr.write('usage: why.bench.ts [--devices N>=100] [--runs N>=1] [--peer-runs N>=0]\n');
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const rate = 30;

interface Emulator {
  readonly url: string;
  readonly child: ChildProcess;
}

async function startEmulator(): Promise<Emulator> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/firmwarden.mjs', 'emulator', '--port', '0', '--devices', String(deviceCount)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  child.stdout?.resume();
  return { url, child };
}

async function control<T>(url: string, method: string, path: string): Promise<T> {
  const response = await fetch(`${url}/_emulator/${path}`, { method });
  if (!response.ok) throw new Error(`emulator control ${method} ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Runs `firmwarden ARGS` as a process; its wall time, output and exit code. */
function firmwarden(args: readonly string[]): Promise<{ ms: number; stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'bin/firmwarden.mjs', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - started, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), code }));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface DeviceView extends Omit<Device, 'macAddresses' | 'createdDateTime' | 'notes'> { notes: string; tags: string[] }

/** Group and wave of every device under examples/, from the engine's own functions (the device list is all they need). */
async function placeDevices(list: readonly DeviceView[], now: number): Promise<Map<string, { group: string; wave: number | undefined }>> {
  const parsed = parseManifests(await readPaths(['examples'], root), { now });
  const of = <T>(kind: string) => parsed.manifests.filter((m) => m.valid && m.kind === kind).map((m) => m.manifest as T);
  const policies = of<UpdatePolicy>('UpdatePolicy');
  const devices: Device[] = list.map((d) => ({ ...d, notes: d.notes, macAddresses: [], createdDateTime: null }));
  const plan = buildPlan({ now, groups: of<DeviceGroup>('DeviceGroup'), policies, scheduledUpdates: of<ScheduledUpdate>('ScheduledUpdate'), devices, software: new Map(), operations: [], releases: [] });
  const out = new Map<string, { group: string; wave: number | undefined }>();
  for (const g of plan.groups) {
    const policy = policies.find((p) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}` === g.policy);
    const waves = policy ? assignWaves(g.deviceIds, policy.metadata.name, policy.spec.rollout?.waves) : undefined;
    for (const id of g.deviceIds) out.set(id, { group: g.key, wave: waves?.get(id) });
  }
  return out;
}
interface Stats { graphRequests: number; throttled: number }

const emulator = await startEmulator();
try {
  const clock = await control<{ now: string }>(emulator.url, 'GET', 'clock');
  const at = clock.now;
  // The emulator's own demo app (see `firmwarden emulator --help`).
  const flags = ['--graph-url', `${emulator.url}/beta`, '--tenant', '7d3f8c2a-1b4e-4f6a-9c0d-2e5b8a1f4c37', '--client-id', 'f1d0e5a2-3c4b-4d6e-8f7a-9b0c1d2e3f4a', '--client-secret', 'emulator-demo-secret', '--at', at];
  const all = await control<DeviceView[]>(emulator.url, 'GET', `devices?limit=${deviceCount}`);
  if (all.length !== deviceCount) throw new Error(`the emulator lists ${all.length} devices, not ${deviceCount}`);
  // Kinds, by group and wave as the engine places them: the middle of each list, so no kind gets the first device.
  const placed = await placeDevices(all, Date.parse(at));
  const middle = (what: string, test: (p: { group: string; wave: number | undefined } | undefined) => boolean) => {
    const list = all.filter((d) => test(placed.get(d.id)));
    if (list.length === 0) throw new Error(`no ${what} in the emulated fleet`);
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
  const peer: { ms: number[]; requests: number[] } = { ms: [], requests: [] };
  const measure = async (args: string[]) => {
    await sleep(1_200); // the emulator's bucket refills: every run starts on the same terms
    await control(emulator.url, 'DELETE', 'requests');
    const r = await firmwarden(args);
    const stats = await control<Stats>(emulator.url, 'GET', 'stats');
    if (!Number.isFinite(r.ms) || r.ms <= 0) throw new Error(`a run took ${r.ms} ms: the clock or the benchmark is broken`);
    if (stats.graphRequests <= 0) throw new Error(`${args[0]} sent no request: nothing was measured`);
    return { ...r, requests: stats.graphRequests, throttled: stats.throttled };
  };
  for (let round = 0; round < Math.max(runs, peerRuns); round++) {
    if (round < runs) {
      for (const k of kinds) {
        const r = await measure(['why', k.device.id, 'examples', '--format', 'json', ...flags]);
        if (r.code !== 0) throw new Error(`why ${k.kind} exited with ${r.code}: ${r.stderr}`);
        const json = JSON.parse(r.stdout) as { device: { id: string }; group?: string; wave?: number; blocker?: string; explanation: string[] };
        if (json.device.id !== k.device.id) throw new Error(`why ${k.kind} explained ${json.device.id}, not ${k.device.id}`);
        if (json.group !== k.group) throw new Error(`why ${k.kind}: group ${json.group}, expected ${k.group}`);
        if (json.explanation.length < 5) throw new Error(`why ${k.kind}: an explanation of ${json.explanation.length} lines`);
        waves.set(k.kind, { wave: json.wave, blocker: json.blocker?.slice(0, 120) });
        times.get(k.kind)!.push(r.ms);
        requests.get(k.kind)!.push(r.requests);
      }
    }
    if (round < peerRuns) {
      const r = await measure(['plan', 'examples', '--format', 'json', ...flags]);
      if (r.code !== 0) throw new Error(`plan exited with ${r.code}: ${r.stderr}`);
      const json = JSON.parse(r.stdout) as { devices: unknown[] };
      if (r.requests < deviceCount || json.devices.length === 0) throw new Error(`plan sent ${r.requests} requests for ${deviceCount} devices and planned ${json.devices.length}: not a whole read`);
      peer.ms.push(r.ms);
      peer.requests.push(r.requests);
    }
  }

  const floor = (n: number) => Math.max(0, n - rate) / rate;
  const figures: Record<string, number> = {};
  const line = (name: string, value: number, unit: string) => {
    if (!Number.isFinite(value)) throw new Error(`${name} is ${value}`);
    figures[name] = Number(value.toFixed(3));
    process.stdout.write(`${name}: ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}\n`);
  };
  process.stdout.write(`why: ${deviceCount} emulated devices at ${rate} requests/s, examples/, at ${at}; ${runs} runs of each kind, ${peerRuns} of the peer (plan), interleaved\n`);
  for (const k of kinds) {
    const t = times.get(k.kind)!;
    const n = requests.get(k.kind)!;
    process.stdout.write(`${k.kind}: device ${k.device.id} ${JSON.stringify(waves.get(k.kind))}\n`);
    line(`${k.kind}_first_s`, t[0]! / 1000, 's');
    line(`${k.kind}_median_s`, median(t) / 1000, 's');
    line(`${k.kind}_requests`, median(n), 'requests');
    line(`${k.kind}_floor_s`, floor(median(n)), 's (the rate limit alone, for those requests)');
    if (peer.ms.length > 0) line(`${k.kind}_ratio_peer_over_why`, median(peer.ms) / median(t), 'x');
  }
  if (peer.ms.length > 0) {
    line('peer_plan_first_s', peer.ms[0]! / 1000, 's');
    line('peer_plan_median_s', median(peer.ms) / 1000, 's');
    line('peer_plan_requests', median(peer.requests), 'requests');
  }
  line('peer_floor_s', floor(Math.ceil(deviceCount / 50) + deviceCount), 's (a page per 50 devices and a health read per device, at the rate limit)');
  process.stdout.write(`${JSON.stringify({ bench: 'why', devices: deviceCount, runs, peerRuns, at, ...figures })}\n`);
} finally {
  emulator.child.kill('SIGTERM');
}
