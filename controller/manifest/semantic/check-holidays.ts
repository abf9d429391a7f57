// Holidays and freezes as dates: each written holiday is a real date (02-29 every year is
// allowed: leap years only), each .ics file a policy or group references is found beside the
// manifests and reads as iCalendar, and a freeze whose last day is over everywhere on Earth
// is pointed out. The days read from the files are kept for the engine (ctx.calendarDays):
// only here is it known where a manifest's file is.
import { posix } from 'node:path';
import { readHolidayCalendar } from '../../policy/holiday-calendar.ts';
import type { HolidayDay } from '../../model/desired.ts';
import { holidayRange } from '../../policy/holidays.ts';
import { addDays, parseLocalDate, resolveLocal } from '../../policy/zoned-time.ts';
import type { Check, EntryOf } from './context.ts';
import { validOf } from './context.ts';

/**
 * Where a calendar referenced from `manifestFile` as `ref` is, or undefined when it leads above
 * the folder the manifests were read from. Paths are relative to that folder (a source's root),
 * or to the working directory for lint and plan, where a manifest's own path may start with
 * '../': the calendar may climb no higher than the manifest's path starts.
 */
export function calendarPath(manifestFile: string, ref: string): string | undefined {
  const joined = posix.normalize(posix.join(posix.dirname(manifestFile), ref));
  return posix.isAbsolute(joined) || climbs(joined) > climbs(posix.normalize(manifestFile)) ? undefined : joined;
}

/** How many leading '..' a normalized path has. */
function climbs(path: string): number {
  let n = 0;
  for (const segment of path.split('/')) {
    if (segment !== '..') break;
    n++;
  }
  return n;
}

/** invalid-date for holidays, holiday-calendar-unreadable, and the days of the calendars. */
export const checkHolidays: Check = (ctx) => {
  const { fromDay, toDay } = holidayRange(ctx.now);
  const entries: (EntryOf<'UpdatePolicy'> | EntryOf<'DeviceGroup'>)[] = [...validOf(ctx, 'UpdatePolicy'), ...validOf(ctx, 'DeviceGroup')];
  for (const entry of entries) {
    const holidays = entry.manifest.spec.holidays;
    if (!holidays) continue;
    holidays.dates?.forEach((h, i) => {
      const yearly = /^\d{2}-\d{2}$/.test(h.date);
      // A leap year tells whether MM-DD can ever be a date.
      if (parseLocalDate(yearly ? `2028-${h.date}` : h.date) === undefined) {
        ctx.report(entry, ['spec', 'holidays', 'dates', i, 'date'], 'value', 'invalid-date', yearly ? `${h.date} is never a date (MM-DD)` : `${h.date} is not a date in the calendar`);
      }
    });
    const days: HolidayDay[] = [];
    for (const [i, c] of (holidays.calendars ?? []).entries()) {
      const at = ['spec', 'holidays', 'calendars', i, 'file'];
      const path = calendarPath(entry.doc.file, c.file);
      if (path === undefined) {
        ctx.report(entry, at, 'value', 'holiday-calendar-unreadable', `${c.file} leads above the folder firmwarden reads; keep the .ics file with the manifests`);
        continue;
      }
      const text = ctx.calendarFiles?.get(path);
      if (text === undefined) {
        ctx.missingCalendars?.add(path);
        ctx.report(entry, at, 'value', 'holiday-calendar-unreadable', `${path} was not found (the path is relative to ${entry.doc.file}); calendar files are read from a Git repository or folder only: in Kubernetes list the days in spec.holidays.dates`);
        continue;
      }
      const reading = readHolidayCalendar(text, c.file, fromDay, toDay);
      if (!reading.ok) {
        ctx.report(entry, at, 'value', 'holiday-calendar-unreadable', `${path}:${reading.line}: ${reading.message}`);
        continue;
      }
      days.push(...reading.days);
    }
    if (days.length > 0) ctx.calendarDays?.set(entry.key, days);
  }
};

/** freeze-expired: the freeze's last day is over in its zone (device-local: in every zone, UTC-12 being the last). */
export const checkExpiredFreezes: Check = (ctx) => {
  for (const policy of validOf(ctx, 'UpdatePolicy')) {
    policy.manifest.spec.freezes?.forEach((f, i) => {
      const last = parseLocalDate(f.end);
      if (!last) return;
      const zone = f.timeZone === undefined || f.timeZone === 'device-local' ? 'Etc/GMT+12' : f.timeZone;
      let over: number;
      try {
        over = resolveLocal(addDays(last, 1), zone);
      } catch {
        return; // an unknown zone is reported by checkTimeZones
      }
      if (over <= ctx.now) {
        ctx.report(policy, ['spec', 'freezes', i, 'end'], 'value', 'freeze-expired', `freeze ${f.name ? `'${f.name}' ` : ''}ended on ${f.end}: it no longer stops anything and can be removed`);
      }
    });
  }
};
