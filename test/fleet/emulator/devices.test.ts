import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { getToken, graph, listAll } from './emulator-client.ts';

// The health example of shared/spec/graph-teamwork-api.md §13.2 (values trimmed; keys are what matter).
const c = { connectionStatus: 'connected', lastModifiedDateTime: '2025-05-21T16:00:00Z' };
const p = { isOptional: false, connection: c };
const s = { softwareFreshness: 'latest', currentVersion: '1.9.2', availableVersion: null };
const healthExample = {
  '@odata.context': 'x', '@odata.type': '#microsoft.graph.teamworkDeviceHealth', id: 'x', connection: c,
  loginStatus: { exchangeConnection: c, teamsConnection: c, skypeConnection: c },
  peripheralsHealth: { roomCameraHealth: p, contentCameraHealth: p, speakerHealth: p, communicationSpeakerHealth: p, microphoneHealth: p, displayHealthCollection: [p] },
  softwareUpdateHealth: {
    adminAgentSoftwareUpdateStatus: s, companyPortalSoftwareUpdateStatus: null, firmwareSoftwareUpdateStatus: s,
    operatingSystemSoftwareUpdateStatus: s, partnerAgentSoftwareUpdateStatus: s, teamsClientSoftwareUpdateStatus: s,
  },
  hardwareHealth: { computeHealth: p, hdmiIngestHealth: p },
  createdDateTime: 'x', lastModifiedDateTime: 'x', createdBy: null, lastModifiedBy: null,
};
// §13.1: one device of the list example.
const deviceExample = {
  '@odata.type': 'x', id: 'x', deviceType: 'x', hardwareDetail: { serialNumber: 'x', uniqueId: 'x', macAddresses: [], manufacturer: 'x', model: 'x' },
  notes: 'x', companyAssetTag: 'x', healthStatus: 'x', activityState: 'x', createdDateTime: 'x', createdBy: null,
  lastModifiedDateTime: 'x', lastModifiedBy: null, currentUser: { id: 'x', displayName: 'x', userIdentityType: 'aadUser' },
};

/** Asserts both values have the same keys, recursively where both sides hold objects. */
function assertSameKeys(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) return;
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} is an array`);
    if (expected[0] !== undefined && (actual as unknown[])[0] !== undefined) assertSameKeys((actual as unknown[])[0], expected[0], `${path}[0]`);
    return;
  }
  assert.equal(Object.keys(actual).sort(), Object.keys(expected).sort(), `keys of ${path}`);
  for (const [key, value] of Object.entries(expected)) assertSameKeys((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
}

let handle: EmulatorHandle;
let token: string;
const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));

const list = suite('list devices');
list.before(async () => {
  handle = await startEmulator({ devices: 237, seed: 11, clock, rateLimit: 0 });
  token = await getToken(handle);
});
list.after(async () => handle.close());
list.before.each(() => {
  handle.control.setQuirks({ pascalCaseEnums: false, absoluteNextLinks: false, odataCount: false, strictTop: false, sipAnalog: 'sipAnalog', wrapSingleEntities: false });
});

list('paging with relative nextLinks visits every device once (default page 20)', async () => {
  const first = await graph(handle, token, '/teamwork/devices');
  assert.is(first.status, 200);
  assert.is(first.body.value.length, 20);
  assert.is(first.body['@odata.context'], `${handle.graphBaseUrl}/$metadata#teamwork/devices`);
  const all = await listAll(handle, token, '/teamwork/devices');
  assert.is(all.items.length, 237);
  assert.is(new Set(all.items.map((d) => d.id)).size, 237);
  assert.is(all.pages, 12);
  for (const link of all.links) assert.match(link, /^\/teamwork\/devices\?\$top=20&\$skiptoken=/);
});

list('$top up to 50 sets the page size; above 50 is served as 50 (or 400 with strictTop)', async () => {
  assert.is((await graph(handle, token, '/teamwork/devices?$top=50')).body.value.length, 50);
  assert.is((await graph(handle, token, '/teamwork/devices?$top=999')).body.value.length, 50);
  const all = await listAll(handle, token, '/teamwork/devices?$top=999');
  assert.is(all.items.length, 237);
  handle.control.setQuirks({ strictTop: true });
  const strict = await graph(handle, token, '/teamwork/devices?$top=51');
  assert.is(strict.status, 400);
  assert.is(strict.body.error.code, 'BadRequest');
  for (const bad of ['0', '-1', 'ten']) assert.is((await graph(handle, token, `/teamwork/devices?$top=${bad}`)).status, 400, bad);
});

list('absolute nextLinks point at this emulator', async () => {
  handle.control.setQuirks({ absoluteNextLinks: true, odataCount: true });
  const page = await graph(handle, token, '/teamwork/devices?$top=50');
  assert.ok((page.body['@odata.nextLink'] as string).startsWith(`${handle.graphBaseUrl}/teamwork/devices?`));
  assert.is(page.body['@odata.count'], 237);
  const all = await listAll(handle, token, '/teamwork/devices?$top=50');
  assert.is(all.items.length, 237);
});

