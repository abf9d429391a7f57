// why reads part of the fleet, but its answer must be plan's (one engine): for policies whose
// decisions depend on other devices' health — a version that waits for evidence from a lab
// group (versions.requireEvidence), a wave that waits for the earlier wave's health soak, a
// rollout stopped by a regression a soak found on another device — why DEVICE --format json
// gives each device the entries plan --format json gives it, at the same --at, against the
// emulator over HTTP, for devices in the evidence-taking groups (selected by tags and by device
// type), in the lab, and in later waves. Before why read the evidence group's and the soaking
// devices' health, it said "waits for evidence" where plan started the update, and missed the stop.
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

// Saturday noon: inside the default weekend window everywhere.
const at = '2026-11-21T12:00:00Z';
const now = Date.parse(at);
const hour = 3_600_000;
const devices = 300;
const teams = '1449/1.0.98.2026110108';

const manifests = `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: lab
spec:
  software:
    firmware: { mode: automatic, phase: Test }
    teamsClient: { mode: automatic, phase: Test }
  rollout:
    waves:
      - percent: 100
    maxConcurrent: 10
---
apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: general
spec:
  software:
    firmware: { mode: automatic, phase: Test }
    teamsClient:
      mode: automatic
      phase: Test
      versions:
        requireEvidence: { group: lab, devices: 1, healthyFor: 3d }
  rollout:
    waves:
      - name: first
        count: 6
        soak: { duration: 48h, maxRegressions: 0 }
      - percent: 30
        soak: { duration: 24h }
    bakeTime: 24h
    maxConcurrent: 50
---
apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: rooms
spec:
  software:
    firmware: { mode: automatic, phase: Test }
    teamsClient:
      mode: automatic
      phase: Test
      versions:
        requireEvidence: { group: lab, devices: 1, healthyFor: 2d }
  rollout:
    waves:
      - count: 2
        soak: { duration: 24h }
    maxConcurrent: 20
---
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: lab
spec:
  policyRef: { name: lab }
  selector: { tags: [lab] }
  priority: 100
  timeZone: Europe/Paris
---
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: paris
spec:
  policyRef: { name: general }
  selector: { tags: [site-paris] }
  priority: 10
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
`;

interface Entry { softwareType: string; state: string; currentVersion?: string | null; desiredVersion?: string; earliestStart?: string; reason: { code: string; message: string } }
interface PlanDevice { deviceId: string; group?: string; wave?: number; software: Entry[] }

let emulator: EmulatorHandle;
let dir: string;
const state = () => join(dir, 'state.json');
const flags = () => ['--graph-url', emulator.graphBaseUrl, '--tenant', emulator.tenant, '--client-id', emulator.clientId, '--client-secret', emulator.clientSecret, '--fleet-rate', '1000'];

async function plan(): Promise<PlanDevice[]> {
  const r = await runCommand(createPlanCommand({ parse: await parser() }), [dir, '--at', at, '--format', 'json', '--state', state(), ...flags()], root, {});
  assert.is(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { devices: PlanDevice[] }).devices;
}

async function why(id: string): Promise<{ json: { group?: string; wave?: number; software: Entry[] }; requests: number }> {
  emulator.control.resetLog();
  const r = await runCommand(createWhyCommand({ parse: await parser() }), [id, dir, '--at', at, '--format', 'json', '--state', state(), ...flags()], root, {});
  assert.is(r.code, 0, r.stderr);
  return { json: JSON.parse(r.stdout), requests: emulator.control.stats().graphRequests };
}

/** What decides an entry: state, version, when, and the reason with its sentence. */
const decision = (e: Entry) => `${e.softwareType}: ${e.state} ${e.desiredVersion ?? '-'} at ${e.earliestStart ?? '-'} (${e.reason.code}: ${e.reason.message})`;

