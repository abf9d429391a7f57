// Desired state from a Git repository: a clone owned by the controller, fetched and hard-reset
// to the remote branch on every sync (a force-pushed history simply becomes the new head), the
// last good snapshot kept when the remote is unreachable, optional signed-commit verification,
// a poller that notifies subscribers when the remote head moves, and status write-back.
import type { Clock } from '../model/clock.ts';
import { systemClock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { FileLimits } from './dir-manifest-files.ts';
import { isSourceFileName, readManifestFiles, resolveInside } from './dir-manifest-files.ts';
import type { GitAuth } from './git-auth.ts';
import { hasEmbeddedCredentials } from './git-auth.ts';
import { toSourceError } from './git-errors.ts';
import { prepareTrustedKeys, verifyCommit } from './git-signatures.ts';
import { GitWorkspace } from './git-workspace.ts';
import type {
  ChangeReason,
  DesiredStateSource,
  Snapshot,
  SourceMetrics,
  StatusWriteRequest,
  StatusWriteResult,
  StatusWriter,
} from '../model/source.ts';
import { SourceError, SourceFailureReasons, UntrustedRevisionError, notifySubscribers } from '../model/source.ts';
import type { StatusCommitOptions } from './status-commit.ts';
import { commitStatuses, statusBaseOptions } from './status-commit.ts';
import { prepareStatusBase } from './status-branch.ts';
import { calendarPathIn, readCalendarText } from './calendar-file-io.ts';
import { isStatusOnlyFilesChange, isStatusOnlyTextChange } from './status-commit-detect.ts';
import { hasStatusTrailer } from './status-commit-message.ts';

export interface GitSourceOptions {
  /** URL (https://, ssh://, git@host:path) or local path; never with credentials in it. */
  readonly repo: string;
  /** Default: main. */
  readonly branch?: string;
  /**
   * Commit status to this branch instead of `branch` (a protected main): kept as `branch` plus
   * status commits, and read back on every sync (status-branch.ts). Default: none.
   */
  readonly statusBranch?: string;
  /** Folder of the manifests inside the repository. Default: '.'. */
  readonly path?: string;
  /** How often the poller checks the remote head (ls-remote); 0 disables polling. Default: 60 s. */
  readonly intervalMs?: number;
  /** Where the clone lives (`<dataDir>/repo`). Default: a temporary folder, removed on close. */
  readonly dataDir?: string;
  /** Default: none. */
  readonly auth?: GitAuth;
  /** Fetch depth 1 the first time. Default: true (false when verifying signatures, which walks history). */
  readonly shallow?: boolean;
  /** A git command silent for this long is killed. Default: 120 s. */
  readonly timeoutMs?: number;
  /** When set, only revisions whose head commit verifies against these keys are synced. */
  readonly trustedKeysFile?: string;
  readonly limits?: FileLimits;
  /** Status write-back settings; `path`, `clock`, `logger` and `random` come from here. */
  readonly status: Omit<StatusCommitOptions, 'path' | 'limits' | 'clock' | 'logger' | 'random' | 'metrics'>;
  /** Default: the system clock. */
  readonly clock?: Clock;
  readonly random?: () => number;
  /** The environment git inherits proxies, PATH and HOME from. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly metrics?: SourceMetrics;
}

/** How far back the signature check looks for a trusted commit under the controller's status commits. */
const maxUnsignedStatusCommits = 100;

export class GitSource implements DesiredStateSource, StatusWriter {
  readonly #options: GitSourceOptions;
  readonly #workspace: GitWorkspace;
  readonly #path: string;
  readonly #verify: boolean;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #subscribers = new Set<(reason: ChangeReason) => void>();
  readonly #closing = new AbortController();
  readonly #verified = new Set<string>();
  #last: Snapshot | undefined;
  #poller: Promise<void> | undefined;

  private constructor(options: GitSourceOptions, workspace: GitWorkspace, verify: boolean) {
    this.#options = options;
    this.#workspace = workspace;
    this.#path = options.path ?? '.';
    this.#verify = verify;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger.child({ component: 'git-source', repo: options.repo, branch: workspace.branch });
  }

  /** Checks the options, prepares the clone folder, credentials and trusted keys; no network yet. */
  static async create(options: GitSourceOptions): Promise<GitSource> {
    if (hasEmbeddedCredentials(options.repo)) {
      throw new SourceError(
        SourceFailureReasons.invalidConfig,
        'the repository URL carries credentials; pass the token through FIRMWARDEN_GIT_TOKEN or --git-token-file instead',
        { retryable: false },
      );
    }
    resolveInside('/', options.path ?? '.');
    const verify = options.trustedKeysFile !== undefined;
    const workspace = await GitWorkspace.open({
      repo: options.repo,
      branch: options.branch ?? 'main',
      dataDir: options.dataDir,
      auth: options.auth ?? { kind: 'none' },
      // Both signature checks and the status branch walk history (merge-base needs it).
      shallow: (options.shallow ?? true) && !verify && options.statusBranch === undefined,
      statusBranch: options.statusBranch,
      timeoutMs: options.timeoutMs ?? 120_000,
      env: options.env ?? process.env,
      logger: options.logger,
    });
    if (options.trustedKeysFile !== undefined) {
      try {
        workspace.setExtraSettings(await prepareTrustedKeys(options.trustedKeysFile, workspace.runtimeDir, options.env ?? process.env));
      } catch (error) {
        await workspace.close();
        throw error;
      }
    }
    return new GitSource(options, workspace, verify);
  }

  /** The clone's working tree (for `git log -p` in the demo's summary, and tests). */
  get cloneDir(): string {
    return this.#workspace.dir;
  }

  get lastSnapshot(): Snapshot | undefined {
    return this.#last;
  }

  sync(signal?: AbortSignal): Promise<Snapshot> {
    return this.#workspace.exclusive(async () => {
      try {
        const snapshot = await this.#syncNow(signal);
        this.#options.metrics?.countSourceSync('success');
        return snapshot;
      } catch (error) {
        this.#options.metrics?.countSourceSync('error');
        const wrapped = toSourceError(error, `syncing ${this.#workspace.branch}`, this.#last);
        this.#log.warn({ reason: wrapped.reason, retryable: wrapped.retryable, err: wrapped }, 'sync failed');
        throw wrapped;
      }
    });
  }

  async #syncNow(signal: AbortSignal | undefined): Promise<Snapshot> {
    const spec = await this.#workspace.fetch(signal);
    const last = this.#last;
    if (this.#options.statusBranch === undefined && last?.revision === spec) {
      await this.#workspace.resetToRemote();
      return { ...last, changed: false, specChanged: false };
    }
    // The spec is what must be trusted; the status branch only adds statuses to it.
    if (this.#verify) await this.#checkTrust(spec);
    const head = this.#options.statusBranch === undefined
      ? await this.#workspace.resetToRemote()
      : (await prepareStatusBase(this.#workspace, statusBaseOptions({ ...this.#options.status, path: this.#path, ...(this.#options.limits ? { limits: this.#options.limits } : {}) }))).revision;
    if (last?.revision === head) return { ...last, changed: false, specChanged: false };
    const { files, omitted } = await readManifestFiles(this.#workspace.dir, this.#path, this.#options.limits ? { limits: this.#options.limits } : {}).catch(
      (error: unknown) => {
        throw error instanceof SourceError
          ? new SourceError(error.reason, error.message, { retryable: error.retryable, cause: error, lastSnapshot: last })
          : error;
      },
    );
    const specChanged = last === undefined || !isStatusOnlyFilesChange(last.files, files);
    const calendar = await readCalendarText(this.#workspace.dir, this.#path);
    if (calendar.kind === 'omitted') this.#log.warn({ revision: head, path: calendarPathIn(this.#path), reason: calendar.reason }, 'release calendar file left out');
    const snapshot: Snapshot = { revision: head, files, omitted, changed: true, specChanged, calendarText: calendar.kind === 'text' ? calendar.text : undefined };
    this.#last = snapshot;
    this.#log.info({ revision: head, files: files.length, omitted: omitted.length, specChanged }, 'synced new revision');
    // Named here because nothing else shows them: a link leading out, a file too large.
    if (omitted.length > 0) this.#log.warn({ revision: head, omitted: omitted.slice(0, 20), count: omitted.length }, 'files left out of the snapshot');
    return snapshot;
  }

  /**
   * Accepts `head` when its commit verifies, or when it is only the controller's unsigned status
   * commits on top of a commit that verifies and they changed nothing but status (so the spec
   * synced is exactly the trusted one's).
   */
  async #checkTrust(head: string): Promise<void> {
    const headCheck = await this.#verifyCached(head);
    if (headCheck.ok) return;
    const log = await this.#workspace.git(['log', '--first-parent', `--max-count=${maxUnsignedStatusCommits + 1}`, '--format=%H%x1f%B%x1e', head]);
    const commits = log
      .split('\x1e')
      .map((entry) => entry.replace(/^\n+/, ''))
      .filter((entry) => entry.includes('\x1f'))
      .map((entry) => {
        const [sha, body] = entry.split('\x1f') as [string, string];
        return { sha, body };
      });
    let trusted: string | undefined;
    for (const [index, commit] of commits.entries()) {
      if (index > 0 && (await this.#verifyCached(commit.sha)).ok) {
        trusted = commit.sha;
        break;
      }
      if (!hasStatusTrailer(commit.body)) break;
    }
    if (trusted === undefined || !(await this.#isStatusOnlyChange(trusted, head))) {
      throw new UntrustedRevisionError(head, `the head commit ${head.slice(0, 12)} is not signed by a trusted key (${headCheck.detail})`, {
        lastSnapshot: this.#last,
      });
    }
  }

  async #verifyCached(commit: string): Promise<{ ok: true } | { ok: false; detail: string }> {
    if (this.#verified.has(commit)) return { ok: true };
    const result = await verifyCommit(this.#workspace, commit);
    if (result.ok) this.#verified.add(commit);
    return result;
  }

  /**
   * True when going from `previous` to `next` changed nothing but `status` nodes (comments and
   * formatting aside); false when either revision is unknown. #checkTrust's test of status commits.
   */
  async #isStatusOnlyChange(previous: string, next: string): Promise<boolean> {
    if (previous === next) return true;
    const [a, b] = await Promise.all([this.#workspace.resolve(previous), this.#workspace.resolve(next)]);
    if (a === undefined || b === undefined) return false;
    const out = await this.#workspace.git(['diff', '--name-only', '--no-renames', '-z', a, b, '--', this.#path]);
    const paths = out.split('\0').filter((p) => p !== '' && isManifestPath(p));
    for (const path of paths) {
      // A calendar has no status: any change to it changes the holidays.
      if (path.toLowerCase().endsWith('.ics')) return false;
      const [before, after] = await Promise.all([this.#show(a, path), this.#show(b, path)]);
      if (before === undefined || after === undefined || !isStatusOnlyTextChange(before, after)) return false;
    }
    return true;
  }

  async #show(revision: string, path: string): Promise<string | undefined> {
    try {
      return await this.#workspace.git(['show', `${revision}:${path}`]);
    } catch {
      return undefined;
    }
  }

  subscribe(onChange: (reason: ChangeReason) => void): () => void {
    this.#subscribers.add(onChange);
    if (this.#poller === undefined && (this.#options.intervalMs ?? 60_000) > 0) this.#poller = this.#poll();
    return () => {
      this.#subscribers.delete(onChange);
    };
  }

  requestSync(reason: ChangeReason): void {
    notifySubscribers(this.#subscribers, reason, this.#log);
  }

  async #poll(): Promise<void> {
    const interval = this.#options.intervalMs ?? 60_000;
    const signal = this.#closing.signal;
    while (!signal.aborted) {
      try {
        await this.#clock.sleep(interval, signal);
      } catch {
        return;
      }
      try {
        const remote = await this.#workspace.exclusive(() => this.#workspace.remoteHead(signal));
        const local = await this.#workspace.resolve(this.#workspace.remoteRef);
        if (remote !== undefined && remote !== local) this.requestSync('poll');
      } catch (error) {
        // The loop's own sync reports the failure; the poller only says when to look.
        if (!signal.aborted) this.#log.debug({ err: toSourceError(error, 'polling the remote head') }, 'poll failed');
      }
    }
  }

  writeStatus(request: StatusWriteRequest, signal?: AbortSignal): Promise<StatusWriteResult> {
    return commitStatuses(
      this.#workspace,
      request,
      {
        ...this.#options.status,
        path: this.#path,
        ...(this.#options.limits ? { limits: this.#options.limits } : {}),
        clock: this.#clock,
        logger: this.#options.logger,
        ...(this.#options.random ? { random: this.#options.random } : {}),
        ...(this.#options.metrics ? { metrics: this.#options.metrics } : {}),
      },
      signal,
    );
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#poller;
    this.#subscribers.clear();
    await this.#workspace.close();
  }
}

/** True for a repository path the source reads: a *.yaml/*.yml or *.ics file outside hidden folders. */
function isManifestPath(path: string): boolean {
  const segments = path.split('/');
  return segments.every((s) => !s.startsWith('.')) && isSourceFileName(segments.at(-1) ?? '');
}
