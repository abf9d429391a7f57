// What each reconcile tells the metrics: rollout gauges from its plan (a group that leaves the
// plan loses its series) and operations that timed out, each counted once and only when the
// timeout happened after this controller started.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { createMetrics } from '../../controller/server/metrics.ts';
import { newTimeouts, reconcileMetrics } from '../../controller/run/reconcile-metrics.ts';
import type { ReconcileResult } from '../../controller/model/reconcile.ts';
import type { LedgerEntry } from '../../controller/model/state.ts';
import { at, device, group, plan, policy, software } from '../plan/fixtures.ts';

const start = at('2026-11-21T12:00:00Z');

function entry(deviceId: string, options: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    deviceId, softwareType: 'firmware', version: '1.1', operationId: `op-${deviceId}`, owner: 'default/UpdatePolicy/p',
    requestedAt: start - 5 * 3_600_000, state: 'inProgress', endedAt: undefined, error: undefined, fromVersion: '1.0', ...options,
  };
}
const timedOut = (deviceId: string, endedAt: number) => entry(deviceId, { state: 'failed', endedAt, error: { code: 'TimedOut', message: 'timed out' } });

const Timeouts = suite('newTimeouts');
for (const [name, ledger, counted, expected] of [
  ['an operation that timed out after the start is news', [timedOut('a', start + 1)], [], ['a']],
  ['one that timed out before the start (an earlier process or leader) is not', [timedOut('a', start - 1)], [], []],
  ['one already counted is not counted again', [timedOut('a', start + 1)], ['a|firmware|' + (start - 5 * 3_600_000)], []],
  ['a failure of another kind is not a timeout', [entry('a', { state: 'failed', endedAt: start + 1, error: { code: 'InstallFailed', message: '' } })], [], []],
  ['an operation still in flight is not a timeout', [entry('a')], [], []],
] as const) {
  Timeouts(name, () => {
    assert.equal(newTimeouts(ledger, new Set(counted), start).map((k) => k.split('|')[0]), expected);
  });
}
Timeouts.run();

const result = (p: ReconcileResult['plan'], ledger: readonly LedgerEntry[]): ReconcileResult => ({
  revision: 'r1', outcome: { kind: 'success' }, outcomes: [], statuses: [], ledger, statusWritten: false, plan: p,
});

const Feed = suite('reconcileMetrics');

Feed('each timeout is counted once across reconciles, and a group that leaves the plan loses its series', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  const record = reconcileMetrics(m, start);
  const groups = [
    group('paris', { policyRef: { name: 'p' }, selector: { tags: ['paris'] } }),
    group('nyc', { policyRef: { name: 'p' }, selector: { tags: ['nyc'] } }),
  ];
  const scenario = {
    now: start,
    policies: [policy('p', {})],
    devices: [device('d1', { tags: ['paris'] }), device('d2', { tags: ['nyc'] })],
    software: [software('d1', { firmware: ['1.0', null] }), software('d2', { firmware: ['1.0', null] })],
  };
  record(result(plan({ ...scenario, groups }), [timedOut('d1', start + 10)]));
  record(result(plan({ ...scenario, groups }), [timedOut('d1', start + 10), timedOut('d2', start + 20)]));
  let text = await m.registry.metrics();
  assert.match(text, 'firmwarden_operations_timed_out_total 2');
  assert.match(text, 'firmwarden_group_devices{namespace="default",name="nyc",state="up_to_date"} 1');

  record(result(plan({ ...scenario, groups: [groups[0]!] }), [timedOut('d1', start + 10), timedOut('d2', start + 20)]));
  text = await m.registry.metrics();
  assert.match(text, 'firmwarden_operations_timed_out_total 2');
  assert.not.match(text, 'name="nyc"');
  assert.match(text, 'firmwarden_group_devices{namespace="default",name="paris",state="up_to_date"} 1');
  assert.match(text, 'firmwarden_policy_devices{namespace="default",name="p",state="up_to_date"} 1');
});

Feed('a result without a plan leaves the last gauges as they were', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  const record = reconcileMetrics(m, start);
  record(result(plan({ now: start, groups: [group('paris', { selector: { tags: ['paris'] } })], devices: [], software: [] }), []));
  record(result(undefined, []));
  assert.match(await m.registry.metrics(), 'firmwarden_group_devices{namespace="default",name="paris",state="not_read"} 0');
});

Feed.run();
