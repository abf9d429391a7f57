// Symbolic links in the config repository (a real Git remote, real clones) and in a --dir folder:
// nothing outside the clone or the folder is ever read or written, whatever the links say, and
// links that stay inside keep working.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, silentLogger } from '../../controller/log/logger.ts';
import type { Clock } from '../../controller/model/clock.ts';
import { readManifestFiles, resolveWritableFile } from '../../controller/sources/dir-manifest-files.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { GitSource, type GitSourceOptions } from '../../controller/sources/git-source.ts';
import { SourceError, type Snapshot } from '../../controller/model/source.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { commitFiles, git, startGitRemote, type GitRemote } from '../support/git-remote.ts';

const group = (name: string) => `apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: ${name}\nspec:\n  policyRef:\n    name: general\n`;
const status = { observedGeneration: 1 };
const instantClock: Clock = { now: () => 0, sleep: async () => undefined };

/** A folder outside every clone and source, holding a file the controller must never touch. */
function outsideFolder(): { dir: string; victim: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fw-outside-'));
  const text = group('victim');
  writeFileSync(join(dir, 'victim.yaml'), text);
  return { dir, victim: join(dir, 'victim.yaml'), text };
}

/** Commits symbolic links (path -> target, as given) on top of the remote's main branch. */
function pushLinks(remote: GitRemote, links: Readonly<Record<string, string>>, files: Readonly<Record<string, string>> = {}): void {
  const person = remote.clonePerson(`ada-${Math.random().toString(36).slice(2)}`);
  for (const [path, target] of Object.entries(links)) {
    mkdirSync(join(person, path, '..'), { recursive: true });
    symlinkSync(target, join(person, path));
  }
  commitFiles(person, files, 'links');
  git(person, ['push', '-q']);
}

function gitOptions(remote: GitRemote, path: string): GitSourceOptions {
  return { repo: remote.url, path, intervalMs: 0, clock: instantClock, logger: silentLogger(), status: { replaceStatus } };
}

async function rejection(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.instance(error, SourceError, `expected a SourceError, got ${String(error)}`);
  return error as SourceError;
}

const gitLinks = suite('Git source: symbolic links in the config repository');

gitLinks('--path that is a link to a folder outside the clone: sync and status write refuse, naming the link, and the outside file stays untouched', async () => {
  const outside = outsideFolder();
  const remote = await startGitRemote({ files: { 'README.md': '# config\n' } });
  pushLinks(remote, { manifests: outside.dir });
  const source = await GitSource.create(gitOptions(remote, 'manifests'));
  try {
    const error = await rejection(source.sync());
    assert.is(error.reason, 'SymlinkOutsideSource');
    assert.is(error.retryable, false);
    assert.match(error.message, `'manifests' is a symbolic link to '${outside.dir}'`);
    assert.match(error.message, 'Replace the link');
    const before = remote.head();
    const write = await rejection(
      source.writeStatus({ revision: before, summary: 'x', statuses: [{ path: 'manifests/victim.yaml', docIndex: 0, status }] }),
    );
    assert.is(write.reason, 'SymlinkOutsideSource');
    assert.is(readFileSync(outside.victim, 'utf8'), outside.text);
    assert.is(remote.head(), before, 'nothing pushed');
  } finally {
    await source.close();
    await remote.close();
    rmSync(outside.dir, { recursive: true, force: true });
  }
});

gitLinks('a file link to outside is left out and a status aimed at it is skipped', async () => {
  const outside = outsideFolder();
  const remote = await startGitRemote({ files: { 'manifests/lab.yaml': group('lab') } });
  pushLinks(remote, { 'manifests/evil.yaml': outside.victim });
  const source = await GitSource.create(gitOptions(remote, 'manifests'));
  try {
    const snapshot = await source.sync();
    assert.equal(snapshot.files.map((f) => f.path), ['manifests/lab.yaml']);
    assert.equal(snapshot.omitted, [{ path: 'manifests/evil.yaml', reason: 'a symbolic link' }]);
    const result = await source.writeStatus({ revision: snapshot.revision, summary: 'x', statuses: [{ path: 'manifests/evil.yaml', docIndex: 0, status }] });
    assert.not.ok(result.written);
    assert.is(readFileSync(outside.victim, 'utf8'), outside.text);
  } finally {
    await source.close();
    await remote.close();
    rmSync(outside.dir, { recursive: true, force: true });
  }
});

