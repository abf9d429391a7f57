// The desired-state port: where manifests come from (a Git repository, a watched directory,
// Kubernetes objects) and where their status goes back to. The reconcile loop sees only these
// types; adapters (sources/git-source.ts, sources/dir-source.ts, kube/kube-source.ts) return data
// or throw a SourceError whose `reason` becomes a condition reason and whose `retryable` says
// whether backing off can help.
import type { RememberedCalendar } from './state.ts';

/** One manifest file as read from the source; `path` is POSIX, relative to the repository (or directory) root. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** A file that matched *.yaml/*.yml but was left out, and why (too large, a symbolic link, not UTF-8). */
export interface OmittedFile {
  readonly path: string;
  readonly reason: string;
}

/** What one sync saw. */
export interface Snapshot {
  /** A commit id for Git; `dir:<content hash>` for a directory. */
  readonly revision: string;
  /** Every *.yaml / *.yml file under the configured path, sorted by path. */
  readonly files: readonly SourceFile[];
  /** Files that matched but were not read; the rest keeps reconciling and the fleet report (FLEET.md) lists them. */
  readonly omitted: readonly OmittedFile[];
  /** True when `revision` differs from the previous successful sync's (always true on the first). */
  readonly changed: boolean;
  /**
   * True when the manifests' content other than `status` (comments and formatting aside) differs
   * from the previous successful sync's (always true on the first); false for the controller's own
   * status commits. The Kubernetes source and the snapshots that status writers hand to a status
   * plan set it equal to `changed`. Only the sources' logs read it: the reconcile does not skip a
   * status-only revision but runs a pass on it like on any other.
   */
  readonly specChanged: boolean;
  /**
   * The release calendar file (`.firmwarden/releases.json` under the manifests' folder), when a
   * Git or folder source has one; the Kubernetes source keeps its calendar in the state ConfigMap.
   */
  readonly calendarText?: string | undefined;
}

/** Why a notification fired: a webhook, a file watcher, or the poller seeing a new remote head. */
export type ChangeReason = 'webhook' | 'watch' | 'poll' | 'manual';

export interface DesiredStateSource {
  /** Fetches (or re-reads) and returns the current snapshot. Calls are serialised; never run in parallel. */
  sync(signal?: AbortSignal): Promise<Snapshot>;
  /** The last successful snapshot, kept when a later sync fails. */
  readonly lastSnapshot: Snapshot | undefined;
  /** Calls `onChange` when a sync is worth doing now; returns the unsubscribe function. */
  subscribe(onChange: (reason: ChangeReason) => void): () => void;
  /** Asks subscribers for a sync now (the webhook handler calls this). */
  requestSync(reason: ChangeReason): void;
  /** Stops watchers and pollers; pending syncs finish first. */
  close(): Promise<void>;
}

