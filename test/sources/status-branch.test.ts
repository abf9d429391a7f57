// Status commits on a repository whose main branch the controller may not push to: a real bare
// remote with a pre-receive hook refusing every update of refs/heads/main that comes over HTTP
// (the controller's way in), while people push to the bare path as before. Without
// --status-branch the refusal is reported once, with what to do; with it, statuses (and files
// written with them) go to the status branch, which follows main, and are read back from it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { silentLogger } from '../../controller/log/logger.ts';
import type { Clock } from '../../controller/model/clock.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';
import { GitSource, type GitSourceOptions } from '../../controller/sources/git-source.ts';
import type { StatusUpdate } from '../../controller/model/source.ts';
import { SourceError } from '../../controller/model/source.ts';
import { commitFiles, git, startGitRemote, type GitRemote } from '../support/git-remote.ts';

const lab = `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: lab   # the lab
spec:
  policyRef: { name: lab }
`;
const policy = `apiVersion: firmwarden.dev/v1alpha1
kind: UpdatePolicy
metadata:
  name: lab
spec:
  firmware: { phase: Test }
`;
const files = { 'groups/lab.yaml': lab, 'policies/lab.yaml': policy };

/** Refuses updates of main pushed over HTTP (http-backend sets REMOTE_USER); people push locally. */
function protectMain(remote: GitRemote): { readonly refused: () => number } {
  const counter = join(remote.root, 'refused');
  writeFileSync(counter, '');
  const hook = join(remote.bareDir, 'hooks', 'pre-receive');
  writeFileSync(
    hook,
    `#!/bin/sh
while read old new ref; do
  if [ "$ref" = "refs/heads/main" ] && [ -n "$REMOTE_USER" ]; then
    echo x >> '${counter}'
    echo "main is protected: changes go through pull requests" >&2
    exit 1
  fi
done
exit 0
`,
  );
  chmodSync(hook, 0o755);
  return { refused: () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length };
}

const instantClock: Clock = { now: () => 0, sleep: async () => undefined };

function options(remote: GitRemote, extra: Partial<GitSourceOptions> = {}): GitSourceOptions {
  return { repo: remote.url, intervalMs: 0, clock: instantClock, logger: silentLogger(), status: { replaceStatus }, ...extra };
}

const ready = (message: string) => ({ observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'UpToDate', message }] });
const labStatus = (message: string): StatusUpdate => ({ path: 'groups/lab.yaml', docIndex: 0, status: ready(message), key: { kind: 'DeviceGroup', name: 'lab' } });

const refused = suite('a protected main without --status-branch');

refused('the refusal is reported at once as StatusWriteFailed naming --status-branch, not retried as a race', async () => {
  const remote = await startGitRemote({ files });
  const guard = protectMain(remote);
  const source = await GitSource.create(options(remote));
  try {
    const snapshot = await source.sync();
    const error = await source.writeStatus({ revision: snapshot.revision, summary: 'x', statuses: [labStatus('ok')] }).then(() => undefined, (e: unknown) => e);
    assert.instance(error, SourceError);
    assert.is((error as SourceError).reason, 'StatusWriteFailed');
    assert.not.ok((error as SourceError).retryable);
    assert.match((error as SourceError).message, 'hook declined');
    assert.match((error as SourceError).message, '--status-branch');
    assert.is(guard.refused(), 1, 'one push, not five');
    assert.is(remote.head(), snapshot.revision);
  } finally {
    await source.close();
    await remote.close();
  }
});

const branch = suite('--status-branch on a protected main');

const report = (text: string) => [{ path: 'FLEET.md', text }];
const calendar = { releases: [{ model: 'Bar', softwareType: 'firmware' as const, version: '1.1', firstSeen: Date.parse('2026-11-01T00:00:00Z') }], rollouts: {} };

branch('status commits go to the status branch, main + status; main is never pushed to', async () => {
  const remote = await startGitRemote({ files });
  const guard = protectMain(remote);
  const source = await GitSource.create(options(remote, { statusBranch: 'firmwarden/status' }));
  try {
    const snapshot = await source.sync();
    assert.is(snapshot.revision, remote.head());
    const result = await source.writeStatus({ revision: snapshot.revision, summary: '1 group ready', statuses: [labStatus('first')], files: report('# one\n'), calendar });
    assert.ok(result.written);
    assert.is(guard.refused(), 0);
    assert.is(remote.head(), snapshot.revision, 'main untouched');
    const status = remote.head('firmwarden/status');
    assert.is(result.revision, status);
    assert.is(git(remote.bareDir, ['rev-parse', `${status}~1`]).trim(), snapshot.revision, 'one commit on top of main');
    assert.match(git(remote.bareDir, ['log', '-1', '--format=%B', status]), /^status: 1 group ready \[skip ci\]\n\nFirmwarden-Status: true\n/);
    assert.equal(git(remote.bareDir, ['diff', '--name-only', snapshot.revision, status]).trim().split('\n'), ['.firmwarden/releases.json', 'FLEET.md', 'groups/lab.yaml']);
    // Nothing changed: no commit.
    const again = await source.writeStatus({ revision: (await source.sync()).revision, summary: 'same', statuses: [labStatus('first')], files: report('# one\n'), calendar });
    assert.not.ok(again.written);
    assert.is(remote.head('firmwarden/status'), status);
  } finally {
    await source.close();
    await remote.close();
  }
});

