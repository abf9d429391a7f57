// `firmwarden run`'s source and HTTP options: flags (for node:util parseArgs) with an
// environment variable for each (FIRMWARDEN_<FLAG>, flags win), checked and resolved once
// into a frozen object. Secrets come only from the environment or files, never from a flag
// value (visible in `ps`), and are kept non-enumerable so logging the options cannot leak them.
import { readFile } from 'node:fs/promises';
import { isAbsolute, posix, resolve } from 'node:path';
import { UsageError } from './usage-error.ts';
import type { GitAuth } from '../sources/git-auth.ts';
import { hasEmbeddedCredentials } from '../sources/git-auth.ts';
import type { CommitIdentity } from '../sources/status-commit-message.ts';
import { checkStatusMessageTemplate } from '../sources/status-commit-message.ts';
import { FileSecret, Secret } from './secret.ts';
import { decideLiveViewAccess, type LiveViewAccess } from '../server/live-view-access.ts';

/** The flags, in parseArgs' format; merge them into the command's own. */
export const runSourceFlags = {
  repo: { type: 'string' },
  branch: { type: 'string' },
  path: { type: 'string' },
  interval: { type: 'string' },
  'data-dir': { type: 'string' },
  'git-token-file': { type: 'string' },
  'git-username': { type: 'string' },
  'git-ssh-key': { type: 'string' },
  'git-known-hosts': { type: 'string' },
  'verify-signatures': { type: 'boolean' },
  'trusted-keys': { type: 'string' },
  'git-signing-key': { type: 'string' },
  'status-author': { type: 'string' },
  'status-branch': { type: 'string' },
  'status-message': { type: 'string' },
  report: { type: 'string' },
  'no-report': { type: 'boolean' },
  dir: { type: 'string' },
  listen: { type: 'string' },
  'webhook-secret-file': { type: 'string' },
  ui: { type: 'boolean' },
  'ui-token-file': { type: 'string' },
} as const;

/** Help lines for these flags. */
export const runSourceHelp = `Desired state (one of):
  --repo URL|PATH          Git repository of the manifests (https://, ssh://, git@host:path, or a local path)
  --dir PATH               a local folder, watched; status is written into the files in place (no commits)
Git options:
  --branch NAME            branch to follow and push status to (default: main)
  --path DIR               folder of the manifests inside the repository (default: .)
  --interval DURATION      how often the remote head is polled, e.g. 30s, 1m, 0 to disable (default: 1m)
  --data-dir DIR           where the clone is kept, in DIR/repo (default: a temporary folder)
  --git-token-file FILE    https token (or FIRMWARDEN_GIT_TOKEN); re-read before every git command
  --git-username NAME      user name sent with the token (default: x-access-token; GitLab: oauth2)
  --git-ssh-key FILE       ssh private key
  --git-known-hosts FILE   known_hosts for ssh (host keys are always checked)
  --verify-signatures      only reconcile revisions whose head commit is signed by a trusted key
  --trusted-keys FILE      OpenPGP public keys (armoured) or SSH allowed-signers / public keys
  --git-signing-key FILE   ssh key the controller signs its status commits with
  --status-author 'N <E>'  author of status commits (default: firmwarden <firmwarden@users.noreply.firmwarden.dev>)
  --status-branch NAME     commit status (and the report) to this branch, kept as --branch plus status commits,
                           when --branch is protected; specs are still read from --branch (default: --branch itself)
  --status-message TEXT    status commit message; {summary} {revision} {shortRevision} {branch}, \\n starts the body
                           (default: 'status: {summary} [skip ci]'; the Firmwarden-Status trailer is always added)
Fleet report (--repo and --dir):
  --report FILE            Markdown report written with the statuses: progress per group and wave, failures,
                           refusals, clamps, next windows, a 30-day Mermaid gantt; relative to the repository
                           or folder (default: FLEET.md in --path)
  --no-report              write no report
HTTP:
  --listen HOST:PORT       health, readiness, metrics and webhook (default: 127.0.0.1:8080)
  --webhook-secret-file F  shared secret of POST /hooks/git (or FIRMWARDEN_WEBHOOK_SECRET); no secret, no webhook
  --ui-token-file FILE     token of the read-only live view at / (or FIRMWARDEN_UI_TOKEN); open /?token=… once
  --ui                     serve the live view without a token on a non-loopback --listen (on loopback it is
                           always served; elsewhere, without --ui or a token, it is off)
Every option also reads FIRMWARDEN_<OPTION> from the environment (FIRMWARDEN_REPO, FIRMWARDEN_DATA_DIR, ...).
`;

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

export interface DirRunSource {
  readonly kind: 'dir';
  readonly dir: string;
  readonly path: string;
  /** The fleet report's path relative to `dir`; absent with --no-report. */
  readonly report?: string;
}

export interface RunHttpOptions {
  readonly host: string;
  readonly port: number;
  /** Non-enumerable; undefined: the webhook is off. From --webhook-secret-file, read again when the file changes. */
  readonly webhookSecret: Secret | undefined;
  /** Who may read the live view (server/live-view-access.ts); its token is non-enumerable. Absent: no live view. */
  readonly ui?: LiveViewAccess;
}

export interface RunSourceOptions {
  readonly source: GitRunSource | DirRunSource;
  readonly http: RunHttpOptions;
}

/** Parses 500ms, 30s, 1m, 2h, 1m30s (or a bare number of seconds) into milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = trimmed;
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!match) throw new UsageError(`invalid duration '${text}' (use e.g. 30s, 1m, 1h30m)`);
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  if (trimmed === '') throw new UsageError('empty duration');
  return total;
}

/** Parses HOST:PORT, [IPv6]:PORT, or :PORT (all interfaces). */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new UsageError(`invalid --listen '${text}' (use HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080)`);
  const host = match[1] ?? (match[2] === '' ? '0.0.0.0' : match[2]!);
  return { host, port };
}

