// Status write-back against a real remote: one commit with the trailer and only status lines
// changed, no commit when nothing changed, people pushing at the same time, a malformed file.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../controller/log/logger.ts';
import type { Clock } from '../../controller/model/clock.ts';
import { GitSource, type GitSourceOptions } from '../../controller/sources/git-source.ts';
import type { Snapshot, StatusUpdate } from '../../controller/model/source.ts';
import { SourceError } from '../../controller/model/source.ts';
import { commitFiles, git, startGitRemote, type GitRemote } from '../support/git-remote.ts';
import { parseAllDocuments } from 'yaml';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';

const lab = `# yaml-language-server: $schema=../schemas/devicegroup.schema.json
# The lab: every device type, on the Test phase.
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: lab   # keep short
spec:
  policyRef: { name: lab }
  selector:
    tags: [lab]
`;
const rooms = `apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: rooms-a
spec:
  policyRef:
    name: general
status:
  observedGeneration: 1
  conditions:
    - type: Ready
      status: "False"
      reason: Progressing
      lastTransitionTime: "2026-01-01T00:00:00Z"
---
# second document
apiVersion: firmwarden.dev/v1alpha1
kind: DeviceGroup
metadata:
  name: rooms-b
spec:
  policyRef:
    name: general
`;
const files = { 'groups/lab.yaml': lab, 'groups/rooms.yaml': rooms, 'README.md': '# config\n' };

/** A clock whose sleeps end at once (back-off without waiting). */
const instantClock: Clock = { now: () => 0, sleep: async () => undefined };

function options(remote: GitRemote, extra: Partial<GitSourceOptions> = {}): GitSourceOptions {
  return { repo: remote.url, intervalMs: 0, clock: instantClock, logger: silentLogger(), status: { replaceStatus }, ...extra };
}

const ready = (at: string) => ({ observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True', reason: 'UpToDate', lastTransitionTime: at }] });

const statuses: StatusUpdate[] = [
  { path: 'groups/lab.yaml', docIndex: 0, status: ready('2026-02-01T00:00:00Z'), key: { kind: 'DeviceGroup', name: 'lab' } },
  { path: 'groups/rooms.yaml', docIndex: 0, status: ready('2026-02-01T00:00:00Z'), key: { kind: 'DeviceGroup', name: 'rooms-a' } },
  { path: 'groups/rooms.yaml', docIndex: 1, status: ready('2026-02-01T00:00:00Z'), key: { kind: 'DeviceGroup', name: 'rooms-b' } },
];

/** The text with every top-level `status:` block removed: what must stay byte for byte. */
function withoutStatus(text: string): string {
  const out: string[] = [];
  let inStatus = false;
  for (const line of text.split('\n')) {
    if (/^status:/.test(line)) {
      inStatus = true;
      continue;
    }
    if (inStatus && (/^\S/.test(line) || line === '')) inStatus = false;
    if (!inStatus) out.push(line);
  }
  return out.join('\n');
}

function commitCount(remote: GitRemote): number {
  return Number(git(remote.bareDir, ['rev-list', '--count', 'main']).trim());
}

function show(remote: GitRemote, path: string, rev = 'main'): string {
  return git(remote.bareDir, ['show', `${rev}:${path}`]);
}

const write = suite('GitSource.writeStatus');

write('writes one commit with the trailer and author, changing only status lines', async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote));
  try {
    const snapshot = await source.sync();
    const before = commitCount(remote);
    const result = await source.writeStatus({ revision: snapshot.revision, summary: '3 groups ready', statuses });
    assert.ok(result.written);
    assert.is(result.attempts, 1);
    assert.equal(result.files, ['groups/lab.yaml', 'groups/rooms.yaml']);
    assert.is(commitCount(remote), before + 1);
    assert.is(remote.head(), result.revision);
    const message = git(remote.bareDir, ['log', '-1', '--format=%an <%ae>%n%B', 'main']);
    assert.match(message, 'firmwarden <firmwarden@users.noreply.firmwarden.dev>');
    assert.match(message, /^status: 3 groups ready \[skip ci\]$/m);
    assert.match(message, /^Firmwarden-Status: true$/m);
    assert.match(message, new RegExp(`^Firmwarden-Revision: ${snapshot.revision}$`, 'm'));
    const trailers = git(remote.bareDir, ['log', '-1', '--format=%(trailers:key=Firmwarden-Status,valueonly)', 'main']).trim();
    assert.is(trailers, 'true');
    for (const [path, original] of [['groups/lab.yaml', lab], ['groups/rooms.yaml', rooms]] as const) {
      const now = show(remote, path);
      assert.is.not(now, original);
      assert.is(withoutStatus(now), withoutStatus(original), `${path}: only status may change`);
    }
    assert.equal(git(remote.bareDir, ['diff', '--name-only', `${snapshot.revision}`, 'main']).trim().split('\n'), ['groups/lab.yaml', 'groups/rooms.yaml']);
    // The controller's own commit is not a spec change.
    const next = await source.sync();
    assert.ok(next.changed);
    assert.not.ok(next.specChanged);
  } finally {
    await source.close();
    await remote.close();
  }
});