/** Names one manifest, so a status can follow its document when people move it. */
export interface ManifestKey {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/** The status of one YAML document (`docIndex`, 0-based) of one file. */
export interface StatusUpdate {
  readonly path: string;
  readonly docIndex: number;
  /** The whole new `status` value (a plain JSON-like object). */
  readonly status: unknown;
  /** When given, and the document at `docIndex` is no longer this manifest, the status goes to the document that is. */
  readonly key?: ManifestKey;
}

/**
 * The statuses to write: a fixed list, or a function recomputing them for a snapshot. After a
 * push is rejected the writer calls it again on the new revision's files.
 */
export type StatusPlan =
  | readonly StatusUpdate[]
  | ((snapshot: Snapshot) => readonly StatusUpdate[] | Promise<readonly StatusUpdate[]>);

export interface StatusWriteRequest {
  /** The spec revision the statuses were computed from (recorded as a commit trailer). */
  readonly revision: string;
  /** One line for the commit subject: `status: <summary>`. */
  readonly summary: string;
  readonly statuses: StatusPlan;
  /**
   * The release calendar to keep beside the manifests, in the same commit as the statuses
   * (written only when it changed). Writers without such a file (Kubernetes) ignore it.
   */
  readonly calendar?: RememberedCalendar;
  /**
   * Other files to write in the same commit (the fleet report), each only when its text changed;
   * recomputed on the new revision after a rejected push, like `statuses`. Writers without a
   * file tree (Kubernetes) ignore them.
   */
  readonly files?: FilePlan;
}

/** A file written with the statuses: `path` POSIX, relative to the repository (or folder) root; never a manifest. */
export interface WrittenFile {
  readonly path: string;
  readonly text: string;
}

/** The files to write: a fixed list, or a function recomputing them for a snapshot (see StatusPlan). */
export type FilePlan = readonly WrittenFile[] | ((snapshot: Snapshot) => readonly WrittenFile[] | Promise<readonly WrittenFile[]>);

/** The files of a plan for a snapshot. */
export async function resolveFilePlan(plan: FilePlan | undefined, snapshot: Snapshot): Promise<readonly WrittenFile[]> {
  if (plan === undefined) return [];
  return typeof plan === 'function' ? await plan(snapshot) : plan;
}

export interface StatusWriteResult {
  /** True when something was written (a commit pushed, or files rewritten in place). */
  readonly written: boolean;
  /** The revision after writing: the pushed commit, or the revision written onto when nothing changed. */
  readonly revision: string;
  /** Files whose text changed. */
  readonly files: readonly string[];
  /** Updates that could not be applied (file gone, YAML unreadable, document gone), with why. */
  readonly skipped: readonly { readonly path: string; readonly docIndex: number; readonly reason: string }[];
  /** Push attempts used (1 without conflicts; 0 when nothing was written). */
  readonly attempts: number;
}

export interface StatusWriter {
  /** Writes statuses, only where the text changes; one commit at most per call. */
  writeStatus(request: StatusWriteRequest, signal?: AbortSignal): Promise<StatusWriteResult>;
}

/** What a source reports to metrics (the server's Metrics object fits). */
export interface SourceMetrics {
  countSourceSync(result: 'success' | 'error'): void;
  countStatusWrite(result: 'written' | 'unchanged' | 'error'): void;
}

/** Condition reasons a source can fail with (CamelCase, as conditions want). */
export const SourceFailureReasons = {
  unavailable: 'SourceUnavailable',
  authentication: 'AuthenticationFailed',
  branchNotFound: 'BranchNotFound',
  untrusted: 'UntrustedRevision',
  tooLarge: 'SourceTooLarge',
  statusConflict: 'StatusConflict',
  statusWriteFailed: 'StatusWriteFailed',
  invalidConfig: 'InvalidSourceConfig',
  /** A symbolic link in the source leads outside it: nothing under it is read or written. */
  symlinkOutside: 'SymlinkOutsideSource',
} as const;
export type SourceFailureReason = (typeof SourceFailureReasons)[keyof typeof SourceFailureReasons];

/** An operational failure of a source; `retryable` false means "stall until the input or the configuration changes". */
export class SourceError extends Error {
  override readonly name: string = 'SourceError';
  readonly reason: SourceFailureReason;
  readonly retryable: boolean;
  /** The last good snapshot, which the loop may keep reconciling on (not enumerable: never dumped into a log line). */
  declare readonly lastSnapshot: Snapshot | undefined;
  constructor(
    reason: SourceFailureReason,
    message: string,
    options: { retryable: boolean; cause?: unknown; lastSnapshot?: Snapshot | undefined },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.retryable = options.retryable;
    Object.defineProperty(this, 'lastSnapshot', { value: options.lastSnapshot, enumerable: false });
  }
}

/** The head commit is not signed by a trusted key: terminal until a new revision arrives. */
export class UntrustedRevisionError extends SourceError {
  override readonly name = 'UntrustedRevisionError';
  readonly revision: string;
  constructor(revision: string, message: string, options: { cause?: unknown; lastSnapshot?: Snapshot | undefined } = {}) {
    super(SourceFailureReasons.untrusted, message, { retryable: false, ...options });
    this.revision = revision;
  }
}

/** Tells every subscriber; one that throws is logged and does not stop the others. */
export function notifySubscribers(
  subscribers: Iterable<(reason: ChangeReason) => void>,
  reason: ChangeReason,
  log: { error(obj: object, msg: string): void },
): void {
  for (const subscriber of subscribers) {
    try {
      subscriber(reason);
    } catch (error) {
      log.error({ err: error }, 'change subscriber failed');
    }
  }
}
