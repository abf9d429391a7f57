// The environment every git process of the controller runs with: isolated from the user's
// and the system's git configuration, no terminal prompts, English messages (errors are
// classified by their text), and credentials handed over without ever touching the remote
// URL, the clone's .git/config, the command line or a log line:
// - an https token reaches git through GIT_ASKPASS: a script (holding no secret) prints the
//   token from a variable set only in the child's environment, and only when the server asks;
// - an ssh key goes through GIT_SSH_COMMAND with IdentitiesOnly and strict host key checking.
import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type GitAuth =
  | { readonly kind: 'none' }
  /** `token` wins over `tokenFile`; the file is re-read before every git command, so a rotated secret is picked up. */
  | { readonly kind: 'token'; readonly token?: string; readonly tokenFile?: string; readonly username?: string }
  | { readonly kind: 'ssh'; readonly keyFile: string; readonly knownHostsFile?: string };

/** Name of the child-only variable the askpass script reads the token from. */
export const askpassSecretVariable = 'FIRMWARDEN_GIT_ASKPASS_SECRET';
const askpassUserVariable = 'FIRMWARDEN_GIT_ASKPASS_USER';

/** Variables passed through from the controller's environment (proxies, CA bundles, locale-free basics). */
const inherited = [
  'PATH', 'HOME', 'TMPDIR', 'http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO', 'GIT_SSL_NO_VERIFY', 'SSH_AUTH_SOCK',
];

/** Quotes a path for the POSIX shell git runs GIT_SSH_COMMAND with. */
export function quoteForShell(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The ssh command line for a key file (and known-hosts file). Host keys are always checked. */
export function buildSshCommand(keyFile: string, knownHostsFile?: string): string {
  const parts = ['ssh', '-i', quoteForShell(keyFile), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
  if (knownHostsFile !== undefined) parts.push('-o', `UserKnownHostsFile=${quoteForShell(knownHostsFile)}`);
  return parts.join(' ');
}

/** Adds `key=value` settings through GIT_CONFIG_COUNT/KEY_n/VALUE_n (no command-line `-c`, nothing in .git/config). */
export function withConfig(env: Record<string, string>, settings: readonly (readonly [string, string])[]): Record<string, string> {
  const out = { ...env };
  let n = Number(out.GIT_CONFIG_COUNT ?? 0);
  for (const [key, value] of settings) {
    out[`GIT_CONFIG_KEY_${n}`] = key;
    out[`GIT_CONFIG_VALUE_${n}`] = value;
    n += 1;
  }
  out.GIT_CONFIG_COUNT = String(n);
  return out;
}

/** Prepares the credential helpers in `runtimeDir` (a private 0700 folder outside the clone) and returns a builder of the git environment. */
export async function prepareGitEnvironment(
  auth: GitAuth,
  runtimeDir: string,
  base: Readonly<Record<string, string | undefined>>,
): Promise<() => Promise<Record<string, string>>> {
  const env: Record<string, string> = {};
  for (const name of inherited) {
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, {
    LC_ALL: 'C',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    // The user's ~/.gitconfig may hold credential helpers (which would store our token),
    // url rewrites, hooks or commit signing: none of it applies to the controller's clone.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  });
  if (auth.kind === 'ssh') {
    // ssh refuses a key readable by others, and mounted secrets often are (0644): use a private copy.
    const key = join(runtimeDir, 'ssh-key');
    await copyFile(auth.keyFile, key);
    await chmod(key, 0o600);
    env.GIT_SSH_COMMAND = buildSshCommand(key, auth.knownHostsFile);
    return async () => ({ ...env });
  }
  if (auth.kind === 'token') {
    const script = join(runtimeDir, 'askpass.sh');
    // git calls it with the prompt ("Username for 'https://…': " or "Password for …").
    await writeFile(
      script,
      `#!/bin/sh\ncase "$1" in\n  Username*) printf '%s\\n' "$${askpassUserVariable}" ;;\n  *) printf '%s\\n' "$${askpassSecretVariable}" ;;\nesac\n`,
      { mode: 0o700 },
    );
    const username = auth.username ?? 'x-access-token';
    return async () => {
      const token = auth.token ?? (auth.tokenFile === undefined ? '' : (await readFile(auth.tokenFile, 'utf8')).trim());
      return { ...env, GIT_ASKPASS: script, [askpassUserVariable]: username, [askpassSecretVariable]: token };
    };
  }
  return async () => ({ ...env });
}

/** True when a remote URL carries a password or token (https://user:secret@host), which would end up in .git/config. */
export function hasEmbeddedCredentials(repo: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) return false;
  try {
    const url = new URL(repo);
    return url.password !== '' || (url.username !== '' && url.protocol !== 'ssh:' && url.protocol !== 'git+ssh:');
  } catch {
    return false;
  }
}
