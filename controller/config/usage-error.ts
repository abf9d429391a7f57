// The error for input the user can fix: an unknown flag, a missing or contradictory value. The
// options parsers (config/) throw it and every command (cli/) reports it in one line with exit
// code 2 and no stack. It lives here, below cli/, so the parsers need not import a command.

/** A usage problem (unknown flag, missing value): reported in one line, exit code 2, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
