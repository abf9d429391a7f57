// The root pino logger. Built once in main.ts and passed down; modules take child loggers
// with bound fields (component, key, reconcileId, deviceId) and never create their own root.
import { pino, type Logger, type DestinationStream } from 'pino';
import { createTextFormatter, type TextFormatOptions } from './text-format.ts';

export type { Logger };

/** How records are written: `json` one JSON object a line (Kubernetes, CI), `text` one readable line (a terminal). */
export type LogFormat = 'json' | 'text';

/** Paths whose values never reach a log line, whatever component logs them. */
export const redactedPaths = [
  'secret', '*.secret', 'clientSecret', '*.clientSecret', 'password', '*.password', 'token', '*.token',
  'accessToken', '*.accessToken', 'access_token', '*.access_token', 'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization', 'webhookSecret', '*.webhookSecret', 'privateKey', '*.privateKey',
];

/** Creates the root logger; `destination` defaults to stderr so stdout stays for command output; `format` defaults to json. */
export function createLogger(options: { level?: string; destination?: DestinationStream; format?: LogFormat; text?: TextFormatOptions } = {}): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'firmwarden' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.format === 'text' ? textDestination(destination, options.text) : destination,
  );
}

// pino hands each serialized record to write(); the text line goes to the same destination at
// once, on this thread, so nothing is lost when the process exits right after logging.
function textDestination(destination: DestinationStream, options: TextFormatOptions | undefined): DestinationStream {
  const format = createTextFormatter(options);
  return { write: (line: string) => destination.write(format(line)) };
}

/** A logger that discards everything (tests and quiet commands). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
