// A stuck operation, through the whole reconcile against the emulator over loopback HTTP (its
// stuck-operation fault): after the policy's operationTimeout the update counts as failed
// (TimedOut) in status, plan and why, the failure threshold counts it, the policy's slot goes
// to the next device — and the stuck device gets no second updateSoftware while it is active.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet, type FleetConnection } from '../../controller/config/fleet-connection.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { parseManifestTexts } from '../../controller/manifest/parse-manifests.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { FleetView } from '../../controller/reconcile/fleet-view.ts';
import { createReconciler } from '../../controller/reconcile/reconcile.ts';
import type { ReconcileResult } from '../../controller/model/reconcile.ts';
import { createEngine, planFrom } from '../../controller/reconcile/engine.ts';
import { explainDevice } from '../../controller/plan/explain-device.ts';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';
import type { DeviceView } from '../../controller/fleet/emulator/control.ts';

const logger = silentLogger();
const hour = 3_600_000;
const start = Date.parse('2027-01-11T00:00:00Z');

function policyYaml(rollout: string[], resumeAfter?: number): string {
  return [
    'apiVersion: firmwarden.dev/v1alpha1',
    'kind: UpdatePolicy',
    'metadata:',
    '  name: careful',
    'spec:',
    '  software:',
    '    firmware: { mode: automatic, phase: Test }',
    '  maintenanceWindows:',
    '    - { start: "00:00", duration: 24h }',
    '  rollout:',
    '    maxConcurrent: 1',
    '    operationTimeout: 1h',
    ...rollout.map((l) => `    ${l}`),
    ...(resumeAfter === undefined ? [] : ['  resume:', `    after: ${new Date(resumeAfter).toISOString()}`, '    by: test']),
    '',
  ].join('\n');
}

async function setup(rollout: string[]) {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn: FleetConnection = await createFleet(options, { logger, clock, emulator: { devices: 60, seed: 7, rateLimit: 0, failureRate: 0, durationJitter: 0 } });
  const devices = conn.emulator!.control
    .devices({ limit: 60 })
    .filter((d: DeviceView) => d.healthStatus !== 'offline' && !d.unknownFirmware && d.software.firmware?.availableVersion)
    .slice(0, 2);
  if (devices.length < 2) throw new Error('fewer than two online devices with a firmware update in the generated fleet');
  const dir = await mkdtemp(join(tmpdir(), 'fw-timeout-'));
  await writeFile(join(dir, 'group.yaml'), [
    'apiVersion: firmwarden.dev/v1alpha1',
    'kind: DeviceGroup',
    'metadata:',
    '  name: pair',
    'spec:',
    '  policyRef: { name: careful }',
    `  include: [${devices.map((d) => JSON.stringify(d.id)).join(', ')}]`,
    '',
  ].join('\n'));
  await writeFile(join(dir, 'policy.yaml'), policyYaml(rollout));
  const source = new DirSource({ dir, replaceStatus, logger });
  const fleetView = new FleetView(conn.fleet, { clock, logger }, { maxAgeMs: 4 * hour, listIntervalMs: 24 * hour, chunk: 5000 });
  const stateStore = new MemoryStateStore();
  let last: ReconcileResult | undefined;
  const reconcile = createReconciler({
    sync: (signal) => source.sync(signal),
    parse: (snapshot, now) => parseManifestTexts(snapshot.files, now),
    fleet: conn.fleet,
    fleetView,
    stateStore,
    engine: createEngine(),
    statusWriter: source,
    clock,
    logger,
    isStopping: () => false,
    pollIntervalMs: 10 * 60_000,
    onResult: (result) => void (last = result),
  });
  let n = 0;
  const signal = new AbortController().signal;
  /** Reconciles until `until`, moving the clock as each outcome asks (at least a minute, at most an hour). */
  const runUntil = async (until: number) => {
    while (clock.now() < until) {
      const outcome = await reconcile({ reconcileId: ++n, signal });
      clock.set(Math.min(until, Math.max(clock.now() + 60_000, outcome.kind === 'waiting' ? Math.min(outcome.until, clock.now() + hour) : clock.now() + hour)));
    }
    await reconcile({ reconcileId: ++n, signal });
  };
  const control = conn.emulator!.control;
  const firmwarePosts = (deviceId: string) => control.actionLog({ deviceId, action: 'updateSoftware' }).filter((p) => p.softwareType === 'firmware');
  const policyStatus = () => last?.statuses.find((s) => (s.key as { kind?: string } | undefined)?.kind === 'UpdatePolicy')?.status as Record<string, any>;
  const plan = async () => planFrom({
    desired: parseManifestTexts((await source.sync(signal)).files, clock.now()),
    fleet: fleetView.snapshot(), state: await stateStore.load(), now: clock.now(), outcomes: [],
  });
  const close = async () => {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  };
  const fleetDevice = (id: string) => fleetView.snapshot().devices.find((d) => d.id === id)!;
  return { clock, control, devices, dir, fleetDevice, reconcile: () => reconcile({ reconcileId: ++n, signal }), runUntil, firmwarePosts, policyStatus, plan, close };
}

