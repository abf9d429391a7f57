// Desired state from a local folder, for trying things out: read on every sync, watched with
// chokidar (debounced) to notify subscribers. Status is written back into the files in place
// (what someone trying the controller on a folder expects to see), durably (temp file, fsync,
// rename, folder fsync: a power loss leaves the old text or the new one), and only when
// the file on disk is still the text the status was computed on: an edit saved meanwhile
// wins, and the status is applied again onto it. No commits: the folder may not be a repository.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../log/logger.ts';
import { SerialQueue } from '../model/serial-queue.ts';
import type { DurableFs } from '../state/durable-write.ts';
import { writeFileDurably } from '../state/durable-write.ts';
import type { FileLimits } from './dir-manifest-files.ts';
import { readManifestFiles, resolveInside, resolveWritableFile } from './dir-manifest-files.ts';
import type {
  ChangeReason,
  DesiredStateSource,
  Snapshot,
  SourceFile,
  SourceMetrics,
  StatusWriteRequest,
  StatusWriteResult,
  StatusWriter,
} from '../model/source.ts';
import { SourceError, SourceFailureReasons, notifySubscribers, resolveFilePlan } from '../model/source.ts';
import { ownedPath, writeOwnedFile } from './owned-files.ts';
import type { ReplaceStatus } from './status-commit-apply.ts';
import { applyStatuses, defaultVolatileKeys } from './status-commit-apply.ts';
import { isStatusOnlyFilesChange } from './status-commit-detect.ts';
import { renderCalendarFile } from '../state/calendar-file.ts';
import { calendarPathIn, readCalendarText, writeCalendarText } from './calendar-file-io.ts';

export interface DirSourceOptions {
  /** The folder (absolute, or relative to the process's working directory). */
  readonly dir: string;
  /** Folder of the manifests inside `dir`. Default: '.'. */
  readonly path?: string;
  /** Quiet time after the last file event before subscribers are told. Default: 300 ms. */
  readonly debounceMs?: number;
  readonly limits?: FileLimits;
  readonly replaceStatus: ReplaceStatus;
  /** Default: lastTransitionTime. */
  readonly volatileKeys?: ReadonlySet<string>;
  /** Times a status write is recomputed when the file changed under it. Default: 5. */
  readonly maxAttempts?: number;
  readonly logger: Logger;
  readonly metrics?: SourceMetrics;
  /** Replaces the real file system's write operations (tests record them). Default: node:fs. */
  readonly fs?: DurableFs;
}

/** A content revision for a folder: `dir:` and the first 16 hex digits of a hash of paths and texts. */
export function computeDirRevision(files: readonly SourceFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.path).update('\0').update(f.text).update('\0');
  return `dir:${hash.digest('hex').slice(0, 16)}`;
}

export class DirSource implements DesiredStateSource, StatusWriter {
  readonly #options: DirSourceOptions;
  readonly #path: string;
  readonly #log: Logger;
  readonly #subscribers = new Set<(reason: ChangeReason) => void>();
  readonly #queue = new SerialQueue();
  #last: Snapshot | undefined;
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #closed = false;
  #ready: Promise<void> = Promise.resolve();

