// GitSource against a real smart-HTTP remote: cloning, what a snapshot holds, force pushes,
// an unreachable remote, credentials that never leak, and the poller.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, silentLogger } from '../../controller/log/logger.ts';
import { ManualClock } from '../../controller/model/clock.ts';
import { GitSource, type GitSourceOptions } from '../../controller/sources/git-source.ts';
import { SourceError } from '../../controller/model/source.ts';
import { commitFiles, git, startGitRemote } from '../support/git-remote.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';

const group = (name: string, extra = '') => `apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: ${name}\nspec:\n  policyRef:\n    name: general\n${extra}`;

const initialFiles = {
  'README.md': '# config\n',
  'manifests/groups/lab.yaml': group('lab'),
  'manifests/groups/rooms.yml': `# two groups\n${group('rooms-a')}---\n${group('rooms-b')}`,
  'manifests/notes.txt': 'not a manifest\n',
  'manifests/.github/workflows/ci.yml': 'on: push\n',
  'other/outside.yaml': group('outside'),
};

function options(repo: string, extra: Partial<GitSourceOptions> = {}): GitSourceOptions {
  return { repo, path: 'manifests', intervalMs: 0, logger: silentLogger(), status: { replaceStatus }, ...extra };
}

/** Every file under `dir`, recursively. */
function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...allFiles(path));
    else out.push(path);
  }
  return out;
}

const sync = suite('GitSource.sync');

sync('reads only *.yaml/*.yml under the path, skipping hidden folders, sorted, with repository-relative paths', async () => {
  const remote = await startGitRemote({ files: initialFiles });
  const source = await GitSource.create(options(remote.url));
  try {
    const snapshot = await source.sync();
    assert.is(snapshot.revision, remote.head());
    assert.equal(snapshot.files.map((f) => f.path), ['manifests/groups/lab.yaml', 'manifests/groups/rooms.yml']);
    assert.is(snapshot.files[1]!.text, initialFiles['manifests/groups/rooms.yml']);
    assert.ok(snapshot.changed);
    assert.ok(snapshot.specChanged);
    const again = await source.sync();
    assert.is(again.revision, snapshot.revision);
    assert.not.ok(again.changed);
    assert.not.ok(again.specChanged);
  } finally {
    await source.close();
    await remote.close();
  }
});

sync('follows new commits and marks a comment-only edit as no spec change', async () => {
  const remote = await startGitRemote({ files: initialFiles });
  const source = await GitSource.create(options(remote.url));
  try {
    const first = await source.sync();
    const person = remote.clonePerson('ada');
    commitFiles(person, { 'manifests/groups/lab.yaml': `# the lab\n${group('lab')}` }, 'comment');
    git(person, ['push', '-q']);
    const commented = await source.sync();
    assert.ok(commented.changed);
    assert.not.ok(commented.specChanged);
    commitFiles(person, { 'manifests/groups/lab.yaml': group('lab', '  selector:\n    deviceTypes: [teamsRoom]\n') }, 'spec');
    git(person, ['push', '-q']);
    const edited = await source.sync();
    assert.ok(edited.specChanged);
  } finally {
    await source.close();
    await remote.close();
  }
});

sync('a force-pushed history replaces the old one: the snapshot is the new head', async () => {
  const remote = await startGitRemote({ files: initialFiles });
  const source = await GitSource.create(options(remote.url, { shallow: false }));
  try {
    const person = remote.clonePerson('ada');
    commitFiles(person, { 'manifests/groups/extra.yaml': group('extra') }, 'add extra');
    git(person, ['push', '-q']);
    const before = await source.sync();
    assert.ok(before.files.some((f) => f.path === 'manifests/groups/extra.yaml'));
    // Rewrite: drop the last commit and put another one in its place.
    git(person, ['reset', '-q', '--hard', 'HEAD~1']);
    commitFiles(person, { 'manifests/groups/lab.yaml': group('lab-renamed') }, 'rewritten');
    git(person, ['push', '-q', '--force']);
    const after = await source.sync();
    assert.is(after.revision, remote.head());
    assert.is.not(after.revision, before.revision);
    assert.not.ok(after.files.some((f) => f.path === 'manifests/groups/extra.yaml'));
    assert.match(after.files.find((f) => f.path === 'manifests/groups/lab.yaml')!.text, 'lab-renamed');
    assert.is(git(source.cloneDir, ['rev-parse', 'HEAD']).trim(), after.revision);
  } finally {
    await source.close();
    await remote.close();
  }
});

