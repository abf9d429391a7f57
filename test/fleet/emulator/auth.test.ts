import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { getToken, graph, requestToken, updateSoftware } from './emulator-client.ts';

const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
let handle: EmulatorHandle;
const scope = 'https://graph.microsoft.com/.default';

const token = suite('token endpoint');
token.before(async () => {
  handle = await startEmulator({ devices: 20, clock, rateLimit: 0 });
});
token.after(async () => handle.close());

token('a good client id and secret get a bearer token with its lifetime', async () => {
  const { status, body } = await requestToken(handle, { grant_type: 'client_credentials', client_id: handle.clientId, client_secret: handle.clientSecret, scope });
  assert.is(status, 200);
  assert.equal(Object.keys(body).sort(), ['access_token', 'expires_in', 'ext_expires_in', 'token_type']);
  assert.is(body.token_type, 'Bearer');
  assert.is(body.expires_in, 3599);
  assert.is(body.ext_expires_in, 3599);
  assert.match(body.access_token as string, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const claims = JSON.parse(Buffer.from((body.access_token as string).split('.')[1]!, 'base64url').toString());
  assert.is(claims.tid, handle.tenant);
  assert.is(claims.appid, handle.clientId);
  // The device API, and free/busy of room calendars (meeting-aware policies).
  assert.equal(claims.roles, ['TeamworkDevice.ReadWrite.All', 'Calendars.ReadBasic.All']);
});

token('HTTP Basic client authentication (RFC 6749) works too', async () => {
  const basic = Buffer.from(`${encodeURIComponent(handle.clientId)}:${encodeURIComponent(handle.clientSecret)}`).toString('base64');
  const { status, body } = await requestToken(handle, { grant_type: 'client_credentials', scope }, { headers: { authorization: `Basic ${basic}` } });
  assert.is(status, 200);
  assert.type(body.access_token, 'string');
});

const refusals: [string, Record<string, string>, number, string, number, string?][] = [
  ['a wrong secret', { client_secret: 'nope' }, 401, 'invalid_client', 7000215],
  ['an unknown client id', { client_id: '00000000-1111-4222-8333-444444444444' }, 400, 'unauthorized_client', 700016],
  ['no secret', { client_secret: '' }, 401, 'invalid_client', 7000218],
  ['a scope without /.default', { scope: 'https://graph.microsoft.com/User.Read' }, 400, 'invalid_scope', 1002012],
  ['another resource', { scope: 'https://management.azure.com/.default' }, 400, 'invalid_resource', 500011],
  ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
  ['no grant type', { grant_type: '' }, 400, 'invalid_request', 900144],
  ['another tenant', {}, 400, 'invalid_request', 90002, 'contoso.onmicrosoft.com'],
];
for (const [name, change, status, error, code, tenant] of refusals) {
  token(`${name} is refused with ${status} ${error} (AADSTS${code})`, async () => {
    const form: Record<string, string> = { grant_type: 'client_credentials', client_id: handle.clientId, client_secret: handle.clientSecret, scope, ...change };
    for (const [k, v] of Object.entries(form)) if (v === '') delete form[k];
    const answer = await requestToken(handle, form, tenant ? { tenant } : {});
    assert.is(answer.status, status);
    assert.is(answer.body.error, error);
    assert.equal(answer.body.error_codes, [code]);
    assert.match(answer.body.error_description as string, new RegExp(`^AADSTS${code}: `));
    assert.not.match(answer.body.error_description as string, new RegExp(handle.clientSecret), 'the secret is never echoed');
  });
}

token('the emulator origin and national-cloud Graph resources are accepted scopes', async () => {
  for (const s of [`${handle.url}/.default`, 'https://graph.microsoft.us/.default', '00000003-0000-0000-c000-000000000000/.default']) {
    const { status } = await requestToken(handle, { grant_type: 'client_credentials', client_id: handle.clientId, client_secret: handle.clientSecret, scope: s });
    assert.is(status, 200, s);
  }
});

token('the OpenID configuration names the token endpoint', async () => {
  const res = await fetch(`${handle.loginBaseUrl}/${handle.tenant}/v2.0/.well-known/openid-configuration`);
  const body = (await res.json()) as Record<string, string>;
  assert.is(res.status, 200);
  assert.is(body.token_endpoint, handle.tokenUrl);
});

const api = suite('bearer tokens on the Graph surface');
api.before(async () => {
  handle = await startEmulator({ devices: 20, clock, rateLimit: 0, tokenLifetimeSeconds: 600 });
});
api.after(async () => handle.close());

api('no token: 401 InvalidAuthenticationToken in the Graph error shape', async () => {
  const answer = await graph(handle, null, '/teamwork/devices');
  assert.is(answer.status, 401);
  assert.is(answer.body.error.code, 'InvalidAuthenticationToken');
  assert.type(answer.body.error.message, 'string');
  assert.match(answer.body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.type(answer.body.error.innerError['request-id'], 'string');
  assert.ok(answer.headers.get('www-authenticate')?.startsWith('Bearer'));
});

api('a forged or mangled token: 401', async () => {
  const good = await getToken(handle);
  const [h, p] = good.split('.');
  for (const bad of [`${h}.${p}.AAAA`, 'garbage', `${h}.${Buffer.from('{"tid":"x"}').toString('base64url')}.${good.split('.')[2]}`]) {
    assert.is((await graph(handle, bad, '/teamwork/devices')).status, 401);
  }
});

api('a token expires by the emulator clock', async () => {
  const t = await getToken(handle);
  assert.is((await graph(handle, t, '/teamwork/devices')).status, 200);
  clock.advance(599_000);
  assert.is((await graph(handle, t, '/teamwork/devices')).status, 200, 'still valid one second before expiry');
  clock.advance(2_000);
  const expired = await graph(handle, t, '/teamwork/devices');
  assert.is(expired.status, 401);
  assert.match(expired.body.error.message, /expired/);
  assert.is((await graph(handle, await getToken(handle), '/teamwork/devices')).status, 200, 'a new token works');
});

api('on an accelerated clock a token lasts expires_in seconds of the base clock', async () => {
  await handle.close();
  handle = await startEmulator({ devices: 20, clock, rateLimit: 0, speed: 1000 });
  const t = await getToken(handle);
  clock.advance(3_500_000);
  assert.is((await graph(handle, t, '/teamwork/devices?$top=1')).status, 200, '3,500 base seconds = 3.5 million emulator seconds later');
  clock.advance(200_000);
  assert.is((await graph(handle, t, '/teamwork/devices?$top=1')).status, 401);
});

api('the read-only app reads but gets 403 on every POST action', async () => {
  const ro = await getToken(handle, true);
  const list = await graph(handle, ro, '/teamwork/devices?$top=1');
  assert.is(list.status, 200);
  const id = list.body.value[0].id;
  assert.is((await graph(handle, ro, `/teamwork/devices/${id}/health`)).status, 200);
  const update = await updateSoftware(handle, ro, id, { softwareType: 'teamsClient' });
  assert.is(update.status, 403);
  assert.is(update.body.error.code, 'accessDenied');
  assert.match(update.body.error.message, /TeamworkDevice\.ReadWrite\.All/);
  for (const action of ['restart', 'runDiagnostics']) {
    assert.is((await graph(handle, ro, `/teamwork/devices/${id}/${action}`, { method: 'POST' })).status, 403, action);
  }
  assert.is(handle.control.operations(id).length, 0, 'nothing was started');
  assert.is(handle.control.actionLog({ deviceId: id }).filter((e) => e.status === 403).length, 3, 'refusals are logged');
});

api('tokens stay valid across a restart with the same seed and secrets', async () => {
  await handle.close();
  handle = await startEmulator({ devices: 20, clock, rateLimit: 0 });
  const t = await getToken(handle);
  await handle.close();
  handle = await startEmulator({ devices: 20, clock, rateLimit: 0 });
  assert.is((await graph(handle, t, '/teamwork/devices?$top=1')).status, 200);
});

token.run();
api.run();