gitLinks('a file turned into a link to outside between reading and writing: the status writer checks again and refuses', async () => {
  const outside = outsideFolder();
  const remote = await startGitRemote({ files: { 'manifests/lab.yaml': group('lab') } });
  const source = await GitSource.create(gitOptions(remote, 'manifests'));
  try {
    const snapshot = await source.sync();
    const error = await rejection(
      source.writeStatus({
        revision: snapshot.revision,
        summary: 'x',
        statuses: (next: Snapshot) => {
          // Right after the writer read the files and before it writes them.
          rmSync(join(source.cloneDir, 'manifests', 'lab.yaml'));
          symlinkSync(outside.victim, join(source.cloneDir, 'manifests', 'lab.yaml'));
          return next.files.map((f) => ({ path: f.path, docIndex: 0, status }));
        },
      }),
    );
    assert.is(error.reason, 'SymlinkOutsideSource');
    assert.match(error.message, `'manifests/lab.yaml' is a symbolic link to '${outside.victim}'`);
    assert.is(readFileSync(outside.victim, 'utf8'), outside.text);
    assert.is(remote.head(), snapshot.revision, 'nothing pushed');
  } finally {
    await source.close();
    await remote.close();
    rmSync(outside.dir, { recursive: true, force: true });
  }
});

gitLinks('--path that is a link to a folder inside the repository works: the status commit goes into the real file and the link stays a link', async () => {
  const remote = await startGitRemote({ files: { 'releases/2026-03/lab.yaml': group('lab') } });
  pushLinks(remote, { current: 'releases/2026-03' });
  const source = await GitSource.create(gitOptions(remote, 'current'));
  try {
    const snapshot = await source.sync();
    assert.equal(snapshot.files.map((f) => f.path), ['current/lab.yaml']);
    const result = await source.writeStatus({ revision: snapshot.revision, summary: 'x', statuses: [{ path: 'current/lab.yaml', docIndex: 0, status }] });
    assert.ok(result.written);
    assert.match(git(remote.bareDir, ['show', 'main:releases/2026-03/lab.yaml']), 'status:\n  observedGeneration: 1\n');
    assert.match(git(remote.bareDir, ['ls-tree', 'main', 'current']), /^120000 /, 'still a symbolic link in the repository');
  } finally {
    await source.close();
    await remote.close();
  }
});

const dirLinks = suite('Folder source (--dir): symbolic links');

/** A --dir folder with `files` and `links` (path -> target, as given). */
function folder(files: Readonly<Record<string, string>>, links: Readonly<Record<string, string>> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-dir-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  for (const [path, target] of Object.entries(links)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    symlinkSync(target, join(dir, path));
  }
  return dir;
}

dirLinks('--path that is a link to a folder outside --dir: sync and status write refuse and the outside file stays untouched', async () => {
  const outside = outsideFolder();
  const dir = folder({ 'README.md': 'x\n' }, { cfg: outside.dir });
  const source = new DirSource({ dir, path: 'cfg', logger: silentLogger(), replaceStatus });
  try {
    const error = await rejection(source.sync());
    assert.is(error.reason, 'SymlinkOutsideSource');
    assert.match(error.message, `'cfg' is a symbolic link to '${outside.dir}'`);
    const write = await rejection(source.writeStatus({ revision: 'dir:x', summary: 'x', statuses: [{ path: 'cfg/victim.yaml', docIndex: 0, status }] }));
    assert.is(write.reason, 'SymlinkOutsideSource');
    assert.is(readFileSync(outside.victim, 'utf8'), outside.text);
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside.dir, { recursive: true, force: true });
  }
});

dirLinks('a file link to outside is left out with where it points; a link to a shared file inside gets its status and stays a link', async () => {
  const outside = outsideFolder();
  const dir = folder({ 'common/lab.yaml': group('lab') }, { 'manifests/lab.yaml': '../common/lab.yaml', 'manifests/evil.yaml': outside.victim });
  const source = new DirSource({ dir, path: 'manifests', logger: silentLogger(), replaceStatus });
  try {
    const snapshot = await source.sync();
    assert.equal(snapshot.files.map((f) => f.path), ['manifests/lab.yaml']);
    assert.equal(snapshot.omitted, [{ path: 'manifests/evil.yaml', reason: `a symbolic link to '${outside.victim}', outside the source` }]);
    const result = await source.writeStatus({
      revision: snapshot.revision,
      summary: 'x',
      statuses: [
        { path: 'manifests/lab.yaml', docIndex: 0, status },
        { path: 'manifests/evil.yaml', docIndex: 0, status },
      ],
    });
    assert.equal(result.files, ['manifests/lab.yaml']);
    assert.match(readFileSync(join(dir, 'common', 'lab.yaml'), 'utf8'), 'status:\n  observedGeneration: 1\n');
    assert.ok(lstatSync(join(dir, 'manifests', 'lab.yaml')).isSymbolicLink(), 'the link is kept');
    assert.is(readlinkSync(join(dir, 'manifests', 'lab.yaml')), '../common/lab.yaml');
    assert.is(readFileSync(outside.victim, 'utf8'), outside.text);
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside.dir, { recursive: true, force: true });
  }
});

