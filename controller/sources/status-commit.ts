// Status write-back to Git: puts the statuses into the files of the current head, commits
// once (only when a text really changed), and pushes. A push rejected because someone pushed
// first is never forced: the writer fetches, re-reads the new files (so a person's edit to
// spec or comments is kept as they wrote it), applies the statuses again onto them, commits
// and retries with back-off, a bounded number of times.
import { constants } from 'node:fs';
import { realpath, writeFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { FileLimits } from './dir-manifest-files.ts';
import { readManifestFiles, resolveWritableFile } from './dir-manifest-files.ts';
import { classifyGitFailure, toSourceError } from './git-errors.ts';
import type { GitWorkspace } from './git-workspace.ts';
import type { Snapshot, SourceMetrics, StatusPlan, StatusUpdate, StatusWriteRequest, StatusWriteResult } from '../model/source.ts';
import { SourceError, SourceFailureReasons, resolveFilePlan } from '../model/source.ts';
import { ownedPath, writeOwnedFile } from './owned-files.ts';
import { prepareStatusBase, type StatusBaseOptions } from './status-branch.ts';
import type { ReplaceStatus, SkippedUpdate } from './status-commit-apply.ts';
import { applyStatuses, defaultVolatileKeys } from './status-commit-apply.ts';
import type { CommitIdentity } from './status-commit-message.ts';
import { defaultStatusAuthor, formatStatusCommitMessage } from './status-commit-message.ts';
import { renderCalendarFile } from '../state/calendar-file.ts';
import { calendarPathIn, readCalendarText, writeCalendarText } from './calendar-file-io.ts';

export interface StatusCommitOptions {
  readonly replaceStatus: ReplaceStatus;
  /** The manifests' folder inside the repository. Default: '.'. */
  readonly path: string;
  readonly limits?: FileLimits;
  /** Default: firmwarden <firmwarden@users.noreply.firmwarden.dev>. */
  readonly author?: CommitIdentity;
  /** Push attempts before giving up with a retryable StatusConflict. Default: 5. */
  readonly maxAttempts?: number;
  /** First back-off after a rejected push; doubles each time, with jitter. Default: 500 ms. */
  readonly backoffBaseMs?: number;
  /** Default: 10 s. */
  readonly backoffMaxMs?: number;
  /** Status fields whose change alone is no reason to commit. Default: lastTransitionTime. */
  readonly volatileKeys?: ReadonlySet<string>;
  /** An ssh private key to sign status commits with (so they verify like people's signed commits). */
  readonly signingKeyFile?: string;
  /** The commit message template (status-commit-message.ts). Default: `status: {summary} [skip ci]`. */
  readonly messageTemplate?: string;
  /** Files besides the manifests and the calendar that the controller writes (the report): carried over when the status branch is recreated. */
  readonly ownedPaths?: readonly string[];
  readonly clock: Clock;
  readonly random?: () => number;
  readonly logger: Logger;
  readonly metrics?: SourceMetrics;
}

/** What the status branch's base needs from these options: the calendar and the owned files are carried over. */
export function statusBaseOptions(options: Pick<StatusCommitOptions, 'path' | 'replaceStatus' | 'ownedPaths' | 'limits'>): StatusBaseOptions {
  return {
    path: options.path,
    replaceStatus: options.replaceStatus,
    ownedPaths: [calendarPathIn(options.path), ...(options.ownedPaths ?? [])],
    ...(options.limits ? { limits: options.limits } : {}),
  };
}

async function resolvePlan(plan: StatusPlan, snapshot: Snapshot): Promise<readonly StatusUpdate[]> {
  return typeof plan === 'function' ? await plan(snapshot) : plan;
}

type AttemptResult =
  | { readonly kind: 'unchanged'; readonly revision: string; readonly skipped: readonly SkippedUpdate[] }
  | { readonly kind: 'pushed'; readonly revision: string; readonly files: readonly string[]; readonly skipped: readonly SkippedUpdate[] }
  | { readonly kind: 'rejected'; readonly error: unknown };

/** Writes statuses as one commit on the branch and pushes it; see the file header for the conflict rules. */
export async function commitStatuses(
  workspace: GitWorkspace,
  request: StatusWriteRequest,
  options: StatusCommitOptions,
  signal?: AbortSignal,
): Promise<StatusWriteResult> {
  try {
    const result = await writeWithRetries(workspace, request, options, signal);
    options.metrics?.countStatusWrite(result.written ? 'written' : 'unchanged');
    return result;
  } catch (error) {
    options.metrics?.countStatusWrite('error');
    throw error;
  }
}

async function writeWithRetries(
  workspace: GitWorkspace,
  request: StatusWriteRequest,
  options: StatusCommitOptions,
  signal: AbortSignal | undefined,
): Promise<StatusWriteResult> {
  const log = options.logger.child({ component: 'status-commit' });
  const maxAttempts = options.maxAttempts ?? 5;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const result = await workspace.exclusive(() => tryOnce(workspace, request, options, attempt, signal));
    if (result.kind === 'unchanged') {
      log.debug({ revision: result.revision }, 'status unchanged; nothing to commit');
      return { written: false, revision: result.revision, files: [], skipped: result.skipped, attempts: attempt - 1 };
    }
    if (result.kind === 'pushed') {
      log.info({ revision: result.revision, files: result.files.length, attempt }, 'status committed and pushed');
      return { written: true, revision: result.revision, files: result.files, skipped: result.skipped, attempts: attempt };
    }
    if (attempt >= maxAttempts) {
      throw new SourceError(SourceFailureReasons.statusConflict, `status push rejected ${attempt} times: others keep pushing first`, {
        retryable: true,
        cause: result.error,
      });
    }
    const base = options.backoffBaseMs ?? 500;
    const delay = Math.min(options.backoffMaxMs ?? 10_000, base * 2 ** (attempt - 1)) * (0.5 + random() / 2);
    log.info({ attempt, delayMs: Math.round(delay) }, 'status push rejected; someone pushed first, retrying on the new head');
    await options.clock.sleep(delay, signal);
  }
}