test('a stuck update times out: reported as TimedOut, its slot goes to the next device, and the stuck device is not posted to again while it runs', async () => {
  const t = await setup([]);
  try {
    t.control.setFaults({ stuckOperationRate: 1 });
    await t.reconcile();
    t.control.setFaults({ stuckOperationRate: 0 });
    const [stuck, next] = t.firmwarePosts(t.devices[0]!.id).length === 1 ? [t.devices[0]!, t.devices[1]!] : [t.devices[1]!, t.devices[0]!];
    assert.equal([t.firmwarePosts(stuck.id).length, t.firmwarePosts(next.id).length], [1, 0], 'maxConcurrent 1: one device started');

    await t.runUntil(start + 3 * hour);
    assert.is(t.firmwarePosts(stuck.id).length, 1, 'the stuck device was posted to again');
    const [nextPost] = t.firmwarePosts(next.id);
    assert.ok(nextPost && nextPost.atMs >= start + hour, 'the second device started once the first had timed out');
    assert.is(t.control.device(next.id)?.software.firmware?.currentVersion, next.software.firmware!.availableVersion);

    // Status, plan and why tell it like any other failure.
    const status = t.policyStatus();
    assert.is(status.updates.failed, 1);
    assert.equal(status.failing.map((f: any) => [f.deviceId, f.errorCode]), [[stuck.id, 'TimedOut']]);
    const plan = await t.plan();
    const entry = plan.devices.find((d) => d.deviceId === stuck.id)?.entries.find((e) => e.softwareType === 'firmware');
    assert.is(entry?.state, 'failed');
    assert.match(entry?.reason.message ?? '', 'timed out: still inProgress 1h after it was requested');
    const why = explainDevice(plan, t.fleetDevice(stuck.id));
    assert.match(why.blocker ?? '', 'timed out', why.lines.join('\n'));

    // Forgiven by spec.resume, the update is due again; the operation still runs, so nothing is posted.
    await writeFile(join(t.dir, 'policy.yaml'), policyYaml([], t.clock.now()));
    await t.runUntil(t.clock.now() + hour);
    assert.is(t.firmwarePosts(stuck.id).length, 1, 'posted while the timed-out operation was still running');
    // Once it has ended, the device is updated.
    const stuckOp = t.control.operations(stuck.id).find((o) => o.operationType === 'softwareUpdate')!;
    assert.ok(t.control.cancelOperation(stuck.id, stuckOp.id));
    await t.runUntil(t.clock.now() + hour);
    assert.is(t.firmwarePosts(stuck.id).length, 2);
    assert.is(t.control.device(stuck.id)?.software.firmware?.currentVersion, stuck.software.firmware!.availableVersion);
  } finally {
    await t.close();
  }
});

test('a timed-out update counts toward the failure threshold', async () => {
  const t = await setup(['failureThreshold: { percent: 0, minCompleted: 1 }']);
  try {
    t.control.setFaults({ stuckOperationRate: 1 });
    await t.reconcile();
    t.control.setFaults({ stuckOperationRate: 0 });
    await t.runUntil(start + 3 * hour);
    assert.is(t.devices.map((d) => t.firmwarePosts(d.id).length).reduce((a, b) => a + b), 1, 'the rollout went on after the timeout');
    const rollout = t.policyStatus().rollouts.find((r: any) => r.softwareType === 'firmware');
    assert.equal([rollout?.state, rollout?.failed, rollout?.completed], ['Stopped', 1, 1]);
  } finally {
    await t.close();
  }
});

test.run();
