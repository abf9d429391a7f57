// Opening the controller's desired-state source: a folder, a Git repository (its status branch,
// signatures and report path), or one the caller brings (Kubernetes). Each adapter is imported
// only when its kind is used.
import type { DesiredStateSource, SourceMetrics, StatusWriter } from '../model/source.ts';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { GitRunSource, DirRunSource } from '../config/run-options.ts';
import type { ReplaceStatus } from '../sources/status-commit-apply.ts';

/** Where the manifests come from; `custom` when the caller brings its own source (Kubernetes). */
export type ControllerSource = GitRunSource | DirRunSource | { readonly kind: 'custom'; readonly source: DesiredStateSource & StatusWriter };

/** The source, opened (a Git clone is fetched first). */
export async function openSource(
  source: ControllerSource,
  deps: { readonly logger: Logger; readonly replaceStatus: ReplaceStatus; readonly clock: Clock },
  metrics: SourceMetrics,
): Promise<DesiredStateSource & StatusWriter> {
  // Each source binds its own component (dir-source, git-source and its status-commit): a
  // `component` bound here too would appear twice in every line, since pino keeps both.
  // Each kind's adapter loads only when used: a folder source never loads simple-git and its
  // dependencies (~3 MB of a long-running process's memory), a Git source never loads chokidar.
  const logger = deps.logger;
  const s = source;
  if (s.kind === 'custom') return s.source;
  if (s.kind === 'dir') {
    const { DirSource } = await import('../sources/dir-source.ts');
    return new DirSource({ dir: s.dir, path: s.path, replaceStatus: deps.replaceStatus, logger, metrics });
  }
  const { GitSource } = await import('../sources/git-source.ts');
  return GitSource.create({
    repo: s.repo,
    branch: s.branch,
    path: s.path,
    intervalMs: s.intervalMs,
    ...(s.dataDir ? { dataDir: s.dataDir } : {}),
    auth: s.auth,
    ...(s.trustedKeysFile ? { trustedKeysFile: s.trustedKeysFile } : {}),
    status: {
      replaceStatus: deps.replaceStatus,
      ...(s.statusAuthor ? { author: s.statusAuthor } : {}),
      ...(s.signingKeyFile ? { signingKeyFile: s.signingKeyFile } : {}),
      ...(s.statusMessage !== undefined ? { messageTemplate: s.statusMessage } : {}),
      // Carried over with the statuses when the status branch is recreated on a new main.
      ...(s.report !== undefined ? { ownedPaths: [s.report] } : {}),
    },
    ...(s.statusBranch !== undefined ? { statusBranch: s.statusBranch } : {}),
    clock: deps.clock,
    logger,
    metrics,
  });
}
