// The `text` log format: one line per pino record for a person at a terminal, written
// synchronously on the logger's own thread (no transport worker: a worker's lines can be lost
// when the process exits and it costs a thread per process), in this order:
//
//   12:04:31.207 INFO  dir-source read new revision dir=/srv/config files=17 specChanged=true
//
// local time, level, component, message, then the other fields as key=value in the record's
// order. Redaction ran before the record was serialized, so a secret is '[redacted]' here as it
// is in JSON. Every value is escaped: a device name with a newline or an escape sequence must
// not forge a line or reach the terminal. Pure, apart from reading the time zone once.
import { escapeText } from '../output/escape.ts';
import { paint, type Style } from '../output/colour.ts';

/** Settings of a text formatter. */
export interface TextFormatOptions {
  /** IANA time zone of the times shown (default: this process's, i.e. TZ). */
  readonly timeZone?: string;
  /** Colour the level (default false: only when the stream is a terminal, see shouldColour). */
  readonly colour?: boolean;
}

const levels: Readonly<Record<number, { name: string; style?: Style }>> = {
  10: { name: 'TRACE', style: 'dim' },
  20: { name: 'DEBUG', style: 'dim' },
  30: { name: 'INFO', style: 'green' },
  40: { name: 'WARN', style: 'yellow' },
  50: { name: 'ERROR', style: 'red' },
  60: { name: 'FATAL', style: 'red' },
};

// Shown in their own places, or not at all: `name` is always firmwarden, pid/hostname are never bound.
const placed = new Set(['level', 'time', 'name', 'component', 'msg', 'pid', 'hostname']);

/** A function turning one serialized pino record (a JSON line) into one text line ending in \n. */
export function createTextFormatter(options: TextFormatOptions = {}): (line: string) => string {
  const clock = new Intl.DateTimeFormat('en-GB', {
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hourCycle: 'h23',
  });
  const colour = options.colour ?? false;
  return (line) => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Not a record (pino only writes records, but a line must never be lost): show it escaped.
      return `${escapeText(line.trimEnd())}\n`;
    }
    const parts: string[] = [];
    const time = typeof record.time === 'string' || typeof record.time === 'number' ? new Date(record.time) : undefined;
    if (time && !Number.isNaN(time.getTime())) parts.push(clock.format(time));
    const level = levels[record.level as number];
    const levelText = (level?.name ?? String(record.level)).padEnd(5);
    parts.push(colour && level?.style ? paint(levelText, level.style) : levelText);
    if (record.component !== undefined) parts.push(escapeText(String(record.component)));
    if (record.msg !== undefined) parts.push(escapeText(String(record.msg)));
    for (const [key, value] of Object.entries(record)) {
      if (placed.has(key) || value === undefined) continue;
      parts.push(`${escapeText(key)}=${formatValue(key, value)}`);
    }
    return `${parts.join(' ')}\n`;
  };
}

// A value a reader can tell apart from the next field: bare when it is a plain word, otherwise
// quoted as JSON (JSON escapes quotes and control characters; escapeText catches the rest).
function formatValue(key: string, value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'string') return /^[\w.:/@+,%[\]-]+$/.test(value) ? value : escapeText(JSON.stringify(value));
  if (key === 'err' && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    // pino's error serializer: type, message, stack, code. One line here; the stack is in the JSON format.
    const err = value as { type?: unknown; message: string; code?: unknown };
    const head = typeof err.type === 'string' && err.type !== 'Error' ? `${err.type}: ${err.message}` : err.message;
    return escapeText(JSON.stringify(err.code !== undefined ? `${head} (${String(err.code)})` : head));
  }
  return escapeText(JSON.stringify(value) ?? String(value));
}
