import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { compareVersions } from '../../../controller/policy/version.ts';
import { getToken, graph, updateSoftware } from './emulator-client.ts';

const minute = 60_000;
const timing = { queuedMs: minute, inProgressMs: 4 * minute, durationJitter: 0 };
let handle: EmulatorHandle;
let token: string;
let clock: ManualClock;

async function start(extra: Parameters<typeof startEmulator>[0] = {}): Promise<void> {
  clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
  handle = await startEmulator({ devices: 300, seed: 5, clock, rateLimit: 0, failureRate: 0, ...timing, ...extra });
  token = await getToken(handle);
}

/** A healthy Android device with a firmware update available. */
function pickDevice(skip = 0) {
  const found = handle.control.devices({ limit: 300 }).filter((d) => d.healthStatus !== 'offline' && !d.unknownFirmware && d.software.firmware?.softwareFreshness === 'updateAvailable');
  const device = found[skip];
  if (!device) throw new Error('no suitable device');
  return device;
}

async function getOperation(location: string) {
  return graph(handle, token, location);
}

const update = suite('updateSoftware');
update.before.each(() => start());
update.after.each(() => handle.close());

update('202 with an empty body and a relative Location; queued → inProgress → successful; the version moves only on success', async () => {
  const device = pickDevice();
  const from = device.software.firmware!.currentVersion!;
  const to = device.software.firmware!.availableVersion!;
  const answer = await updateSoftware(handle, token, device.id, { softwareType: 'firmware', softwareVersion: to });
  assert.is(answer.status, 202);
  assert.is(answer.body, undefined);
  const location = answer.headers.get('location')!;
  assert.match(location, new RegExp(`^/teamwork/devices/${device.id}/operations/[0-9a-f-]{36}$`));
  let op = await getOperation(location);
  assert.is(op.status, 200);
  assert.is(op.body.status, 'queued');
  assert.is(op.body.operationType, 'softwareUpdate');
  assert.is(op.body.startedDateTime, null);
  assert.is(op.body.createdBy.application.id, handle.clientId);
  clock.advance(minute);
  op = await getOperation(location);
  assert.is(op.body.status, 'inProgress');
  assert.is(op.body.startedDateTime, new Date(clock.now()).toISOString());
  assert.is(handle.control.device(device.id)!.software.firmware!.currentVersion, from, 'unchanged while in progress');
  clock.advance(4 * minute);
  op = await getOperation(location);
  assert.is(op.body.status, 'successful');
  assert.is(op.body.error, null);
  assert.is(op.body.completedDateTime, new Date(clock.now()).toISOString());
  const health = await graph(handle, token, `/teamwork/devices/${device.id}/health`);
  assert.is(health.body.softwareUpdateHealth.firmwareSoftwareUpdateStatus.currentVersion, to);
});

update('409 Conflict on a repeat while queued or in progress, whatever the software type; accepted again once done', async () => {
  const device = pickDevice();
  assert.is((await updateSoftware(handle, token, device.id, { softwareType: 'firmware' })).status, 202);
  const repeat = await updateSoftware(handle, token, device.id, { softwareType: 'firmware' });
  assert.is(repeat.status, 409);
  assert.is(repeat.body.error.code, 'Conflict');
  clock.advance(2 * minute);
  assert.is((await updateSoftware(handle, token, device.id, { softwareType: 'teamsClient' })).status, 409, 'in progress still conflicts');
  clock.advance(3 * minute);
  assert.is((await updateSoftware(handle, token, device.id, { softwareType: 'teamsClient' })).status, 202);
  const log = handle.control.actionLog({ deviceId: device.id });
  assert.equal(log.map((e) => e.status), [202, 409, 409, 202]);
  assert.is(log[1]!.operationId, log[0]!.operationId, 'a 409 names the operation it collided with');
});

update('softwareVersion omitted means the available version', async () => {
  const device = pickDevice();
  const available = device.software.firmware!.availableVersion!;
  await updateSoftware(handle, token, device.id, { softwareType: 'firmware' });
  clock.advance(5 * minute);
  assert.is(handle.control.device(device.id)!.software.firmware!.currentVersion, available);
  assert.is(handle.control.actionLog({ deviceId: device.id })[0]!.targetVersion, available);
});

const rejected: [string, (current: string, available: string) => string, string][] = [
  ['an older version (a downgrade)', () => '0.0.1', 'DowngradeNotAllowed'],
  ['the installed version', (current) => current, 'VersionAlreadyInstalled'],
  ['a version the model never had', () => '999.0.0', 'VersionNotFound'],
];
for (const [name, version, code] of rejected) {
  update(`an update to ${name} fails with ${code} and changes nothing`, async () => {
    const device = pickDevice();
    const current = device.software.firmware!.currentVersion!;
    // '0.0.1' is older than anything, but only counts as a downgrade if the model has it: release it first.
    if (code === 'DowngradeNotAllowed') handle.control.releaseVersion({ model: device.model, softwareType: 'firmware', version: '0.0.1', releasedAt: 0 });
    const answer = await updateSoftware(handle, token, device.id, { softwareType: 'firmware', softwareVersion: version(current, device.software.firmware!.availableVersion!) });
    assert.is(answer.status, 202);
    clock.advance(minute);
    const op = await getOperation(answer.headers.get('location')!);
    assert.is(op.body.status, 'failed');
    assert.is(op.body.error.code, code);
    assert.type(op.body.error.message, 'string');
    clock.advance(10 * minute);
    assert.is(handle.control.device(device.id)!.software.firmware!.currentVersion, current);
  });
}

