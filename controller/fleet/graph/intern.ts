// One shared copy of values that repeat across a fleet. Ten thousand devices report a handful of
// distinct versions, manufacturers and health summaries, but JSON.parse gives every device its
// own copy of each string and the readers built a fresh object per device: ~4 MB of the
// controller's live heap at 10k devices (a heap snapshot counted 52k software-state objects
// and 6k copies of each version string). The parsed values are readonly, so sharing is safe.

/** Keeps the first value seen under each key; forgets everything once it holds `limit` keys. */
export class Interner<T> {
  readonly #values = new Map<string, T>();
  readonly #limit: number;

  constructor(limit = 20_000) {
    this.#limit = limit;
  }

  /** The value kept under `key`, or `make()` kept from now on. */
  get(key: string, make: () => T): T {
    const known = this.#values.get(key);
    if (known !== undefined) return known;
    // Bounded so a fleet of all-different values (or a service bug) cannot grow it without end;
    // starting over only costs sharing, never correctness.
    if (this.#values.size >= this.#limit) this.#values.clear();
    const value = make();
    this.#values.set(key, value);
    return value;
  }

  /** How many keys are kept (for tests). */
  get size(): number {
    return this.#values.size;
  }
}

const strings = new Interner<string>();

/** The shared copy of a string that repeats across devices (versions, models, manufacturers). */
export function internString<S extends string | null>(value: S): S {
  return value === null ? value : (strings.get(value, () => value) as S);
}
