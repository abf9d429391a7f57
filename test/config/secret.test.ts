// FileSecret on real files: the ways a secret file gets rotated (rewritten in place, renamed
// over, a Kubernetes Secret volume's symlink swap), and the changes it must not take.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { FileSecret, type FileSecretEvent } from '../../controller/config/secret.ts';

const rotation = suite('FileSecret');

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'fw-secret-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function watched(path: string, initial: string, check?: (v: string) => string | undefined): { secret: FileSecret; events: FileSecretEvent[] } {
  const secret = new FileSecret(path, initial, check ? { check } : {});
  const events: FileSecretEvent[] = [];
  secret.onChange((e) => events.push(e));
  return { secret, events };
}

rotation('a file rewritten in place gives the new value at the next reveal, and says so without the value', () =>
  withDir((dir) => {
    const path = join(dir, 'secret');
    writeFileSync(path, 'first-value\n');
    const { secret, events } = watched(path, 'first-value');
    assert.is(secret.reveal(), 'first-value');
    writeFileSync(path, 'second-value-longer\n');
    assert.is(secret.reveal(), 'second-value-longer');
    assert.equal(events, [{ kind: 'rotated', path }]);
    assert.not.match(JSON.stringify(events), 'value');
  }));

rotation('a new file renamed over the old one (same size) is picked up', () =>
  withDir((dir) => {
    const path = join(dir, 'secret');
    writeFileSync(path, 'aaaa-1111');
    const { secret } = watched(path, 'aaaa-1111');
    assert.is(secret.reveal(), 'aaaa-1111');
    writeFileSync(join(dir, 'next'), 'bbbb-2222');
    renameSync(join(dir, 'next'), path);
    assert.is(secret.reveal(), 'bbbb-2222');
  }));

rotation("a Kubernetes Secret volume's symlink swap is picked up", () =>
  withDir((dir) => {
    // The kubelet's layout: key -> ..data/key, ..data -> ..<timestamp> swapped atomically.
    mkdirSync(join(dir, '..v1'));
    writeFileSync(join(dir, '..v1', 'client-secret'), 'secret-from-v1');
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync(join('..data', 'client-secret'), join(dir, 'client-secret'));
    const path = join(dir, 'client-secret');
    const { secret } = watched(path, 'secret-from-v1');
    assert.is(secret.reveal(), 'secret-from-v1');
    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2', 'client-secret'), 'secret-from-v2');
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    assert.is(secret.reveal(), 'secret-from-v2');
  }));

rotation('the initial value is checked against the file at the first reveal', () =>
  withDir((dir) => {
    const path = join(dir, 'secret');
    writeFileSync(path, 'changed-since-start');
    assert.is(new FileSecret(path, 'read-at-start').reveal(), 'changed-since-start');
  }));

rotation('an emptied, deleted or refused file keeps the previous value and reports each change once', () =>
  withDir((dir) => {
    const path = join(dir, 'secret');
    writeFileSync(path, 'good-secret-0123456789');
    const { secret, events } = watched(path, 'good-secret-0123456789', (v) => (v.length < 16 ? 'shorter than 16 characters' : undefined));
    secret.reveal();
    writeFileSync(path, '\n');
    assert.is(secret.reveal(), 'good-secret-0123456789');
    assert.is(secret.reveal(), 'good-secret-0123456789');
    writeFileSync(path, 'short');
    assert.is(secret.reveal(), 'good-secret-0123456789');
    unlinkSync(path);
    assert.is(secret.reveal(), 'good-secret-0123456789');
    assert.equal(events, [
      { kind: 'kept', path, reason: 'it is empty' },
      { kind: 'kept', path, reason: 'shorter than 16 characters' },
      { kind: 'kept', path, reason: 'cannot read it (ENOENT)' },
    ]);
    writeFileSync(path, 'next-good-secret-0123');
    assert.is(secret.reveal(), 'next-good-secret-0123');
  }));

rotation('a FileSecret prints, serialises and inspects as [redacted]', () =>
  withDir((dir) => {
    const path = join(dir, 'secret');
    writeFileSync(path, 'hunter2-hunter2');
    const secret = new FileSecret(path, 'hunter2-hunter2');
    secret.reveal();
    assert.is(String(secret), '[redacted]');
    assert.not.match(JSON.stringify({ secret }) + inspect({ secret }, { depth: 5 }), 'hunter2');
  }));

rotation.run();
