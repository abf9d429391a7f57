// The parts of the tenants benchmark (bench/tenants.bench.ts): the most requests in any 1-s
// window, what a request counts for and whose it is, the token scope the tap rewrites, the
// per-tenant first reconciles read from /metrics (and a controller that reconciles as one
// tenant told apart), and the tap in front of a real emulator over loopback.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startEmulator } from '../../controller/fleet/emulator/server.ts';
import type { TenantInfo } from '../../controller/fleet/emulator/emulator-options.ts';
import { busiestWindow, graphUnits, maxInWindow, replicaPath, rescope, startRequestTap, tokenParties } from '../../bench/support/request-tap.ts';
import { FirstReconciles, reconcileSeries } from '../../bench/support/tenant-fleet.ts';

const jwt = (claims: object) => `Bearer h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;

const Parts = suite('tenants bench parts');

for (const [what, at, units, most] of [
  ['nothing', [], [], 0],
  ['one request', [5], [1], 1],
  ['two requests 999 ms apart share a window', [0, 999], [1, 1], 2],
  ['two requests 1000 ms apart do not (half-open)', [0, 1000], [1, 1], 1],
  ['a $batch of 20 counts 20', [0, 10, 2000], [20, 1, 1], 21],
  ['the busiest window is found wherever it lies', [0, 1500, 1600, 2400, 2499, 3600], [1, 5, 5, 5, 5, 9], 20],
] as const) {
  Parts(`maxInWindow: ${what}`, () => assert.is(maxInWindow(at, units), most));
}

Parts('busiestWindow: the arrivals of the first busiest window, by index', () => {
  assert.equal(busiestWindow([], []), { units: 0, from: 0, to: 0 });
  assert.equal(busiestWindow([0, 1500, 1600, 2400, 2499, 3600], [1, 5, 5, 5, 5, 9]), { units: 20, from: 1, to: 5 });
  assert.equal(busiestWindow([0, 10, 2000, 2010], [3, 3, 3, 3]), { units: 6, from: 0, to: 2 });
});

Parts('replicaPath: /r<N>/… is replica N\'s request for /…; other paths untagged', () => {
  assert.equal(replicaPath('/r2/beta/teamwork/devices?$top=50'), { replica: 2, path: '/beta/teamwork/devices?$top=50' });
  assert.equal(replicaPath('/beta/$batch'), { replica: -1, path: '/beta/$batch' });
  assert.equal(replicaPath('/rx/beta'), { replica: -1, path: '/rx/beta' });
});

Parts('graphUnits: the inner requests of a $batch, else one', () => {
  const batch = Buffer.from(JSON.stringify({ requests: [{ id: '1' }, { id: '2' }, { id: '3' }] }));
  assert.is(graphUnits('/beta/$batch', batch), 3);
  assert.is(graphUnits('/beta/teamwork/devices', Buffer.alloc(0)), 1);
  assert.is(graphUnits('/beta/$batch', Buffer.from('not json')), 1);
  assert.is(graphUnits('/beta/$batch', Buffer.from('{"requests":[]}')), 1);
});

Parts('tokenParties: tenant (lower case) and app of a bearer token; none without one', () => {
  assert.equal(tokenParties(jwt({ tid: 'AB-CD', appid: 'app-1' })), { tenantId: 'ab-cd', appId: 'app-1' });
  assert.is(tokenParties(undefined), undefined);
  assert.is(tokenParties('Basic xyz'), undefined);
  assert.is(tokenParties(jwt({ appid: 'no tenant' })), undefined);
});

Parts('rescope: the scope naming the tap names the emulator; other fields and other resources untouched', () => {
  const form = 'grant_type=client_credentials&client_id=c&client_secret=s%26x&scope=http%3A%2F%2F127.0.0.1%3A1111%2F.default';
  const out = new URLSearchParams(rescope(Buffer.from(form), 'http://127.0.0.1:1111', 'http://127.0.0.1:2222').toString());
  assert.is(out.get('scope'), 'http://127.0.0.1:2222/.default');
  assert.is(out.get('client_secret'), 's&x');
  const graph = Buffer.from('scope=https%3A%2F%2Fgraph.microsoft.com%2F.default');
  assert.is(rescope(graph, 'http://127.0.0.1:1111', 'http://127.0.0.1:2222'), graph);
});

const metrics = (lines: string[]) => ['# HELP controller_runtime_reconcile_total Total reconciles', '# TYPE controller_runtime_reconcile_total counter', ...lines].join('\n');

Parts('reconcileSeries: the firmwarden controller\'s counters with their tenant', () => {
  assert.equal(reconcileSeries(metrics([
    'controller_runtime_reconcile_total{controller="firmwarden",result="requeue_after",tenant="tenant-001"} 2',
    'controller_runtime_reconcile_total{controller="other",result="success"} 9',
    'controller_runtime_reconcile_total{controller="firmwarden",result="success"} 1',
    'controller_runtime_reconcile_errors_total{controller="firmwarden",tenant="tenant-001"} 0',
  ])), [{ tenant: 'tenant-001', result: 'requeue_after', value: 2 }, { tenant: undefined, result: 'success', value: 1 }]);
});

Parts('FirstReconciles: a tenant counts from its first non-error reconcile, on whichever replica; failures and one-tenant passes apart', () => {
  const p = new FirstReconciles();
  p.observe(0, 500, metrics([
    'controller_runtime_reconcile_total{controller="firmwarden",result="success",tenant="a"} 0',
    'controller_runtime_reconcile_total{controller="firmwarden",result="error",tenant="b"} 1',
  ]));
  assert.is(p.done, 0);
  assert.equal(p.failing(), [['b', 1]]);
  p.observe(1, 1000, metrics(['controller_runtime_reconcile_total{controller="firmwarden",result="requeue_after",tenant="a"} 1']));
  p.observe(0, 1500, metrics([
    'controller_runtime_reconcile_total{controller="firmwarden",result="requeue_after",tenant="a"} 3',
    'controller_runtime_reconcile_total{controller="firmwarden",result="success",tenant="b"} 1',
    'controller_runtime_reconcile_total{controller="firmwarden",result="error",tenant="b"} 1',
  ]));
  assert.is(p.done, 2);
  assert.equal(p.times(), [1000, 1500]);
  assert.equal([...p.perReplica()], [[1, 1], [0, 1]]);
  assert.equal(p.failing(), [], 'b completed after failing once');
  assert.is(p.untenanted, 0);

  const single = new FirstReconciles();
  single.observe(0, 500, metrics(['controller_runtime_reconcile_total{controller="firmwarden",result="success"} 1']));
  assert.equal([single.done, single.untenanted, single.replicas], [0, 1, 0]);
});

Parts('the tap stamps each Graph request under its tenant, app and replica ($batch inner requests counted) and passes sign-ins and answers through', async () => {
  const emulator = await startEmulator({ tenants: 2, devices: 3, rateLimit: 0 });
  const tap = await startRequestTap(emulator.url);
  try {
    const [a, b] = emulator.tenants().tenants as [TenantInfo, TenantInfo];
    const token = async (t: TenantInfo) => {
      const res = await fetch(`${tap.loginUrl}/${t.tenantId}/oauth2/v2.0/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: t.clientId, client_secret: t.clientSecret, scope: `${tap.loginUrl}/.default` }),
      });
      assert.is(res.status, 200, await res.clone().text());
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const get = async (t: string) => fetch(`${tap.graphUrlFor(2)}/teamwork/devices`, { headers: { authorization: `Bearer ${t}` } });
    const [ta, tb] = [await token(a), await token(b)];
    const list = await get(ta);
    assert.is(list.status, 200);
    assert.is(((await list.json()) as { value: unknown[] }).value.length, 3, 'the emulator\'s answer, whole');
    const batch = await fetch(`${tap.graphUrl}/$batch`, {
      method: 'POST', headers: { authorization: `Bearer ${tb}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [1, 2, 3, 4].map((id) => ({ id: String(id), method: 'GET', url: '/teamwork/devices' })) }),
    });
    assert.is(batch.status, 200);
    assert.is((await get('nonsense')).status, 401);
    const seen = tap.arrivals().map((x) => [x.tenantId, x.appId, x.units, x.replica]);
    assert.equal(seen, [[a.tenantId.toLowerCase(), a.clientId, [1], [2]], [b.tenantId.toLowerCase(), b.clientId, [4], [-1]]]);
    assert.is(tap.unsigned(), 1);
    assert.is(emulator.tenantControl(b.tenantId).stats().graphRequests, 4, 'the emulator counted what the tap counted');
  } finally {
    await tap.close();
    await emulator.close();
  }
});

Parts.run();
