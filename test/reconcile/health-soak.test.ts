// Health soaks and evidence through the whole reconcile, against the emulator over loopback
// HTTP with a manual clock. A firmware that breaks the camera of one model (the emulator's
// health regression on demand): its canary updates succeed, the soak compares their health
// with what the ledger recorded before, the failure threshold stops that policy's rollout and
// status and why name the rooms, while another model's rollout goes on. Then evidence: the
// rooms wait until the lab ran the version healthy for a week, and the calendar file keeps it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../controller/config/fleet-connection.ts';
import type { DeviceView, EmulatorControl } from '../../controller/fleet/emulator/control.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import type { ReconcileResult } from '../../controller/model/reconcile.ts';
import { createEngine, planFrom } from '../../controller/reconcile/engine.ts';
import { explainDevice } from '../../controller/plan/explain-device.ts';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';
import { parseCalendarFile } from '../../controller/state/calendar-file.ts';

const logger = silentLogger();
const hour = 3_600_000;
const day = 24 * hour;
// A Monday: the policies' windows are open all day, every day.
const start = Date.parse('2027-01-11T00:00:00Z');

const group = (name: string, policy: string, ids: readonly string[]) => [
  'apiVersion: firmwarden.dev/v1alpha1', 'kind: DeviceGroup', 'metadata:', `  name: ${name}`, 'spec:', `  policyRef: { name: ${policy} }`,
  `  include: [${ids.map((id) => JSON.stringify(id)).join(', ')}]`, '',
].join('\n');
const policy = (name: string, firmware: string[], rollout: string[]) => [
  'apiVersion: firmwarden.dev/v1alpha1', 'kind: UpdatePolicy', 'metadata:', `  name: ${name}`, 'spec:', '  software:', '    firmware:', '      mode: automatic', '      phase: Test',
  ...firmware.map((l) => `      ${l}`), '  maintenanceWindows:', '    - { start: "00:00", duration: 24h }', '  rollout:', ...rollout.map((l) => `    ${l}`), '',
].join('\n');

/** Room bars grouped by model, online, on firmware with a newer release, all offered the same version. */
function barsByModel(control: EmulatorControl): Map<string, DeviceView[]> {
  const out = new Map<string, DeviceView[]>();
  for (const d of control.devices({ deviceType: 'collaborationBar', limit: 1000 })) {
    const v = d.software.firmware?.availableVersion;
    if (d.healthStatus !== 'healthy' || d.unknownFirmware || !v) continue;
    const key = `${d.model}|${v}`;
    out.set(key, [...(out.get(key) ?? []), d]);
  }
  return out;
}

async function setup(files: (bars: Map<string, DeviceView[]>) => Record<string, string>) {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn: FleetConnection = await createFleet(options, { logger, clock, emulator: { devices: 400, seed: 8, rateLimit: 0, failureRate: 0, durationJitter: 0, epoch: start } });
  const control = conn.emulator!.control;
  const dir = await mkdtemp(join(tmpdir(), 'fw-soak-'));
  for (const [name, text] of Object.entries(files(barsByModel(control)))) await writeFile(join(dir, name), text);
  const source = new DirSource({ dir, replaceStatus, logger });
  // Health is read again every 20 minutes, as a fleet view does (every 15 by default).
  const fleetView = new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: 20 * 60_000, listIntervalMs: day, chunk: 5000 });
  const stateStore = new MemoryStateStore();
  let last: ReconcileResult | undefined;
  const reconcile = createReconciler({
    sync: (signal) => source.sync(signal), parse: (snapshot, now) => parseManifestTexts(snapshot.files, now), fleet: conn.fleet, fleetView, stateStore,
    engine: createEngine(), statusWriter: source, clock, logger, isStopping: () => false, pollIntervalMs: 10 * 60_000, onResult: (r) => void (last = r),
  });
  let n = 0;
  const signal = new AbortController().signal;
  /** Reconciles until `until`, the clock moving as each outcome asks (at least a minute, at most `maxStep`). */
  const runUntil = async (until: number, maxStep = hour) => {
    while (clock.now() < until) {
      const outcome = await reconcile({ reconcileId: ++n, signal });
      clock.set(Math.min(until, Math.max(clock.now() + 60_000, outcome.kind === 'waiting' ? Math.min(outcome.until, clock.now() + maxStep) : clock.now() + maxStep)));
    }
    await reconcile({ reconcileId: ++n, signal });
  };
  const posts = (deviceId: string) => control.actionLog({ deviceId, action: 'updateSoftware' }).filter((p) => p.softwareType === 'firmware');
  const statusOf = (kind: string, name: string) => last?.statuses.find((s) => (s.key as { kind?: string; name?: string } | undefined)?.kind === kind && s.key?.name === name)?.status as Record<string, any>;
  const plan = async () => planFrom({ desired: parseManifestTexts((await source.sync(signal)).files, clock.now()), fleet: fleetView.snapshot(), state: await stateStore.load(), now: clock.now(), outcomes: [] });
  const fleetDevice = (id: string) => fleetView.snapshot().devices.find((d) => d.id === id)!;
  const close = async () => {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { clock, control, dir, stateStore, runUntil, posts, statusOf, plan, fleetDevice, close };
}

