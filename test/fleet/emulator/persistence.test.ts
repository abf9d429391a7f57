import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../controller/model/clock.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { EmulatorStateError, readStateFile, stateFormat, writeStateFile, type EmulatorStateFile } from '../../../controller/fleet/emulator/state-file.ts';
import { recordingFs } from '../../support/recording-fs.ts';
import { getToken, graph, updateSoftware } from './emulator-client.ts';

let dir = '';
let handle: EmulatorHandle | undefined;
const persistence = suite('state file');
persistence.before.each(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-emulator-'));
});
persistence.after.each(async () => {
  await handle?.close();
  handle = undefined;
  await rm(dir, { recursive: true, force: true });
});

persistence('a restart keeps the fleet, operations, changed versions, releases, failure rates and the clock offset', async () => {
  const statePath = join(dir, 'state.json');
  const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));
  const options = { statePath, clock, rateLimit: 0, failureRate: 0, durationJitter: 0 };
  handle = await startEmulator({ ...options, devices: 80, seed: 'persist' });
  let token = await getToken(handle);
  const device = handle.control.devices({ deviceType: 'ipPhone', limit: 5 }).find((d) => d.software.teamsClient?.availableVersion && d.software.firmware?.availableVersion && d.healthStatus !== 'offline')!;
  const target = device.software.teamsClient!.availableVersion!;
  const done = (await updateSoftware(handle, token, device.id, { softwareType: 'teamsClient' })).headers.get('location')!;
  handle.control.advance(86_400_000);
  token = await getToken(handle);
  const pending = (await updateSoftware(handle, token, device.id, { softwareType: 'firmware' })).headers.get('location')!;
  handle.control.releaseVersion({ model: device.model, softwareType: 'partnerAgent', version: '77.0.0' });
  handle.control.setFailureRate('Surface Hub 3', 0.5);
  const ids = handle.control.devices({ limit: 80 }).map((d) => d.id);
  const nowBefore = handle.control.now();
  await handle.close();

  const saved = JSON.parse(await readFile(statePath, 'utf8'));
  assert.is(saved.format, 'firmwarden-emulator-state');
  assert.is(saved.fleet.deviceCount, 80);
  assert.equal((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');

  // Different seed/devices options: the state file wins (a restart keeps the fleet).
  handle = await startEmulator({ ...options, devices: 500, seed: 1 });
  token = await getToken(handle);
  assert.is(handle.settings.restored, true);
  assert.equal(handle.control.devices({ limit: 500 }).map((d) => d.id), ids);
  assert.is(handle.control.now(), nowBefore, 'the clock offset survived');
  assert.is(handle.control.device(device.id)!.software.teamsClient!.currentVersion, target);
  assert.is((await graph(handle, token, done)).body.status, 'successful');
  assert.is((await graph(handle, token, pending)).body.status, 'queued');
  assert.is((await updateSoftware(handle, token, device.id, { softwareType: 'firmware' })).status, 409, 'the pending operation still blocks');
  assert.ok(handle.control.releases({ model: device.model, softwareType: 'partnerAgent' }).some((r) => r.version === '77.0.0' && r.added));
  assert.is(handle.control.failureRates()['Surface Hub 3'], 0.5);
  handle.control.advance(10 * 60_000);
  const after = await graph(handle, token, pending);
  assert.is(after.body.status, 'successful', `the pending one runs on after the restart (${JSON.stringify(after.body.error)})`);
});

persistence('a state file that is not ours stops the start instead of being overwritten', async () => {
  const statePath = join(dir, 'state.json');
  await writeFile(statePath, '{"hello":"world"}');
  let error: unknown;
  try {
    await startEmulator({ statePath, devices: 5 });
  } catch (e) {
    error = e;
  }
  assert.instance(error, EmulatorStateError);
  assert.is(await readFile(statePath, 'utf8'), '{"hello":"world"}');
});

persistence('without a state file nothing is written', async () => {
  handle = await startEmulator({ devices: 5 });
  await handle.control.save();
  await handle.close();
  assert.equal(await readdir(dir), []);
});

persistence('the state file is written durably: temp file fsynced, renamed over, folder fsynced; a failed write keeps the old file', async () => {
  const statePath = join(dir, 'state.json');
  const data = (deviceCount: number) =>
    ({ format: stateFormat, version: 1, savedAt: '2026-03-01T09:00:00.000Z', fleet: { seed: 1, deviceCount, epoch: 0 }, clock: { offsetMs: 0, speed: 1 }, state: {} }) as unknown as EmulatorStateFile;
  const { fs, ops, renamedTo } = recordingFs();
  await writeStateFile(statePath, data(5), fs);
  assert.equal(ops, ['create', 'write', 'fsync(file)', 'close(file)', 'rename', 'open(dir)', 'fsync(dir)', 'close(dir)']);
  assert.equal(renamedTo, [statePath]);
  const failing = recordingFs({ op: 'rename' });
  const error = await writeStateFile(statePath, data(6), failing.fs).then(() => undefined, (e: unknown) => e);
  assert.instance(error, EmulatorStateError);
  assert.is((await readStateFile(statePath))?.fleet.deviceCount, 5);
  assert.equal(await readdir(dir), ['state.json']);
});

persistence.run();
