// The metrics object others call, read back as Prometheus text.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { createMetrics, reconcileResultOf } from '../../controller/server/metrics.ts';

const metrics = suite('createMetrics');

metrics('records reconciles with controller-runtime names, errors and terminal errors counted apart', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  m.observeReconcile('firmwarden', 'success', 0.03);
  m.observeReconcile('firmwarden', 'error', 1.2, { terminal: true });
  m.observeReconcile('firmwarden', reconcileResultOf('waiting'), 0.01);
  const text = await m.registry.metrics();
  assert.match(text, 'controller_runtime_reconcile_total{controller="firmwarden",result="success"} 1');
  assert.match(text, 'controller_runtime_reconcile_total{controller="firmwarden",result="error"} 1');
  assert.match(text, 'controller_runtime_reconcile_total{controller="firmwarden",result="requeue_after"} 1');
  assert.match(text, 'controller_runtime_reconcile_errors_total{controller="firmwarden"} 1');
  assert.match(text, 'controller_runtime_terminal_reconcile_errors_total{controller="firmwarden"} 1');
  assert.match(text, 'controller_runtime_reconcile_time_seconds_bucket{le="0.05",controller="firmwarden"} 2');
  assert.match(text, 'controller_runtime_reconcile_time_seconds_count{controller="firmwarden"} 3');
});

metrics('operations by state (all states present), fleet requests and throttles, syncs, writes, webhooks', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  m.setOperations({ queued: 3, inProgress: 2 });
  m.setOperations({ queued: 1 });
  m.countFleetRequest(200);
  m.countFleetRequest(200);
  m.countFleetRequest(429);
  m.countFleetThrottled();
  m.countSourceSync('success');
  m.countSourceSync('error');
  m.countStatusWrite('written');
  m.countWebhook('rejected');
  const text = await m.registry.metrics();
  assert.match(text, 'firmwarden_operations{state="queued"} 1');
  assert.match(text, 'firmwarden_operations{state="inProgress"} 0');
  assert.match(text, 'firmwarden_operations{state="failed"} 0');
  assert.match(text, 'firmwarden_fleet_requests_total{code="200"} 2');
  assert.match(text, 'firmwarden_fleet_requests_total{code="429"} 1');
  assert.match(text, 'firmwarden_fleet_throttled_total 1');
  assert.match(text, 'firmwarden_source_sync_total{result="error"} 1');
  assert.match(text, 'firmwarden_status_writes_total{result="written"} 1');
  assert.match(text, 'firmwarden_webhook_requests_total{result="rejected"} 1');
});

metrics('counters that alerts read start at 0: reconcile errors from the first reconcile, status writes and syncs from the start', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  let text = await m.registry.metrics();
  assert.match(text, 'firmwarden_status_writes_total{result="error"} 0');
  assert.match(text, 'firmwarden_source_sync_total{result="error"} 0');
  m.observeReconcile('firmwarden', 'success', 0.01);
  text = await m.registry.metrics();
  assert.match(text, 'controller_runtime_reconcile_errors_total{controller="firmwarden"} 0');
  assert.match(text, 'controller_runtime_terminal_reconcile_errors_total{controller="firmwarden"} 0');
  assert.match(text, 'controller_runtime_reconcile_total{controller="firmwarden",result="error"} 0');
  assert.match(text, 'controller_runtime_reconcile_total{controller="firmwarden",result="success"} 1');
});

metrics('the applied revision is one series that moves', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  m.setAppliedRevision('aaa');
  m.setAppliedRevision('bbb');
  const text = await m.registry.metrics();
  assert.match(text, 'firmwarden_source_last_applied_revision_info{revision="bbb"} 1');
  assert.not.match(text, 'revision="aaa"');
});

metrics('two registries do not share counters, and process metrics are there by default', async () => {
  const a = createMetrics(new Registry());
  const b = createMetrics(new Registry(), { processMetrics: false });
  a.countFleetThrottled();
  assert.match(await a.registry.metrics(), 'process_resident_memory_bytes');
  assert.match(await b.registry.metrics(), 'firmwarden_fleet_throttled_total 0');
});

