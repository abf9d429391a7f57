// Optional persistence: the fleet's identity (seed, size, epoch), the clock's offset and
// speed, and everything that changed, in one JSON file written durably (temp file in the
// same directory, fsync, rename, folder fsync) so a crash or power loss never leaves half a file.
import { readFile } from 'node:fs/promises';
import type { DurableFs } from '../../state/durable-write.ts';
import { writeFileDurably } from '../../state/durable-write.ts';
import type { PersistedFleetState } from './fleet-state.ts';

export const stateFormat = 'firmwarden-emulator-state';

export interface EmulatorStateFile {
  readonly format: typeof stateFormat;
  readonly version: 1;
  readonly savedAt: string;
  readonly fleet: { readonly seed: number | string; readonly deviceCount: number; readonly epoch: number };
  readonly clock: { readonly offsetMs: number; readonly speed: number };
  readonly state: PersistedFleetState;
}

/** A state file that exists but cannot be used (unreadable, not JSON, another format). */
export class EmulatorStateError extends Error {
  override readonly name = 'EmulatorStateError';
}

/** Reads the state file; undefined when it does not exist yet. */
export async function readStateFile(path: string): Promise<EmulatorStateFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new EmulatorStateError(`cannot read emulator state ${path}`, { cause: error });
  }
  let data: Partial<EmulatorStateFile>;
  try {
    data = JSON.parse(text) as Partial<EmulatorStateFile>;
  } catch (error) {
    throw new EmulatorStateError(`emulator state ${path} is not JSON`, { cause: error });
  }
  const fleet = data.fleet;
  if (data.format !== stateFormat || data.version !== 1 || !fleet || !data.clock || !data.state || !Number.isInteger(fleet.deviceCount) || !Number.isFinite(fleet.epoch)) {
    throw new EmulatorStateError(`${path} is not a firmwarden emulator state file (version 1)`);
  }
  return data as EmulatorStateFile;
}

/** Writes the state file durably; `fs` replaces the real file system's write operations (tests). */
export async function writeStateFile(path: string, data: EmulatorStateFile, fs?: DurableFs): Promise<void> {
  try {
    await writeFileDurably(path, JSON.stringify(data), { mode: 0o600, ...(fs ? { fs } : {}) });
  } catch (error) {
    throw new EmulatorStateError(`cannot write emulator state ${path}`, { cause: error });
  }
}
