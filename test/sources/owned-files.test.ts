// Files written with the statuses (the fleet report): in the same commit as the statuses against
// a real remote, never a commit when their text is unchanged, recomputed after a lost race, and
// written in place in a folder; never through a link, never under a manifest name.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../controller/log/logger.ts';
import type { Clock } from '../../controller/model/clock.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { DirSource } from '../../controller/sources/dir-source.ts';
import { GitSource, type GitSourceOptions } from '../../controller/sources/git-source.ts';
import { writeOwnedFile } from '../../controller/sources/owned-files.ts';
import type { Snapshot, StatusUpdate } from '../../controller/model/source.ts';
import { SourceError } from '../../controller/model/source.ts';
import { commitFiles, git, startGitRemote, type GitRemote } from '../support/git-remote.ts';

const lab = `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: lab
spec:
  policyRef: { name: lab }
`;
const files = { 'fleet/groups/lab.yaml': lab };
const instantClock: Clock = { now: () => 0, sleep: async () => undefined };
const options = (remote: GitRemote): GitSourceOptions => ({ repo: remote.url, path: 'fleet', intervalMs: 0, clock: instantClock, logger: silentLogger(), status: { replaceStatus } });
const status = (generation: number): StatusUpdate[] => [
  { path: 'fleet/groups/lab.yaml', docIndex: 0, status: { observedGeneration: generation }, key: { kind: 'DeviceGroup', name: 'lab' } },
];
const count = (remote: GitRemote) => Number(git(remote.bareDir, ['rev-list', '--count', 'main']).trim());

const gitFiles = suite('files written with a status commit (Git)');

gitFiles('go into the statuses\' commit; an unchanged text makes no commit; a changed text alone makes one', async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote));
  try {
    const snapshot = await source.sync();
    const first = await source.writeStatus({ revision: snapshot.revision, summary: 's', statuses: status(1), files: [{ path: 'fleet/FLEET.md', text: '# Fleet\n\n1 device\n' }] });
    assert.ok(first.written);
    assert.equal([...first.files].sort(), ['fleet/FLEET.md', 'fleet/groups/lab.yaml']);
    assert.equal(git(remote.bareDir, ['diff', '--name-only', 'main~1', 'main']).trim().split('\n'), ['fleet/FLEET.md', 'fleet/groups/lab.yaml']);
    assert.is(git(remote.bareDir, ['show', 'main:fleet/FLEET.md']), '# Fleet\n\n1 device\n');
    const before = count(remote);
    const same = await source.writeStatus({ revision: snapshot.revision, summary: 's', statuses: status(1), files: [{ path: 'fleet/FLEET.md', text: '# Fleet\n\n1 device\n' }] });
    assert.not.ok(same.written);
    assert.is(count(remote), before);
    const reportOnly = await source.writeStatus({ revision: snapshot.revision, summary: 's', statuses: status(1), files: [{ path: 'fleet/FLEET.md', text: '# Fleet\n\n2 devices\n' }] });
    assert.ok(reportOnly.written);
    assert.equal(reportOnly.files, ['fleet/FLEET.md']);
    assert.is(count(remote), before + 1);
    // Not a manifest: the controller's own report commit is no spec change.
    const next = await source.sync();
    assert.not.ok(next.specChanged);
    assert.not.ok(next.files.some((f) => f.path.endsWith('FLEET.md')));
  } finally {
    await source.close();
    await remote.close();
  }
});

gitFiles('recomputed on the new revision after a person\'s push wins the race', async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote));
  try {
    const snapshot = await source.sync();
    const person = remote.clonePerson('ada');
    remote.beforeNextPush(() => {
      commitFiles(person, { 'fleet/groups/annex.yaml': lab.replace('name: lab', 'name: annex') }, 'annex');
      git(person, ['push', '-q']);
    });
    const result = await source.writeStatus({
      revision: snapshot.revision,
      summary: 's',
      statuses: status(1),
      files: (next: Snapshot) => [{ path: 'fleet/FLEET.md', text: `${next.files.length} manifest files\n` }],
    });
    assert.is(result.attempts, 2);
    assert.is(git(remote.bareDir, ['show', 'main:fleet/FLEET.md']), '2 manifest files\n');
  } finally {
    await source.close();
    await remote.close();
  }
});

const dirFiles = suite('files written with the statuses (folder)');

dirFiles('written in place when their text changed, not otherwise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-owned-'));
  mkdirSync(join(dir, 'groups'));
  writeFileSync(join(dir, 'groups/lab.yaml'), lab);
  const source = new DirSource({ dir, replaceStatus, logger: silentLogger() });
  try {
    const snapshot = await source.sync();
    const report = [{ path: 'FLEET.md', text: '# Fleet\n' }];
    const statuses: StatusUpdate[] = [{ path: 'groups/lab.yaml', docIndex: 0, status: { observedGeneration: 1 } }];
    const first = await source.writeStatus({ revision: snapshot.revision, summary: 's', statuses, files: report });
    assert.equal([...first.files].sort(), ['FLEET.md', 'groups/lab.yaml']);
    assert.is(readFileSync(join(dir, 'FLEET.md'), 'utf8'), '# Fleet\n');
    const again = await source.writeStatus({ revision: first.revision, summary: 's', statuses, files: report });
    assert.not.ok(again.written);
    const changed = await source.writeStatus({ revision: first.revision, summary: 's', statuses, files: [{ path: 'FLEET.md', text: '# Fleet 2\n' }] });
    assert.equal([changed.written, changed.files, changed.revision], [true, ['FLEET.md'], first.revision]);
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const guard = suite('writeOwnedFile');

guard('never writes through a folder link, over a folder, or under a manifest name', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fw-owned-'));
  const outside = mkdtempSync(join(tmpdir(), 'fw-outside-'));
  try {
    symlinkSync(outside, join(root, 'docs'));
    mkdirSync(join(root, 'FLEET.md'));
    for (const [path, why] of [['docs/FLEET.md', 'docs is not a folder'], ['FLEET.md', 'a folder is there'], ['fleet.yaml', 'read as a manifest'], ['../x.md', 'inside the repository']] as const) {
      const error = await writeOwnedFile(root, { path, text: 'x' }).then(() => undefined, (e: unknown) => e);
      assert.instance(error, SourceError, path);
      assert.match((error as Error).message, why);
    }
    assert.ok(await writeOwnedFile(root, { path: 'reports/fleet/FLEET.md', text: 'x' }), 'missing folders are created');
    assert.not.ok(await writeOwnedFile(root, { path: 'reports/fleet/FLEET.md', text: 'x' }));
    symlinkSync(join(outside, 'target.md'), join(root, 'link.md'));
    assert.ok(await writeOwnedFile(root, { path: 'link.md', text: 'y' }));
    assert.throws(() => readFileSync(join(outside, 'target.md')), 'the link was replaced, not followed');
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

gitFiles.run();
dirFiles.run();
guard.run();