const tally = (t: Partial<Record<'failed' | 'refused' | 'inProgress' | 'blocked' | 'waiting' | 'upToDate' | 'notRead', number>>) => ({
  failed: 0, refused: 0, inProgress: 0, blocked: 0, waiting: 0, upToDate: 0, notRead: 0, ...t,
});

metrics('rollout gauges per group and policy: devices by state, wave, waves, stopped and suspended as 0/1', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  m.setRollouts({
    groups: [{ namespace: 'rooms', name: 'paris', devices: tally({ failed: 2, upToDate: 5 }), rollouts: [{ softwareType: 'firmware', wave: 2, waves: 3, stopped: true }], suspended: false }],
    policies: [{ namespace: 'rooms', name: 'standard', devices: tally({ inProgress: 1 }), rollouts: [{ softwareType: 'teamsClient', wave: 0, waves: 1, stopped: false }], suspended: true }],
  });
  const text = await m.registry.metrics();
  assert.match(text, 'firmwarden_group_devices{namespace="rooms",name="paris",state="failed"} 2');
  assert.match(text, 'firmwarden_group_devices{namespace="rooms",name="paris",state="up_to_date"} 5');
  assert.match(text, 'firmwarden_group_devices{namespace="rooms",name="paris",state="not_read"} 0');
  assert.match(text, 'firmwarden_group_rollout_wave{namespace="rooms",name="paris",software_type="firmware"} 2');
  assert.match(text, 'firmwarden_group_rollout_waves{namespace="rooms",name="paris",software_type="firmware"} 3');
  assert.match(text, 'firmwarden_group_rollout_stopped{namespace="rooms",name="paris",software_type="firmware"} 1');
  assert.match(text, 'firmwarden_group_suspended{namespace="rooms",name="paris"} 0');
  assert.match(text, 'firmwarden_policy_devices{namespace="rooms",name="standard",state="in_progress"} 1');
  assert.match(text, 'firmwarden_policy_rollout_wave{namespace="rooms",name="standard",software_type="teamsClient"} 0');
  assert.match(text, 'firmwarden_policy_rollout_stopped{namespace="rooms",name="standard",software_type="teamsClient"} 0');
  assert.match(text, 'firmwarden_policy_suspended{namespace="rooms",name="standard"} 1');
  // Seven states for one group: the whole family has exactly seven series.
  assert.is(text.split('\n').filter((l) => l.startsWith('firmwarden_group_devices{')).length, 7);
});

metrics('a group or policy that leaves the plan loses every series; the others keep theirs', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  const g = (name: string) => ({ namespace: 'default', name, devices: tally({ waiting: 1 }), rollouts: [{ softwareType: 'firmware' as const, wave: 1, waves: 2, stopped: false }], suspended: false });
  m.setRollouts({ groups: [g('gone'), g('kept')], policies: [g('old-policy')] });
  m.setRollouts({ groups: [g('kept')], policies: [] });
  const text = await m.registry.metrics();
  assert.not.match(text, 'name="gone"');
  assert.not.match(text, 'name="old-policy"');
  assert.match(text, 'firmwarden_group_devices{namespace="default",name="kept",state="waiting"} 1');
  assert.match(text, 'firmwarden_group_rollout_wave{namespace="default",name="kept",software_type="firmware"} 1');
});

metrics('operations timed out are counted (0 from the start), and the leader gauge says whether this replica leads', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  assert.match(await m.registry.metrics(), 'firmwarden_operations_timed_out_total 0');
  m.countOperationsTimedOut(2);
  m.countOperationsTimedOut(0);
  m.setLeader('firmwarden-controller', true);
  let text = await m.registry.metrics();
  assert.match(text, 'firmwarden_operations_timed_out_total 2');
  assert.match(text, 'leader_election_master_status{name="firmwarden-controller"} 1');
  m.setLeader('firmwarden-controller', false);
  text = await m.registry.metrics();
  assert.match(text, 'leader_election_master_status{name="firmwarden-controller"} 0');
});

metrics.run();
