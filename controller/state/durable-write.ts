// Replaces a file so that a crash or a power loss at any moment leaves either the old text or
// the new one, never a torn or empty file. The order is the whole point:
//
//   1. create a hidden temporary file in the SAME folder (a rename across filesystems is a copy)
//   2. write the text into it and fsync it (without this the rename can reach the disk before
//      the data, and a power loss leaves the target empty)
//   3. rename it over the target (atomic on POSIX: readers see old or new)
//   4. fsync the folder (the rename is a change to the folder; without this it can be lost and
//      the old file come back after a power loss, although the write "succeeded")
//
// The temporary file is created exclusively (O_EXCL, so never through a link planted at its
// name) and removed when any step before the rename fails, so the target is then untouched.
// The operations come in through `DurableFs` so a test can record their order and fail each one.
import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The open file the write goes through (node:fs/promises' FileHandle fits). */
export interface DurableHandle {
  writeFile(data: string | Uint8Array): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The file system operations a durable write uses (node:fs/promises fits). */
export interface DurableFs {
  open(path: string, flags: number, mode?: number): Promise<DurableHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** The real file system. */
export const nodeDurableFs: DurableFs = { open: (path, flags, mode) => fsp.open(path, flags, mode), rename: fsp.rename, unlink: fsp.unlink };

/** The step of a durable write that failed. */
export type DurableWriteStep = 'create' | 'write' | 'fsync-file' | 'close' | 'rename' | 'fsync-dir';

/** A durable write failed at `step`; before 'rename' the target is untouched, at 'fsync-dir' it holds the new text. */
export class DurableWriteError extends Error {
  override readonly name = 'DurableWriteError';
  readonly step: DurableWriteStep;
  readonly path: string;
  constructor(path: string, step: DurableWriteStep, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    super(`cannot write ${path}: ${step} failed (${code ?? (cause instanceof Error ? cause.message : String(cause))})`, { cause });
    this.step = step;
    this.path = path;
  }
}

export interface DurableWriteOptions {
  /** Permissions of a new file (the process umask applies). Default: 0o600. */
  readonly mode?: number;
  /** Default: the real file system. */
  readonly fs?: DurableFs;
}

/** The hidden temporary name used beside `path` (hidden: the folder source and its watcher skip it). */
export function temporaryNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `data` to `path` through temp file, fsync, rename, folder fsync; see the file header. */
export async function writeFileDurably(path: string, data: string | Uint8Array, options: DurableWriteOptions = {}): Promise<void> {
  const fs = options.fs ?? nodeDurableFs;
  const temp = temporaryNameFor(path);
  let step: DurableWriteStep = 'create';
  // The temporary file is ours to remove only once we created it and until it is renamed.
  let ownsTemp = false;
  try {
    const handle = await fs.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, options.mode ?? 0o600);
    ownsTemp = true;
    try {
      step = 'write';
      await handle.writeFile(data);
      step = 'fsync-file';
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      throw error;
    }
    step = 'close';
    await handle.close();
    step = 'rename';
    await fs.rename(temp, path);
    ownsTemp = false;
    step = 'fsync-dir';
    await syncFolder(fs, dirname(path));
  } catch (error) {
    if (ownsTemp) await fs.unlink(temp).catch(() => undefined);
    throw new DurableWriteError(path, step, error);
  }
}

/** Codes of file systems that cannot fsync a folder at all: the rename is then as durable as they allow. */
const folderSyncUnsupported = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP']);

async function syncFolder(fs: DurableFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } catch (error) {
    // Without this, such a file system (some network mounts) could never save anything.
    if (!folderSyncUnsupported.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}
