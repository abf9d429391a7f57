// The controller's own clone of the config repository: created on first use, fetched and
// hard-reset to the remote branch on every sync (nobody edits it by hand, so anything local
// that is not on the remote is discarded), and used by the status writer to commit and push.
// One git operation sequence at a time: the source and the status writer share the working
// tree, so both go through `exclusive`.
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { Logger } from '../log/logger.ts';
import { SerialQueue } from '../model/serial-queue.ts';
import type { GitAuth } from './git-auth.ts';
import { prepareGitEnvironment, withConfig } from './git-auth.ts';

export interface GitWorkspaceOptions {
  /** URL (https://, ssh://, user@host:path) or local path of the repository. */
  readonly repo: string;
  /** Default: main. */
  readonly branch: string;
  /** Where the clone lives (in `<dataDir>/repo`); undefined: a temporary folder removed on close. */
  readonly dataDir: string | undefined;
  readonly auth: GitAuth;
  /** Fetch only the head commit the first time (depth 1). Default: true. */
  readonly shallow: boolean;
  /** A git command printing nothing for this long is killed. Default: 120 s. */
  readonly timeoutMs: number;
  /** The controller's environment (proxies, PATH, HOME are passed through). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  /** Where status commits go when not to `branch` (status-branch.ts); fetched with it, absent on the remote until the first status commit. */
  readonly statusBranch?: string | undefined;
}

/** Settings added to every git command (signature verification's allowed signers, GNUPGHOME). */
export interface GitExtraSettings {
  readonly config: readonly (readonly [string, string])[];
  readonly env: Readonly<Record<string, string>>;
}

export class GitWorkspace {
  readonly #options: GitWorkspaceOptions;
  readonly #dir: string;
  readonly #runtimeDir: string;
  readonly #ownsDataDir: string | undefined;
  readonly #buildEnv: () => Promise<Record<string, string>>;
  #extra: GitExtraSettings = { config: [], env: {} };
  readonly #queue = new SerialQueue();
  #initialised = false;
  #fetched = false;

  private constructor(
    options: GitWorkspaceOptions,
    dir: string,
    runtimeDir: string,
    ownsDataDir: string | undefined,
    buildEnv: () => Promise<Record<string, string>>,
  ) {
    this.#options = options;
    this.#dir = dir;
    this.#runtimeDir = runtimeDir;
    this.#ownsDataDir = ownsDataDir;
    this.#buildEnv = buildEnv;
  }

