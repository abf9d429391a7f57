// Signed-commit verification with real keys made in the test: SSH (ssh-keygen) and OpenPGP (gpg).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../controller/log/logger.ts';
import type { Clock } from '../../controller/model/clock.ts';
import { GitSource, type GitSourceOptions } from '../../controller/sources/git-source.ts';
import { detectTrustedKeysKind, toAllowedSigners } from '../../controller/sources/git-signatures.ts';
import { SourceError, UntrustedRevisionError } from '../../controller/model/source.ts';
import { formatStatusCommitMessage } from '../../controller/sources/status-commit-message.ts';
import { commitFiles, git, startGitRemote, type GitRemote } from '../support/git-remote.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';

const group = (name: string, extra = '') => `apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: ${name}\nspec:\n  policyRef:\n    name: general\n${extra}`;
const instantClock: Clock = { now: () => 0, sleep: async () => undefined };

function makeSshKey(dir: string, name: string): { key: string; pub: string } {
  const key = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@example.com`, '-f', key]);
  return { key, pub: `${key}.pub` };
}

/** git arguments that sign the next commit with an SSH key. */
const sshSigning = (key: string) => ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key}`];

function signedCommit(remote: GitRemote, person: string, files: Record<string, string>, message: string, key: string): string {
  for (const [path, text] of Object.entries(files)) writeFileSync(join(person, path), text);
  git(person, ['add', '-A']);
  git(person, [...sshSigning(key), 'commit', '-q', '-S', '-m', message]);
  git(person, ['push', '-q']);
  return remote.head();
}

function options(remote: GitRemote, trustedKeysFile: string): GitSourceOptions {
  return { repo: remote.url, intervalMs: 0, clock: instantClock, logger: silentLogger(), trustedKeysFile, status: { replaceStatus } };
}

const parsing = suite('trusted keys files');

parsing('tells OpenPGP from SSH, and turns bare SSH keys into allowed signers for anyone', () => {
  assert.is(detectTrustedKeysKind('-----BEGIN PGP PUBLIC KEY BLOCK-----\n...'), 'openpgp');
  assert.is(detectTrustedKeysKind('ssh-ed25519 AAAA x'), 'ssh');
  assert.is(
    toAllowedSigners('# team keys\nssh-ed25519 AAAAC3Nz ada@example.com\n\nbob@example.com namespaces="git" ssh-rsa AAAAB3\necdsa-sha2-nistp256 AAAAE2 c\n'),
    '* ssh-ed25519 AAAAC3Nz ada@example.com\nbob@example.com namespaces="git" ssh-rsa AAAAB3\n* ecdsa-sha2-nistp256 AAAAE2 c\n',
  );
  assert.is(toAllowedSigners('# nothing\n'), '');
});

const ssh = suite('signature verification (SSH)');

ssh('accepts a signed head, rejects an unsigned or foreign-signed one as UntrustedRevision and keeps the last trusted snapshot', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fw-sig-'));
  const trusted = makeSshKey(scratch, 'ada');
  const stranger = makeSshKey(scratch, 'mallory');
  const remote = await startGitRemote({ files: { 'groups/lab.yaml': group('lab') } });
  const person = remote.clonePerson('ada');
  const good = signedCommit(remote, person, { 'groups/lab.yaml': group('lab', '  paused: false\n') }, 'signed', trusted.key);
  const source = await GitSource.create(options(remote, trusted.pub));
  try {
    const snapshot = await source.sync();
    assert.is(snapshot.revision, good);

    commitFiles(person, { 'groups/lab.yaml': group('lab', '  paused: true\n') }, 'unsigned');
    git(person, ['push', '-q']);
    const unsigned = await source.sync().then(() => undefined, (e: unknown) => e);
    assert.instance(unsigned, UntrustedRevisionError);
    const error = unsigned as UntrustedRevisionError;
    assert.is(error.reason, 'UntrustedRevision');
    assert.not.ok(error.retryable);
    assert.is(error.revision, remote.head());
    assert.is(error.lastSnapshot?.revision, good);
    assert.is(source.lastSnapshot?.revision, good);
    assert.is(git(source.cloneDir, ['rev-parse', 'HEAD']).trim(), good, 'the working tree stays on the trusted revision');

    const foreign = signedCommit(remote, person, { 'groups/lab.yaml': group('lab', '  paused: maybe\n') }, 'signed by a stranger', stranger.key);
    const strangerError = await source.sync().then(() => undefined, (e: unknown) => e);
    assert.instance(strangerError, UntrustedRevisionError);
    assert.is((strangerError as UntrustedRevisionError).revision, foreign);

    const fixed = signedCommit(remote, person, { 'groups/lab.yaml': group('lab', '  paused: true\n') }, 'signed again', trusted.key);
    assert.is((await source.sync()).revision, fixed);
  } finally {
    await source.close();
    await remote.close();
    rmSync(scratch, { recursive: true, force: true });
  }
});

