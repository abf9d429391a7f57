// A completed ScheduledUpdate through the whole reconcile, against the emulator over loopback HTTP
// on a manual clock: the manifest in a real folder (its status written in place and read back),
// the real engine, the real Graph adapter. One target's model fails every update. Twenty days
// after it completed, when the ledger has forgotten its operations, the manifest file is the same
// byte for byte (2 succeeded, 1 failed, Stalled) and nothing was posted again; edited, it runs
// again for the target that still lacks the version, and only for it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ManualClock } from '../../controller/model/clock.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { createFleet } from '../../controller/config/fleet-connection.ts';
import { MemoryStateStore } from '../../controller/state/memory-state-store.ts';
import type { DeviceView } from '../../controller/fleet/emulator/control.ts';
import { folderReconciler } from '../support/converge-reconcile.ts';

const logger = silentLogger();
const hour = 3_600_000;
const day = 24 * hour;
const start = Date.parse('2027-01-11T03:00:00Z');
const owner = 'default/ScheduledUpdate/teams-refresh';

function scheduledYaml(ids: readonly string[], description?: string): string {
  return [
    'apiVersion: firmwarden.dev/v1alpha1',
    'kind: ScheduledUpdate',
    'metadata:',
    '  name: teams-refresh',
    'spec:',
    ...(description === undefined ? [] : [`  description: ${JSON.stringify(description)}`]),
    '  targets:',
    `    deviceIds: [${ids.map((id) => JSON.stringify(id)).join(', ')}]`,
    '  software:',
    '    - type: teamsClient',
    '',
  ].join('\n');
}

/** Three online devices with a Teams client update: the first of a model no other of them has. */
function pickTargets(devices: readonly DeviceView[]): DeviceView[] {
  const candidates = devices.filter((d) => d.healthStatus !== 'offline' && d.software.teamsClient?.availableVersion && d.software.teamsClient.availableVersion !== d.software.teamsClient.currentVersion);
  for (const failing of candidates) {
    const others = candidates.filter((d) => d.model !== failing.model).slice(0, 2);
    if (others.length === 2) return [failing, ...others];
  }
  throw new Error('the generated fleet has no three online devices of two models with a Teams client update');
}