dirLinks('a link left out is named in a warning once per new revision, so the person who planted it can be found', async () => {
  const outside = outsideFolder();
  const dir = folder({ 'lab.yaml': group('lab') }, { 'evil.yaml': outside.victim });
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } });
  const source = new DirSource({ dir, logger, replaceStatus });
  try {
    await source.sync();
    await source.sync();
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; omitted: unknown; count: number }).filter((l) => l.msg === 'files left out of the snapshot');
    assert.is(warnings.length, 1);
    assert.equal(warnings[0]!.omitted, [{ path: 'evil.yaml', reason: `a symbolic link to '${outside.victim}', outside the source` }]);
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside.dir, { recursive: true, force: true });
  }
});

dirLinks('a file swapped for a link to outside (same text) between reading and writing: refused, the outside file untouched', async () => {
  const outside = outsideFolder();
  const dir = folder({ 'victim.yaml': outside.text });
  const source = new DirSource({ dir, logger: silentLogger(), replaceStatus });
  try {
    const snapshot = await source.sync();
    const error = await rejection(
      source.writeStatus({
        revision: snapshot.revision,
        summary: 'x',
        statuses: () => {
          rmSync(join(dir, 'victim.yaml'));
          symlinkSync(outside.victim, join(dir, 'victim.yaml'));
          return [{ path: 'victim.yaml', docIndex: 0, status }];
        },
      }),
    );
    assert.is(error.reason, 'SymlinkOutsideSource');
    assert.is(readFileSync(outside.victim, 'utf8'), outside.text);
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside.dir, { recursive: true, force: true });
  }
});

const paths = suite('readManifestFiles and resolveWritableFile: real paths');

paths('a link anywhere on the way to the start, or a start that is a file link, is judged by where it leads', async () => {
  const outside = outsideFolder();
  mkdirSync(join(outside.dir, 'prod'));
  writeFileSync(join(outside.dir, 'prod', 'a.yaml'), 'a: 1\n');
  const root = folder({ 'real/one.yaml': 'one: 1\n' }, { config: outside.dir, 'single.yaml': outside.victim, 'inside.yaml': 'real/one.yaml', alias: 'real' });
  const linkedRoot = join(mkdtempSync(join(tmpdir(), 'fw-root-link-')), 'root');
  symlinkSync(root, linkedRoot);
  try {
    const deep = await rejection(readManifestFiles(root, 'config/prod'));
    assert.is(deep.reason, 'SymlinkOutsideSource');
    assert.match(deep.message, `the path 'config/prod' leads outside the source: 'config' is a symbolic link to '${outside.dir}'`);
    assert.is((await rejection(readManifestFiles(root, 'single.yaml'))).reason, 'SymlinkOutsideSource');
    assert.equal((await readManifestFiles(root, 'inside.yaml')).files, [{ path: 'inside.yaml', text: 'one: 1\n' }]);
    assert.equal((await readManifestFiles(root, 'alias')).files, [{ path: 'alias/one.yaml', text: 'one: 1\n' }]);
    // The root itself may be a link (an operator's choice): what counts is what lies under it.
    assert.equal((await readManifestFiles(linkedRoot, 'real')).files, [{ path: 'real/one.yaml', text: 'one: 1\n' }]);
    assert.is(await resolveWritableFile(linkedRoot, 'alias/one.yaml'), join(root, 'real', 'one.yaml'));
    assert.is((await rejection(resolveWritableFile(root, 'config/victim.yaml'))).reason, 'SymlinkOutsideSource');
    assert.is((await rejection(resolveWritableFile(root, 'single.yaml'))).reason, 'SymlinkOutsideSource');
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(join(linkedRoot, '..'), { recursive: true, force: true });
    rmSync(outside.dir, { recursive: true, force: true });
  }
});

gitLinks.run();
dirLinks.run();
paths.run();
