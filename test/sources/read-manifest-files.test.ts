// What `firmwarden lint PATH…` reads: expansion of directories and globs, order, limits
// checked before reading, and text that is not UTF-8.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { firstInvalidUtf8, readManifestInputs } from '../../controller/sources/read-manifest-files.ts';

let dir = '';
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'firmwarden-read-'));
  for (const d of ['b/sub', 'a', '.git', '.github/workflows', 'node_modules/x']) mkdirSync(join(dir, d), { recursive: true });
  for (const f of ['b/sub/z.yml', 'b/y.yaml', 'a/x.yaml', 'a/notes.txt', '.git/config.yaml', '.github/workflows/ci.yml', 'node_modules/x/p.yaml', 'top.yaml']) writeFileSync(join(dir, f), 'a: 1\n');
  symlinkSync(join(dir, 'b'), join(dir, 'b/sub/loop'));
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

const read = (inputs: string[], max = 1024 * 1024, stdin = '') => readManifestInputs(inputs, { cwd: dir, maxFileBytes: max, stdin: Readable.from(stdin ? [stdin] : []) });

test('a directory is read recursively: YAML only, hidden folders and node_modules skipped, sorted', async () => {
  const r = await read(['.']);
  assert.equal(r.files.map((f) => f.path), ['a/x.yaml', 'b/sub/z.yml', 'b/y.yaml', 'top.yaml']);
  assert.equal(r.problems, []);
  assert.is(r.fileCount, 4);
});

test('a file named explicitly is read whatever its name; duplicates are read once', async () => {
  const r = await read(['a/notes.txt', 'a', 'a/x.yaml']);
  assert.equal(r.files.map((f) => f.path), ['a/notes.txt', 'a/x.yaml']);
});

test('globs expand relative to the working directory', async () => {
  const r = await read(['b/**/*.y*ml']);
  assert.equal(r.files.map((f) => f.path), ['b/sub/z.yml', 'b/y.yaml']);
  const none = await read(['c/*.yaml']);
  assert.equal(none.problems, ["no file matches 'c/*.yaml'"]);
});

test('a missing path is a problem, the rest is still read', async () => {
  const r = await read(['nope.yaml', 'top.yaml']);
  assert.equal(r.problems, ["'nope.yaml': no such file or directory"]);
  assert.equal(r.files.map((f) => f.path), ['top.yaml']);
});

test('a file over the limit is refused from its size, without being read', async () => {
  const fd = openSync(join(dir, 'huge.yaml'), 'w');
  ftruncateSync(fd, 30 * 1024 * 1024);
  closeSync(fd);
  const r = await read(['huge.yaml']);
  assert.equal(r.files, []);
  assert.equal(r.findings.map((f) => [f.file, f.rule]), [['huge.yaml', 'file-too-large']]);
  rmSync(join(dir, 'huge.yaml'));
});

test('stdin is read up to the limit', async () => {
  const ok = await read(['-'], 100, 'a: 1\n');
  assert.equal(ok.files, [{ path: '<stdin>', text: 'a: 1\n' }]);
  const big = await read(['-'], 100, 'x'.repeat(500));
  assert.equal(big.findings.map((f) => f.rule), ['file-too-large']);
});

test('invalid UTF-8 is one finding at the first bad byte', async () => {
  writeFileSync(join(dir, 'latin1.yaml'), Buffer.from('a: 1\nname: caf\xe9\n', 'latin1'));
  const r = await read(['latin1.yaml']);
  assert.equal(r.findings.map((f) => [f.rule, f.line, f.column]), [['file-binary', 2, 10]]);
  assert.match(r.findings[0]!.message, /byte 0xe9 at line 2, column 10/);
  rmSync(join(dir, 'latin1.yaml'));
});

test('UTF-16 is recognised; a UTF-8 byte-order mark is dropped', async () => {
  writeFileSync(join(dir, 'u16.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: 1\n', 'utf16le')]));
  writeFileSync(join(dir, 'bom.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a: 1\n')]));
  const r = await read(['u16.yaml', 'bom.yaml']);
  assert.match(r.findings[0]!.message, /UTF-16/);
  assert.equal(r.files, [{ path: 'bom.yaml', text: 'a: 1\n' }]);
});

test('firstInvalidUtf8 finds truncated and overlong sequences', () => {
  assert.is(firstInvalidUtf8(Buffer.from([0x61, 0xc3])), 1);
  assert.is(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80])), 1);
  assert.is(firstInvalidUtf8(Buffer.from([0xe2, 0x82, 0xac, 0xff])), 3);
});

test.run();
