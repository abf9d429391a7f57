// writeFileDurably on a real folder, through a file system that records each operation and can
// fail any one of them: the order that survives a power loss, and what a failure leaves behind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DurableWriteError, nodeDurableFs, writeFileDurably, type DurableFs } from '../../controller/state/durable-write.ts';
import { recordingFs, type Op } from '../support/recording-fs.ts';

function folderWithTarget(): { dir: string; target: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fw-durable-'));
  const target = join(dir, 'state.json');
  writeFileSync(target, 'old text\n');
  return { dir, target };
}

const order = suite('writeFileDurably: order');

order('writes the temporary file, fsyncs it, renames it over the target, then fsyncs the folder', async () => {
  const { dir, target } = folderWithTarget();
  try {
    const { fs, ops } = recordingFs();
    await writeFileDurably(target, 'new text\n', { fs });
    assert.equal(ops, ['create', 'write', 'fsync(file)', 'close(file)', 'rename', 'open(dir)', 'fsync(dir)', 'close(dir)']);
    assert.is(readFileSync(target, 'utf8'), 'new text\n');
    assert.equal(readdirSync(dir), ['state.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

order('a new file gets the mode asked for and its temporary file sits hidden in the same folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-durable-'));
  try {
    const target = join(dir, 'fresh.json');
    const seen: string[] = [];
    const spy: DurableFs = { ...nodeDurableFs, rename: (from, to) => (seen.push(from), nodeDurableFs.rename(from, to)) };
    await writeFileDurably(target, '{}', { mode: 0o600, fs: spy });
    assert.is(statSync(target).mode & 0o777, 0o600);
    assert.is(join(seen[0]!, '..'), dir);
    assert.ok(basename(seen[0]!).startsWith('.fresh.json.'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const failures = suite('writeFileDurably: a failure at each step');

const beforeRename: readonly { op: Op; step: string }[] = [
  { op: 'create', step: 'create' },
  { op: 'write', step: 'write' },
  { op: 'fsync(file)', step: 'fsync-file' },
  { op: 'close(file)', step: 'close' },
  { op: 'rename', step: 'rename' },
];

for (const { op, step } of beforeRename) {
  failures(`${op} fails: the original file is intact, no temporary file is left, the error names the step`, async () => {
    const { dir, target } = folderWithTarget();
    try {
      const { fs, ops } = recordingFs({ op });
      const error = await writeFileDurably(target, 'new text\n', { fs }).then(() => undefined, (e: unknown) => e);
      assert.instance(error, DurableWriteError);
      assert.is((error as DurableWriteError).step, step);
      assert.match((error as Error).message, target);
      assert.is(readFileSync(target, 'utf8'), 'old text\n');
      assert.equal(readdirSync(dir), ['state.json']);
      assert.not.ok(ops.includes('rename') && op !== 'rename', 'nothing is renamed after a failed step');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const op of ['open(dir)', 'fsync(dir)'] as const) {
  failures(`${op} fails after the rename: the target holds the whole new text, no temporary file, and the caller hears of it`, async () => {
    const { dir, target } = folderWithTarget();
    try {
      const { fs } = recordingFs({ op });
      const error = await writeFileDurably(target, 'new text\n', { fs }).then(() => undefined, (e: unknown) => e);
      assert.instance(error, DurableWriteError);
      assert.is((error as DurableWriteError).step, 'fsync-dir');
      assert.is(readFileSync(target, 'utf8'), 'new text\n');
      assert.equal(readdirSync(dir), ['state.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

failures('a file system that cannot fsync folders at all (EINVAL) still saves', async () => {
  const { dir, target } = folderWithTarget();
  try {
    const { fs, ops } = recordingFs({ op: 'fsync(dir)', code: 'EINVAL' });
    await writeFileDurably(target, 'new text\n', { fs });
    assert.is(readFileSync(target, 'utf8'), 'new text\n');
    assert.equal(ops.slice(-3), ['open(dir)', 'fsync(dir)', 'close(dir)']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

failures('a missing folder fails at create and touches nothing else', async () => {
  const { dir, target } = folderWithTarget();
  try {
    const error = await writeFileDurably(join(dir, 'missing', 'state.json'), 'x').then(() => undefined, (e: unknown) => e);
    assert.is((error as DurableWriteError).step, 'create');
    assert.is(readFileSync(target, 'utf8'), 'old text\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

order.run();
failures.run();