  constructor(options: DirSourceOptions) {
    this.#options = options;
    this.#path = options.path ?? '.';
    resolveInside(options.dir, this.#path);
    this.#log = options.logger.child({ component: 'dir-source', dir: options.dir });
  }

  get lastSnapshot(): Snapshot | undefined {
    return this.#last;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#queue.run(fn);
  }

  sync(_signal?: AbortSignal): Promise<Snapshot> {
    return this.#exclusive(async () => {
      try {
        const { files, omitted } = await this.#read();
        const revision = computeDirRevision(files);
        const last = this.#last;
        const changed = last?.revision !== revision;
        const specChanged = last === undefined || (changed && !isStatusOnlyFilesChange(last.files, files));
        const calendar = await readCalendarText(this.#options.dir, this.#path);
        if (calendar.kind === 'omitted' && changed) this.#log.warn({ path: calendarPathIn(this.#path), reason: calendar.reason }, 'release calendar file left out');
        const snapshot: Snapshot = { revision, files, omitted, changed, specChanged, calendarText: calendar.kind === 'text' ? calendar.text : undefined };
        this.#last = snapshot;
        if (changed) this.#log.info({ revision, files: files.length, omitted: omitted.length, specChanged }, 'read new revision');
        // Named here because nothing else shows them: a link leading out, a file too large.
        if (changed && omitted.length > 0) this.#log.warn({ revision, omitted: omitted.slice(0, 20), count: omitted.length }, 'files left out of the snapshot');
        this.#options.metrics?.countSourceSync('success');
        return snapshot;
      } catch (error) {
        this.#options.metrics?.countSourceSync('error');
        if (error instanceof SourceError) {
          throw new SourceError(error.reason, error.message, { retryable: error.retryable, cause: error, lastSnapshot: this.#last });
        }
        throw new SourceError(SourceFailureReasons.unavailable, `cannot read ${this.#options.dir}`, { retryable: true, cause: error, lastSnapshot: this.#last });
      }
    });
  }

  #read(): Promise<{ files: SourceFile[]; omitted: { path: string; reason: string }[] }> {
    // A folder of one's own: symbolic links inside it are followed.
    return readManifestFiles(this.#options.dir, this.#path, { followSymlinks: true, ...(this.#options.limits ? { limits: this.#options.limits } : {}) });
  }

  subscribe(onChange: (reason: ChangeReason) => void): () => void {
    this.#subscribers.add(onChange);
    if (this.#watcher === undefined && !this.#closed) this.#startWatching();
    return () => {
      this.#subscribers.delete(onChange);
    };
  }

  /** Resolves once the watcher has scanned the folder (file events before that may be missed). */
  watching(): Promise<void> {
    return this.#ready;
  }

  #startWatching(): void {
    const root = resolveInside(this.#options.dir, this.#path);
    this.#watcher = watch(root, {
      ignoreInitial: true,
      // Hidden files and folders are never manifests, and our own temporary files are hidden.
      ignored: (path: string) => path !== root && basename(path).startsWith('.'),
    });
    const onEvent = () => {
      clearTimeout(this.#debounce);
      this.#debounce = setTimeout(() => this.requestSync('watch'), this.#options.debounceMs ?? 300);
    };
    const watcher = this.#watcher;
    this.#ready = new Promise((resolve) => watcher.once('ready', () => resolve()));
    watcher.on('all', onEvent);
    watcher.on('error', (error) => this.#log.warn({ err: error }, 'watcher failed'));
  }

  requestSync(reason: ChangeReason): void {
    notifySubscribers(this.#subscribers, reason, this.#log);
  }

  async writeStatus(request: StatusWriteRequest, _signal?: AbortSignal): Promise<StatusWriteResult> {
    try {
      const result = await this.#writeStatus(request);
      this.#options.metrics?.countStatusWrite(result.written ? 'written' : 'unchanged');
      return result;
    } catch (error) {
      this.#options.metrics?.countStatusWrite('error');
      throw error;
    }
  }

  #writeStatus(request: StatusWriteRequest): Promise<StatusWriteResult> {
    return this.#exclusive(async () => {
      const maxAttempts = this.#options.maxAttempts ?? 5;
      const extraWritten = new Set<string>();
      for (let attempt = 1; ; attempt++) {
        const { files, omitted } = await this.#read();
        const revision = computeDirRevision(files);
        const snapshot: Snapshot = { revision, files, omitted, changed: revision !== request.revision, specChanged: revision !== request.revision };
        const updates = typeof request.statuses === 'function' ? await request.statuses(snapshot) : request.statuses;
        const { changed, skipped } = applyStatuses(files, updates, this.#options.replaceStatus, this.#options.volatileKeys ?? defaultVolatileKeys);
        // The calendar file is the controller's alone: written when its text changes, no race to check.
        const calendarWritten = request.calendar !== undefined && (await writeCalendarText(this.#options.dir, this.#path, renderCalendarFile(request.calendar)));
        // So are other files handed over (the fleet report); they are not manifests, so the revision stays.
        for (const file of await resolveFilePlan(request.files, snapshot)) if (await writeOwnedFile(this.#options.dir, file)) extraWritten.add(ownedPath(file.path));
        if (changed.size === 0) {
          const alone = [...(calendarWritten ? [calendarPathIn(this.#path)] : []), ...extraWritten];
          return { written: alone.length > 0, revision, files: alone, skipped, attempts: alone.length > 0 ? 1 : 0 };
        }
        const originals = new Map(files.map((f) => [f.path, f.text]));
        const written: string[] = [];
        let raced = false;
        for (const [path, text] of [...changed].sort(([a], [b]) => (a < b ? -1 : 1))) {
          // The real file, checked inside the folder right before writing; a link inside the folder
          // stays a link (the rename replaces its target, not the link). Gone meanwhile: undefined.
          const target = await resolveWritableFile(this.#options.dir, path).catch((error: unknown) => {
            if (error instanceof SourceError) throw error;
            return undefined;
          });
          // Someone saved the file since we read it: recompute on their text rather than overwrite it.
          if (target === undefined || (await readFile(target, 'utf8').catch(() => undefined)) !== originals.get(path)) {
            raced = true;
            break;
          }
          await writeFileDurably(target, text, { mode: (await stat(target)).mode & 0o7777, ...(this.#options.fs ? { fs: this.#options.fs } : {}) });
          written.push(path);
        }
        if (!raced) {
          const after = files.map((f) => ({ path: f.path, text: changed.get(f.path) ?? f.text }));
          const newRevision = computeDirRevision(after);
          this.#log.info({ revision: newRevision, files: written.length }, 'status written into the files');
          return { written: true, revision: newRevision, files: [...written, ...extraWritten], skipped, attempts: attempt };
        }
        if (attempt >= maxAttempts) {
          throw new SourceError(SourceFailureReasons.statusConflict, `files kept changing while status was written (${attempt} attempts)`, { retryable: true });
        }
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#debounce);
    this.#subscribers.clear();
    await this.#watcher?.close();
    await this.#queue.idle();
  }
}