async function tryOnce(
  workspace: GitWorkspace,
  request: StatusWriteRequest,
  options: StatusCommitOptions,
  attempt: number,
  signal: AbortSignal | undefined,
): Promise<AttemptResult> {
  // Start from the remote head: on the first attempt the one the last sync fetched (any local
  // leftover from an earlier failed push is dropped), later the one fetched after the rejection.
  if (attempt > 1 || !workspace.hasFetched) {
    try {
      await workspace.fetch(signal);
    } catch (error) {
      throw toSourceError(error, 'fetching before the status push');
    }
  }
  // With a status branch: its head, or the tracked head with its statuses carried over (status-branch.ts).
  const base = workspace.statusBranch === undefined ? undefined : await prepareStatusBase(workspace, statusBaseOptions(options));
  const head = base?.revision ?? (await workspace.resetToRemote());
  const { files, omitted } = await readManifestFiles(workspace.dir, options.path, options.limits ? { limits: options.limits } : {});
  const moved = head !== request.revision;
  const calendarNow = await readCalendarText(workspace.dir, options.path);
  const calendarText = calendarNow.kind === 'text' ? calendarNow.text : undefined;
  const snapshot: Snapshot = { revision: head, files, omitted, changed: moved, specChanged: moved, calendarText };
  const updates = await resolvePlan(request.statuses, snapshot);
  const { changed, skipped } = applyStatuses(files, updates, options.replaceStatus, options.volatileKeys ?? defaultVolatileKeys);
  // The calendar goes into the same commit as the statuses, and alone when only it changed.
  const calendar = request.calendar === undefined ? undefined : renderCalendarFile(request.calendar);
  const calendarChanged = calendar !== undefined && calendar !== calendarText;
  // Other files (the fleet report) are written now: each says whether its text changed.
  const extraWritten: string[] = [];
  for (const file of await resolveFilePlan(request.files, snapshot)) if (await writeOwnedFile(workspace.dir, file)) extraWritten.push(ownedPath(file.path));
  // A recreated status branch is a commit even when no status changed: it must follow the tracked head.
  const carried = base?.carried ?? [];
  if (changed.size === 0 && !calendarChanged && extraWritten.length === 0 && carried.length === 0) return { kind: 'unchanged', revision: head, skipped };

  const paths = [...changed.keys()].sort();
  const staging: string[] = [];
  const realRoot = await realpath(workspace.dir);
  for (const path of paths) {
    // Checked right before writing: never through a link to outside the clone. Opened without
    // following a last-component link, and staged by its real path (git refuses a path through a link).
    const real = await resolveWritableFile(workspace.dir, path);
    await writeFile(real, changed.get(path)!, { flag: constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW });
    staging.push(relative(realRoot, real).split(sep).join('/'));
  }
  if (calendarChanged && (await writeCalendarText(workspace.dir, options.path, calendar))) {
    staging.push(calendarPathIn(options.path));
    paths.push(calendarPathIn(options.path));
  }
  staging.push(...extraWritten, ...carried);
  paths.push(...extraWritten, ...carried.filter((p) => !paths.includes(p) && !extraWritten.includes(p)));
  await workspace.git(['add', '--', ...staging]);
  // Belt and braces: never an empty commit, whatever the texts said.
  const staged = (await workspace.git(['diff', '--cached', '--name-only'])).trim();
  if (staged === '') {
    await workspace.resetToRemote();
    return { kind: 'unchanged', revision: head, skipped };
  }
  const author = options.author ?? defaultStatusAuthor;
  const identity = {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: author.name,
    GIT_COMMITTER_EMAIL: author.email,
  };
  const signing = options.signingKeyFile === undefined ? ['-c', 'commit.gpgsign=false'] : ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${options.signingKeyFile}`, '-c', 'commit.gpgsign=true'];
  await workspace.git([...signing, 'commit', '--quiet', '--no-verify', '-m', formatStatusCommitMessage(request.summary, request.revision, { ...(options.messageTemplate !== undefined ? { template: options.messageTemplate } : {}), branch: workspace.statusBranch ?? workspace.branch })], { env: identity });
  const commit = (await workspace.git(['rev-parse', 'HEAD'])).trim();
  try {
    const target = workspace.statusBranch ?? workspace.branch;
    // The status branch is replaced when recreated: only if nobody moved it since the fetch.
    const lease = base === undefined ? [] : [`--force-with-lease=refs/heads/${target}:${base.statusHead ?? ''}`];
    await workspace.git(['push', '--quiet', ...lease, 'origin', `HEAD:refs/heads/${target}`], { signal });
  } catch (error) {
    // The commit stays local only until the next sync resets it away; nothing half-pushed.
    const message = error instanceof Error ? error.message : String(error);
    if (classifyGitFailure(message) === 'push-rejected') return { kind: 'rejected', error };
    await workspace.resetToRemote().catch(() => undefined);
    throw toSourceError(error, 'pushing the status commit');
  }
  return { kind: 'pushed', revision: commit, files: paths, skipped };
}