update('a version released later cannot be installed before its release date', async () => {
  const device = pickDevice();
  handle.control.releaseVersion({ model: device.model, softwareType: 'firmware', version: '500.0.0', releasedAt: clock.now() + 86_400_000 });
  const answer = await updateSoftware(handle, token, device.id, { softwareType: 'firmware', softwareVersion: '500.0.0' });
  clock.advance(minute);
  assert.is((await getOperation(answer.headers.get('location')!)).body.error.code, 'VersionNotReleased');
});

update('failures follow the model failure rate; the version stays put', async () => {
  const device = pickDevice();
  handle.control.setFailureRate(device.model, 1);
  const answer = await updateSoftware(handle, token, device.id, { softwareType: 'firmware' });
  clock.advance(5 * minute);
  const op = await getOperation(answer.headers.get('location')!);
  assert.is(op.body.status, 'failed');
  assert.ok(['DownloadFailed', 'InstallationFailed', 'DeviceBusy'].includes(op.body.error.code));
  assert.is(handle.control.device(device.id)!.software.firmware!.currentVersion, device.software.firmware!.currentVersion);
});

update('offline devices fail with DeviceOffline', async () => {
  const offline = handle.control.devices({ limit: 300 }).find((d) => d.healthStatus === 'offline' && d.software.teamsClient);
  assert.ok(offline, 'the fleet has an offline device');
  const answer = await updateSoftware(handle, token, offline!.id, { softwareType: 'teamsClient' });
  clock.advance(5 * minute);
  assert.is((await getOperation(answer.headers.get('location')!)).body.error.code, 'DeviceOffline');
});

update('bad bodies are 400s and start nothing', async () => {
  const device = pickDevice();
  const room = handle.control.devices({ deviceType: 'teamsRoom', limit: 1 })[0]!;
  const cases: [string, unknown, Record<string, string>?][] = [
    [device.id, { softwareType: 'toaster' }],
    [device.id, {}],
    [device.id, { softwareType: 'firmware', version: '1.2.3' }],
    [device.id, { softwareType: 'firmware', softwareVersion: 12 }],
    [room.id, { softwareType: 'firmware' }],
    [device.id, { softwareType: 'firmware' }, { 'content-type': 'text/plain' }],
  ];
  for (const [id, body, headers] of cases) {
    const answer = await graph(handle, token, `/teamwork/devices/${id}/updateSoftware`, { method: 'POST', body, ...(headers ? { headers } : {}) });
    assert.is(answer.status, 400, JSON.stringify(body));
    assert.is(answer.body.error.code, 'BadRequest');
  }
  assert.is(handle.control.operations(device.id).length, 0);
  assert.is(handle.control.operations(room.id).length, 0);
});

update('a newly released verified version becomes availableVersion; an unverified one does not but can be installed by hand', async () => {
  const device = pickDevice();
  handle.control.releaseVersion({ model: device.model, softwareType: 'firmware', version: '900.1.0' });
  assert.is(handle.control.device(device.id)!.software.firmware!.availableVersion, '900.1.0');
  handle.control.releaseVersion({ model: device.model, softwareType: 'firmware', version: '900.2.0', verified: false });
  assert.is(handle.control.device(device.id)!.software.firmware!.availableVersion, '900.1.0');
  await updateSoftware(handle, token, device.id, { softwareType: 'firmware', softwareVersion: '900.2.0' });
  clock.advance(5 * minute);
  const after = handle.control.device(device.id)!.software.firmware!;
  assert.is(after.currentVersion, '900.2.0');
  assert.is(after.softwareFreshness, 'unknown', 'an unverified version reads as unknown');
});

update('the action log proves one POST per operation and no downgrade', async () => {
  const devices = [pickDevice(0), pickDevice(1), pickDevice(2)];
  for (const d of devices) await updateSoftware(handle, token, d.id, { softwareType: 'firmware' });
  clock.advance(5 * minute);
  const log = handle.control.actionLog({ action: 'updateSoftware' });
  assert.is(log.length, 3);
  assert.is(new Set(log.map((e) => e.deviceId)).size, 3);
  for (const e of log) {
    assert.is(e.status, 202);
    assert.is(e.via, 'direct');
    assert.is(compareVersions(e.targetVersion!, e.fromVersion!), 1);
  }
});

const lifecycle = suite('operations');
lifecycle.before.each(() => start());
lifecycle.after.each(() => handle.close());