  /** Prepares the folders and credential helpers; touches no network. */
  static async open(options: GitWorkspaceOptions): Promise<GitWorkspace> {
    const ownsDataDir = options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'firmwarden-git-')) : undefined;
    const dataDir = options.dataDir ?? ownsDataDir!;
    const dir = join(dataDir, 'repo');
    await mkdir(dir, { recursive: true });
    // Credential helpers and key copies live outside the clone, in a private folder.
    const runtimeDir = await mkdtemp(join(tmpdir(), 'fw-rt-'));
    const buildEnv = await prepareGitEnvironment(options.auth, runtimeDir, options.env);
    return new GitWorkspace(options, dir, runtimeDir, ownsDataDir, buildEnv);
  }

  /** The working tree of the clone. */
  get dir(): string {
    return this.#dir;
  }

  /** A private folder (0700, outside the clone) for helper files; removed on close. */
  get runtimeDir(): string {
    return this.#runtimeDir;
  }

  get branch(): string {
    return this.#options.branch;
  }

  get remoteRef(): string {
    return `refs/remotes/origin/${this.#options.branch}`;
  }

  /** The branch status commits are pushed to: the status branch when there is one, else `branch`. */
  get statusBranch(): string | undefined {
    return this.#options.statusBranch;
  }

  /** Where the status branch's remote head is kept after a fetch (absent while the remote has none). */
  get statusRemoteRef(): string | undefined {
    return this.#options.statusBranch === undefined ? undefined : `refs/remotes/origin/${this.#options.statusBranch}`;
  }

  /** Adds configuration and environment to every later git command. */
  setExtraSettings(extra: GitExtraSettings): void {
    this.#extra = extra;
  }

  /** Runs `fn` when no other workspace operation is running. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#queue.run(fn);
  }

  /** Runs one git command in the clone; resolves to its stdout, rejects on a non-zero exit. */
  async git(args: readonly string[], options: { signal?: AbortSignal | undefined; env?: Readonly<Record<string, string>> } = {}): Promise<string> {
    const env = withConfig({ ...(await this.#buildEnv()), ...this.#extra.env, ...options.env }, this.#extra.config);
    const client: SimpleGit = simpleGit({
      baseDir: this.#dir,
      maxConcurrentProcesses: 1,
      trimmed: false,
      timeout: { block: this.#options.timeoutMs },
      ...(options.signal ? { abort: options.signal } : {}),
      // These variables are built here, never taken from repository content: allowed on purpose.
      unsafe: { allowUnsafeAskPass: true, allowUnsafeSshCommand: true, allowUnsafeConfigEnvCount: true, allowUnsafeConfigPaths: true },
      // simple-git resolves a failing command that printed nothing on stderr; we want every non-zero exit to reject.
      errors: (error, result) => error ?? (result.exitCode !== 0 ? Buffer.from(`git exited with code ${result.exitCode}`) : undefined),
    }).env(env);
    return client.raw([...args]);
  }

  /** Creates the clone's repository on first use; re-creates it when it points at another remote. */
  async ensureRepository(): Promise<void> {
    if (this.#initialised) return;
    const hasGit = await stat(join(this.#dir, '.git')).then(() => true, () => false);
    if (hasGit) {
      const url = await this.git(['config', '--get', 'remote.origin.url']).then((s) => s.trim(), () => '');
      if (url !== this.#options.repo) {
        this.#options.logger.warn({ dir: this.#dir }, 'clone points at another remote; re-creating it');
        await rm(this.#dir, { recursive: true, force: true });
        await mkdir(this.#dir, { recursive: true });
      }
    }
    // A controller killed mid-command leaves lock files behind (index.lock, but also
    // refs/heads/<branch>.lock from a reset or push and refs/remotes/…/<branch>.lock from a
    // fetch, each of which fails every later sync); the clone is this process's alone.
    await removeLockFiles(join(this.#dir, '.git'));
    if (!(await stat(join(this.#dir, '.git')).then(() => true, () => false))) {
      await this.git(['init', '--quiet']);
      // The URL goes into .git/config: it never carries credentials (checked by the options).
      await this.git(['remote', 'add', 'origin', this.#options.repo]);
    }
    this.#initialised = true;
  }

  /** The commit `ref` names locally, or undefined. */
  async resolve(ref: string): Promise<string | undefined> {
    try {
      return (await this.git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** Fetches the branch (force: a rewritten history replaces the old one); resolves to the remote head. */
  async fetch(signal?: AbortSignal): Promise<string> {
    await this.ensureRepository();
    // Shallow only for the very first fetch of a clone; later fetches are incremental.
    const first = this.#options.shallow && !this.#fetched && (await this.resolve(this.remoteRef)) === undefined;
    const depth = first ? ['--depth=1'] : [];
    await this.git(['fetch', '--quiet', '--prune', '--no-tags', ...depth, 'origin', `+refs/heads/${this.#options.branch}:${this.remoteRef}`], { signal });
    const head = await this.resolve(this.remoteRef);
    if (head === undefined) throw new Error(`fatal: couldn't find remote ref ${this.#options.branch}`);
    if (this.#options.statusBranch !== undefined) await this.#fetchStatusBranch(this.#options.statusBranch, signal);
    this.#fetched = true;
    return head;
  }

  /** Fetches the status branch; a remote without it (before the first status commit) drops the local copy. */
  async #fetchStatusBranch(branch: string, signal: AbortSignal | undefined): Promise<void> {
    const ref = this.statusRemoteRef!;
    try {
      await this.git(['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${branch}:${ref}`], { signal });
    } catch (error) {
      if (!/couldn't find remote ref/i.test(error instanceof Error ? error.message : String(error))) throw error;
      await this.git(['update-ref', '-d', ref]).catch(() => undefined);
    }
  }

  /** Points the local status branch and the working tree at `commit`, dropping anything local. */
  async checkoutStatusBase(commit: string): Promise<void> {
    await this.git(['checkout', '--quiet', '--force', '-B', this.#options.statusBranch ?? this.#options.branch, commit]);
    await this.git(['clean', '-q', '-ffdx']);
  }

  /** True once a fetch succeeded in this process. */
  get hasFetched(): boolean {
    return this.#fetched;
  }

  /** Points the local branch and working tree at the fetched remote head, dropping anything local. */
  async resetToRemote(): Promise<string> {
    await this.git(['checkout', '--quiet', '--force', '-B', this.#options.branch, this.remoteRef]);
    await this.git(['clean', '-q', '-ffdx']);
    return (await this.git(['rev-parse', 'HEAD'])).trim();
  }

  /** The remote's head of the branch without fetching (for polling); undefined when the branch is absent. */
  async remoteHead(signal?: AbortSignal): Promise<string | undefined> {
    await this.ensureRepository();
    const out = await this.git(['ls-remote', '--heads', 'origin', `refs/heads/${this.#options.branch}`], { signal });
    const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${this.#options.branch}`));
    return line?.split('\t')[0];
  }

  /** Removes helper files (and the clone when it was temporary). */
  async close(): Promise<void> {
    await this.#queue.idle();
    await rm(this.#runtimeDir, { recursive: true, force: true });
    if (this.#ownsDataDir !== undefined) await rm(this.#ownsDataDir, { recursive: true, force: true });
  }
}

/** Removes every *.lock file under a .git folder except in objects/ (none are taken there, and it is the large part). */
async function removeLockFiles(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'objects') await removeLockFiles(path);
    } else if (entry.name.endsWith('.lock')) {
      await rm(path, { force: true });
    }
  }
}
