// A time as the live page shows it: an instant, local text in a zone, and relative to the plan's now.
import { formatLocalTime, formatRelative, formatUtc } from '../plan/render-time.ts';

/** A time as the page shows it: local text with its zone, and relative to the plan's now. */
export interface LiveTime {
  readonly at: string;
  readonly local: string;
  readonly relative: string;
}

/** A time in a zone, for the page. */
export function liveTime(ms: number, timeZone: string | undefined, now: number): LiveTime {
  return {
    at: new Date(ms).toISOString(),
    local: timeZone === undefined ? formatUtc(ms) : formatLocalTime(ms, timeZone),
    relative: formatRelative(ms, now),
  };
}
