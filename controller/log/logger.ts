// The root pino logger. Built once in main.ts and passed down; modules take child loggers
// with bound fields (component, key, reconcileId, deviceId) and never create their own root.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line, whatever component logs them. */
export const redactedPaths = [
  'secret', '*.secret', 'clientSecret', '*.clientSecret', 'password', '*.password', 'token', '*.token',
  'accessToken', '*.accessToken', 'access_token', '*.access_token', 'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization', 'webhookSecret', '*.webhookSecret', 'privateKey', '*.privateKey',
];

/** Creates the root logger; `destination` defaults to stderr so stdout stays for command output. */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'firmwarden' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that discards everything (tests and quiet commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
