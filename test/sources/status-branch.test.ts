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
import type { StatusUpdate } from '../../controller/sources/source.ts';
import { SourceError } from '../../controller/sources/source.ts';
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

refused.run();