write('the commit message follows the template given, trailers kept', async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote, { status: { replaceStatus, messageTemplate: 'chore(fleet): {summary} ({shortRevision}) [ci skip]\n\nPushed to {branch}.' } }));
  try {
    const snapshot = await source.sync();
    await source.writeStatus({ revision: snapshot.revision, summary: '3 groups ready', statuses });
    const message = git(remote.bareDir, ['log', '-1', '--format=%B', 'main']);
    assert.is(message, `chore(fleet): 3 groups ready (${snapshot.revision.slice(0, 12)}) [ci skip]\n\nPushed to main.\n\nFirmwarden-Status: true\nFirmwarden-Revision: ${snapshot.revision}\n\n`);
    assert.is(git(remote.bareDir, ['log', '-1', '--format=%(trailers:key=Firmwarden-Status,valueonly)', 'main']).trim(), 'true');
  } finally {
    await source.close();
    await remote.close();
  }
});

write('makes no commit when the statuses are already there, nor for a timestamp-only change', async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote));
  try {
    const snapshot = await source.sync();
    await source.writeStatus({ revision: snapshot.revision, summary: 'first', statuses });
    const count = commitCount(remote);
    const again = await source.writeStatus({ revision: snapshot.revision, summary: 'same', statuses });
    assert.not.ok(again.written);
    assert.is(again.attempts, 0);
    const later = statuses.map((u) => ({ ...u, status: ready('2026-03-09T10:00:00Z') }));
    const timestampOnly = await source.writeStatus({ revision: snapshot.revision, summary: 'later', statuses: later });
    assert.not.ok(timestampOnly.written);
    assert.is(commitCount(remote), count);
    const real = await source.writeStatus({
      revision: snapshot.revision,
      summary: 'one changed',
      statuses: [{ ...statuses[0]!, status: { ...ready('2026-03-09T10:00:00Z'), observedGeneration: 2 } }],
    });
    assert.ok(real.written);
    assert.is(commitCount(remote), count + 1);
    assert.equal(git(remote.bareDir, ['diff', '--name-only', 'main~1', 'main']).trim(), 'groups/lab.yaml');
  } finally {
    await source.close();
    await remote.close();
  }
});

write("a person's push racing the status push is kept, and the status is written on top of it", async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote));
  try {
    const snapshot = await source.sync();
    const person = remote.clonePerson('ada');
    const edited = lab.replace('  selector:\n    tags: [lab]\n', '  selector:\n    tags: [lab, bench]   # bench added by Ada\n');
    let personCommit = '';
    // Exactly between the controller's commit and its push: the push is then rejected.
    remote.beforeNextPush(() => {
      personCommit = commitFiles(person, { 'groups/lab.yaml': edited }, 'lab: add the bench');
      git(person, ['push', '-q']);
    });
    const seen: string[] = [];
    const result = await source.writeStatus({
      revision: snapshot.revision,
      summary: 'race',
      statuses: (next: Snapshot) => {
        seen.push(next.revision);
        return statuses;
      },
    });
    assert.ok(result.written);
    assert.is(result.attempts, 2);
    assert.equal(seen, [snapshot.revision, personCommit], 'recomputed on the new revision');
    const text = show(remote, 'groups/lab.yaml');
    assert.match(text, 'tags: [lab, bench]   # bench added by Ada');
    assert.match(text, /^status:\n {2}observedGeneration: 1/m);
    assert.is(withoutStatus(text), withoutStatus(edited));
    assert.is(git(remote.bareDir, ['rev-parse', 'main~1']).trim(), personCommit);
  } finally {
    await source.close();
    await remote.close();
  }
});