test('completed with a failure, the ledger pruned 20 days later: the status file is unchanged and nothing is posted again; edited, it runs again for the failed target only', async () => {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices: 60, seed: 7, rateLimit: 0, failureRate: 0, durationJitter: 0 } });
  const control = conn.emulator!.control;
  const [failing, ...updated] = pickTargets(control.devices({ limit: 60 }));
  control.setFailureRate(failing!.model, 1);
  const ids = [failing!, ...updated].map((d) => d.id);
  const dir = await mkdtemp(join(tmpdir(), 'fw-su-done-'));
  const file = join(dir, 'teams-refresh.yaml');
  await writeFile(file, scheduledYaml(ids));
  const stateStore = new MemoryStateStore();
  const { reconcile, source } = folderReconciler({ conn, clock, dir, stateStore, maxAgeMs: 4 * hour });
  let n = 0;
  const signal = new AbortController().signal;
  /** Reconciles until `until`, the clock moving as each outcome asks (at least a minute, at most an hour). */
  const runUntil = async (until: number) => {
    while (clock.now() < until) {
      const outcome = await reconcile({ reconcileId: ++n, signal });
      clock.set(Math.min(until, Math.max(clock.now() + 60_000, outcome.kind === 'waiting' ? Math.min(outcome.until, clock.now() + hour) : clock.now() + hour)));
    }
    await reconcile({ reconcileId: ++n, signal });
  };
  const posts = (id: string) => control.actionLog({ deviceId: id, action: 'updateSoftware' }).filter((p) => p.softwareType === 'teamsClient').length;
  const status = async () => (parse(await readFile(file, 'utf8')) as { status?: Record<string, any> }).status;
  const condition = (s: Record<string, any> | undefined, type: string) => (s?.conditions as { type: string; reason: string }[] | undefined)?.find((c) => c.type === type);
  const ownEntries = async () => (await stateStore.load()).ledger.filter((e) => e.owner === owner).length;
  try {
    await runUntil(start + 4 * hour);
    const done = await status();
    assert.ok(done?.completionTime, `completed: ${JSON.stringify(done)}`);
    assert.equal([done!.updates.succeeded, done!.updates.failed], [2, 1]);
    assert.is(condition(done, 'Stalled')?.reason, 'UpdatesFailed');
    assert.equal(ids.map(posts), [1, 1, 1]);
    const text = await readFile(file, 'utf8');
    assert.is(await ownEntries(), 3);

    // Twenty days on: the ledger has forgotten the operations, the status file has not.
    clock.advance(20 * day);
    await runUntil(clock.now() + 2 * hour);
    assert.is(await ownEntries(), 0, 'the ledger was pruned');
    assert.is(await readFile(file, 'utf8'), text, 'the status is unchanged');
    assert.equal(ids.map(posts), [1, 1, 1], 'nothing was posted again: a ScheduledUpdate never retries');

    // Edited: it runs again, for the target that still lacks the version.
    await writeFile(file, scheduledYaml(ids, 'again, once the room has its new network'));
    control.setFailureRate(failing!.model, 0);
    await runUntil(clock.now() + 4 * hour);
    assert.equal(ids.map(posts), [2, 1, 1]);
    const again = await status();
    assert.ok(again?.completionTime, `completed again: ${JSON.stringify(again)}`);
    assert.is(Date.parse(again!.completionTime) > start + 20 * day, true);
    assert.is(again!.updates.failed, 0);
    assert.is(condition(again, 'Ready')?.reason, 'Completed');
  } finally {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('not complete for three weeks (a target behind a freeze): the failed target is not posted to again once the ledger would have forgotten it', async () => {
  const clock = new ManualClock(start);
  const { options } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const conn = await createFleet(options, { logger, clock, emulator: { devices: 60, seed: 7, rateLimit: 0, failureRate: 0, durationJitter: 0 } });
  const control = conn.emulator!.control;
  const [failing, frozen] = pickTargets(control.devices({ limit: 60 }));
  control.setFailureRate(failing!.model, 1);
  const ids = [failing!.id, frozen!.id];
  const dir = await mkdtemp(join(tmpdir(), 'fw-su-frozen-'));
  const file = join(dir, 'teams-refresh.yaml');
  await writeFile(file, scheduledYaml(ids));
  // The second target follows a policy frozen for three weeks (a ScheduledUpdate waits out freezes).
  await writeFile(join(dir, 'group.yaml'), [
    'apiVersion: firmwarden.dev/v1alpha1', 'kind: DeviceGroup', 'metadata:', '  name: frozen', 'spec:', '  policyRef: { name: frozen }',
    `  include: [${JSON.stringify(frozen!.id)}]`, '  timeZone: UTC', '',
  ].join('\n'));
  await writeFile(join(dir, 'policy.yaml'), [
    'apiVersion: firmwarden.dev/v1alpha1', 'kind: UpdatePolicy', 'metadata:', '  name: frozen', 'spec:', '  software:', '    teamsClient: { mode: manual }',
    '  freezes:', '    - { name: quarter close, start: "2027-01-10", end: "2027-01-31", timeZone: UTC }', '',
  ].join('\n'));
  const stateStore = new MemoryStateStore();
  const { reconcile, source } = folderReconciler({ conn, clock, dir, stateStore, maxAgeMs: 4 * hour });
  let n = 0;
  const signal = new AbortController().signal;
  const runUntil = async (until: number) => {
    while (clock.now() < until) {
      const outcome = await reconcile({ reconcileId: ++n, signal });
      clock.set(Math.min(until, Math.max(clock.now() + 60_000, outcome.kind === 'waiting' ? Math.min(outcome.until, clock.now() + hour) : clock.now() + hour)));
    }
    await reconcile({ reconcileId: ++n, signal });
  };
  const posts = (id: string) => control.actionLog({ deviceId: id, action: 'updateSoftware' }).filter((p) => p.softwareType === 'teamsClient').length;
  const status = async () => (parse(await readFile(file, 'utf8')) as { status?: Record<string, any> }).status;
  const ownEntries = async () => (await stateStore.load()).ledger.filter((e) => e.owner === owner).length;
  try {
    await runUntil(start + 4 * hour);
    assert.equal(ids.map(posts), [1, 0], 'the first target failed, the second waits for the end of the freeze');
    let s = await status();
    assert.is(s?.completionTime, undefined);
    assert.equal([s?.updates.failed, s?.updates.scheduled], [1, 1]);

    // Fifteen days on, past the ledger's 14 days, the freeze still on: the failure is still known.
    clock.advance(15 * day);
    await runUntil(clock.now() + 2 * hour);
    assert.equal(ids.map(posts), [1, 0], 'the failed target was not posted to again');
    assert.is(await ownEntries(), 1, 'its entry is kept while the ScheduledUpdate is not complete');
    s = await status();
    assert.equal([s?.updates.failed, s?.updates.scheduled], [1, 1]);

    // The freeze ends: the second target updates, the ScheduledUpdate completes with its failure.
    clock.set(Date.parse('2027-02-01T01:00:00Z'));
    await runUntil(clock.now() + 4 * hour);
    assert.equal(ids.map(posts), [1, 1]);
    s = await status();
    assert.ok(s?.completionTime, JSON.stringify(s));
    assert.equal([s?.updates.succeeded, s?.updates.failed], [1, 1]);
    const text = await readFile(file, 'utf8');
    // Complete in its status: from now on the status is its memory, and the ledger may forget.
    clock.advance(20 * day);
    await runUntil(clock.now() + 2 * hour);
    assert.is(await ownEntries(), 0);
    assert.is(await readFile(file, 'utf8'), text);
    assert.equal(ids.map(posts), [1, 1]);
  } finally {
    await source.close();
    await conn.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
