// Stores the controller state as JSON in a file, written durably (temp file, fsync, rename,
// folder fsync: durable-write.ts) so a restart or a power loss at any moment finds either the
// previous or the new state.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DurableFs } from './durable-write.ts';
import { writeFileDurably } from './durable-write.ts';
import type { ControllerState, StateStore } from '../model/state.ts';
import { emptyState } from '../model/state.ts';

/** Thrown when the state file exists but cannot be understood; never silently reset. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

export class FileStateStore implements StateStore {
  readonly #path: string;
  readonly #fs: DurableFs | undefined;
  /** `fs` replaces the real file system's write operations (tests record them). */
  constructor(path: string, options: { fs?: DurableFs } = {}) {
    this.#path = path;
    this.#fs = options.fs;
  }
  async load(): Promise<ControllerState> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState;
      throw new StateFileError(`cannot read the state file ${this.#path}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new StateFileError(
        `the state file ${this.#path} is not valid JSON; move it away to start with fresh release dates`,
        { cause: error },
      );
    }
    const state = parsed as Partial<ControllerState>;
    if (state.version !== 1 || !Array.isArray(state.releases) || !Array.isArray(state.ledger)) {
      throw new StateFileError(`the state file ${this.#path} has an unknown layout (version ${String(state.version)})`);
    }
    return {
      version: 1, releases: state.releases, ledger: state.ledger, rollouts: state.rollouts ?? {},
      ...(state.notifications !== undefined ? { notifications: state.notifications } : {}),
      ...(state.health !== undefined ? { health: state.health } : {}),
    };
  }
  async save(state: ControllerState): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
    await writeFileDurably(this.#path, JSON.stringify(state), { mode: 0o600, ...(this.#fs ? { fs: this.#fs } : {}) });
  }
}