write('a person moving documents between sync and write: statuses follow their manifests by key', async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote));
  try {
    const snapshot = await source.sync();
    const person = remote.clonePerson('ada');
    // rooms-b moves in front of rooms-a, and a new document appears in front of the lab.
    const [a, b] = rooms.split('---\n') as [string, string];
    const reordered = `${b}---\n${a}`;
    const newLab = `apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: annex\nspec:\n  policyRef: { name: lab }\n---\n${lab}`;
    commitFiles(person, { 'groups/rooms.yaml': reordered, 'groups/lab.yaml': newLab }, 'reorder');
    git(person, ['push', '-q']);
    const result = await source.writeStatus({ revision: snapshot.revision, summary: 'moved', statuses });
    assert.ok(result.written);
    const labText = show(remote, 'groups/lab.yaml');
    const [annexDoc, labDoc] = labText.split('---\n') as [string, string];
    assert.not.match(annexDoc, 'status:');
    assert.match(labDoc, 'reason: UpToDate');
    const roomsText = show(remote, 'groups/rooms.yaml');
    const [first, second] = roomsText.split('---\n') as [string, string];
    assert.match(first, 'name: rooms-b');
    assert.match(first, 'reason: UpToDate');
    assert.match(second, 'name: rooms-a');
    assert.match(second, 'reason: UpToDate');
  } finally {
    await source.close();
    await remote.close();
  }
});

write('a malformed manifest: the source still syncs, the other statuses are written, the bad one is reported', async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote));
  try {
    const person = remote.clonePerson('ada');
    const broken = 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata: {name: broken\nspec: [\n';
    commitFiles(person, { 'groups/broken.yaml': broken }, 'oops');
    git(person, ['push', '-q']);
    const snapshot = await source.sync();
    assert.ok(snapshot.files.some((f) => f.path === 'groups/broken.yaml'));
    const result = await source.writeStatus({
      revision: snapshot.revision,
      summary: 'with a broken file',
      statuses: [...statuses, { path: 'groups/broken.yaml', docIndex: 0, status: { conditions: [{ type: 'Stalled', status: 'True' }] } }],
    });
    assert.ok(result.written);
    assert.equal(result.files, ['groups/lab.yaml', 'groups/rooms.yaml']);
    assert.is(result.skipped.length, 1);
    assert.is(result.skipped[0]!.path, 'groups/broken.yaml');
    assert.match(result.skipped[0]!.reason, /YAML/);
    assert.is(show(remote, 'groups/broken.yaml'), broken);
    assert.match(show(remote, 'groups/lab.yaml'), 'reason: UpToDate');
  } finally {
    await source.close();
    await remote.close();
  }
});

write('a CRLF file ending in a bare CR is pushed still parsing; a file the writer refuses is never committed', async () => {
  // Issue 18: the first file used to be pushed broken (`status: "True"\r` on its last line).
  const bareCr = lab.replaceAll('\n', '\r\n').replace(/\r\n$/, '\r\nstatus:\r\n  observedGeneration: 0\r');
  // Two status keys: yaml reads the last, the writer replaces the first, its check refuses.
  const twoStatuses = `${rooms.split('---')[0]}status:\n  observedGeneration: 7\n`;
  const remote = await startGitRemote({ files: { 'groups/lab.yaml': bareCr, 'groups/rooms.yaml': twoStatuses } });
  const source = await GitSource.create(options(remote));
  try {
    const snapshot = await source.sync();
    // Without a key: a document with duplicate keys is not identified by its name.
    const unkeyed = { path: 'groups/rooms.yaml', docIndex: 0, status: ready('2026-02-01T00:00:00Z') };
    const result = await source.writeStatus({ revision: snapshot.revision, summary: 'bare CR', statuses: [statuses[0]!, unkeyed] });
    assert.ok(result.written);
    assert.equal(result.files, ['groups/lab.yaml']);
    const pushed = show(remote, 'groups/lab.yaml');
    const [doc, ...rest] = parseAllDocuments(pushed);
    assert.is(rest.length, 0);
    assert.equal(doc!.errors, []);
    assert.equal((doc!.toJS() as { status: unknown }).status, ready('2026-02-01T00:00:00Z'));
    assert.equal(result.skipped.map((s) => s.path), ['groups/rooms.yaml']);
    assert.match(result.skipped[0]!.reason, /failed firmwarden's own check: document 0's status would not read back/);
    assert.is(show(remote, 'groups/rooms.yaml'), twoStatuses);
  } finally {
    await source.close();
    await remote.close();
  }
});