const ledgerEntry = (deviceId: string, softwareType: string, version: string, owner: string, endedAt: number, healthBefore: string[], wave: number) => ({
  deviceId, softwareType, version, operationId: `op-${deviceId}-${softwareType}`, owner: `default/UpdatePolicy/${owner}`, requestedAt: endedAt - hour,
  state: 'succeeded', endedAt, error: undefined, fromVersion: null, healthBefore, wave,
});

const Health = suite('why decides as plan where health decides: evidence, soaks, regressions');

let before: PlanDevice[];
let evidence: unknown[];
let regression: unknown[];
let soaking: PlanDevice;
let lab: PlanDevice;

Health.before(async () => {
  emulator = await startEmulator({ clock: new ManualClock(now), devices, seed: 42, rateLimit: 0 });
  dir = await mkdtemp(join(tmpdir(), 'why-health-'));
  await writeFile(join(dir, 'manifests.yaml'), manifests);
  await writeFile(state(), JSON.stringify({ version: 1, releases: [], ledger: [], rollouts: {} }));
  before = await plan();
  const type = new Map(emulator.control.devices({ limit: devices }).map((d) => [d.id, d]));
  const runs = (d: PlanDevice, t: string, v: string) => d.software.some((e) => e.softwareType === t && e.currentVersion === v);
  // Evidence: a lab phone (a type the rooms group does not select) updated by firmwarden to the Teams version five days ago.
  lab = before.find((d) => d.group === 'default/lab' && runs(d, 'teamsClient', teams))!;
  assert.ok(lab, 'the emulated fleet has a lab device on the Teams version');
  assert.not.ok(['teamsRoom', 'collaborationBar'].includes(type.get(lab.deviceId)!.deviceType), 'the lab device is outside the rooms group\'s types');
  // Soak: a Paris device of wave 1 updated three hours ago to the firmware a wave-2 device needs, which no wave-1 device still needs.
  const first = before.filter((d) => d.group === 'default/paris' && d.wave === 1);
  const w1 = first.find((d) => d.software.every((e) => e.state === 'upToDate'))!;
  const wanted = new Set(first.flatMap((d) => d.software.filter((e) => e.softwareType === 'firmware' && e.desiredVersion).map((e) => e.desiredVersion)));
  soaking = before.find((d) => d.group === 'default/paris' && d.wave === 2 && d.software.some((e) => e.softwareType === 'firmware' && e.desiredVersion !== undefined && !wanted.has(e.desiredVersion)))!;
  const version = soaking.software.find((e) => e.softwareType === 'firmware')!.desiredVersion!;
  evidence = [ledgerEntry(lab.deviceId, 'teamsClient', teams, 'lab', now - 120 * hour, [], 1), ledgerEntry(w1.deviceId, 'firmware', version, 'general', now - 3 * hour, [], 1)];
  // Regression: an offline Paris device (in a later wave) that was online before its update two hours ago, counted in wave 1 (maxRegressions 0).
  const offline = before.find((d) => d.group === 'default/paris' && d.wave! > 1 && type.get(d.deviceId)!.healthStatus === 'offline' && d.software.some((e) => e.softwareType === 'firmware'))!;
  regression = [ledgerEntry(offline.deviceId, 'firmware', offline.software.find((e) => e.softwareType === 'firmware')!.currentVersion!, 'general', now - 2 * hour, ['online'], 1)];
});

