// why reads the one device and what its story depends on, not every device's health: its
// output must be exactly what a read of the whole fleet gives (the same engine on a smaller
// input), for devices in every situation a plan knows — starting now, waiting for a slot, for
// an earlier wave, in a group chosen by device type, named by a ScheduledUpdate, claimed by two
// groups, in no group, offline — found by id, unique id or serial.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../controller/model/clock.ts';
import { startEmulator } from '../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../controller/fleet/emulator/emulator-options.ts';
import { createPlanCommand } from '../../controller/cli/plan.ts';
import { createWhyCommand } from '../../controller/cli/why.ts';
import { parser, root, runCommand } from './plan-harness.ts';

// Monday 22:00 in Paris: inside the default night window there, outside it in New York.
const at = '2026-11-23T21:00:00Z';
const devices = 300;

const manifests = `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: fast
spec:
  software:
    firmware: { mode: automatic, phase: Test }
    teamsClient: { mode: automatic, phase: Test }
  rollout:
    waves:
      - name: first
        count: 6
      - percent: 30
    bakeTime: 24h
    maxConcurrent: 4
---
apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: rooms
spec:
  software:
    teamsClient: { mode: automatic, phase: Test }
  rollout:
    waves:
      - count: 2
    maxConcurrent: 2
---
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: paris
spec:
  policyRef: { name: fast }
  selector: { tags: [site-paris] }
  priority: 10
  timeZone: Europe/Paris
---
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: lab
spec:
  policyRef: { name: fast }
  selector: { tags: [lab] }
  priority: 100
  timeZone: Europe/Paris
---
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: rooms
spec:
  policyRef: { name: rooms }
  selector: { deviceTypes: [teamsRoom, collaborationBar] }
  priority: 20
  timeZone: America/New_York
---
apiVersion: firmwarden.dev/v1alpha1
kind: ScheduledUpdate
metadata:
  name: vip-now
spec:
  targets:
    selector: { tags: [vip] }
  software:
    - type: teamsClient
      version: latest
`;

interface PlanDevice { deviceId: string; name: string; group?: string; wave?: number; software: { softwareType: string; state: string; desiredVersion?: string; scheduledUpdate?: string; reason: { code: string } }[] }
interface PlanJson { devices: PlanDevice[]; conflicts: { deviceId: string }[]; unmanaged: string[] }

let emulator: EmulatorHandle;
let dir: string;
let plan: PlanJson;
const flags = () => ['--graph-url', emulator.graphBaseUrl, '--tenant', emulator.tenant, '--client-id', emulator.clientId, '--client-secret', emulator.clientSecret, '--fleet-rate', '1000'];
const args = (ref: string) => [ref, dir, '--at', at, '--format', 'json', '--state', join(dir, 'state.json'), ...flags()];

async function why(ref: string, fullRead: boolean): Promise<{ code: number; stdout: string; stderr: string; requests: number }> {
  emulator.control.resetLog();
  const r = await runCommand(createWhyCommand({ parse: await parser(), fullRead }), args(ref), root, {});
  return { ...r, requests: emulator.control.stats().graphRequests };
}

const Fast = suite('why from one device and from the whole fleet');

Fast.before(async () => {
  emulator = await startEmulator({ clock: new ManualClock(Date.parse(at)), devices, seed: 42, rateLimit: 0 });
  dir = await mkdtemp(join(tmpdir(), 'why-fast-'));
  await writeFile(join(dir, 'manifests.yaml'), manifests);
  await writeFile(join(dir, 'state.json'), JSON.stringify({ version: 1, releases: [], ledger: [], rollouts: {} }));
  const first = await runCommand(createPlanCommand({ parse: await parser() }), [dir, '--at', at, '--format', 'json', ...flags()], root, {});
  assert.is(first.code, 0, first.stderr);
  const starting = (JSON.parse(first.stdout) as PlanJson).devices.filter((d) => d.group === 'default/paris' && d.software.some((e) => e.reason.code === 'Starting'));
  // The state file: one update of the policy in flight (a slot taken), one that ended two hours ago (bake time).
  const entry = (d: PlanDevice, state: string, endedAt?: number) => {
    const e = d.software.find((s) => s.reason.code === 'Starting')!;
    return { deviceId: d.deviceId, softwareType: e.softwareType, version: e.desiredVersion, operationId: `op-${d.deviceId}`, owner: 'default/UpdatePolicy/fast', requestedAt: Date.parse(at) - 3 * 3_600_000, state, endedAt, error: undefined, fromVersion: null };
  };
  await writeFile(join(dir, 'state.json'), JSON.stringify({ version: 1, releases: [], ledger: [entry(starting[0]!, 'inProgress'), entry(starting[1]!, 'succeeded', Date.parse(at) - 2 * 3_600_000)], rollouts: {} }));
  const r = await runCommand(createPlanCommand({ parse: await parser() }), [dir, '--at', at, '--format', 'json', '--state', join(dir, 'state.json'), ...flags()], root, {});
  assert.is(r.code, 0, r.stderr);
  plan = JSON.parse(r.stdout) as PlanJson;
});

