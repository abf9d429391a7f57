// What every command receives: its arguments and the process's streams and environment,
// passed in so commands can run in-process in tests. Each command resolves to an exit code.
import type { Readable, Writable } from 'node:stream';

export interface CommandIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Aborted on SIGINT/SIGTERM; long-running commands stop when it fires. */
  readonly signal: AbortSignal;
}

export type Command = (args: string[], io: CommandIO) => Promise<number>;

/**
 * Exit codes shared by all commands: 1 findings (invalid manifests, a device not found), 2 the
 * command could not run as asked (usage, credentials, an unreachable fleet, an unreadable
 * file), 70 a bug (EX_SOFTWARE).
 */
export const ExitCode = { ok: 0, findings: 1, usage: 2, internal: 70 } as const;
