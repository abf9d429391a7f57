// A secret value (client secret, certificate password) that cannot leak by accident: printing,
// logging or JSON-serialising it gives "[redacted]"; only `reveal()` gives the value, at the
// moment it is sent.

const redacted = '[redacted]';

/** Wraps a secret string; see the file comment. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The value itself: call it only where the secret is sent. */
  reveal(): string {
    return this.#value;
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
