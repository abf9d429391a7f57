// An UpdatePolicy's ledger entries outlive the ledger's 14 days while its plan still reads them.
// The ledger forgets an operation 14 days after it ended (pruneLedger); for a policy of 2 waves
// and a bake of 20 days that used to mean, on day 15: the failed device of wave 1 was updated
// again (a failure is not retried until a newer version or spec.resume), wave 2 started before
// its bake was over (bakeUntil is the last end of wave 1 plus 20 days), and the rollout's
// finished/failed counts fell to 0. The engine now names the entries still read
// (keepLedgerEntries) and pruneLedger keeps them, bounded. Through the real engine on a manual
// clock: each pass evaluates, prunes the ledger with what it asked to keep, then evaluates again,
// as the reconcile does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceGroup, UpdatePolicy } from '../../controller/model/manifests.generated.ts';
import type { ControllerState, LedgerEntry } from '../../controller/model/state.ts';
import { ManualClock } from '../../controller/model/clock.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { pruneLedger } from '../../controller/reconcile/ledger-entries.ts';
import type { ManifestEntry } from '../../controller/model/desired.ts';
import { day, device, group, hour, policy, release, software } from '../plan/fixtures.ts';

// Saturday noon: inside the default weekend window; day 15 is a Sunday, day 21 a Saturday.
const start = Date.parse('2026-11-21T12:00:00Z');
const owner = 'default/UpdatePolicy/p';
const ids = ['d01', 'd02', 'd03', 'd04'];
const releases = [release('Bar', 'firmware', '1.1', start - 40 * day)];
const spec: UpdatePolicy['spec'] = { rollout: { waves: [{ name: 'canary', count: 2 }], bakeTime: '20d', maxConcurrent: 10 } };

function manifests(resumeAfter?: number): ManifestEntry[] {
  const p = policy('p', resumeAfter === undefined ? spec : { ...spec, resume: { after: new Date(resumeAfter).toISOString(), by: 'ana' } });
  const g: DeviceGroup = group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, timeZone: 'Europe/Paris' });
  return [
    { key: 'default/UpdatePolicy/p', kind: 'UpdatePolicy', file: 'policies/p.yaml', docIndex: 0, valid: true, manifest: p },
    { key: 'default/DeviceGroup/paris', kind: 'DeviceGroup', file: 'groups/paris.yaml', docIndex: 0, valid: true, manifest: g },
  ];
}

/** One reconcile's evaluation and pruning at the clock's time; `firmware` is what each device runs. */
function pass(clock: ManualClock, ledger: readonly LedgerEntry[], firmware: Record<string, string>, resumeAfter?: number) {
  const engine = createEngine({ statusDetail: 'summary' });
  const now = clock.now();
  const state: ControllerState = { version: 1, releases, ledger, rollouts: {} };
  const input = (l: readonly LedgerEntry[]) => ({
    desired: { manifests: manifests(resumeAfter), findings: [] },
    fleet: {
      devices: ids.map((id) => device(id, { tags: ['site-paris'] })),
      software: new Map(ids.map((id) => [id, software(id, { firmware: [firmware[id] ?? '1.0', '1.1'] })])),
      readAt: new Map(ids.map((id) => [id, now])), unreadable: new Map(), listedAt: now,
    },
    state: { ...state, ledger: l },
    now,
    outcomes: [],
  });
  const first = engine(input(ledger));
  const pruned = pruneLedger(ledger, now, undefined, first.keepLedgerOf, first.keepLedgerEntries);
  const out = engine(input(pruned));
  const rollout = out.plan!.policies[0]!.rollouts.find((r) => r.softwareType === 'firmware')!;
  return { ledger: pruned, starts: out.starts.map((s) => s.deviceId), plan: out.plan!, rollout };
}

function ended(deviceId: string, state: 'succeeded' | 'failed', endedAt: number, wave = 1): LedgerEntry {
  return {
    deviceId, softwareType: 'firmware', version: '1.1', operationId: `op-${deviceId}-${endedAt}`, owner, requestedAt: endedAt - hour, state, endedAt,
    error: state === 'failed' ? { code: 'DeviceBusy', message: 'in a meeting' } : undefined, fromVersion: '1.0', wave,
  };
}

