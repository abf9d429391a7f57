import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStateStore, StateFileError } from '../../controller/state/file-state-store.ts';
import { emptyState, type ControllerState } from '../../controller/model/state.ts';
import { recordingFs } from '../support/recording-fs.ts';

const sample: ControllerState = {
  version: 1,
  releases: [{ model: 'MP58', softwareType: 'firmware', version: '1.2.3', firstSeen: 1_700_000_000_000 }],
  ledger: [],
  rollouts: { 'default/UpdatePolicy/general|firmware|1.2.3': { wave: 2 } },
};

test('a missing file loads as the empty state', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-state-'));
  try {
    assert.equal(await new FileStateStore(join(dir, 'state.json')).load(), emptyState);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('what is saved loads back, and no temporary file is left behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-state-'));
  try {
    const store = new FileStateStore(join(dir, 'sub', 'state.json'));
    await store.save(sample);
    assert.equal(await new FileStateStore(join(dir, 'sub', 'state.json')).load(), sample);
    assert.equal(await readdir(join(dir, 'sub')), ['state.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('save survives a power loss: temp file written and fsynced, renamed over the state file, folder fsynced', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-state-'));
  try {
    const path = join(dir, 'state.json');
    await writeFile(path, JSON.stringify(emptyState));
    const { fs, ops, renamedTo } = recordingFs();
    await new FileStateStore(path, { fs }).save(sample);
    assert.equal(ops, ['create', 'write', 'fsync(file)', 'close(file)', 'rename', 'open(dir)', 'fsync(dir)', 'close(dir)']);
    assert.equal(renamedTo, [path]);
    assert.equal(await new FileStateStore(path).load(), sample);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a save that fails before the rename keeps the previous state and leaves no temporary file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-state-'));
  try {
    const path = join(dir, 'state.json');
    await writeFile(path, JSON.stringify(emptyState));
    const { fs } = recordingFs({ op: 'fsync(file)' });
    const error = await new FileStateStore(path, { fs }).save(sample).then(() => undefined, (e: unknown) => e);
    assert.match((error as Error).message, path);
    assert.equal(await new FileStateStore(path).load(), emptyState);
    assert.equal(await readdir(dir), ['state.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the notifications already sent and those waiting load back (a restart neither repeats nor loses one)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-state-'));
  try {
    const state: ControllerState = { ...sample, notifications: {
    version: 1,
    seen: { a1b2c3d4e5f6: 1803895200 },
    waves: { 'default/paris|firmware': { version: '1.2.0', wave: 2 } },
    outbox: [{ id: 'd1', rule: 'default/trouble', channel: 'default/ops', createdAt: 1803895200000, attempts: 2, lastError: 'HTTP 500', events: [], omitted: 0 }],
  } };
    await new FileStateStore(join(dir, 'state.json')).save(state);
    assert.equal(await new FileStateStore(join(dir, 'state.json')).load(), state);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('regressions and evidence load back (a restart neither forgets a regression nor the evidence for a version)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-state-'));
  try {
    const state: ControllerState = { ...sample, health: {
      regressions: [{ deviceId: 'd1', softwareType: 'firmware', version: '1.2.3', requestedAt: 1803895200000, at: 1803906000000, what: ['camera unhealthy'], device: 'Room 4.12 Paris' }],
      evidence: [{ group: 'default/lab', deviceId: 'd2', softwareType: 'firmware', version: '1.2.3', since: 1803895200000, healthyUntil: 1803981600000, healthBefore: ['online', 'roomCamera'] }],
    } };
    await new FileStateStore(join(dir, 'state.json')).save(state);
    assert.equal(await new FileStateStore(join(dir, 'state.json')).load(), state);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a corrupt file is an error naming the file, never a silent reset', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-state-'));
  try {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"version":1,"releases":[');
    const error = await new FileStateStore(path).load().then(() => undefined, (e: unknown) => e);
    assert.instance(error, StateFileError);
    assert.match((error as Error).message, path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
