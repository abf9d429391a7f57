// The tenant label: present only on series of a declared Tenant, bounded by them, and gone with
// the tenant; one tenant's rollout gauges never erase another's.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { createMetrics } from '../../controller/server/metrics.ts';
import { LiveStates, type LiveTally } from '../../controller/status/live-state.ts';
import type { ManifestGauges } from '../../controller/status/rollout-gauges.ts';

const test = suite('metrics: tenant label');

const tally = (upToDate: number): LiveTally => Object.fromEntries(LiveStates.map((s) => [s, s === 'upToDate' ? upToDate : 0])) as LiveTally;
const group = (namespace: string, upToDate: number): ManifestGauges => ({ namespace, name: 'rooms', devices: tally(upToDate), rollouts: [{ softwareType: 'teamsClient', wave: 1, waves: 2, stopped: false }], suspended: false });

test('without a tenant the series carry no tenant label (as before Tenants)', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  m.observeReconcile('firmwarden', 'success', 0.1);
  m.setOperations({ queued: 1 });
  m.countFleetRequest(200);
  m.countFleetThrottled();
  const text = await m.registry.metrics();
  assert.not.match(text, 'tenant=');
  assert.match(text, 'controller_runtime_reconcile_total{controller="firmwarden",result="success"} 1');
  assert.match(text, 'firmwarden_fleet_throttled_total 1');
});

test('each tenant has its own reconcile, operation and fleet request series', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  m.observeReconcile('firmwarden', 'success', 0.1, { tenant: 'contoso' });
  m.observeReconcile('firmwarden', 'error', 0.1, { tenant: 'fabrikam', terminal: true });
  m.setOperations({ inProgress: 2 }, 'contoso');
  m.tenantFleetMetrics('fabrikam').countFleetRequest(429);
  m.tenantFleetMetrics('fabrikam').countFleetThrottled();
  const text = await m.registry.metrics();
  assert.match(text, 'controller_runtime_reconcile_total{controller="firmwarden",result="success",tenant="contoso"} 1');
  assert.match(text, 'controller_runtime_reconcile_total{controller="firmwarden",result="error",tenant="contoso"} 0');
  assert.match(text, 'controller_runtime_terminal_reconcile_errors_total{controller="firmwarden",tenant="fabrikam"} 1');
  assert.match(text, 'controller_runtime_reconcile_time_seconds_count{controller="firmwarden",tenant="contoso"} 1');
  assert.match(text, 'firmwarden_operations{state="inProgress",tenant="contoso"} 2');
  assert.match(text, 'firmwarden_fleet_requests_total{code="429",tenant="fabrikam"} 1');
  assert.match(text, 'firmwarden_fleet_throttled_total{tenant="fabrikam"} 1');
});

test('a tenant\'s rollout gauges replace only its own series', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  m.setRollouts({ groups: [group('contoso', 3)], policies: [] }, 'contoso');
  m.setRollouts({ groups: [group('fabrikam', 5)], policies: [] }, 'fabrikam');
  m.setRollouts({ groups: [], policies: [] }, 'contoso');
  const text = await m.registry.metrics();
  assert.not.match(text, 'namespace="contoso"');
  assert.match(text, 'firmwarden_group_devices{namespace="fabrikam",name="rooms",state="up_to_date"} 5');
});

test('forgetting a tenant removes every series it had, and only its', async () => {
  const m = createMetrics(new Registry(), { processMetrics: false });
  for (const tenant of ['contoso', 'fabrikam']) {
    m.observeReconcile('firmwarden', 'success', 0.1, { tenant });
    m.setOperations({ queued: 1 }, tenant);
    m.tenantFleetMetrics(tenant).countFleetRequest(200);
    m.tenantFleetMetrics(tenant).countFleetThrottled();
    m.setRollouts({ groups: [group(tenant, 1)], policies: [] }, tenant);
  }
  m.forgetTenant('contoso');
  const text = await m.registry.metrics();
  assert.not.match(text, 'contoso');
  for (const name of ['controller_runtime_reconcile_total', 'controller_runtime_reconcile_time_seconds_count', 'firmwarden_operations', 'firmwarden_fleet_requests_total', 'firmwarden_fleet_throttled_total', 'firmwarden_group_devices']) {
    assert.match(text, new RegExp(`${name}\\{[^}]*(tenant|namespace)="fabrikam"`), name);
  }
  // Coming back starts its counters from 0 again, as a new series should.
  m.observeReconcile('firmwarden', 'success', 0.1, { tenant: 'contoso' });
  assert.match(await m.registry.metrics(), 'controller_runtime_reconcile_errors_total{controller="firmwarden",tenant="contoso"} 0');
});

test.run();
