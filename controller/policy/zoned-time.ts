// Wall-clock time in IANA time zones, on top of Intl (no time-zone library). Offsets are read
// from Intl once per zone and UTC hour and cached, because formatToParts costs microseconds and
// a plan asks thousands of times. Daylight-saving rules used everywhere in firmwarden:
//  - a local time that does not exist (spring-forward gap) resolves to the first valid instant
//    after it, that is the instant of the change;
//  - a local time that occurs twice (fall-back overlap) resolves to its first occurrence.

const hourMs = 3_600_000;
export const dayMs = 86_400_000;

/** A calendar date without time zone. */
export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A wall-clock date and time without time zone. */
export interface LocalDateTime extends LocalDate {
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the IANA time zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Reads the zone's offset (ms, local minus UTC) at an instant straight from Intl. */
function readOffset(ms: number, timeZone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const parts = formatterFor(timeZone).formatToParts(whole);
  let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year': year = Number(p.value); break;
      case 'month': month = Number(p.value); break;
      case 'day': day = Number(p.value); break;
      case 'hour': hour = Number(p.value); break;
      case 'minute': minute = Number(p.value); break;
      case 'second': second = Number(p.value); break;
      case 'era': bc = p.value === 'BC' || p.value === 'B'; break;
      default: break;
    }
  }
  if (bc) year = 1 - year;
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(year, month - 1, day);
  asUtc.setUTCHours(hour, minute, second, 0);
  return asUtc.getTime() - whole;
}

/** The zone's offset from UTC (ms, local minus UTC) at an instant. */
export function offsetAt(ms: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  let cache = offsetCache.get(timeZone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(timeZone, cache);
  }
  const bucket = Math.floor(ms / hourMs);
  let cached = cache.get(bucket);
  if (cached === undefined) {
    const a = readOffset(bucket * hourMs, timeZone);
    const b = readOffset(bucket * hourMs + hourMs - 1000, timeZone);
    // NaN marks an hour holding an offset change: those instants are read one by one.
    cached = a === b ? a : Number.NaN;
    if (cache.size > 200_000) cache.clear();
    cache.set(bucket, cached);
  }
  return Number.isNaN(cached) ? readOffset(ms, timeZone) : cached;
}

/** The wall-clock date and time at an instant in a zone. */
export function toLocal(ms: number, timeZone: string): LocalDateTime {
  const d = new Date(ms + offsetAt(ms, timeZone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The local calendar date at an instant in a zone. */
export function localDateOf(ms: number, timeZone: string): LocalDate {
  const d = new Date(ms + offsetAt(ms, timeZone));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Milliseconds of a wall-clock reading as if it were UTC (a zone-free number to compare and add). */
export function wallMs(local: LocalDate & Partial<LocalDateTime>): number {
  return Date.UTC(local.year, local.month - 1, local.day, local.hour ?? 0, local.minute ?? 0, local.second ?? 0);
}

/** The date `days` days after `date` (negative for before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * dayMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Day of the week of a date: 0 Sunday … 6 Saturday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** Days since 1970-01-01 of a date (a compact key). */
export function dayNumber(date: LocalDate): number {
  return Math.floor(Date.UTC(date.year, date.month - 1, date.day) / dayMs);
}

/**
 * The instant a wall-clock time names in a zone. Minutes past 24:00 roll over to the next day.
 * In a spring-forward gap: the instant of the change (first valid instant after). In a
 * fall-back overlap: the first occurrence.
 */
export function resolveLocal(local: LocalDate & Partial<LocalDateTime>, timeZone: string): number {
  const wall = wallMs(local);
  const before = offsetAt(wall - dayMs, timeZone);
  const after = offsetAt(wall + dayMs, timeZone);
  const candidates = before === after ? [wall - before] : [wall - before, wall - after].sort((a, b) => a - b);
  for (const c of candidates) {
    if (c + offsetAt(c, timeZone) === wall) return c;
  }
  // A gap: the wall time was skipped. Find the instant of the change between the two readings.
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  const loOffset = offsetAt(lo, timeZone);
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (mid <= lo) break;
    if (offsetAt(mid, timeZone) === loOffset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Parses YYYY-MM-DD. */
export function parseLocalDate(text: string): LocalDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const check = addDays(date, 0);
  return check.year === date.year && check.month === date.month && check.day === date.day ? date : undefined;
}

/** Parses YYYY-MM-DDTHH:MM[:SS]. */
export function parseLocalDateTime(text: string): LocalDateTime | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m || m[1] === undefined) return undefined;
  const date = parseLocalDate(m[1]);
  if (!date) return undefined;
  const hour = Number(m[2]), minute = Number(m[3]), second = Number(m[4] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { ...date, hour, minute, second };
}

/** Minutes after midnight of HH:MM (24:00 is 1440). */
export function parseLocalTime(text: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && minutes <= 1440 ? minutes : undefined;
}

/** Formats an instant as local `YYYY-MM-DD HH:MM` in a zone. */
export function formatLocal(ms: number, timeZone: string): string {
  const l = toLocal(ms, timeZone);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${l.year}-${p(l.month)}-${p(l.day)} ${p(l.hour)}:${p(l.minute)}`;
}

/** A short abbreviation or offset of the zone at an instant (CET, EDT, GMT+1), for people. */
export function zoneLabel(ms: number, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(ms);
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  } catch {
    return timeZone;
  }
}
