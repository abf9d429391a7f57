// The state store for tests and for the commands that keep nothing (`plan`): the state in memory.
import type { ControllerState, StateStore } from '../model/state.ts';
import { emptyState } from '../model/state.ts';

/** Keeps the state in memory (tests, `plan`). */
export class MemoryStateStore implements StateStore {
  #state: ControllerState;
  constructor(initial: ControllerState = emptyState) {
    this.#state = initial;
  }
  async load(): Promise<ControllerState> {
    return this.#state;
  }
  async save(state: ControllerState): Promise<void> {
    this.#state = state;
  }
}