sync('an unreachable remote fails retryably, keeps the last snapshot, and recovers', async () => {
  const remote = await startGitRemote({ files: initialFiles });
  const source = await GitSource.create(options(remote.url, { timeoutMs: 20_000 }));
  try {
    const good = await source.sync();
    remote.setReachable(false);
    const person = remote.clonePerson('ada');
    commitFiles(person, { 'manifests/groups/new.yaml': group('new') }, 'while down');
    git(person, ['push', '-q']);
    let failure: unknown;
    try {
      await source.sync();
    } catch (error) {
      failure = error;
    }
    assert.instance(failure, SourceError);
    const error = failure as SourceError;
    assert.is(error.reason, 'SourceUnavailable');
    assert.ok(error.retryable);
    assert.is(error.lastSnapshot?.revision, good.revision);
    assert.is(source.lastSnapshot?.revision, good.revision);
    remote.setReachable(true);
    const recovered = await source.sync();
    assert.is(recovered.revision, remote.head());
    assert.ok(recovered.files.some((f) => f.path === 'manifests/groups/new.yaml'));
  } finally {
    await source.close();
    await remote.close();
  }
});

sync('a missing branch is a non-retryable BranchNotFound', async () => {
  const remote = await startGitRemote({ files: initialFiles });
  const source = await GitSource.create(options(remote.url, { branch: 'nope' }));
  try {
    const error = await source.sync().then(() => undefined, (e: unknown) => e);
    assert.instance(error, SourceError);
    assert.is((error as SourceError).reason, 'BranchNotFound');
    assert.not.ok((error as SourceError).retryable);
  } finally {
    await source.close();
    await remote.close();
  }
});

sync('a local path works as --repo, and --path outside the repository is refused', async () => {
  const remote = await startGitRemote({ files: initialFiles });
  const source = await GitSource.create(options(remote.bareDir, { path: 'manifests/groups' }));
  try {
    const snapshot = await source.sync();
    assert.is(snapshot.files.length, 2);
    const error = await GitSource.create(options(remote.bareDir, { path: '../../etc' })).then(() => undefined, (e: unknown) => e);
    assert.instance(error, SourceError);
    assert.is((error as SourceError).reason, 'InvalidSourceConfig');
  } finally {
    await source.close();
    await remote.close();
  }
});