branch('a new controller (an empty clone) reads the statuses and the calendar back from the status branch', async () => {
  const remote = await startGitRemote({ files });
  protectMain(remote);
  const first = await GitSource.create(options(remote, { statusBranch: 'fw-status' }));
  try {
    const snapshot = await first.sync();
    await first.writeStatus({ revision: snapshot.revision, summary: 's', statuses: [labStatus('remembered')], calendar });
  } finally {
    await first.close();
  }
  const second = await GitSource.create(options(remote, { statusBranch: 'fw-status' }));
  try {
    const snapshot = await second.sync();
    assert.is(snapshot.revision, remote.head('fw-status'));
    const labText = snapshot.files.find((f) => f.path === 'groups/lab.yaml')!.text;
    assert.equal((parse(labText) as { status: unknown }).status, ready('remembered'));
    assert.match(snapshot.calendarText ?? '', '"1.1"');
  } finally {
    await second.close();
    await remote.close();
  }
});

branch('when main moves, the status branch is recreated on its head with the statuses carried over, and follows it', async () => {
  const remote = await startGitRemote({ files });
  const guard = protectMain(remote);
  const source = await GitSource.create(options(remote, { statusBranch: 'fw-status' }));
  try {
    const snapshot = await source.sync();
    await source.writeStatus({ revision: snapshot.revision, summary: 's', statuses: [labStatus('before the merge')], files: report('# r\n'), calendar });
    const oldStatus = remote.head('fw-status');
    // A reviewed change lands on main (people push to the bare repository directly).
    const person = remote.clonePerson('ada');
    const merged = commitFiles(person, { 'groups/lab.yaml': lab.replace('# the lab', '# the lab, floor 3'), 'policies/extra.yaml': policy.replace('name: lab', 'name: extra') }, 'Describe the lab');
    git(person, ['push', '-q', 'origin', 'HEAD:main']);
    const next = await source.sync();
    assert.is(next.revision, merged, 'read on the new main head');
    assert.ok(next.specChanged);
    const labText = next.files.find((f) => f.path === 'groups/lab.yaml')!.text;
    assert.match(labText, '# the lab, floor 3');
    assert.equal((parse(labText) as { status: unknown }).status, ready('before the merge'), 'the status was carried over');
    assert.match(next.calendarText ?? '', '"1.1"');
    // The next write recreates the status branch on the new main, even with no status change.
    const result = await source.writeStatus({ revision: next.revision, summary: 'after the merge', statuses: [labStatus('before the merge')], files: report('# r\n'), calendar });
    assert.ok(result.written);
    const status = remote.head('fw-status');
    assert.is(git(remote.bareDir, ['rev-parse', `${status}~1`]).trim(), merged, 'main plus one status commit');
    assert.throws(() => git(remote.bareDir, ['merge-base', '--is-ancestor', oldStatus, status]), 'the old status commit was replaced, not merged');
    assert.equal(git(remote.bareDir, ['diff', '--name-only', merged, status]).trim().split('\n'), ['.firmwarden/releases.json', 'FLEET.md', 'groups/lab.yaml']);
    assert.match(git(remote.bareDir, ['show', `${status}:groups/lab.yaml`]), '# the lab, floor 3');
    assert.is(remote.head(), merged, 'main untouched');
    assert.is(guard.refused(), 0);
    const after = await source.sync();
    assert.is(after.revision, status);
    assert.not.ok(after.specChanged);
  } finally {
    await source.close();
    await remote.close();
  }
});

branch('someone moving the status branch between the fetch and the push is not overwritten: the write starts again', async () => {
  const remote = await startGitRemote({ files });
  protectMain(remote);
  const source = await GitSource.create(options(remote, { statusBranch: 'fw-status' }));
  try {
    const snapshot = await source.sync();
    await source.writeStatus({ revision: snapshot.revision, summary: 's', statuses: [labStatus('one')] });
    const person = remote.clonePerson('ada');
    commitFiles(person, { 'groups/lab.yaml': lab.replace('# the lab', '# edited') }, 'main moves');
    git(person, ['push', '-q', 'origin', 'HEAD:main']);
    let other = '';
    remote.beforeNextPush(() => {
      // Another writer (a second controller) updates the status branch first.
      git(person, ['fetch', '-q', 'origin']);
      git(person, ['checkout', '-q', '-B', 'fw-status', 'origin/fw-status']);
      other = commitFiles(person, { 'NOTES.md': 'x\n' }, 'someone else');
      git(person, ['push', '-q', 'origin', 'HEAD:fw-status']);
    });
    const result = await source.writeStatus({ revision: (await source.sync()).revision, summary: 's', statuses: [labStatus('two')] });
    assert.is(result.attempts, 2);
    const status = remote.head('fw-status');
    assert.ok(other !== '' && status !== other);
    assert.match(git(remote.bareDir, ['show', `${status}:groups/lab.yaml`]), 'message: two');
  } finally {
    await source.close();
    await remote.close();
  }
});

refused.run();
branch.run();
