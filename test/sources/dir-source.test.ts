// DirSource on a real temporary folder: snapshots, the watcher, and status written in place.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../controller/log/logger.ts';
import { computeDirRevision, DirSource } from '../../controller/sources/dir-source.ts';
import type { Snapshot } from '../../controller/model/source.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { recordingFs } from '../support/recording-fs.ts';

const group = (name: string) => `# ${name}\nkind: DeviceGroup\nmetadata:\n  name: ${name}\nspec:\n  policyRef: { name: general }\n`;

function makeDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-dir-'));
  mkdirSync(join(dir, 'groups'));
  writeFileSync(join(dir, 'groups', 'lab.yaml'), group('lab'));
  writeFileSync(join(dir, 'groups', 'rooms.yml'), group('rooms'));
  writeFileSync(join(dir, 'notes.md'), 'hello\n');
  return dir;
}

const snapshots = suite('DirSource.sync');

snapshots('reads the manifests with a content revision; a status-only change is not a spec change', async () => {
  const dir = makeDir();
  const outside = mkdtempSync(join(tmpdir(), 'fw-out-'));
  writeFileSync(join(outside, 'secret.yaml'), 'secret: yes\n');
  symlinkSync(join(outside, 'secret.yaml'), join(dir, 'groups', 'linked.yaml'));
  const source = new DirSource({ dir, logger: silentLogger(), replaceStatus });
  try {
    const first = await source.sync();
    assert.equal(first.files.map((f) => f.path), ['groups/lab.yaml', 'groups/rooms.yml']);
    assert.equal(first.omitted, [{ path: 'groups/linked.yaml', reason: `a symbolic link to '${join(outside, 'secret.yaml')}', outside the source` }]);
    assert.match(first.revision, /^dir:[0-9a-f]{16}$/);
    assert.is(first.revision, computeDirRevision(first.files));
    assert.ok(first.specChanged);
    const same = await source.sync();
    assert.not.ok(same.changed);
    const written = await source.writeStatus({ revision: first.revision, summary: 'x', statuses: [{ path: 'groups/lab.yaml', docIndex: 0, status: { observedGeneration: 1 } }] });
    assert.ok(written.written);
    const afterStatus = await source.sync();
    assert.is(afterStatus.revision, written.revision);
    assert.ok(afterStatus.changed);
    assert.not.ok(afterStatus.specChanged);
    writeFileSync(join(dir, 'groups', 'lab.yaml'), group('lab2'));
    const edited = await source.sync();
    assert.ok(edited.specChanged);
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

const writes = suite('DirSource.writeStatus');

writes('writes status into the file in place, keeping everything else and leaving no temporary file', async () => {
  const dir = makeDir();
  const source = new DirSource({ dir, logger: silentLogger(), replaceStatus });
  try {
    const snapshot = await source.sync();
    const result = await source.writeStatus({ revision: snapshot.revision, summary: 'x', statuses: [{ path: 'groups/rooms.yml', docIndex: 0, status: { ready: true } }] });
    assert.equal(result.files, ['groups/rooms.yml']);
    assert.is(readFileSync(join(dir, 'groups', 'rooms.yml'), 'utf8'), `${group('rooms')}status:\n  ready: true\n`);
    assert.is(readFileSync(join(dir, 'groups', 'lab.yaml'), 'utf8'), group('lab'));
    assert.equal(readdirSync(join(dir, 'groups')).sort(), ['lab.yaml', 'rooms.yml']);
    const again = await source.writeStatus({ revision: result.revision, summary: 'x', statuses: [{ path: 'groups/rooms.yml', docIndex: 0, status: { ready: true } }] });
    assert.not.ok(again.written);
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

writes('a file whose rewrite the writer refuses is left on disk as it was, with the reason; the others are written', async () => {
  const dir = makeDir();
  // Two status keys: yaml reads the last, the writer would replace the first, its self-check refuses.
  const twice = `${group('lab')}status:\n  devices: 1\nstatus:\n  devices: 2\n`;
  writeFileSync(join(dir, 'groups', 'lab.yaml'), twice);
  const source = new DirSource({ dir, logger: silentLogger(), replaceStatus });
  try {
    const snapshot = await source.sync();
    const result = await source.writeStatus({
      revision: snapshot.revision,
      summary: 'x',
      statuses: [
        { path: 'groups/lab.yaml', docIndex: 0, status: { devices: 3 } },
        { path: 'groups/rooms.yml', docIndex: 0, status: { devices: 3 } },
      ],
    });
    assert.equal(result.files, ['groups/rooms.yml']);
    assert.equal(result.skipped.map((s) => s.path), ['groups/lab.yaml']);
    assert.match(result.skipped[0]!.reason, /failed firmwarden's own check/);
    assert.is(readFileSync(join(dir, 'groups', 'lab.yaml'), 'utf8'), twice);
    assert.match(readFileSync(join(dir, 'groups', 'rooms.yml'), 'utf8'), 'devices: 3');
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

writes('an edit saved while the status was being computed is kept; the status is applied onto it', async () => {
  const dir = makeDir();
  const source = new DirSource({ dir, logger: silentLogger(), replaceStatus });
  try {
    const snapshot = await source.sync();
    const seen: string[] = [];
    const result = await source.writeStatus({
      revision: snapshot.revision,
      summary: 'x',
      statuses: (next: Snapshot) => {
        seen.push(next.revision);
        // The person saves their edit right after the controller read the files (once).
        if (seen.length === 1) writeFileSync(join(dir, 'groups', 'lab.yaml'), `${group('lab')}# saved by a person\n`);
        return [{ path: 'groups/lab.yaml', docIndex: 0, status: { ready: true } }];
      },
    });
    assert.is(result.attempts, 2);
    assert.is(seen.length, 2);
    const text = readFileSync(join(dir, 'groups', 'lab.yaml'), 'utf8');
    assert.match(text, '# saved by a person\n');
    assert.match(text, 'status:\n  ready: true\n');
    assert.is(text.replace('status:\n  ready: true\n', ''), `${group('lab')}# saved by a person\n`);
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

writes('each file is written durably (temp, fsync, rename over it, folder fsync), keeping its permissions; a failed write leaves it as it was', async () => {
  const dir = makeDir();
  chmodSync(join(dir, 'groups', 'lab.yaml'), 0o640);
  const { fs, ops, renamedTo } = recordingFs();
  const source = new DirSource({ dir, logger: silentLogger(), replaceStatus, fs });
  try {
    const snapshot = await source.sync();
    await source.writeStatus({ revision: snapshot.revision, summary: 'x', statuses: [{ path: 'groups/lab.yaml', docIndex: 0, status: { ready: true } }] });
    assert.equal(ops, ['create', 'write', 'fsync(file)', 'close(file)', 'rename', 'open(dir)', 'fsync(dir)', 'close(dir)']);
    assert.equal(renamedTo, [join(dir, 'groups', 'lab.yaml')]);
    assert.is(statSync(join(dir, 'groups', 'lab.yaml')).mode & 0o777, 0o640);
  } finally {
    await source.close();
  }
  const failing = recordingFs({ op: 'fsync(file)' });
  const broken = new DirSource({ dir, logger: silentLogger(), replaceStatus, fs: failing.fs });
  try {
    const snapshot = await broken.sync();
    const error = await broken
      .writeStatus({ revision: snapshot.revision, summary: 'x', statuses: [{ path: 'groups/rooms.yml', docIndex: 0, status: { ready: true } }] })
      .then(() => undefined, (e: unknown) => e);
    assert.match((error as Error).message, 'rooms.yml');
    assert.is(readFileSync(join(dir, 'groups', 'rooms.yml'), 'utf8'), group('rooms'));
    assert.equal(readdirSync(join(dir, 'groups')).sort(), ['lab.yaml', 'rooms.yml']);
  } finally {
    await broken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const watching = suite('DirSource watcher');

watching('tells subscribers after a manifest changes, debounced', async () => {
  const dir = makeDir();
  const source = new DirSource({ dir, debounceMs: 50, logger: silentLogger(), replaceStatus });
  try {
    const reasons: string[] = [];
    let notify: () => void = () => undefined;
    source.subscribe((reason) => {
      reasons.push(reason);
      notify();
    });
    await source.watching();
    const notified = new Promise<void>((resolve) => (notify = resolve));
    writeFileSync(join(dir, 'groups', 'lab.yaml'), group('lab-edited'));
    writeFileSync(join(dir, 'groups', 'rooms.yml'), group('rooms-edited'));
    await notified;
    assert.is(reasons[0], 'watch');
    const snapshot = await source.sync();
    assert.match(snapshot.files[0]!.text, 'lab-edited');
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

snapshots.run();
writes.run();
watching.run();
