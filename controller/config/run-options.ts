// `firmwarden run`'s source and HTTP options: flags (for node:util parseArgs) with an
// environment variable for each (FIRMWARDEN_<FLAG>, flags win), checked and resolved once
// into a frozen object. Secrets come only from the environment or files, never from a flag
// value (visible in `ps`), and are kept non-enumerable so logging the options cannot leak them.
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from './usage-error.ts';
import type { GitAuth } from '../sources/git-auth.ts';
import { hasEmbeddedCredentials } from '../sources/git-auth.ts';
import type { CommitIdentity } from '../sources/status-commit-message.ts';
import { checkStatusMessageTemplate } from '../sources/status-commit-message.ts';
import { hide, optionReader, type Values } from './option-reader.ts';
import { resolveRunHttpOptions, type RunHttpOptions } from './run-http-options.ts';
import { isBranchName, isRemoteAddress, parseDuration, parseIdentity, reportPath } from './run-option-values.ts';

/** Where run reads the manifests from: a Git repository, and how it commits status there. */
export interface GitRunSource {
  readonly kind: 'git';
  readonly repo: string;
  readonly branch: string;
  readonly path: string;
  readonly intervalMs: number;
  readonly dataDir?: string;
  readonly auth: GitAuth;
  readonly trustedKeysFile?: string;
  readonly signingKeyFile?: string;
  readonly statusAuthor?: CommitIdentity;
  /** Where status commits go when not to `branch` (a protected main). */
  readonly statusBranch?: string;
  /** The status commit message template (status-commit-message.ts). */
  readonly statusMessage?: string;
  /** The fleet report's path relative to the repository root; absent with --no-report. */
  readonly report?: string;
}

/** Where run reads the manifests from: a local folder, status written in place. */
export interface DirRunSource {
  readonly kind: 'dir';
  readonly dir: string;
  readonly path: string;
  /** The fleet report's path relative to `dir`; absent with --no-report. */
  readonly report?: string;
}

/** Everything run's source and HTTP flags resolve to. */
export interface RunSourceOptions {
  readonly source: GitRunSource | DirRunSource;
  readonly http: RunHttpOptions;
}

/**
 * Resolves flags and environment into the frozen options; reads the webhook secret file (and
 * again at a webhook request after the file changed).
 * Throws UsageError on contradictions (both --repo and --dir, a token and an ssh key, …).
 */
export async function resolveRunSourceOptions(values: Values, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<RunSourceOptions> {
  const reader = optionReader(values, env, cwd);
  const { str, bool, file } = reader;
  const http = await resolveRunHttpOptions(reader, env);

  const repo = str('repo');
  const dir = str('dir');
  if ((repo === undefined) === (dir === undefined)) throw new UsageError('give exactly one of --repo or --dir');
  const path = str('path') ?? '.';
  if (isAbsolute(path) || path.split(/[\\/]/).includes('..')) throw new UsageError(`--path '${path}' must be relative and stay inside the repository`);

  const report = reportPath(str('report'), bool('no-report'), path);

  if (dir !== undefined) {
    const gitOnly = ['branch', 'interval', 'data-dir', 'git-token-file', 'git-ssh-key', 'verify-signatures', 'trusted-keys', 'git-signing-key', 'status-branch', 'status-message'].filter(
      (f) => values[f] !== undefined,
    );
    if (gitOnly.length > 0) throw new UsageError(`--${gitOnly[0]} applies to --repo, not --dir`);
    return Object.freeze({ source: Object.freeze({ kind: 'dir' as const, dir: resolve(cwd, dir), path, ...(report !== undefined ? { report } : {}) }), http });
  }

  const address = isRemoteAddress(repo!) ? repo! : resolve(cwd, repo!);
  if (hasEmbeddedCredentials(address)) {
    throw new UsageError('--repo must not carry credentials; use FIRMWARDEN_GIT_TOKEN or --git-token-file');
  }
  const branch = str('branch') ?? 'main';
  if (!isBranchName(branch)) throw new UsageError(`invalid --branch '${branch}'`);
  const statusBranch = str('status-branch');
  if (statusBranch !== undefined && !isBranchName(statusBranch)) throw new UsageError(`invalid --status-branch '${statusBranch}'`);
  if (statusBranch === branch) throw new UsageError(`--status-branch must differ from --branch (${branch}); leave it out to commit status to ${branch}`);
  // From a flag the shell passes \n as two characters: it starts the body.
  const statusMessage = str('status-message')?.replaceAll('\\n', '\n');
  const messageProblem = statusMessage === undefined ? undefined : checkStatusMessageTemplate(statusMessage);
  if (messageProblem !== undefined) throw new UsageError(`--status-message: ${messageProblem}`);

  const tokenFile = file('git-token-file');
  const token = env.FIRMWARDEN_GIT_TOKEN === '' ? undefined : env.FIRMWARDEN_GIT_TOKEN;
  const sshKey = file('git-ssh-key');
  const knownHosts = file('git-known-hosts');
  if (sshKey !== undefined && (tokenFile !== undefined || token !== undefined)) throw new UsageError('give either an https token or an ssh key, not both');
  if (knownHosts !== undefined && sshKey === undefined) throw new UsageError('--git-known-hosts needs --git-ssh-key');
  const username = str('git-username');
  let auth: GitAuth = { kind: 'none' };
  if (sshKey !== undefined) auth = { kind: 'ssh', keyFile: sshKey, ...(knownHosts !== undefined ? { knownHostsFile: knownHosts } : {}) };
  else if (tokenFile !== undefined) auth = { kind: 'token', tokenFile, ...(username !== undefined ? { username } : {}) };
  else if (token !== undefined) auth = hide({ kind: 'token', ...(username !== undefined ? { username } : {}) } as GitAuth, 'token', token);

  const verify = bool('verify-signatures');
  const trustedKeys = file('trusted-keys');
  if (verify && trustedKeys === undefined) throw new UsageError('--verify-signatures needs --trusted-keys');
  if (!verify && trustedKeys !== undefined) throw new UsageError('--trusted-keys is only used with --verify-signatures');

  const interval = str('interval');
  const dataDir = file('data-dir');
  const signingKey = file('git-signing-key');
  const author = str('status-author');
  const source: GitRunSource = {
    kind: 'git',
    repo: address,
    branch,
    path,
    intervalMs: interval === undefined ? 60_000 : parseDuration(interval),
    auth: Object.freeze(auth),
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(verify && trustedKeys !== undefined ? { trustedKeysFile: trustedKeys } : {}),
    ...(signingKey !== undefined ? { signingKeyFile: signingKey } : {}),
    ...(author !== undefined ? { statusAuthor: parseIdentity(author) } : {}),
    ...(statusBranch !== undefined ? { statusBranch } : {}),
    ...(statusMessage !== undefined ? { statusMessage } : {}),
    ...(report !== undefined ? { report } : {}),
  };
  return Object.freeze({ source: Object.freeze(source), http });
}
