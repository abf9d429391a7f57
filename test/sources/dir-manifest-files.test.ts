// Reading manifest files with bounds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isManifestFileName, readManifestFiles, resolveInside } from '../../controller/sources/dir-manifest-files.ts';
import { SourceError } from '../../controller/model/source.ts';

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'fw-files-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const read = suite('readManifestFiles');

read('bounds: a too-large or non-UTF-8 file is omitted and reported; the rest is read', async () => {
  const root = tree({ 'a.yaml': 'a: 1\n', 'big.yaml': 'x'.repeat(100), 'bin.yml': Buffer.from([0xff, 0xfe, 0x00]), 'bom.yaml': '\ufeffb: 2\n' });
  try {
    const { files, omitted } = await readManifestFiles(root, '.', { limits: { maxFileBytes: 50, maxTotalBytes: 1000, maxFiles: 10 } });
    assert.equal(files.map((f) => f.path), ['a.yaml', 'bom.yaml']);
    assert.is(files[1]!.text, '\ufeffb: 2\n', 'a byte-order mark is kept, so writing back changes no byte');
    assert.equal(omitted, [{ path: 'big.yaml', reason: 'larger than 50 bytes' }, { path: 'bin.yml', reason: 'not valid UTF-8' }]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

read('too many files or bytes in all fail the read as SourceTooLarge', async () => {
  const root = tree({ 'a.yaml': 'a: 1\n', 'b.yaml': 'b: 2\n', 'c.yaml': 'c: 3\n' });
  try {
    for (const limits of [{ maxFileBytes: 100, maxTotalBytes: 100, maxFiles: 2 }, { maxFileBytes: 100, maxTotalBytes: 10, maxFiles: 10 }]) {
      const error = await readManifestFiles(root, '.', { limits }).then(() => undefined, (e: unknown) => e);
      assert.instance(error, SourceError);
      assert.is((error as SourceError).reason, 'SourceTooLarge');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

read('a path that does not exist is an InvalidSourceConfig error; a single file works', async () => {
  const root = tree({ 'sub/a.yaml': 'a: 1\n' });
  try {
    const error = await readManifestFiles(root, 'nope').then(() => undefined, (e: unknown) => e);
    assert.is((error as SourceError).reason, 'InvalidSourceConfig');
    assert.equal((await readManifestFiles(root, 'sub/a.yaml')).files.map((f) => f.path), ['sub/a.yaml']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

read('node_modules is skipped: a config repository that installs firmwarden with npm holds its examples there', async () => {
  const root = tree({ 'groups/lab.yaml': 'a: 1\n', 'node_modules/firmwarden/examples/groups/lab.yaml': 'a: 1\n', 'tools/node_modules/x/ci.yaml': 'b: 2\n' });
  try {
    const { files, omitted } = await readManifestFiles(root, '.');
    assert.equal(files.map((f) => f.path), ['groups/lab.yaml']);
    assert.equal(omitted, []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

const names = suite('manifest names and paths');

names('only visible *.yaml / *.yml files; paths must stay inside the root', () => {
  assert.ok(isManifestFileName('a.yaml'));
  assert.ok(isManifestFileName('a.yml'));
  assert.not.ok(isManifestFileName('.a.yaml'));
  assert.not.ok(isManifestFileName('a.json'));
  assert.is(resolveInside('/r', 'x/../y'), '/r/y');
  assert.is(resolveInside('/r', '.'), '/r');
  for (const bad of ['..', '../x', '/etc', 'x/../../y']) assert.throws(() => resolveInside('/r', bad));
});

read.run();
names.run();
