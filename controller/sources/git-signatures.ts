// Signed-commit verification. The trusted keys are either OpenPGP public keys (imported into a
// private GNUPGHOME, never the user's keyring) or SSH keys (an allowed-signers file, or bare
// public-key lines which are accepted for any signer identity). `git verify-commit` decides.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GitExtraSettings, GitWorkspace } from './git-workspace.ts';
import { summarizeGitMessage } from './git-errors.ts';
import { SourceError, SourceFailureReasons } from '../model/source.ts';

const run = promisify(execFile);

/** The kinds of trusted-key files understood. */
export type TrustedKeysKind = 'openpgp' | 'ssh';

const sshKeyLine = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-\S+|sk-\S+)\s+\S+/;

/** Tells an armoured OpenPGP key block from SSH keys. */
export function detectTrustedKeysKind(text: string): TrustedKeysKind {
  return text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----') ? 'openpgp' : 'ssh';
}

/**
 * Turns an SSH trusted-keys file into allowed-signers lines: lines already in that format
 * (`principals [options] keytype key`) are kept; a bare public key gets the principal `*`.
 */
export function toAllowedSigners(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => (sshKeyLine.test(l) ? `* ${l}` : l));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Prepares the trust store in `runtimeDir` and returns the git settings that make verify-commit use it. */
export async function prepareTrustedKeys(
  trustedKeysFile: string,
  runtimeDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<GitExtraSettings> {
  let text: string;
  try {
    text = await readFile(trustedKeysFile, 'utf8');
  } catch (error) {
    throw new SourceError(SourceFailureReasons.invalidConfig, `cannot read the trusted keys file ${trustedKeysFile}`, { retryable: false, cause: error });
  }
  if (detectTrustedKeysKind(text) === 'openpgp') {
    const home = join(runtimeDir, 'gnupg');
    await mkdir(home, { recursive: true, mode: 0o700 });
    try {
      await run('gpg', ['--batch', '--quiet', '--no-tty', '--import', trustedKeysFile], {
        env: { PATH: env.PATH ?? '/usr/bin:/bin', GNUPGHOME: home, LC_ALL: 'C' },
      });
    } catch (error) {
      throw new SourceError(SourceFailureReasons.invalidConfig, `cannot import the OpenPGP keys of ${trustedKeysFile} (is gpg installed?)`, { retryable: false, cause: error });
    }
    return { config: [], env: { GNUPGHOME: home } };
  }
  const signers = toAllowedSigners(text);
  if (signers === '') {
    throw new SourceError(SourceFailureReasons.invalidConfig, `the trusted keys file ${trustedKeysFile} holds no key`, { retryable: false });
  }
  const path = join(runtimeDir, 'allowed-signers');
  await writeFile(path, signers, { mode: 0o600 });
  return { config: [['gpg.ssh.allowedSignersFile', path]], env: {} };
}

/** Verifies one commit's signature against the trusted keys. */
export async function verifyCommit(workspace: GitWorkspace, commit: string): Promise<{ ok: true } | { ok: false; detail: string }> {
  try {
    await workspace.git(['verify-commit', commit]);
    return { ok: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, detail: summarizeGitMessage(message) };
  }
}