lifecycle('restart and runDiagnostics answer 202 then 409 for their own kind only', async () => {
  const device = pickDevice();
  const restart = await graph(handle, token, `/teamwork/devices/${device.id}/restart`, { method: 'POST' });
  assert.is(restart.status, 202);
  assert.is((await graph(handle, token, `/teamwork/devices/${device.id}/restart`, { method: 'POST' })).status, 409);
  assert.is((await graph(handle, token, `/teamwork/devices/${device.id}/runDiagnostics`, { method: 'POST' })).status, 202);
  assert.is((await updateSoftware(handle, token, device.id, { softwareType: 'teamsClient' })).status, 202);
  const op = await getOperation(restart.headers.get('location')!);
  assert.is(op.body.operationType, 'deviceRestart');
});

lifecycle('the operations list pages newest first, at most 50 a page', async () => {
  const device = pickDevice();
  for (let i = 0; i < 3; i++) {
    await graph(handle, token, `/teamwork/devices/${device.id}/restart`, { method: 'POST' });
    clock.advance(10 * minute);
  }
  const page = await graph(handle, token, `/teamwork/devices/${device.id}/operations?$top=2`);
  assert.is(page.body.value.length, 2);
  assert.ok(page.body.value[0].createdDateTime > page.body.value[1].createdDateTime);
  const rest = await graph(handle, token, page.body['@odata.nextLink']);
  assert.is(rest.body.value.length, 1);
  assert.is(rest.body['@odata.nextLink'], undefined);
  assert.is((await graph(handle, token, `/teamwork/devices/${device.id}/operations?$top=1000`)).body.value.length, 3);
});

lifecycle('status spellings follow the quirk setting', async () => {
  const device = pickDevice();
  const location = (await updateSoftware(handle, token, device.id, { softwareType: 'firmware' })).headers.get('location')!;
  const spellings: [string, string, string, string][] = [
    ['camelCase', 'queued', 'inProgress', 'successful'],
    ['PascalCase', 'Queued', 'InProgress', 'Successful'],
    ['succeeded', 'queued', 'inProgress', 'succeeded'],
    ['Succeeded', 'Queued', 'InProgress', 'Succeeded'],
  ];
  const seen: string[][] = spellings.map(() => []);
  for (const step of [0, minute, 4 * minute]) {
    clock.advance(step);
    for (const [k, [spelling]] of spellings.entries()) {
      handle.control.setQuirks({ statusSpelling: spelling as 'camelCase' });
      seen[k]!.push((await getOperation(location)).body.status);
    }
  }
  spellings.forEach(([, ...expected], k) => assert.equal(seen[k], expected));
});

lifecycle('a scheduled phase shows when configured', async () => {
  await handle.close();
  await start({ scheduledMs: minute });
  const device = pickDevice();
  const location = (await updateSoftware(handle, token, device.id, { softwareType: 'firmware' })).headers.get('location')!;
  clock.advance(minute);
  assert.is((await getOperation(location)).body.status, 'scheduled');
  clock.advance(minute);
  assert.is((await getOperation(location)).body.status, 'inProgress');
});

lifecycle('stuck operations never leave inProgress and keep blocking; cancelling frees the device', async () => {
  handle.control.setFaults({ stuckOperationRate: 1 });
  const device = pickDevice();
  const location = (await updateSoftware(handle, token, device.id, { softwareType: 'firmware' })).headers.get('location')!;
  clock.advance(30 * 86_400_000);
  token = await getToken(handle);
  assert.is((await getOperation(location)).body.status, 'inProgress');
  assert.is((await updateSoftware(handle, token, device.id, { softwareType: 'firmware' })).status, 409);
  const opId = location.split('/').pop()!;
  assert.is(handle.control.cancelOperation(device.id, opId), true);
  assert.is((await getOperation(location)).body.status, 'cancelled');
  assert.is(handle.control.device(device.id)!.software.firmware!.currentVersion, device.software.firmware!.currentVersion);
  handle.control.clearFaults();
  assert.is((await updateSoftware(handle, token, device.id, { softwareType: 'firmware' })).status, 202);
});

lifecycle('moving the clock back does not undo a finished update', async () => {
  const device = pickDevice();
  const to = device.software.firmware!.availableVersion!;
  await updateSoftware(handle, token, device.id, { softwareType: 'firmware' });
  handle.control.advance(10 * minute);
  handle.control.advance(-20 * minute);
  assert.is(handle.control.device(device.id)!.software.firmware!.currentVersion, to);
  assert.is(handle.control.operations(device.id)[0]!.status, 'succeeded');
});

lifecycle('an accelerated clock runs operations to the end in real milliseconds', async () => {
  await handle.close();
  handle = await startEmulator({ devices: 300, seed: 5, rateLimit: 0, failureRate: 0, ...timing, speed: 1_000_000 });
  token = await getToken(handle);
  const device = pickDevice();
  const location = (await updateSoftware(handle, token, device.id, { softwareType: 'firmware' })).headers.get('location')!;
  await new Promise((r) => setTimeout(r, 5));
  assert.is((await getOperation(location)).body.status, 'successful');
});

update.run();
lifecycle.run();
