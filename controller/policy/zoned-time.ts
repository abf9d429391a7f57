// Wall-clock time in IANA time zones, on Temporal (built into Node 26). Dates and times cross
// module boundaries as plain objects (LocalDate, LocalDateTime: cheap to spread, compare and
// print); Temporal does the calendar and the zone rules. Daylight-saving rules used everywhere
// in firmwarden:
//  - a local time that does not exist (spring-forward gap) resolves to the first valid instant
//    after it, that is the instant of the change (not Temporal's 'compatible', which would move
//    02:30 to 03:30: a window written to open at 02:30 opens when the clocks jump to 03:00);
//  - a local time that occurs twice (fall-back overlap) resolves to its first occurrence.

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

const epochDate = new Temporal.PlainDate(1970, 1, 1);

const plainDate = (date: LocalDate) => new Temporal.PlainDate(date.year, date.month, date.day);
const fieldsOf = (date: Temporal.PlainDate): LocalDate => ({ year: date.year, month: date.month, day: date.day });
const zoned = (ms: number, timeZone: string) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone);

/** True when the runtime knows the time zone (an IANA name or alias, or an offset such as +01:00). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Temporal.ZonedDateTime(0n, timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC (ms, local minus UTC) at an instant. */
export function offsetAt(ms: number, timeZone: string): number {
  return zoned(ms, timeZone).offsetNanoseconds / 1e6;
}

/** The wall-clock date and time at an instant in a zone. */
export function toLocal(ms: number, timeZone: string): LocalDateTime {
  const z = zoned(ms, timeZone);
  return { year: z.year, month: z.month, day: z.day, hour: z.hour, minute: z.minute, second: z.second };
}

/** The local calendar date at an instant in a zone. */
export function localDateOf(ms: number, timeZone: string): LocalDate {
  const z = zoned(ms, timeZone);
  return { year: z.year, month: z.month, day: z.day };
}

/** The date `days` days after `date` (negative for before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  return fieldsOf(plainDate(date).add({ days }));
}

/** Day of the week of a date: 0 Sunday … 6 Saturday. */
export function weekdayOf(date: LocalDate): number {
  return plainDate(date).dayOfWeek % 7;
}

/** Days since 1970-01-01 of a date (a compact key). */
export function dayNumber(date: LocalDate): number {
  return epochDate.until(plainDate(date)).days;
}

/** The date of a day number (days since 1970-01-01). */
export function dateOfDay(day: number): LocalDate {
  return fieldsOf(epochDate.add({ days: day }));
}

/** YYYY-MM-DD of a date. */
export function dateText(date: LocalDate): string {
  return plainDate(date).toString();
}

/**
 * The instant a wall-clock time names in a zone. Minutes past 24:00 roll over to the next day.
 * In a spring-forward gap: the instant of the change (first valid instant after). In a
 * fall-back overlap: the first occurrence.
 */
export function resolveLocal(local: LocalDate & Partial<LocalDateTime>, timeZone: string): number {
  // The minutes split by hand: PlainDateTime.add costs twice the rest of this function, and
  // windows pass their start as minutes after midnight (up to 1440).
  const minutes = (local.hour ?? 0) * 60 + (local.minute ?? 0);
  const date = minutes < 1440 ? local : addDays(local, Math.floor(minutes / 1440));
  const inDay = minutes % 1440;
  const wall = new Temporal.PlainDateTime(date.year, date.month, date.day, Math.floor(inDay / 60), inDay % 60, local.second ?? 0);
  // 'compatible' is the first occurrence in an overlap, as wanted, but moves a time in a gap
  // forward by the gap's length (02:30 to 03:30), and the rule here is the change itself.
  const resolved = wall.toZonedDateTime(timeZone);
  if (resolved.toPlainDateTime().equals(wall)) return resolved.epochMilliseconds;
  // In the gap. 'earlier' reads the wall time with the offset from after the gap: an instant
  // just before the change, which is the next transition.
  return wall.toZonedDateTime(timeZone, { disambiguation: 'earlier' }).getTimeZoneTransition('next')!.epochMilliseconds;
}

/** The date of year-month-day, or undefined when the calendar has no such day (02-30). */
export function validDate(year: number, month: number, day: number): LocalDate | undefined {
  try {
    return fieldsOf(Temporal.PlainDate.from({ year, month, day }, { overflow: 'reject' }));
  } catch {
    return undefined;
  }
}

/** Parses YYYY-MM-DD. */
export function parseLocalDate(text: string): LocalDate | undefined {
  // Strict on purpose: Temporal.PlainDate.from would also take 20260228 and 2026-02-28T10:00.
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return m ? validDate(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
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

/** Minutes after midnight of HH:MM (24:00 is 1440, which Temporal.PlainTime cannot hold). */
export function parseLocalTime(text: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && minutes <= 1440 ? minutes : undefined;
}

/** Formats an instant as local `YYYY-MM-DD HH:MM` in a zone. */
export function formatLocal(ms: number, timeZone: string): string {
  return zoned(ms, timeZone).toPlainDateTime().toString({ smallestUnit: 'minute', roundingMode: 'trunc' }).replace('T', ' ');
}
