// Wall-clock date-times in an IANA time zone ↔ instants, with Intl only (no tz database of our own).

export interface LocalDateTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock parts of an instant in a time zone. */
export function partsInZone(epochMs: number, timeZone: string): LocalDateTimeParts {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour!, minute: out.minute!, second: out.second! };
}

/** Parses YYYY-MM-DDTHH:MM[:SS]; undefined when the date does not exist (30 February). */
export function parseLocalDateTime(text: string): LocalDateTimeParts | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return undefined;
  const parts = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +(m[6] ?? 0) };
  return isRealDate(parts.year, parts.month, parts.day) ? parts : undefined;
}

/** True when year-month-day exists in the Gregorian calendar. */
export function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * The instant a wall-clock time in `timeZone` names. In a daylight-saving gap the time is moved
 * forward by the gap (02:30 → 03:30); in an overlap the earlier instant is chosen.
 */
export function zonedToEpoch(parts: LocalDateTimeParts, timeZone: string): number {
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offsetAt = (t: number) => {
    const p = partsInZone(t, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - t;
  };
  // Two offsets around the wall time cover both sides of a transition.
  const early = offsetAt(wall - 86_400_000);
  const late = offsetAt(wall + 86_400_000);
  const candidates = [wall - early, wall - late].filter((t) => wall - offsetAt(t) === t).sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  return wall - Math.min(early, late);
}

/** "2026-12-22 09:00" in `timeZone`. */
export function formatInZone(epochMs: number, timeZone: string): string {
  const p = partsInZone(epochMs, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}