Fast.after(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** A device of the plan matching `test`, by its position among those that do. */
function pick(what: string, test: (d: PlanDevice) => boolean, nth = 0): PlanDevice {
  const found = plan.devices.filter(test);
  assert.ok(found.length > nth, `the scenario has ${what}`);
  return found[nth]!;
}
const has = (code: string) => (d: PlanDevice) => d.software.some((e) => e.reason.code === code);
const inGroup = (g: string) => (d: PlanDevice) => d.group === `default/${g}`;

Fast('the same explanation, group, wave, entries and blocker as a read of the whole fleet, for devices in every situation', async () => {
  const cases: [string, string][] = [
    ['starting now (wave 1)', pick('a start', (d) => inGroup('paris')(d) && d.wave === 1 && has('Starting')(d)).deviceId],
    ['waiting for a slot (wave 1)', pick('a wave-1 wait for a slot', (d) => d.wave === 1 && has('ConcurrencyLimit')(d)).deviceId],
    ['waiting for a slot (wave 3)', pick('a wave-3 wait for a slot', (d) => d.wave === 3 && has('ConcurrencyLimit')(d)).deviceId],
    ['waiting for an earlier wave', pick('a wave wait', (d) => inGroup('paris')(d) && has('WaitingForWave')(d), 3).deviceId],
    ['busy with its own update', pick('a busy device', has('InProgress')).deviceId],
    ['a group chosen by device type', pick('a room waiting', (d) => inGroup('rooms')(d) && has('WaitingForWave')(d)).deviceId],
    ['a room outside its window', pick('a room', (d) => inGroup('rooms')(d) && has('OutsideWindow')(d)).deviceId],
    ['named by a ScheduledUpdate', pick('a ScheduledUpdate target', (d) => d.software.some((e) => e.scheduledUpdate !== undefined)).deviceId],
    ['claimed by two groups', plan.conflicts[0]!.deviceId],
    ['in no group', plan.unmanaged[0]!],
    ['offline', pick('an offline device', has('DeviceOffline')).deviceId],
    ['by serial number', pick('a device', (d) => inGroup('paris')(d) && d.wave === 2).name],
  ];
  for (const [what, ref] of cases) {
    const fast = await why(ref, false);
    const full = await why(ref, true);
    assert.is(fast.code, 0, `${what}: ${fast.stderr}`);
    assert.is(full.code, 0, `${what}: ${full.stderr}`);
    assert.is(fast.stdout, full.stdout, what);
    assert.ok(fast.requests < full.requests, `${what}: ${fast.requests} requests, the whole fleet ${full.requests}`);
  }
});

Fast('requests per kind of device: what its answer needs, and for a slot no more devices ahead than slots left', async () => {
  const pages = Math.ceil(devices / 50);
  const slots = 4; // maxConcurrent of the policy fast
  const earlier = (d: PlanDevice) => plan.devices.filter((x) => x.group === d.group && x.wave !== undefined && x.wave < d.wave!).length;
  // GET by id, the list, the device's health and operations, the earlier waves of its group when it
  // waits for one; for a slot, as many devices ahead as slots are left, and their rooms' activity.
  // (Reading 60 ahead at a time, why sent 19, 82 and 24 requests for the first three.)
  const bound = (d: PlanDevice) => 1 + pages + 2 + earlier(d) + 2 * slots;
  const cases: [string, PlanDevice][] = [
    ['waiting for a slot (wave 1)', pick('a wave-1 wait for a slot', (d) => d.wave === 1 && has('ConcurrencyLimit')(d))],
    ['waiting for a slot (wave 3)', pick('a wave-3 wait for a slot', (d) => d.wave === 3 && has('ConcurrencyLimit')(d))],
    ['waiting for an earlier wave', pick('a wave wait', (d) => inGroup('paris')(d) && has('WaitingForWave')(d), 3)],
    ['starting now (wave 1)', pick('a start', (d) => inGroup('paris')(d) && d.wave === 1 && has('Starting')(d))],
    ['busy with its own update', pick('a busy device', has('InProgress'))],
  ];
  for (const [what, d] of cases) {
    const fast = await why(d.deviceId, false);
    assert.is(fast.code, 0, `${what}: ${fast.stderr}`);
    assert.ok(fast.requests <= bound(d), `${what}: ${fast.requests} requests, at most ${bound(d)} expected (${earlier(d)} in earlier waves)`);
  }
});

Fast('a device in no group, named by id: the device, its health and its operations, three requests', async () => {
  const ref = plan.unmanaged[0]!;
  const fast = await why(ref, false);
  assert.is(fast.code, 0, fast.stderr);
  assert.match(fast.stdout, '"Group: none.');
  assert.is(fast.requests, 3);
});

Fast('a group selected by device type lists those types alone, and reads only the waves before the device', async () => {
  const room = pick('a room waiting for its wave', (d) => inGroup('rooms')(d) && has('WaitingForWave')(d));
  const fast = await why(room.deviceId, false);
  assert.is(fast.code, 0, fast.stderr);
  const listed = emulator.control.devices({ limit: devices }).filter((d) => d.deviceType === 'teamsRoom' || d.deviceType === 'collaborationBar').length;
  const pages = Math.ceil(listed / 50) + 1;
  // GET by id, the two filtered lists, the device's health and operations, and wave 1's two devices.
  assert.ok(fast.requests <= 1 + pages + 2 + 2, `${fast.requests} requests for ${listed} rooms`);
});

Fast('by unique id: found through the $filter, the same story', async () => {
  const d = emulator.control.devices({ limit: devices }).find((x) => plan.conflicts.some((c) => c.deviceId === x.id))!;
  const fast = await why(d.uniqueId, false);
  const full = await why(d.uniqueId, true);
  assert.is(fast.stdout, full.stdout);
});

Fast('an unknown device: exit 1, after listing the fleet once', async () => {
  const fast = await why('no-such-device', false);
  assert.is(fast.code, 1);
  assert.match(fast.stderr, `no device has the id, unique id or serial "no-such-device" (${devices} devices listed)`);
  assert.is(fast.requests, 2 + Math.ceil(devices / 50), 'GET, the unique id filter, the list pages');
});

Fast.run();