sync('a restart reuses the clone in the data dir, even after a crash left a lock file; another remote re-creates it', async () => {
  const remote = await startGitRemote({ files: initialFiles });
  const other = await startGitRemote({ files: { 'manifests/only.yaml': group('only') } });
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-data-'));
  try {
    const first = await GitSource.create(options(remote.url, { dataDir }));
    const before = await first.sync();
    await first.close();
    writeFileSync(join(dataDir, 'repo', '.git', 'index.lock'), '');
    const restarted = await GitSource.create(options(remote.url, { dataDir }));
    const after = await restarted.sync();
    assert.is(after.revision, before.revision);
    await restarted.close();
    const moved = await GitSource.create(options(other.url, { dataDir }));
    const elsewhere = await moved.sync();
    assert.equal(elsewhere.files.map((f) => f.path), ['manifests/only.yaml']);
    assert.is(git(join(dataDir, 'repo'), ['config', '--get', 'remote.origin.url']).trim(), other.url);
    await moved.close();
  } finally {
    await remote.close();
    await other.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

sync('a crash in the middle of a fetch, reset or push leaves ref locks behind; the restarted source clears them and syncs', async () => {
  const remote = await startGitRemote({ files: initialFiles });
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-data-'));
  try {
    const first = await GitSource.create(options(remote.url, { dataDir }));
    await first.sync();
    await first.close();
    // What a SIGKILL during `git reset --hard` / `git push` / `git fetch` left in a real run (npm run chaos).
    const gitDir = join(dataDir, 'repo', '.git');
    for (const lock of ['refs/heads/main.lock', 'refs/remotes/origin/main.lock', 'HEAD.lock', 'ORIG_HEAD.lock', 'packed-refs.lock']) writeFileSync(join(gitDir, lock), '');
    const person = remote.clonePerson('ada');
    commitFiles(person, { 'manifests/late.yaml': group('late') }, 'Add a group');
    git(person, ['push', '-q', 'origin', 'HEAD:main']);
    const restarted = await GitSource.create(options(remote.url, { dataDir }));
    const after = await restarted.sync();
    assert.is(after.revision, remote.head());
    assert.ok(after.files.some((f) => f.path === 'manifests/late.yaml'));
    await restarted.close();
  } finally {
    await remote.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

const credentials = suite('GitSource credentials');

credentials('an https token reaches the server but never the logs, errors or any file of the clone', async () => {
  const token = 'tok_7f3a9c1e5b2d48a6';
  const remote = await startGitRemote({ files: initialFiles, token });
  const dataDir = mkdtempSync(join(tmpdir(), 'fw-data-'));
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', destination: { write: (s: string) => void lines.push(s) } });
  const source = await GitSource.create(options(remote.url, { dataDir, logger, auth: { kind: 'token', token } }));
  try {
    const snapshot = await source.sync();
    await source.writeStatus({ revision: snapshot.revision, summary: 'lab', statuses: [{ path: 'manifests/groups/lab.yaml', docIndex: 0, status: { observedGeneration: 1 } }] });
    assert.ok(remote.unauthorized >= 1, 'the server challenged');
    const expected = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    assert.ok(remote.authorizations.includes(expected), 'the token went over the wire');
    for (const path of allFiles(dataDir)) {
      assert.not.ok(readFileSync(path).includes(token), `token found in ${path}`);
    }
    assert.not.match(readFileSync(join(source.cloneDir, '.git', 'config'), 'utf8'), token);
    remote.setReachable(false);
    const error = await source.sync().then(() => undefined, (e: unknown) => e);
    assert.instance(error, SourceError);
    assert.not.match(String((error as Error).message), token);
    assert.not.match(JSON.stringify(error), token);
  } finally {
    await source.close();
    await remote.close();
  }
  assert.ok(lines.length > 0);
  assert.not.ok(lines.join('').includes(token), 'token in the logs');
  rmSync(dataDir, { recursive: true, force: true });
});

credentials('a wrong token is a non-retryable AuthenticationFailed that does not repeat the token', async () => {
  const remote = await startGitRemote({ files: initialFiles, token: 'right-token' });
  const scratch = mkdtempSync(join(tmpdir(), 'fw-tok-'));
  const tokenFile = join(scratch, 'token');
  writeFileSync(tokenFile, 'wrong-token\n');
  const source = await GitSource.create(options(remote.url, { auth: { kind: 'token', tokenFile } }));
  try {
    const error = await source.sync().then(() => undefined, (e: unknown) => e);
    assert.instance(error, SourceError);
    assert.is((error as SourceError).reason, 'AuthenticationFailed');
    assert.not.ok((error as SourceError).retryable);
    assert.not.match((error as Error).message, 'wrong-token');
    // The file is read before every command: a rotated secret works without a restart.
    writeFileSync(tokenFile, 'right-token\n');
    const snapshot = await source.sync();
    assert.is(snapshot.revision, remote.head());
  } finally {
    await source.close();
    await remote.close();
    rmSync(scratch, { recursive: true, force: true });
  }
});

credentials('a repository URL carrying credentials is refused before anything is written', async () => {
  const error = await GitSource.create(options('https://user:secret@example.com/config.git')).then(() => undefined, (e: unknown) => e);
  assert.instance(error, SourceError);
  assert.is((error as SourceError).reason, 'InvalidSourceConfig');
  assert.not.match((error as Error).message, 'secret');
});

const poll = suite('GitSource poller');

poll('notifies subscribers when the remote head moves, and the webhook path notifies at once', async () => {
  const remote = await startGitRemote({ files: initialFiles });
  const clock = new ManualClock(0);
  const source = await GitSource.create(options(remote.url, { intervalMs: 60_000, clock }));
  try {
    await source.sync();
    const reasons: string[] = [];
    let notify: () => void = () => undefined;
    const unsubscribe = source.subscribe((reason) => {
      reasons.push(reason);
      notify();
    });
    source.requestSync('webhook');
    assert.equal(reasons, ['webhook']);
    const person = remote.clonePerson('ada');
    commitFiles(person, { 'manifests/groups/lab.yaml': group('lab', '  paused: true\n') }, 'edit');
    git(person, ['push', '-q']);
    const notified = new Promise<void>((resolve) => (notify = resolve));
    clock.advance(60_000);
    await notified;
    assert.equal(reasons, ['webhook', 'poll']);
    unsubscribe();
  } finally {
    await source.close();
    await remote.close();
  }
});

sync.run();
credentials.run();
poll.run();