Health.after(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

type Pick = (devices: PlanDevice[]) => PlanDevice | undefined;
const needs = (t: string) => (d: PlanDevice) => d.software.some((e) => e.softwareType === t && e.desiredVersion !== undefined && e.state !== 'upToDate');
const inGroup = (g: string, wave?: number) => (d: PlanDevice) => d.group === `default/${g}` && (wave === undefined || d.wave === wave);
const first = (...tests: ((d: PlanDevice) => boolean)[]): Pick => (list) => list.find((d) => tests.every((t) => t(d)));

Health('the same entries as plan, device by device', async () => {
  // [ledger, what, the device, a reason code plan must show on it (the fixture does what it says)]
  const cases: [string, string, Pick, string | undefined][] = [
    ['evidence', 'Paris wave 1: the lab\'s evidence lets the Teams update start', first(inGroup('paris', 1), needs('teamsClient')), 'Starting'],
    ['evidence', 'Paris wave 2: waits for wave 1 (counted with the evidence)', first(inGroup('paris', 2), needs('teamsClient')), undefined],
    ['evidence', 'Paris wave 2: the soak of wave 1', () => soaking, 'Soaking'],
    ['evidence', 'Paris wave 3', first(inGroup('paris', 3), needs('teamsClient')), undefined],
    ['evidence', 'a room by device type, evidence from a phone of another type', first(inGroup('rooms', 2), needs('teamsClient'), (d) => d.software.some((e) => e.desiredVersion === teams)), 'Starting'],
    ['evidence', 'a room in wave 1 (another version: still waiting for evidence)', first(inGroup('rooms', 1), needs('teamsClient')), 'WaitingForEvidence'],
    ['evidence', 'the lab device that gave the evidence', () => lab, undefined],
    ['evidence', 'another lab device', first(inGroup('lab'), (d) => d.deviceId !== lab.deviceId, needs('teamsClient')), undefined],
    ['regression', 'Paris wave 1: the rollout stopped by a later wave\'s regression', first(inGroup('paris', 1), needs('firmware')), 'RolloutStopped'],
    ['regression', 'Paris wave 2', first(inGroup('paris', 2), needs('firmware')), 'RolloutStopped'],
    ['regression', 'Paris wave 3', first(inGroup('paris', 3), needs('firmware')), 'RolloutStopped'],
    ['regression', 'a room (another policy: not stopped)', first(inGroup('rooms', 2), needs('firmware')), undefined],
    ['regression', 'a lab device', first(inGroup('lab'), needs('teamsClient')), undefined],
  ];
  const ledgers: Record<string, unknown[]> = { evidence, regression };
  for (const name of ['evidence', 'regression']) {
    await writeFile(state(), JSON.stringify({ version: 1, releases: [], ledger: ledgers[name], rollouts: {} }));
    const planned = await plan();
    for (const [ledger, what, pick, code] of cases) {
      if (ledger !== name) continue;
      const chosen = pick(before);
      assert.ok(chosen, `${name}: the fleet has ${what}`);
      const d = planned.find((x) => x.deviceId === chosen!.deviceId)!;
      if (code) assert.ok(d.software.some((e) => e.reason.code === code), `${name}: ${what}: plan shows ${code}: ${d.software.map(decision).join('; ')}`);
      const { json } = await why(d.deviceId);
      assert.is(json.group, d.group, `${name}: ${what}`);
      assert.is(json.wave, d.wave, `${name}: ${what}`);
      assert.equal(json.software.map(decision), d.software.map(decision), `${name}: ${what}`);
    }
  }
});

Health('a room\'s why lists the lab only when the ledger may hold evidence from it', async () => {
  const room = before.find(inGroup('rooms', 1))!;
  await writeFile(state(), JSON.stringify({ version: 1, releases: [], ledger: regression, rollouts: {} }));
  const without = await why(room.deviceId);
  await writeFile(state(), JSON.stringify({ version: 1, releases: [], ledger: evidence, rollouts: {} }));
  const withEvidence = await why(room.deviceId);
  const rooms = emulator.control.devices({ limit: devices }).filter((d) => d.deviceType === 'teamsRoom' || d.deviceType === 'collaborationBar').length;
  // GET by id, the two types' pages, its health and operations, the other wave-1 device's rooms reads at most.
  assert.ok(without.requests <= 1 + Math.ceil(rooms / 50) + 2 + 2 + 2, `${without.requests} requests with no evidence in the ledger`);
  assert.ok(withEvidence.requests > without.requests, 'the whole list and the lab device\'s health when the ledger holds a lab update');
});

Health.run();
