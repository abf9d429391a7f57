// Several tenants in one emulator, over loopback HTTP: per-tenant tokens, isolation (a tenant's
// token never reads or changes another tenant's device), per-tenant and global rate limits,
// per-tenant control, and fleets that are the same at every start.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import { emulatorDefaults, type EmulatorHandle, type TenantInfo } from '../../../controller/fleet/emulator/emulator-options.ts';
import { graph } from './emulator-client.ts';

const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
const scope = 'https://graph.microsoft.com/.default';
let realNow = 0;
let handle: EmulatorHandle;

async function tokenFor(t: TenantInfo, creds: { clientId: string; clientSecret: string } = t, url = t.tokenUrl): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: creds.clientId, client_secret: creds.clientSecret, scope }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function accessToken(t: TenantInfo): Promise<string> {
  const { status, body } = await tokenFor(t);
  assert.is(status, 200, JSON.stringify(body));
  return body.access_token as string;
}

const control = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${handle.url}/_emulator${path}`, { method: init.method ?? 'GET', ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

const tenants = suite('several tenants');
tenants.before.each(async () => {
  realNow = 0;
  handle = await startEmulator({ tenants: 3, devices: 30, clock, rateLimit: 0, failureRate: 0, realTime: () => realNow });
});
tenants.after.each(() => handle.close());

tenants('the tenant list names every tenant with its own id, apps, secrets and token URL; the first is the single-tenant one', async () => {
  const list = handle.tenants();
  assert.is(list.format, 'firmwarden-emulator-tenants');
  assert.is(list.graphBaseUrl, handle.graphBaseUrl);
  assert.is(list.tenants.length, 3);
  const [first] = list.tenants;
  assert.equal([first!.tenantId, first!.clientId, first!.clientSecret, first!.seed], [emulatorDefaults.tenant, emulatorDefaults.clientId, emulatorDefaults.clientSecret, emulatorDefaults.seed]);
  assert.is(handle.tenant, first!.tenantId);
  for (const field of ['tenantId', 'clientId', 'clientSecret', 'readOnlyClientId', 'readOnlyClientSecret', 'name'] as const) {
    assert.is(new Set(list.tenants.map((t) => t[field])).size, 3, `${field} differs between tenants`);
  }
  for (const t of list.tenants) assert.is(t.tokenUrl, `${handle.loginBaseUrl}/${t.tenantId}/oauth2/v2.0/token`);
  assert.equal((await control('/tenants')).body, JSON.parse(JSON.stringify(list)), 'GET /_emulator/tenants serves the same list');
  assert.is(handle.settings.tenants, 3);
  assert.is(handle.settings.totalDevices, 90);
});

tenants("each tenant's token endpoint issues tokens bound to that tenant, to that tenant's apps only", async () => {
  const [a, b] = handle.tenants().tenants as [TenantInfo, TenantInfo];
  for (const t of [a, b]) {
    const claims = JSON.parse(Buffer.from((await accessToken(t)).split('.')[1]!, 'base64url').toString());
    assert.is(claims.tid, t.tenantId);
    assert.is(claims.appid, t.clientId);
  }
  const foreign = await tokenFor(a, b);
  assert.is(foreign.status, 400, "B's app does not exist in A's directory");
  assert.is(foreign.body.error, 'unauthorized_client');
  assert.equal(foreign.body.error_codes, [700016]);
  const wrongSecret = await tokenFor(b, { clientId: b.clientId, clientSecret: a.clientSecret });
  assert.is(wrongSecret.status, 401);
  assert.equal((await tokenFor(a, a, `${handle.loginBaseUrl}/00000000-0000-4000-8000-000000000000/oauth2/v2.0/token`)).body.error_codes, [90002]);
});

tenants("a tenant's token lists, reads and updates its own devices only; another tenant's device is not found and stays unchanged", async () => {
  // Neither is the first tenant, which requests without a known tenant fall back on.
  const [, a, b] = handle.tenants().tenants as [TenantInfo, TenantInfo, TenantInfo];
  const tokenA = await accessToken(a);
  const listed = await graph(handle, tokenA, '/teamwork/devices?$top=50');
  assert.is(listed.status, 200);
  const aIds = handle.tenantControl(a.tenantId).devices({ limit: 100 }).map((d) => d.id);
  const bDevice = handle.tenantControl(b.tenantId).devices({ limit: 100 }).find((d) => d.software.teamsClient)!;
  assert.equal(listed.body.value.map((d: { id: string }) => d.id), aIds, "A's list is A's fleet");
  assert.not.ok(aIds.includes(bDevice.id));

  const read = await graph(handle, tokenA, `/teamwork/devices/${bDevice.id}/health`);
  assert.is(read.status, 404);
  assert.is(read.body.error.code, 'itemNotFound');
  const update = await graph(handle, tokenA, `/teamwork/devices/${bDevice.id}/updateSoftware`, { method: 'POST', body: { softwareType: 'teamsClient' } });
  assert.is(update.status, 404);
  const batch = await graph(handle, tokenA, '/$batch', {
    method: 'POST',
    body: { requests: [{ id: '1', method: 'POST', url: `/teamwork/devices/${bDevice.id}/updateSoftware`, headers: { 'content-type': 'application/json' }, body: { softwareType: 'teamsClient' } }] },
  });
  assert.is(batch.body.responses[0].status, 404, 'inside a batch too');

  const bControl = handle.tenantControl(b.tenantId);
  assert.equal(bControl.operations(bDevice.id), [], 'no operation was started on B');
  assert.equal(bControl.device(bDevice.id)!.software, bDevice.software, "B's device runs what it ran");
  assert.equal(bControl.actionLog(), [], "B's log saw nothing");
  const logged = handle.tenantControl(a.tenantId).actionLog();
  assert.equal(logged.map((e) => [e.tenant, e.deviceId, e.status, e.via]), [[a.tenantId, bDevice.id, 404, 'direct'], [a.tenantId, bDevice.id, 404, 'batch']], "A's log records the refused attempts, with the tenant");
  // The same update with B's own token goes through.
  assert.is((await graph(handle, await accessToken(b), `/teamwork/devices/${bDevice.id}/updateSoftware`, { method: 'POST', body: { softwareType: 'teamsClient' } })).status, 202);
});

tenants("a token whose tid is changed to another tenant's is refused (each tenant signs with its own key)", async () => {
  const [a, b] = handle.tenants().tenants as [TenantInfo, TenantInfo];
  const [head, payload, signature] = (await accessToken(a)).split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, tid: b.tenantId })).toString('base64url')}.${signature}`;
  assert.is((await graph(handle, forged, '/teamwork/devices?$top=1')).status, 401);
});

