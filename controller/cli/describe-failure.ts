// What a command prints when it cannot finish: one sentence naming the cause and the fix, never
// a stack trace for a failure we expect (a usage mistake, an unreachable or refusing fleet, a
// file that cannot be read). Anything else is a bug: one line saying so, and the trace only
// when FIRMWARDEN_DEBUG=1 asks for it.
import { ExitCode } from './command.ts';
import { UsageError } from '../config/usage-error.ts';
import { FleetError } from '../model/fleet.ts';

/** What to print on standard error, and the exit code. */
export interface FailureReport {
  readonly text: string;
  readonly exitCode: number;
}

const fileErrors: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EMFILE: 'too many open files (raise ulimit -n)',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EADDRINUSE: 'the address is already in use: choose another --listen port',
  EADDRNOTAVAIL: 'the address is not available on this machine: check --listen',
};

/** Turns an error thrown by a command into what the person sees. */
export function describeFailure(error: unknown, settings: { command: string; debug: boolean }): FailureReport {
  const prefix = `firmwarden ${settings.command}: `;
  if (error instanceof UsageError) {
    return { text: `${prefix}${error.message}\nRun 'firmwarden ${settings.command} --help' for its options.\n`, exitCode: ExitCode.usage };
  }
  if (error instanceof FleetError) {
    const hint = error.status === 403
      ? ' — the app needs the application permission TeamworkDevice.ReadWrite.All (TeamworkDevice.Read.All for plan and why) with admin consent'
      : '';
    return { text: `${prefix}${error.message}${hint}\n${trace(error, settings.debug)}`, exitCode: ExitCode.usage };
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code in fileErrors) {
    const path = (error as NodeJS.ErrnoException).path ?? (error as { address?: string }).address;
    return { text: `${prefix}${path ? `${path}: ` : ''}${fileErrors[code]}\n${trace(error, settings.debug)}`, exitCode: ExitCode.usage };
  }
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return {
    text: `${prefix}internal error: ${message}\nThis is a bug in firmwarden: please report it with the output of the same command run with FIRMWARDEN_DEBUG=1.\n${trace(error, settings.debug)}`,
    exitCode: ExitCode.internal,
  };
}

function trace(error: unknown, debug: boolean): string {
  return debug && error instanceof Error && error.stack ? `${error.stack}\n` : '';
}
