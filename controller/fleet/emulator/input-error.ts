// A control call (or control endpoint) given input it cannot use: answered 400, never retried.

/** Bad input to a control call: the message says what to fix. */
export class EmulatorInputError extends Error {
  override readonly name = 'EmulatorInputError';
}
