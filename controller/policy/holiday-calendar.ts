// Holidays read from an iCalendar (RFC 5545) file: every event, recurring ones expanded, is a
// holiday on each calendar day it covers, as written in the file (a date, or the wall-clock
// date of a date-time). The days are local to nobody yet: holidays.ts places them in a group's
// time zone, so a holiday file shared by Auckland and Paris closes each site's own day.
// Parsing and recurrence rules (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) are ical.js's,
// Mozilla's parser: a calendar exported from Outlook or Google reads as it does in Thunderbird.
// PURE: text in, days or a problem with its line out; never throws.
import { createRequire } from 'node:module';
import type ICAL from 'ical.js';
import type { HolidayDay } from '../model/desired.ts';
import { dayNumber, type LocalDate } from './zoned-time.ts';

let loaded: typeof ICAL | undefined;
/** ical.js, loaded on first use: lint and plan of manifests without calendars do not pay ~10-50 ms for it. */
function ical(): typeof ICAL {
  if (!loaded) {
    const module = createRequire(import.meta.url)('ical.js') as typeof ICAL | { default: typeof ICAL };
    loaded = 'default' in module ? module.default : module;
  }
  return loaded;
}

/** What reading a calendar gave: its days within the range, or why it cannot be read. */
export type CalendarReading =
  | { readonly ok: true; readonly days: readonly HolidayDay[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** An event recurring more often than this before the end of the range is refused (a MINUTELY rule from 1970). */
export const maxOccurrencesPerEvent = 20_000;
/** Longest event kept, in days: a "holiday" of months is more likely a mistake than a plan, and would close every window. */
export const maxEventDays = 31;

/**
 * Reads `text` and returns the holidays whose days fall within [fromDay, toDay] (dayNumber),
 * named by SUMMARY (else "holiday"), with `source` as their source. Cancelled events are skipped.
 */
export function readHolidayCalendar(text: string, source: string, fromDay: number, toDay: number): CalendarReading {
  const lib = ical();
  let root: InstanceType<typeof ICAL.Component>;
  try {
    root = new lib.Component(lib.parse(text) as unknown[]);
  } catch (error) {
    return problem(text, error, 'the file is not an iCalendar file');
  }
  if (root.name !== 'vcalendar') return { ok: false, line: 1, message: `the file starts with BEGIN:${root.name.toUpperCase()}, not BEGIN:VCALENDAR` };
  const days: HolidayDay[] = [];
  const vevents = root.getAllSubcomponents('vevent');
  // Overrides of one occurrence (RECURRENCE-ID) belong to their master event, which expands them.
  const masters = vevents.filter((v) => !v.hasProperty('recurrence-id'));
  for (const component of masters) {
    let name = 'holiday';
    try {
      const event = new lib.Event(component);
      name = oneLine(event.summary) || 'holiday';
      if (String(component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') continue;
      if (!event.startDate) return { ok: false, line: lineOf(text, event.uid, 'BEGIN:VEVENT'), message: `the event '${name}' has no DTSTART` };
      if (!event.isRecurring()) {
        addSpan(days, event.startDate, event.endDate, name, source, fromDay, toDay);
        continue;
      }
      const it = event.iterator();
      for (let n = 0; ; n++) {
        const next = it.next();
        if (!next) break;
        if (n >= maxOccurrencesPerEvent) {
          return { ok: false, line: lineOf(text, 'RRULE', 'BEGIN:VEVENT'), message: `the event '${name}' recurs more than ${maxOccurrencesPerEvent} times before the days firmwarden looks at; give it a later DTSTART or a coarser RRULE` };
        }
        if (dayOf(next) > toDay) break;
        const details = event.getOccurrenceDetails(next);
        if (String(details.item.component.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') continue;
        addSpan(days, details.startDate, details.endDate, oneLine(details.item.summary) || name, source, fromDay, toDay);
      }
    } catch (error) {
      return problem(text, error, `the event '${name}' cannot be read`);
    }
  }
  days.sort((a, b) => a.day - b.day || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ok: true, days };
}

type IcalTime = InstanceType<typeof ICAL.Time>;

function dayOf(t: IcalTime): number {
  return dayNumber({ year: t.year, month: t.month, day: t.day } satisfies LocalDate);
}

/** Adds the days an event covers: a date end is exclusive, and so is a date-time end at midnight. */
function addSpan(out: HolidayDay[], start: IcalTime, end: IcalTime | undefined, name: string, source: string, fromDay: number, toDay: number): void {
  const first = dayOf(start);
  let last = first;
  if (end) {
    const endDay = dayOf(end);
    const atMidnight = end.isDate || (end.hour === 0 && end.minute === 0 && end.second === 0);
    last = Math.max(first, atMidnight ? endDay - 1 : endDay);
  }
  last = Math.min(last, first + maxEventDays - 1);
  for (let d = Math.max(first, fromDay); d <= Math.min(last, toDay); d++) out.push({ day: d, name, source });
}

function oneLine(text: unknown): string {
  return typeof text === 'string' ? text.replace(/\s+/g, ' ').trim().slice(0, 128) : '';
}

/** ical.js names the offending line's text, not its number: find it (after unfolding, the first line that holds it). */
function problem(text: string, error: unknown, what: string): CalendarReading {
  const detail = error instanceof Error ? error.message : String(error);
  // The offending text is quoted somewhere in the message ('invalid line (no token ";" or ":")
  // "SUMMARY Day"', 'invalid frequency "FORTNIGHTLY" expected: "..."'): the longest quoted part
  // that the file holds.
  const quoted = detail
    .split('"')
    .filter((part) => part.trim().length >= 2 && text.includes(part.slice(0, 60)))
    .sort((a, b) => b.length - a.length)[0];
  const line = quoted === undefined ? 1 : lineOf(text, quoted.slice(0, 60));
  return { ok: false, line, message: `${what}: ${oneLine(detail).slice(0, 200)}` };
}

/** The 1-based line of the first occurrence of `needle` (else of `fallback`, else 1). */
function lineOf(text: string, needle: string | undefined, fallback?: string): number {
  for (const n of [needle, fallback]) {
    if (!n) continue;
    const at = text.indexOf(n);
    if (at >= 0) return text.slice(0, at).split('\n').length;
  }
  return 1;
}