/** Parses `Name <email>`. */
export function parseIdentity(text: string): CommitIdentity {
  const match = /^\s*([^<>]+?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(text);
  if (!match) throw new UsageError(`invalid --status-author '${text}' (use 'Name <email>')`);
  return { name: match[1]!, email: match[2]! };
}

/** True for a URL or scp-like address (git@host:path); false for a local path. */
export function isRemoteAddress(repo: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\]+@[^/\\:]+:/.test(repo);
}

type Values = Readonly<Record<string, string | boolean | undefined>>;

/** The live view's token from --ui-token-file (read again when the file changes) or FIRMWARDEN_UI_TOKEN; at least 16 characters. */
async function readUiToken(path: string | undefined, fromEnv: string | undefined): Promise<Secret | undefined> {
  const tooShort = (value: string) => (value.length < 16 ? 'the live view token must be at least 16 characters (e.g. openssl rand -hex 16)' : undefined);
  if (path === undefined) {
    if (fromEnv === undefined || fromEnv === '') return undefined;
    if (tooShort(fromEnv)) throw new UsageError(`FIRMWARDEN_UI_TOKEN: ${tooShort(fromEnv)!}`);
    return new Secret(fromEnv);
  }
  let value: string;
  try {
    value = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new UsageError(`cannot read --ui-token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (tooShort(value)) throw new UsageError(`--ui-token-file ${path}: ${tooShort(value)!}`);
  return new FileSecret(path, value, { check: tooShort });
}

/** A name git accepts as a branch and no command can mistake for an option. */
function isBranchName(name: string): boolean {
  return /^[A-Za-z0-9._/-]+$/.test(name) && !name.startsWith('-') && !name.includes('..') && !name.endsWith('/') && !name.endsWith('.lock');
}

/** The default report file name, at the root of --path. */
export const defaultReportName = 'FLEET.md';

/**
 * The report's path relative to the repository (or folder) root, POSIX: --report as given, or
 * FLEET.md in --path; undefined with --no-report. Never a manifest name (the sources would read
 * it back as one), never inside .git, never outside the root.
 */
export function reportPath(flag: string | undefined, off: boolean, manifestsPath: string): string | undefined {
  if (off) {
    if (flag !== undefined) throw new UsageError('give --report or --no-report, not both');
    return undefined;
  }
  const raw = flag ?? posix.join(manifestsPath.split('\\').join('/'), defaultReportName);
  const path = posix.normalize(raw.split('\\').join('/'));
  if (flag !== undefined && (isAbsolute(flag) || path === '..' || path.startsWith('../') || path === '.' || path.endsWith('/'))) {
    throw new UsageError(`--report '${flag}' must be a file path relative to the repository, inside it`);
  }
  if (path.split('/').includes('.git')) throw new UsageError(`--report '${raw}' must not be inside .git`);
  if (/\.ya?ml$/i.test(path)) throw new UsageError(`--report '${raw}' must not end in .yaml or .yml: the controller would read it as a manifest (use e.g. FLEET.md)`);
  return path;
}

function envName(flag: string): string {
  return `FIRMWARDEN_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** Adds `key` to `target` as a non-enumerable property (JSON, pino and inspect skip it). */
function hide<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: false });
  return target;
}

/**
 * Resolves flags and environment into the frozen options; reads the webhook secret file (and
 * again at a webhook request after the file changed).
 * Throws UsageError on contradictions (both --repo and --dir, a token and an ssh key, …).
 */
export async function resolveRunSourceOptions(values: Values, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<RunSourceOptions> {
  const str = (flag: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[envName(flag)];
    return e === undefined || e === '' ? undefined : e;
  };
  const bool = (flag: string): boolean => {
    const v = values[flag];
    if (typeof v === 'boolean') return v;
    const e = env[envName(flag)]?.toLowerCase();
    return e === '1' || e === 'true' || e === 'yes';
  };
  const file = (flag: string): string | undefined => {
    const v = str(flag);
    return v === undefined ? undefined : resolve(cwd, v);
  };

  const listen = parseListen(str('listen') ?? '127.0.0.1:8080');
  const secretFile = file('webhook-secret-file');
  let webhookSecret = env.FIRMWARDEN_WEBHOOK_SECRET === '' ? undefined : env.FIRMWARDEN_WEBHOOK_SECRET;
  if (secretFile !== undefined) {
    try {
      webhookSecret = (await readFile(secretFile, 'utf8')).trim();
    } catch (error) {
      throw new UsageError(`cannot read --webhook-secret-file ${secretFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  const tooShort = (value: string) => (value.length < 16 ? 'the webhook secret must be at least 16 characters' : undefined);
  if (webhookSecret !== undefined && tooShort(webhookSecret)) throw new UsageError(tooShort(webhookSecret)!);
  const secret = webhookSecret === undefined ? undefined
    // A rotated file that is too short keeps the previous secret (FileSecret reports it).
    : secretFile !== undefined ? new FileSecret(secretFile, webhookSecret, { check: tooShort })
    : new Secret(webhookSecret);
  const ui = decideLiveViewAccess(listen.host, { ui: bool('ui'), token: await readUiToken(file('ui-token-file'), env.FIRMWARDEN_UI_TOKEN) });
  const http = Object.freeze(hide(hide({ host: listen.host, port: listen.port } as RunHttpOptions, 'webhookSecret', secret), 'ui', ui));

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