tenants('rate limits are per app per tenant: a throttled tenant does not throttle another', async () => {
  const [a, b] = handle.tenants().tenants as [TenantInfo, TenantInfo];
  const [tokenA, tokenB] = [await accessToken(a), await accessToken(b)];
  handle.tenantControl(a.tenantId).setRateLimit(2);
  assert.is((await control(`/tenants/${b.tenantId}/rate-limit`, { method: 'POST', body: { perSecond: 2 } })).status, 200);
  const statuses = async (token: string, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await graph(handle, token, '/teamwork/devices?$top=1')).status);
    return out;
  };
  // The real clock does not move (realTime is frozen): a burst of two, then 429.
  assert.equal(await statuses(tokenA, 3), [200, 200, 429]);
  assert.equal(await statuses(tokenB, 2), [200, 200], 'B still has its own two');
  assert.is(handle.tenantControl(a.tenantId).stats().throttled, 1);
  assert.is(handle.tenantControl(b.tenantId).stats().throttled, 0);
  realNow += 1000;
  assert.equal(await statuses(tokenA, 1), [200], 'refilled after a second');
});

tenants('the global cap throttles every tenant once the requests of all of them reach it', async () => {
  const [a, b, c] = handle.tenants().tenants as [TenantInfo, TenantInfo, TenantInfo];
  assert.equal((await control('/global-rate-limit', { method: 'POST', body: { perSecond: 3 } })).body, { perSecond: 3 });
  const [tokenA, tokenB, tokenC] = [await accessToken(a), await accessToken(b), await accessToken(c)];
  const status = async (token: string) => (await graph(handle, token, '/teamwork/devices?$top=1')).status;
  assert.equal([await status(tokenA), await status(tokenA), await status(tokenB)], [200, 200, 200]);
  const refused = await graph(handle, tokenC, '/teamwork/devices?$top=1');
  assert.is(refused.status, 429, 'C never asked before, yet the cap is reached');
  assert.is(refused.headers.get('retry-after'), '1');
  assert.is(await status(tokenA), 429);
  realNow += 1000;
  assert.is(await status(tokenC), 200);
});

tenants('faults and the clock-free control act on the tenant named in the path', async () => {
  const [a, b] = handle.tenants().tenants as [TenantInfo, TenantInfo];
  assert.is((await control(`/tenants/${b.tenantId}/faults`, { method: 'POST', body: { serverErrorNext: 1, serverErrorStatuses: [503] } })).status, 200);
  assert.is((await graph(handle, await accessToken(a), '/teamwork/devices?$top=1')).status, 200, "A's requests are not B's faults");
  assert.is((await graph(handle, await accessToken(b), '/teamwork/devices?$top=1')).status, 503);
  const state = await control(`/tenants/${b.tenantId.toUpperCase()}/state`);
  assert.is(state.body.tenant, b.tenantId, 'tenant ids compare case-insensitively');
  assert.is(state.body.devices, 30);
  assert.is((await control('/state')).body.tenant, a.tenantId, 'without a tenant, control acts on the first');
  const unknown = await control('/tenants/not-a-tenant/state');
  assert.is(unknown.status, 404);
  assert.match(unknown.body.error, /GET \/_emulator\/tenants/);
  assert.throws(() => handle.tenantControl('not-a-tenant'), /no tenant not-a-tenant/);
});

