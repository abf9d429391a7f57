// How a command's logger writes: --log-format and --log-level, or FIRMWARDEN_LOG_FORMAT and
// FIRMWARDEN_LOG_LEVEL, resolved once. The format defaults to `text` when the log goes to a
// terminal and to `json` otherwise: a pod's or a CI job's stderr is not a terminal, and their
// log collectors want one JSON object a line.
import { UsageError } from './usage-error.ts';
// Types only: this file is read by `firmwarden completion`, which must not load pino.
import type { LogFormat } from '../log/logger.ts';
import { shouldColour } from '../output/colour.ts';

/** The flag of the log format, for parseFlags (each command adds it to its own table). */
export const logFormatFlag = { 'log-format': { type: 'string' } } as const;

/** Its help line, aligned with the run command's other options. */
export const logFormatHelp = '  --log-format FORMAT      text | json (default: text on a terminal, else json)  FIRMWARDEN_LOG_FORMAT';

/** The log formats, as --log-format and FIRMWARDEN_LOG_FORMAT spell them. */
export const logFormats = ['text', 'json'] as const satisfies readonly LogFormat[];

/** The log levels, as --log-level and FIRMWARDEN_LOG_LEVEL spell them (pino's). */
export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** What createLogger needs: level, format and whether the text format colours its levels. */
export interface LogOptions {
  readonly level: string;
  readonly format: LogFormat;
  readonly text: { readonly colour: boolean };
}

/**
 * Resolves the log settings: a flag wins over its environment variable; `fallbackLevel` when
 * neither gives a level (default info). `stream` is where the log goes (its isTTY decides the
 * default format; NO_COLOR and FORCE_COLOR apply to the text format's colour).
 */
export function resolveLogOptions(
  flags: { readonly 'log-format'?: string | undefined; readonly 'log-level'?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
  stream: { readonly isTTY?: boolean },
  fallbackLevel = 'info',
): LogOptions {
  const format = pick(flags['log-format'], '--log-format', env.FIRMWARDEN_LOG_FORMAT, 'FIRMWARDEN_LOG_FORMAT', logFormats) as LogFormat | undefined;
  const level = pick(flags['log-level'], '--log-level', env.FIRMWARDEN_LOG_LEVEL, 'FIRMWARDEN_LOG_LEVEL', logLevels);
  return {
    level: level ?? fallbackLevel,
    format: format ?? (stream.isTTY === true ? 'text' : 'json'),
    text: { colour: shouldColour(stream, env) },
  };
}

function pick(flag: string | undefined, flagName: string, fromEnv: string | undefined, envName: string, allowed: readonly string[]): string | undefined {
  const [value, name] = flag !== undefined ? [flag, flagName] : [fromEnv === '' ? undefined : fromEnv, envName];
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (!allowed.includes(lower)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}; got '${value}'`);
  return lower;
}
