// Turns a failed git command into a classified SourceError by what git printed (the
// environment forces LC_ALL=C, so the messages are the English ones matched here).
import type { Snapshot } from '../model/source.ts';
import { SourceError, SourceFailureReasons } from '../model/source.ts';

/** What kind of failure git reported. */
export const GitFailureKinds = ['unreachable', 'auth', 'branch-not-found', 'push-refused', 'local-lock', 'push-rejected', 'other'] as const;
export type GitFailureKind = (typeof GitFailureKinds)[number];

const patterns: readonly (readonly [GitFailureKind, RegExp])[] = [
  // Before push-rejected: a protected branch (GitHub's GH006, GitLab's and Gitea's hooks) says
  // "[remote rejected] … (hook declined)". Pushing again cannot help, unlike a race lost.
  ['push-refused', /hook declined|protected branch|GH006|not allowed to (push|force push)|GL-HOOK-ERR/i],
  // Before push-rejected, whose "cannot lock ref" is the remote's: this is a lock file in the
  // controller's own clone (a git killed mid-command), which no push retry can clear.
  ['local-lock', /Unable to create '[^']*\.lock': File exists/i],
  ['push-rejected', /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|stale info|failed to update ref|cannot lock ref|Updates were rejected/i],
  ['auth', /Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied \(|returned error: 40[13]|Host key verification failed|invalid credentials|HTTP Basic: Access denied/i],
  ['branch-not-found', /couldn't find remote ref|Remote branch .* not found/i],
  ['unreachable', /Could not resolve host|Connection refused|Failed to connect|Connection reset|Connection timed out|timed out|unable to access|Could not read from remote repository|RPC failed|early EOF|remote end hung up|returned error: 5\d\d|does not appear to be a git repository|Empty reply from server|Recv failure|Send failure|Broken pipe|block timeout/i],
];

/** Classifies git's error output. */
export function classifyGitFailure(message: string): GitFailureKind {
  for (const [kind, pattern] of patterns) if (pattern.test(message)) return kind;
  return 'other';
}

/** The last meaningful line git printed, shortened: enough to diagnose, never a whole transcript. */
export function summarizeGitMessage(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('hint:'));
  const line = lines.find((l) => /^(fatal|error):/.test(l)) ?? lines.at(-1) ?? 'git failed';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** What the server said when it refused a push: the `[remote rejected]` line and the hook's first line, not git's closing "failed to push". */
function refusalDetail(message: string): string {
  const lines = message.split('\n').map((l) => l.trim());
  const rejected = lines.find((l) => /\[remote rejected\]/.test(l));
  const said = lines.find((l) => /^remote:\s*\S/.test(l));
  const parts = [rejected, said?.replace(/^remote:\s*/, 'remote said: ')].filter((p): p is string => p !== undefined);
  return parts.length === 0 ? summarizeGitMessage(message) : summarizeGitMessage(parts.join('; '));
}

/** Wraps a git failure during `what` (e.g. "fetching origin main") into a SourceError. */
export function toSourceError(error: unknown, what: string, lastSnapshot?: Snapshot): SourceError {
  if (error instanceof SourceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const kind = classifyGitFailure(message);
  const detail = summarizeGitMessage(message);
  const options = { cause: error, lastSnapshot };
  switch (kind) {
    case 'unreachable':
      return new SourceError(SourceFailureReasons.unavailable, `${what}: the remote is unreachable (${detail})`, { retryable: true, ...options });
    case 'auth':
      return new SourceError(SourceFailureReasons.authentication, `${what}: the remote refused the credentials (${detail})`, { retryable: false, ...options });
    case 'branch-not-found':
      return new SourceError(SourceFailureReasons.branchNotFound, `${what}: the branch does not exist on the remote (${detail})`, { retryable: false, ...options });
    case 'push-refused':
      return new SourceError(
        SourceFailureReasons.statusWriteFailed,
        `${what}: the remote refused the push (${refusalDetail(message)}); the branch is protected: let the controller push to it (see the README, Status commits), or write status to another branch with --status-branch`,
        { retryable: false, ...options },
      );
    case 'local-lock':
      return new SourceError(
        SourceFailureReasons.unavailable,
        `${what}: a lock file is left in the controller's clone (${detail}); another git command holds it or one was killed: firmwarden clears stale locks when it starts, so restart it if this persists`,
        { retryable: true, ...options },
      );
    case 'push-rejected':
      return new SourceError(SourceFailureReasons.statusConflict, `${what}: the remote rejected the push (${detail})`, { retryable: true, ...options });
    case 'other':
      return new SourceError(SourceFailureReasons.unavailable, `${what}: ${detail}`, { retryable: true, ...options });
  }
}
