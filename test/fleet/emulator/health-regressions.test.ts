// Health regressions on demand, over loopback HTTP: devices of one model updated to one version
// lose their camera in the health document (what a health soak reads); devices not updated, or
// of another model, stay healthy; the rules survive a restart with the state file.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../controller/model/clock.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { parseSoftware } from '../../../controller/fleet/graph/parse-software.ts';
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

/** The health summary the Graph adapter makes of a device's health document. */
async function healthOf(token: string, deviceId: string) {
  const answer = await graph(handle, token, `/teamwork/devices/${deviceId}/health`);
  const parsed = parseSoftware(deviceId, answer.body);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value.health!;
}

/** Two room bars of one model, on firmware with a newer release, and a bar of another model. */
function pickRooms() {
  const rooms = handle.control.devices({ deviceType: 'collaborationBar', limit: 400 }).filter((d) => d.healthStatus === 'healthy' && d.software.firmware?.availableVersion && !d.unknownFirmware);
  const byModel = new Map<string, typeof rooms>();
  for (const r of rooms) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
  const [model, same] = [...byModel].find(([, list]) => list.length >= 2)!;
  const other = rooms.find((r) => r.model !== model && r.software.firmware?.availableVersion)!;
  return { model, a: same[0]!, b: same[1]!, other };
}

const test = suite('health regressions on demand');
test.before.each(async () => {
  clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
  handle = await startEmulator({ devices: 400, seed: 8, clock, rateLimit: 0, failureRate: 0, durationJitter: 0 });
});
test.after.each(() => handle.close());

test('a room of the model updated to the version loses its camera; others keep theirs', async () => {
  const { model, a, b, other } = pickRooms();
  const version = a.software.firmware!.availableVersion!;
  const added = await control('POST', '/health-regressions', { model, version, what: 'camera' });
  assert.is(added.status, 201);
  assert.equal(added.body, [{ model, version, what: 'camera' }]);
  const token = await getToken(handle);
  assert.is((await healthOf(token, a.id)).roomCamera, 'ok', 'before the update');
  assert.is((await updateSoftware(handle, token, a.id, { softwareType: 'firmware', softwareVersion: version })).status, 202);
  assert.is((await updateSoftware(handle, token, other.id, { softwareType: 'firmware', softwareVersion: other.software.firmware!.availableVersion })).status, 202);
  clock.advance(10 * 60_000);
  const after = await healthOf(token, a.id);
  assert.is(after.roomCamera, 'down');
  assert.is(after.online, 'ok');
  assert.is((await healthOf(token, b.id)).roomCamera, 'ok', 'same model, not updated');
  assert.is((await healthOf(token, other.id)).roomCamera, 'ok', 'updated, another model');
});

test('missing, offline and sign-in regressions; clearing heals', async () => {
  const { model, a } = pickRooms();
  const version = a.software.firmware!.availableVersion!;
  await control('POST', '/health-regressions', { model, version, what: 'display', missing: true });
  await control('POST', '/health-regressions', { model, what: 'teamsSignIn' });
  await control('POST', '/health-regressions', { version, what: 'offline' });
  assert.is((await control('GET', '/health-regressions')).body.length, 3);
  const token = await getToken(handle);
  const before = await healthOf(token, a.id);
  await updateSoftware(handle, token, a.id, { softwareType: 'firmware', softwareVersion: version });
  clock.advance(10 * 60_000);
  const health = await healthOf(token, a.id);
  assert.is(health.display, undefined, 'the display is gone from the document');
  assert.is(health.teamsSignIn, 'down');
  assert.is(health.online, 'down');
  assert.is((await graph(handle, token, `/teamwork/devices/${a.id}`)).body.healthStatus, 'offline', 'the device list says so too');
  assert.equal((await control('DELETE', '/health-regressions')).body, []);
  assert.equal(await healthOf(token, a.id), before);
});

test('bad rules are refused with the field named', async () => {
  for (const [body, message] of [
    [{ model: 'MP58', what: 'toaster' }, /what must be one of offline, teamsSignIn/],
    [{ what: 'camera' }, /give model and\/or version/],
    [{ model: 'MP58', what: 'camera', colour: 'red' }, /unknown field "colour"/],
    [{ model: 'MP58', what: 'camera', missing: 'yes' }, /missing must be true or false/],
    [{ version: '1.2', what: 'camera', softwareType: 'bios' }, /softwareType must be one of/],
  ] as const) {
    const answer = await control('POST', '/health-regressions', body);
    assert.is(answer.status, 400, JSON.stringify(body));
    assert.match(answer.body.error, message);
  }
});

test('rules given at start and kept in the state file across a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-emu-health-'));
  try {
    await handle.close();
    const statePath = join(dir, 'state.json');
    handle = await startEmulator({ devices: 400, seed: 8, clock, rateLimit: 0, statePath, healthRegressions: [{ model: 'MP58', what: 'microphone' }] });
    assert.equal(handle.control.healthRegressions(), [{ model: 'MP58', what: 'microphone' }]);
    await handle.close();
    handle = await startEmulator({ devices: 400, seed: 8, clock, rateLimit: 0, statePath });
    assert.equal(handle.control.healthRegressions(), [{ model: 'MP58', what: 'microphone' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
