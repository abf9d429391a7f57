// Holidays: local days on which no maintenance window opens. They come from spec.holidays of a
// DeviceGroup and of its UpdatePolicy (dates written out, MM-DD every year) and from .ics files
// (holiday-calendar.ts, read by the manifest loader because only it knows where files are).
// A day is closed from 00:00 to 24:00 in the group's zone, resolved with zoned-time's DST rules,
// so an Auckland holiday closes 11:00 UTC the day before to 11:00 UTC that day.
// PURE: `now` comes in.
import type { Holidays } from '../model/manifests.generated.ts';
import type { HolidayDay } from '../model/desired.ts';
import { addDays, dateOfDay, dateText, dayNumber, resolveLocal, validDate } from './zoned-time.ts';

/** A holiday as an interval of instants [start, end) in one zone. */
export interface CompiledHoliday {
  readonly name: string;
  readonly source: string;
  /** The local date, YYYY-MM-DD. */
  readonly date: string;
  readonly timeZone: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Days looked at around `now`: whole years, from the year before to three years after, which
 * covers every zone's today and the ~800 days windows are searched. Whole years keep the range
 * the same all year, so what is computed from it can be shared between plans.
 */
export function holidayRange(now: number): { readonly fromDay: number; readonly toDay: number } {
  const year = new Date(now).getUTCFullYear();
  return { fromDay: dayNumber({ year: year - 1, month: 1, day: 1 }), toDay: dayNumber({ year: year + 3, month: 12, day: 31 }) };
}

/** YYYY-MM-DD of a day number. */
export function dayText(day: number): string {
  return dateText(dateOfDay(day));
}

/**
 * The days of written holidays within [fromDay, toDay]: a YYYY-MM-DD once, an MM-DD each year
 * (a 02-29 only in leap years). Unreadable dates are left out (lint reports them).
 */
export function writtenHolidayDays(holidays: Holidays | undefined, source: string, fromDay: number, toDay: number): HolidayDay[] {
  const out: HolidayDay[] = [];
  // No dates: nothing to place (a plan asks for every group and policy, most of which have none).
  if (holidays?.dates === undefined || holidays.dates.length === 0) return out;
  const firstYear = dateOfDay(fromDay).year;
  const lastYear = dateOfDay(toDay).year;
  for (const h of holidays?.dates ?? []) {
    const m = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(h.date);
    if (!m) continue;
    const years = m[1] === undefined ? range(firstYear, lastYear) : [Number(m[1])];
    for (const year of years) {
      const date = validDate(year, Number(m[2]), Number(m[3]));
      if (!date) continue; // 02-29 in a common year, or never a date
      const day = dayNumber(date);
      if (day >= fromDay && day <= toDay) out.push({ day, name: h.name ?? `holiday ${h.date}`, source });
    }
  }
  return out;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let y = from; y <= to; y++) out.push(y);
  return out;
}

/** Places holiday days in `timeZone`, one interval per day (the first name given wins a day named twice), sorted. */
export function compileHolidays(days: readonly HolidayDay[], timeZone: string): CompiledHoliday[] {
  const byDay = new Map<number, HolidayDay>();
  for (const d of days) if (!byDay.has(d.day)) byDay.set(d.day, d);
  return [...byDay.values()]
    .sort((a, b) => a.day - b.day)
    .map((d) => {
      const date = dateOfDay(d.day);
      return { name: d.name, source: d.source, date: dayText(d.day), timeZone, start: resolveLocal(date, timeZone), end: resolveLocal(addDays(date, 1), timeZone) };
    });
}

/** "Christmas Day (holidays.ics) in Pacific/Auckland": a holiday for plan and why. */
export function describeHoliday(h: CompiledHoliday): string {
  return `${h.name} (${h.source}) in ${h.timeZone}`;
}