write('gives up after the bounded attempts with a retryable StatusConflict, leaving people’s commits alone', async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote, { status: { replaceStatus, maxAttempts: 2 } }));
  try {
    const snapshot = await source.sync();
    const person = remote.clonePerson('ada');
    let pushes = 0;
    const race = () => {
      pushes += 1;
      commitFiles(person, { [`groups/extra-${pushes}.yaml`]: `kind: DeviceGroup\nmetadata:\n  name: extra-${pushes}\n` }, `extra ${pushes}`);
      git(person, ['push', '-q']);
      remote.beforeNextPush(race);
    };
    remote.beforeNextPush(race);
    const error = await source.writeStatus({ revision: snapshot.revision, summary: 'contended', statuses }).then(() => undefined, (e: unknown) => e);
    remote.beforeNextPush(() => undefined);
    assert.instance(error, SourceError);
    assert.is((error as SourceError).reason, 'StatusConflict');
    assert.ok((error as SourceError).retryable);
    assert.is(pushes, 2);
    assert.is(git(remote.bareDir, ['log', '-1', '--format=%s', 'main']).trim(), 'extra 2');
    // The next sync starts clean from the remote head.
    const next = await source.sync();
    assert.is(next.revision, remote.head());
    assert.is(git(source.cloneDir, ['status', '--porcelain']).trim(), '');
  } finally {
    await source.close();
    await remote.close();
  }
});

write('an unreachable remote during the push fails retryably and leaves no local commit behind', async () => {
  const remote = await startGitRemote({ files });
  const source = await GitSource.create(options(remote, { timeoutMs: 20_000 }));
  try {
    const snapshot = await source.sync();
    remote.beforeNextPush(() => remote.setReachable(false));
    const error = await source.writeStatus({ revision: snapshot.revision, summary: 'down', statuses }).then(() => undefined, (e: unknown) => e);
    assert.instance(error, SourceError);
    assert.ok((error as SourceError).retryable);
    assert.is(git(source.cloneDir, ['rev-parse', 'HEAD']).trim(), snapshot.revision);
    assert.is(readFileSync(join(source.cloneDir, 'groups/lab.yaml'), 'utf8'), lab);
    remote.setReachable(true);
    const result = await source.writeStatus({ revision: snapshot.revision, summary: 'back', statuses });
    assert.ok(result.written);
  } finally {
    await source.close();
    await remote.close();
  }
});

write('writing before any sync fetches first; results are counted for metrics', async () => {
  const remote = await startGitRemote({ files });
  const counted: string[] = [];
  const metrics = { countSourceSync: (r: string) => void counted.push(`sync:${r}`), countStatusWrite: (r: string) => void counted.push(`write:${r}`) };
  const source = await GitSource.create(options(remote, { metrics }));
  try {
    const head = remote.head();
    const result = await source.writeStatus({ revision: head, summary: 'cold start', statuses });
    assert.ok(result.written);
    assert.is(git(remote.bareDir, ['rev-parse', 'main~1']).trim(), head);
    await source.writeStatus({ revision: head, summary: 'again', statuses });
    assert.equal(counted, ['write:written', 'write:unchanged']);
  } finally {
    await source.close();
    await remote.close();
  }
});

write.run();
