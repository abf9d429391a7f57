// A secret value (client secret, certificate password) that cannot leak by accident: printing,
// logging or JSON-serialising it gives "[redacted]"; only `reveal()` gives the value, at the
// moment it is sent. FileSecret reads it again from its file when the file changes.
import { readFileSync, statSync } from 'node:fs';

const redacted = '[redacted]';

/** Wraps a secret string; see the file comment. */
export class Secret {
  readonly #read: () => string;
  /** The value, or a function giving the current value (FileSecret). */
  constructor(value: string | (() => string)) {
    this.#read = typeof value === 'string' ? () => value : value;
  }
  /** The value itself: call it only where the secret is sent. */
  reveal(): string {
    return this.#read();
  }
  toString(): string {
    return redacted;
  }
  toJSON(): string {
    return redacted;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return redacted;
  }
}

/** A file's identity without its content: any write, rename over it or symlink swap changes it. */
function fingerprintOf(stats: { ino: number; size: number; mtimeMs: number; ctimeMs: number } | undefined): string {
  return stats === undefined ? 'missing' : `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/** What happened when a secret file was found changed. */
export type FileSecretEvent =
  | { readonly kind: 'rotated'; readonly path: string }
  /** The file changed but its content cannot be used: the previous value stays in use. */
  | { readonly kind: 'kept'; readonly path: string; readonly reason: string };

export interface FileSecretOptions {
  /** Default: readFileSync as UTF-8. */
  readonly readFile?: (path: string) => string;
  /** Default: statSync (undefined when the file cannot be stat'ed). */
  readonly stat?: (path: string) => { ino: number; size: number; mtimeMs: number; ctimeMs: number } | undefined;
  /** Why a new value cannot be used (too short…), or undefined when it can. Empty values are always refused. */
  readonly check?: (value: string) => string | undefined;
}

/**
 * A secret kept in a file, read again when the file changes, so a rotated secret (a Kubernetes
 * Secret volume swaps a symlink; a person rewrites the file) is used without a restart. Each
 * reveal() costs one stat; the file is read only when its size, times or inode changed. A change
 * to an unreadable, empty or refused content keeps the previous value (a writer may be half-way)
 * and is reported once to the `onChange` listener, which never receives the value.
 */
export class FileSecret extends Secret {
  readonly path: string;
  readonly #state: { listener: ((event: FileSecretEvent) => void) | undefined };

  /** `initial` is the value the caller read and validated at start-up. */
  constructor(path: string, initial: string, options: FileSecretOptions = {}) {
    const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
    const stat = options.stat ?? ((p: string) => statSync(p, { throwIfNoEntry: false }));
    const state = { listener: undefined as ((event: FileSecretEvent) => void) | undefined };
    let value = initial;
    // Unknown at first: the first reveal() reads the file again, so a change between the
    // caller's read and this constructor is not missed.
    let seen: string | undefined;
    super(() => {
      let fingerprint: string;
      try {
        fingerprint = fingerprintOf(stat(path));
      } catch {
        fingerprint = 'missing';
      }
      if (fingerprint === seen) return value;
      seen = fingerprint;
      let next: string;
      try {
        next = readFile(path).trim();
      } catch (error) {
        state.listener?.({ kind: 'kept', path, reason: `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
        return value;
      }
      const problem = next === '' ? 'it is empty' : options.check?.(next);
      if (problem !== undefined) {
        state.listener?.({ kind: 'kept', path, reason: problem });
        return value;
      }
      if (next !== value) {
        value = next;
        state.listener?.({ kind: 'rotated', path });
      }
      return value;
    });
    this.path = path;
    this.#state = state;
  }

  /** Tells `listener` when the file changes (one listener; the value is never passed). */
  onChange(listener: (event: FileSecretEvent) => void): void {
    this.#state.listener = listener;
  }
}