test('a firmware that breaks one model\'s camera: the soak finds it, the threshold stops that rollout and names the rooms; another model goes on', async () => {
  let broken: DeviceView[] = [];
  let fine: DeviceView[] = [];
  const t = await setup((bars) => {
    const lists = [...bars.values()].sort((a, b) => b.length - a.length);
    broken = lists[0]!.slice(0, 5);
    fine = lists.find((l) => l[0]!.model !== broken[0]!.model)!.slice(0, 2);
    assert.ok(broken.length === 5 && fine.length === 2, 'the generated fleet has five bars of one model and two of another');
    const rollout = ['waves: [{ name: canary, count: 2, soak: { duration: 24h } }]', 'soak: { duration: 12h }', 'failureThreshold: { percent: 20, minCompleted: 2 }'];
    return {
      'broken.yaml': group('bars', 'bars', broken.map((d) => d.id)),
      'fine.yaml': group('others', 'others', fine.map((d) => d.id)),
      'bars-policy.yaml': policy('bars', [], rollout),
      'others-policy.yaml': policy('others', [], rollout),
    };
  });
  try {
    const version = broken[0]!.software.firmware!.availableVersion!;
    t.control.addHealthRegression({ model: broken[0]!.model, version, what: 'camera' });

    await t.runUntil(start + 3 * hour);
    const canary = broken.filter((d) => t.posts(d.id).length === 1);
    assert.is(canary.length, 2, 'the canary wave of the broken model started');
    // The ledger kept what worked before each update, and the wave.
    const ledger = (await t.stateStore.load()).ledger.filter((e) => canary.some((d) => d.id === e.deviceId));
    assert.ok(ledger.every((e) => e.healthBefore?.includes('roomCamera') && e.wave === 1), JSON.stringify(ledger));
    assert.ok(canary.every((d) => t.control.device(d.id)?.software.firmware?.currentVersion === version), 'the updates themselves succeeded');

    await t.runUntil(start + 2 * day, 3 * hour);
    const rest = broken.filter((d) => !canary.includes(d));
    assert.ok(rest.every((d) => t.posts(d.id).length === 0), 'nothing more of the broken model started');
    const status = t.statusOf('UpdatePolicy', 'bars');
    const stalled = status.conditions.find((c: any) => c.type === 'Stalled');
    assert.is(stalled?.status, 'True', JSON.stringify(status.conditions));
    const rollout = status.rollouts.find((r: any) => r.softwareType === 'firmware');
    assert.is(rollout.state, 'Stopped');
    assert.match(rollout.stoppedReason, /^2 of 2 finished updates failed or regressed \(100%\), more than the threshold of 20%; regressed: /);
    for (const d of canary) assert.match(rollout.stoppedReason, `${t.fleetDevice(d.id).currentUserName}: camera unhealthy after firmware ${version}`);

    // why: the stopped device says what stopped it; a canary room says what regressed on it.
    const plan = await t.plan();
    const waiting = explainDevice(plan, t.fleetDevice(rest[0]!.id));
    assert.match(waiting.blocker ?? '', 'camera unhealthy after firmware', waiting.lines.join('\n'));
    const regressed = explainDevice(plan, t.fleetDevice(canary[0]!.id));
    assert.ok(regressed.lines.some((l) => l.startsWith('Health: regressed after its update: camera unhealthy after firmware')), regressed.lines.join('\n'));

    // The other model, same rules, no regression: all of its devices updated.
    assert.ok(fine.every((d) => t.posts(d.id).length === 1 && t.control.device(d.id)?.software.firmware?.currentVersion === d.software.firmware!.availableVersion));
    assert.is(t.statusOf('UpdatePolicy', 'others').rollouts.find((r: any) => r.softwareType === 'firmware')?.state, 'Complete');
  } finally {
    await t.close();
  }
});

test('evidence: the rooms wait until five lab bars ran the version healthy for a week, and the calendar file keeps the evidence', async () => {
  let lab: DeviceView[] = [];
  let rooms: DeviceView[] = [];
  const t = await setup((bars) => {
    const list = [...bars.values()].sort((a, b) => b.length - a.length)[0]!;
    lab = list.slice(0, 5);
    rooms = list.slice(5, 7);
    assert.ok(rooms.length === 2, 'seven bars of one model offered the same version');
    return {
      'lab.yaml': group('lab', 'lab', lab.map((d) => d.id)),
      'rooms.yaml': group('rooms', 'general', rooms.map((d) => d.id)),
      'lab-policy.yaml': policy('lab', [], ['waves: []']),
      'general-policy.yaml': policy('general', ['versions:', '  requireEvidence: { group: lab, devices: 5, healthyFor: 7d }'], ['waves: []']),
    };
  });
  try {
    const version = lab[0]!.software.firmware!.availableVersion!;
    await t.runUntil(start + 2 * hour);
    assert.ok(lab.every((d) => t.posts(d.id).length === 1), 'the lab updates at once');
    assert.ok(rooms.every((d) => t.posts(d.id).length === 0), 'the rooms wait');
    const why = explainDevice(await t.plan(), t.fleetDevice(rooms[0]!.id));
    assert.match(why.blocker ?? '', `${version} waits for evidence: 7 days healthy on 5 devices of lab: 0 so far, 5 more running it would complete it on`, why.lines.join('\n'));
    const calendar = parseCalendarFile(await readFile(join(t.dir, '.firmwarden/releases.json'), 'utf8'));
    assert.ok(calendar.ok && calendar.calendar.evidence?.length === 5, 'the evidence is written beside the release dates');

    // Six days on: still waiting. Past seven: the rooms update.
    // Health read every 6 hours from here on is enough for a week.
    await t.runUntil(start + 6 * day, 6 * hour);
    assert.ok(rooms.every((d) => t.posts(d.id).length === 0));
    await t.runUntil(start + 7 * day + 3 * hour, 6 * hour);
    assert.ok(rooms.every((d) => t.posts(d.id).length === 1), 'the evidence is there: the rooms updated');
  } finally {
    await t.close();
  }
});

test.run();