/** Day 0: wave 1 starts; one device succeeds and the other fails an hour later. */
function waveOneDone(clock: ManualClock) {
  const first = pass(clock, [], {});
  assert.is(first.starts.length, 2, 'the canary wave starts');
  const [ok, bad] = first.starts as [string, string];
  const ledger = [ended(ok, 'succeeded', start + hour), ended(bad, 'failed', start + hour)];
  const firmware = { [ok]: '1.1' };
  return { ok, bad, ledger, firmware, rest: ids.filter((id) => id !== ok && id !== bad) };
}

/** Wave 1 done on day 0, the passes of that day, then the first pass of day 15. */
function dayFifteen() {
  const clock = new ManualClock(start);
  const { bad, ledger, firmware } = waveOneDone(clock);
  clock.set(start + 2 * hour);
  const before = pass(clock, ledger, firmware);
  clock.set(start + 15 * day);
  return { bad, ledger, before, after: pass(clock, before.ledger, firmware) };
}

test('day 15: the failed device of wave 1 is not retried (no newer version, no resume)', () => {
  const { bad, ledger, after } = dayFifteen();
  assert.not.ok(after.starts.includes(bad), 'not retried');
  const failed = after.plan.devices.find((d) => d.deviceId === bad)!.entries.find((e) => e.softwareType === 'firmware')!;
  assert.is(failed.state, 'failed', 'the failure is remembered');
  assert.equal(after.ledger.map((e) => e.deviceId).sort(), ledger.map((e) => e.deviceId).sort(), 'both entries kept');
});

test('day 15: wave 2 still bakes until 20 days after wave 1 ended', () => {
  const { after } = dayFifteen();
  assert.equal(after.starts, [], 'nothing starts on day 15');
  assert.is(after.rollout.bakeUntil, start + hour + 20 * day);
});

test("day 15: the rollout's finished and failed counts (the failure threshold's) stay", () => {
  const { before, after } = dayFifteen();
  assert.equal([before.rollout.completed, before.rollout.failed], [2, 1]);
  assert.equal([after.rollout.completed, after.rollout.failed], [2, 1]);
});

test('day 21: wave 2 starts once its bake is over, the failed device still not retried', () => {
  const clock = new ManualClock(start);
  const { bad, ledger, firmware, rest } = waveOneDone(clock);
  clock.set(start + 15 * day);
  const kept = pass(clock, ledger, firmware).ledger;
  clock.set(start + 21 * day);
  const later = pass(clock, kept, firmware);
  assert.equal(later.starts.sort(), [...rest].sort());
  assert.not.ok(later.starts.includes(bad));
});

test('spec.resume forgives the failure: retried, and the entries of a done and baked rollout go', () => {
  const clock = new ManualClock(start);
  const { bad, ledger, firmware } = waveOneDone(clock);
  clock.set(start + 15 * day);
  const resumed = pass(clock, ledger, firmware, start + 14 * day);
  assert.ok(resumed.starts.includes(bad), 'resume retries it');
  // Every device on 1.1 and the bake over: nothing is read any more, the ledger is pruned.
  clock.set(start + 45 * day);
  const done = pass(clock, [...ledger, ...ids.filter((id) => !ledger.some((e) => e.deviceId === id)).map((id) => ended(id, 'succeeded', start + 22 * day, 2))], Object.fromEntries(ids.map((id) => [id, '1.1'])));
  assert.equal(done.ledger, []);
});

test('bounded: 10,000 old succeeded entries of devices up to date are still pruned', () => {
  const clock = new ManualClock(start + 60 * day);
  const old: LedgerEntry[] = [];
  for (let i = 0; i < 10_000; i++) old.push({ ...ended(ids[i % ids.length]!, 'succeeded', start - 30 * day + i * 1000), operationId: `op-${i}` });
  const out = pass(clock, old, Object.fromEntries(ids.map((id) => [id, '1.1'])));
  assert.is(out.ledger.length, 0);
});

test('bounded: a failed device keeps one entry per software type, not its whole history', () => {
  const clock = new ManualClock(start + 15 * day);
  const history: LedgerEntry[] = [];
  for (let i = 0; i < 50; i++) history.push({ ...ended('d01', 'failed', start - 20 * day + i * hour), operationId: `op-${i}` });
  const out = pass(clock, history, {});
  assert.is(out.ledger.length, 1);
  assert.is(out.ledger[0]!.operationId, 'op-49', 'the latest failure');
});

test.run();