ssh("the controller's own unsigned status commits on a trusted head are accepted; a forged status commit changing spec is not", async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fw-sig-'));
  const trusted = makeSshKey(scratch, 'ada');
  const remote = await startGitRemote({ files: { 'groups/lab.yaml': group('lab') } });
  const person = remote.clonePerson('ada');
  signedCommit(remote, person, { 'groups/lab.yaml': group('lab', '  paused: false\n') }, 'signed', trusted.key);
  const source = await GitSource.create(options(remote, trusted.pub));
  try {
    const snapshot = await source.sync();
    const written = await source.writeStatus({ revision: snapshot.revision, summary: 'ready', statuses: [{ path: 'groups/lab.yaml', docIndex: 0, status: { observedGeneration: 1 } }] });
    assert.ok(written.written);
    const next = await source.sync();
    assert.is(next.revision, written.revision);
    assert.not.ok(next.specChanged);

    git(person, ['pull', '-q']);
    commitFiles(person, { 'groups/lab.yaml': group('lab', '  paused: true\n') }, formatStatusCommitMessage('forged', snapshot.revision).trim());
    git(person, ['push', '-q']);
    const forged = await source.sync().then(() => undefined, (e: unknown) => e);
    assert.instance(forged, UntrustedRevisionError);
  } finally {
    await source.close();
    await remote.close();
    rmSync(scratch, { recursive: true, force: true });
  }
});

ssh('the controller can sign its own status commits with an SSH key, and they verify', async () => {
  const scratch = mkdtempSync(join(tmpdir(), 'fw-sig-'));
  const ada = makeSshKey(scratch, 'ada');
  const bot = makeSshKey(scratch, 'bot');
  const allowed = join(scratch, 'trusted');
  writeFileSync(allowed, `ada@example.com ${execFileSync('cat', [ada.pub], { encoding: 'utf8' }).trim()}\nbot@example.com ${execFileSync('cat', [bot.pub], { encoding: 'utf8' }).trim()}\n`);
  const remote = await startGitRemote({ files: { 'groups/lab.yaml': group('lab') } });
  const person = remote.clonePerson('ada');
  signedCommit(remote, person, { 'groups/lab.yaml': group('lab', '  paused: false\n') }, 'signed', ada.key);
  const source = await GitSource.create({
    ...options(remote, allowed),
    status: { replaceStatus, signingKeyFile: bot.key },
  });
  try {
    const snapshot = await source.sync();
    const written = await source.writeStatus({ revision: snapshot.revision, summary: 'signed status', statuses: [{ path: 'groups/lab.yaml', docIndex: 0, status: { observedGeneration: 1 } }] });
    const verify = git(source.cloneDir, ['-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'verify-commit', '--raw', written.revision]);
    assert.type(verify, 'string');
    assert.is((await source.sync()).revision, written.revision);
  } finally {
    await source.close();
    await remote.close();
    rmSync(scratch, { recursive: true, force: true });
  }
});

const gpg = suite('signature verification (OpenPGP)');

gpg('accepts a head signed by an imported OpenPGP key and rejects an unsigned one', async () => {
  const scratch = mkdtempSync(join('/tmp', 'fwg-'));
  const home = join(scratch, 'g');
  execFileSync('mkdir', ['-m', '700', home]);
  const gpgEnv = { ...process.env, GNUPGHOME: home };
  execFileSync('gpg', ['--batch', '--quiet', '--passphrase', '', '--quick-gen-key', 'Ada Admin <ada@example.com>', 'ed25519', 'sign', 'never'], { env: gpgEnv, stdio: 'ignore' });
  const armored = execFileSync('gpg', ['--batch', '--armor', '--export', 'ada@example.com'], { env: gpgEnv, encoding: 'utf8' });
  const keysFile = join(scratch, 'trusted.asc');
  writeFileSync(keysFile, armored);
  const remote = await startGitRemote({ files: { 'groups/lab.yaml': group('lab') } });
  const person = remote.clonePerson('ada');
  writeFileSync(join(person, 'groups/lab.yaml'), group('lab', '  paused: false\n'));
  git(person, ['add', '-A']);
  git(person, ['-c', 'user.signingkey=ada@example.com', 'commit', '-q', '-S', '-m', 'gpg signed'], { GNUPGHOME: home });
  git(person, ['push', '-q']);
  const signed = remote.head();
  const source = await GitSource.create(options(remote, keysFile));
  try {
    assert.is((await source.sync()).revision, signed);
    commitFiles(person, { 'groups/lab.yaml': group('lab', '  paused: true\n') }, 'unsigned');
    git(person, ['push', '-q']);
    const error = await source.sync().then(() => undefined, (e: unknown) => e);
    assert.instance(error, UntrustedRevisionError);
    assert.instance(error, SourceError);
  } finally {
    await source.close();
    await remote.close();
    execFileSync('gpgconf', ['--kill', 'all'], { env: gpgEnv, stdio: 'ignore' });
    rmSync(scratch, { recursive: true, force: true });
  }
});

parsing.run();
ssh.run();
gpg.run();