list('a skiptoken that is not ours is a 400', async () => {
  assert.is((await graph(handle, token, '/teamwork/devices?$skiptoken=bogus')).status, 400);
});

list('$filter on deviceType accepts camelCase, PascalCase and namespace-qualified literals', async () => {
  const expected = handle.control.devices({ deviceType: 'teamsRoom', limit: 1000 }).map((d) => d.id);
  assert.ok(expected.length > 5);
  for (const literal of ["'teamsRoom'", "'TeamsRoom'", "microsoft.graph.teamworkDeviceType'teamsRoom'", "Microsoft.Teams.GraphSvc.teamworkDeviceType%teamsRoom'"]) {
    const all = await listAll(handle, token, `/teamwork/devices?$top=5&$filter=${encodeURIComponent(`deviceType eq ${literal}`)}`);
    assert.equal(all.items.map((d) => d.id), expected, literal);
    for (const link of all.links) assert.ok(link.includes('%24filter') || link.includes('$filter'), 'nextLink keeps the filter');
  }
});

list('paging a filtered list never ends on an empty page', async () => {
  const all = await listAll(handle, token, `/teamwork/devices?$top=1&$filter=${encodeURIComponent("deviceType eq 'surfaceHub'")}`);
  assert.is(all.pages, all.items.length || 1);
});

list('$filter on hardwareDetail/uniqueId and currentUser/id finds exactly one device', async () => {
  const device = handle.control.devices({ limit: 50 }).find((d) => d.currentUserId !== null)!;
  const byUnique = await graph(handle, token, `/teamwork/devices?$filter=${encodeURIComponent(`hardwareDetail/uniqueId eq '${device.uniqueId}'`)}`);
  assert.equal(byUnique.body.value.map((d: { id: string }) => d.id), [device.id]);
  const byUser = await graph(handle, token, `/teamwork/devices?$filter=${encodeURIComponent(`currentUser/id eq '${device.currentUserId}'`)}`);
  assert.equal(byUser.body.value.map((d: { id: string }) => d.id), [device.id]);
  const none = await graph(handle, token, `/teamwork/devices?$filter=${encodeURIComponent("hardwareDetail/uniqueId eq 'nothing-here'")}`);
  assert.equal(none.body.value, []);
});

list('unsupported filters and query options are 400s', async () => {
  for (const query of [
    `$filter=${encodeURIComponent("deviceType eq 'toaster'")}`,
    `$filter=${encodeURIComponent("notes eq 'x'")}`,
    `$filter=${encodeURIComponent("deviceType ne 'sip'")}`,
    `$filter=${encodeURIComponent("deviceType eq 'sip' or deviceType eq 'ipPhone'")}`,
    '$orderby=id', '$expand=health', '$count=true', '$select=nope',
  ]) {
    const answer = await graph(handle, token, `/teamwork/devices?${query}`);
    assert.is(answer.status, 400, query);
    assert.is(answer.body.error.code, 'BadRequest');
  }
});

list('$select keeps the named properties (and id)', async () => {
  const page = await graph(handle, token, '/teamwork/devices?$top=3&$select=deviceType,notes');
  for (const d of page.body.value) assert.equal(Object.keys(d).sort(), ['@odata.type', 'deviceType', 'id', 'notes']);
  assert.match(page.body['@odata.nextLink'], /\$select=deviceType%2Cnotes/);
});

list('devices have the shape of the spec example; PascalCase enums on demand', async () => {
  const page = await graph(handle, token, '/teamwork/devices?$top=50');
  const withUser = page.body.value.find((d: { currentUser: unknown }) => d.currentUser !== null);
  // currentUser.userPrincipalName is on the current beta page (spec §5.3), not in its example.
  assertSameKeys(withUser, { ...deviceExample, currentUser: { ...deviceExample.currentUser, userPrincipalName: '' } });
  assert.match(withUser.deviceType, /^[a-z]/);
  handle.control.setQuirks({ pascalCaseEnums: true });
  const pascal = await graph(handle, token, `/teamwork/devices/${withUser.id}`);
  assert.match(pascal.body.deviceType, /^[A-Z]/);
  assert.match(pascal.body.healthStatus, /^(Healthy|NonUrgent|Critical|Offline)$/);
});

list('sipAnalog devices: as documented, as unknownFutureValue, or breaking the list page', async () => {
  const analog = handle.control.devices({ deviceType: 'sipAnalog', limit: 1 })[0]!;
  assert.is((await graph(handle, token, `/teamwork/devices/${analog.id}`)).body.deviceType, 'sipAnalog');
  handle.control.setQuirks({ sipAnalog: 'unknownFutureValue' });
  assert.is((await graph(handle, token, `/teamwork/devices/${analog.id}`)).body.deviceType, 'unknownFutureValue');
  handle.control.setQuirks({ sipAnalog: 'listError' });
  const broken = await graph(handle, token, `/teamwork/devices?$top=50&$skiptoken=${pageTokenFor(analog.index)}`);
  assert.is(broken.status, 500);
  const filtered = await graph(handle, token, `/teamwork/devices?$filter=${encodeURIComponent("deviceType eq 'sip'")}`);
  assert.is(filtered.status, 200, "filtering on 'sip' still works, as the issue reports");
});

