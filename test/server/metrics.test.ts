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

metrics.run();
