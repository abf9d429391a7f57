import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { getToken, graph, updateSoftware } from './emulator-client.ts';

let handle: EmulatorHandle;
let clock: ManualClock;

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${handle.url}/_emulator${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, body: await res.json() };
}

const http = suite('control endpoints');
http.before.each(async () => {
  clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
  handle = await startEmulator({ devices: 40, seed: 8, clock, rateLimit: 0, failureRate: 0, durationJitter: 0 });
});
http.after.each(() => handle.close());

http('need no Graph token and summarise the emulator', async () => {
  const state = await control('GET', '/state');
  assert.is(state.status, 200);
  assert.is(state.body.devices, 40);
  assert.is(state.body.tenant, handle.tenant);
  assert.is(state.body.clock.now, '2026-03-01T09:00:00.000Z');
  assert.equal(Object.keys(state.body.operations).sort(), ['cancelled', 'failed', 'inProgress', 'queued', 'scheduled', 'succeeded']);
});

http('the clock can be set, advanced and accelerated', async () => {
  assert.is((await control('POST', '/clock', { at: '2026-06-01T00:00:00Z' })).body.now, '2026-06-01T00:00:00.000Z');
  assert.is((await control('POST', '/clock', { advanceMs: 3_600_000 })).body.now, '2026-06-01T01:00:00.000Z');
  const fast = await control('POST', '/clock', { speed: 60 });
  assert.is(fast.body.speed, 60);
  clock.advance(1000);
  assert.is((await control('GET', '/clock')).body.now, '2026-06-01T01:01:00.000Z', 'one base second = one emulator minute');
  assert.is((await control('POST', '/clock', { speed: 0 })).status, 400);
  assert.is((await control('POST', '/clock', { at: 'yesterday' })).status, 400);
  assert.is((await control('POST', '/clock', {})).status, 400);
});

http('releasing a version for a model makes it the available version of its devices', async () => {
  const phone = handle.control.devices({ deviceType: 'ipPhone', limit: 1 })[0]!;
  const created = await control('POST', '/releases', { model: phone.model, softwareType: 'firmware', version: '999.1.0' });
  assert.is(created.status, 201);
  assert.is(created.body.added, true);
  assert.is(created.body.verified, true);
  const token = await getToken(handle);
  const health = await graph(handle, token, `/teamwork/devices/${phone.id}/health`);
  assert.equal(health.body.softwareUpdateHealth.firmwareSoftwareUpdateStatus.availableVersion, '999.1.0');
  const listed = await control('GET', `/releases?model=${encodeURIComponent(phone.model)}&softwareType=firmware`);
  assert.ok(listed.body.some((r: { version: string }) => r.version === '999.1.0'));
  for (const bad of [
    { model: 'Toaster 3000', softwareType: 'firmware', version: '1.0' },
    { model: 'ThinkSmart Core', softwareType: 'firmware', version: '1.0' },
    { model: phone.model, softwareType: 'firmware', version: 'v2-beta' },
    { model: phone.model, softwareType: 'firmware', version: '999.1.0' },
  ]) {
    const answer = await control('POST', '/releases', bad);
    assert.is(answer.status, 400, JSON.stringify(bad));
    assert.type(answer.body.error, 'string');
  }
});

http('faults, quirks, failure rates and the rate limit are set over HTTP', async () => {
  assert.is((await control('POST', '/faults', { throttleNext: 1 })).body.throttleNext, 1);
  const token = await getToken(handle);
  assert.is((await graph(handle, token, '/teamwork/devices')).status, 429);
  assert.is((await control('POST', '/faults', { throttleRate: 5 })).status, 400);
  assert.is((await control('DELETE', '/faults')).body.throttleRate, 0);
  assert.is((await control('POST', '/quirks', { wrapSingleEntities: true })).body.wrapSingleEntities, true);
  assert.is((await control('POST', '/quirks', { statusSpelling: 'shouting' })).status, 400);
  assert.is((await control('POST', '/failure-rates', { model: 'MP58', rate: 1 })).body.MP58, 1);
  assert.is((await control('POST', '/rate-limit', { perSecond: 7 })).body.perSecond, 7);
  assert.is((await control('GET', '/state')).body.rateLimit, 7);
});

http('the request log lists every updateSoftware with device, type, versions, status and time', async () => {
  const token = await getToken(handle);
  const phone = handle.control.devices({ deviceType: 'ipPhone', limit: 5 }).find((d) => d.software.teamsClient?.availableVersion)!;
  await updateSoftware(handle, token, phone.id, { softwareType: 'teamsClient' });
  await updateSoftware(handle, token, phone.id, { softwareType: 'teamsClient' });
  const log = await control('GET', `/requests?deviceId=${phone.id}`);
  assert.is(log.body.length, 2);
  const [first, second] = log.body;
  assert.equal(
    { action: first.action, deviceId: first.deviceId, softwareType: first.softwareType, status: first.status, at: first.at, from: first.fromVersion, to: first.targetVersion },
    { action: 'updateSoftware', deviceId: phone.id, softwareType: 'teamsClient', status: 202, at: '2026-03-01T09:00:00.000Z', from: phone.software.teamsClient!.currentVersion, to: phone.software.teamsClient!.availableVersion },
  );
  assert.is(second.status, 409);
  const ops = await control('GET', `/devices/${phone.id}/operations`);
  assert.is(ops.body[0].toVersion, phone.software.teamsClient!.availableVersion);
  const cancelled = await control('POST', `/devices/${phone.id}/operations/${ops.body[0].id}/cancel`);
  assert.is(cancelled.body.cancelled, true);
  assert.is((await control('GET', '/stats')).body.byStatus['202'], 1);
  await control('DELETE', '/requests');
  assert.equal((await control('GET', '/requests')).body, []);
});

http('devices can be looked up and filtered by type, tag and model', async () => {
  const all = await control('GET', '/devices?limit=40');
  assert.is(all.body.length, 40);
  const paris = await control('GET', '/devices?tag=site-paris&limit=40');
  assert.ok(paris.body.length > 0 && paris.body.every((d: { tags: string[] }) => d.tags.includes('site-paris')));
  const one = await control('GET', `/devices/${all.body[3].id}`);
  assert.is(one.body.index, 3);
  assert.is((await control('GET', '/devices/00000000-0000-4000-8000-000000000000')).status, 404);
  assert.is((await control('GET', '/nothing')).status, 404);
});

http.run();