tenants('a rotated secret shows in the tenant list', async () => {
  const b = handle.tenants().tenants[1]!;
  assert.is((await control(`/tenants/${b.tenantId}/apps/${b.clientId}/secret`, { method: 'POST', body: { secret: 'rotated' } })).status, 200);
  assert.is(handle.tenants().tenants[1]!.clientSecret, 'rotated');
  assert.is(handle.tenants().tenants[0]!.clientSecret, emulatorDefaults.clientSecret);
  assert.is((await tokenFor(b)).status, 401, 'the old secret is refused');
});

tenants.run();

const determinism = suite('tenants are the same at every start');

determinism('the same options give the same tenants, credentials and fleets; each tenant has a fleet of its own', async () => {
  const fleets = async (options: Parameters<typeof startEmulator>[0]) => {
    const h = await startEmulator({ clock, rateLimit: 0, ...options });
    try {
      const list = h.tenants().tenants.map(({ tokenUrl: _url, ...rest }) => rest);
      const ids = list.map((t) => h.tenantControl(t.tenantId).devices({ limit: 20 }).map((d) => `${d.id} ${d.model} ${d.site}`));
      return { list, ids };
    } finally {
      await h.close();
    }
  };
  const first = await fleets({ tenants: 4, devices: 20, epoch: Date.parse('2026-02-01T00:00:00Z') });
  const again = await fleets({ tenants: 4, devices: 20, epoch: Date.parse('2026-02-01T00:00:00Z') });
  assert.equal(again, first);
  assert.is(new Set(first.ids.map((ids) => ids.join())).size, 4, 'four different fleets');
  assert.is(new Set(first.ids.flat().map((line) => line.split(' ')[0])).size, 80, 'no device id is shared between tenants');
  const single = await fleets({ devices: 20, epoch: Date.parse('2026-02-01T00:00:00Z') });
  assert.equal(single.ids[0], first.ids[0], 'the first tenant is the single-tenant fleet');
  const otherSeed = await fleets({ tenants: 2, devices: 20, seed: 7, epoch: Date.parse('2026-02-01T00:00:00Z') });
  assert.is.not(otherSeed.list[1]!.tenantId, first.list[1]!.tenantId, 'another seed, other derived tenants');
});

determinism('a tenants list sets ids, credentials, sizes and limits per tenant and derives the rest', async () => {
  const h = await startEmulator({
    clock, rateLimit: 5,
    tenants: [{ name: 'contoso', devices: 3 }, { tenantId: 'fabrikam.example', clientId: 'fab-app', clientSecret: 'fab-secret', devices: 7, rateLimit: 0, failureRate: 1 }],
  });
  try {
    const [contoso, fabrikam] = h.tenants().tenants as [TenantInfo, TenantInfo];
    assert.equal([contoso.name, contoso.tenantId, contoso.devices, contoso.rateLimit], ['contoso', emulatorDefaults.tenant, 3, 5]);
    assert.equal([fabrikam.tenantId, fabrikam.clientId, fabrikam.devices, fabrikam.rateLimit], ['fabrikam.example', 'fab-app', 7, 0]);
    assert.ok(fabrikam.readOnlyClientId.length > 0 && fabrikam.readOnlyClientSecret.length > 0, 'the read-only app is derived');
    assert.is((await tokenFor(fabrikam)).status, 200);
    assert.ok(Object.values(h.tenantControl('fabrikam.example').failureRates()).every((r) => r === 1));
    assert.ok(Object.values(h.control.failureRates()).every((r) => r < 1), "the other tenant keeps the seed's rates");
  } finally {
    await h.close();
  }
});

determinism('bad tenant settings are refused, naming the tenant and the field', async () => {
  const refusals: [Parameters<typeof startEmulator>[0], RegExp][] = [
    [{ tenants: 0 }, /tenants must be a whole number from 1/],
    [{ tenants: [{ tenantId: 'a.example' }, { tenantId: 'A.example' }] }, /tenants\[1\]\.tenantId A\.example is also the id of tenants\[0\]/],
    [{ tenants: [{}, { devices: -1 }] }, /tenants\[1\]\.devices must be a whole number/],
    [{ tenants: [{ tenantId: 'has/slash' }] }, /tenants\[0\]\.tenantId must be a GUID or a domain name/],
    [{ tenants: [{ rateLimit: -2 }] }, /tenants\[0\]\.rateLimit/],
    [{ tenants: 2, statePath: '/tmp/never-written.json' }, /state file keeps one tenant/],
  ];
  for (const [options, message] of refusals) {
    let error: unknown;
    try {
      await (await startEmulator({ clock, ...options })).close();
    } catch (e) {
      error = e;
    }
    assert.instance(error, RangeError, JSON.stringify(options));
    assert.match((error as Error).message, message);
  }
});

determinism.run();