function pageTokenFor(index: number): string {
  return Buffer.from(JSON.stringify({ p: index, v: 1 })).toString('base64url');
}

const one = suite('one device');
one.before(async () => {
  handle = await startEmulator({ devices: 60, seed: 11, clock, rateLimit: 0 });
  token = await getToken(handle);
});
one.after(async () => handle.close());

one('get device returns the same entity as the list, with @odata.context; wrapped in value on demand', async () => {
  const listed = (await graph(handle, token, '/teamwork/devices?$top=1')).body.value[0];
  const got = await graph(handle, token, `/teamwork/devices/${listed.id}`);
  assert.is(got.status, 200);
  const { '@odata.context': context, ...entity } = got.body;
  assert.is(context, `${handle.graphBaseUrl}/$metadata#teamwork/devices/$entity`);
  assert.equal(entity, listed);
  handle.control.setQuirks({ wrapSingleEntities: true });
  const wrapped = await graph(handle, token, `/teamwork/devices/${listed.id}/health`);
  assert.equal(Object.keys(wrapped.body).sort(), ['@odata.context', 'value']);
  assert.is(wrapped.body.value.id, listed.id);
  handle.control.setQuirks({ wrapSingleEntities: false });
});

one('OData key syntax devices(\'id\') reaches the same device', async () => {
  const id = handle.control.device(3)!.id;
  const answer = await graph(handle, token, `/teamwork/devices('${id}')/health`);
  assert.is(answer.status, 200);
  assert.is(answer.body.id, id);
});

one('an unknown device is a 404 itemNotFound on every sub-resource', async () => {
  for (const sub of ['', '/health', '/activity', '/configuration', '/operations', '/operations/x']) {
    const answer = await graph(handle, token, `/teamwork/devices/00000000-0000-4000-8000-000000000000${sub}`);
    assert.is(answer.status, 404, sub);
    assert.is(answer.body.error.code, 'itemNotFound');
  }
});

one('the health document of a Teams Room has the keys of the spec example', async () => {
  const room = handle.control.devices({ deviceType: 'teamsRoom', limit: 1 })[0]!;
  const health = await graph(handle, token, `/teamwork/devices/${room.id}/health`);
  assert.is(health.status, 200);
  assertSameKeys(health.body, healthExample);
  const updates = health.body.softwareUpdateHealth;
  assert.is(updates.companyPortalSoftwareUpdateStatus, null, 'Windows rooms have no Company Portal');
  assert.equal(updates.firmwareSoftwareUpdateStatus, { softwareFreshness: 'unknown', currentVersion: null, availableVersion: null });
  assert.type(updates.teamsClientSoftwareUpdateStatus.currentVersion, 'string');
});

one('health agrees with the emulator\'s view; Android devices report all six software types', async () => {
  const phone = handle.control.devices({ deviceType: 'ipPhone', limit: 1 })[0]!;
  const health = await graph(handle, token, `/teamwork/devices/${phone.id}/health?$select=softwareUpdateHealth`);
  assert.equal(Object.keys(health.body).sort(), ['@odata.context', '@odata.type', 'id', 'softwareUpdateHealth']);
  for (const [type, status] of Object.entries(phone.software)) {
    assert.equal(health.body.softwareUpdateHealth[`${type}SoftwareUpdateStatus`], status, type);
  }
  assert.is(Object.keys(phone.software).length, 6);
});

one('activity and configuration documents are served; configuration carries the installed versions', async () => {
  const d = handle.control.device(0)!;
  const activity = await graph(handle, token, `/teamwork/devices/${d.id}/activity`);
  assert.is(activity.status, 200);
  assert.ok('activePeripherals' in activity.body);
  const config = await graph(handle, token, `/teamwork/devices/${d.id}/configuration`);
  assert.is(config.status, 200);
  assert.is(config.body.softwareVersions.teamsClientSoftwareVersion, d.software.teamsClient?.currentVersion ?? null);
  assert.is(config.body.systemConfiguration.dateTimeConfiguration.timeZone, d.timeZone);
});

one('unknown paths are 400s, wrong methods 405, v1.0 has no device API', async () => {
  assert.is((await graph(handle, token, '/teamwork/gadgets')).status, 400);
  assert.is((await graph(handle, token, '/me')).status, 400);
  assert.is((await graph(handle, token, '/teamwork/devices', { method: 'POST', body: {} })).status, 405);
  const v1 = await fetch(`${handle.url}/v1.0/teamwork/devices`, { headers: { authorization: `Bearer ${token}` } });
  assert.is(v1.status, 400);
  await v1.body?.cancel();
});

list.run();
one.run();
