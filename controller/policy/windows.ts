// Maintenance windows and freezes turned into instants. A window opens on each listed day at a
// local time and closes at a local end (the next day when the end is not after the start) or
// after a duration (elapsed time). Each (window, local opening date) gives exactly one
// occurrence, resolved with the DST rules of zoned-time.ts, so a daylight-saving night can
// shorten or lengthen a window but never drop or repeat it. Freezes block whole local dates;
// so do holidays (holidays.ts), but a holiday closes windows only, while a freeze stops
// ScheduledUpdates too unless they carry a freezeOverride.
import type { Freeze, MaintenanceWindow, Weekday } from '../model/manifests.generated.ts';
import { parseDuration } from './duration.ts';
import type { CompiledHoliday } from './holidays.ts';
import {
  addDays, dateOfDay, dayMs, parseLocalDate, parseLocalTime, resolveLocal, weekdayOf, type LocalDate,
} from './zoned-time.ts';

const weekdayIndex: Readonly<Record<Weekday, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** A maintenance window ready to be turned into instants. */
export interface CompiledWindow {
  readonly name: string;
  /** Opening days, indexed 0 (Sunday) to 6. */
  readonly days: readonly boolean[];
  readonly startMinute: number;
  /** Local end, `endDayOffset` days after the opening date (unused with a duration). */
  readonly endMinute: number;
  readonly endDayOffset: number;
  readonly durationMs: number | undefined;
  readonly timeZone: string;
}

/** One opening of a window, as instants (ms). */
export interface WindowOccurrence {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** A freeze as an interval of instants [start, end). */
export interface CompiledFreeze {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly reason: string | undefined;
  /** The dates as written, for messages. */
  readonly from: string;
  readonly to: string;
}

/** Windows used when a policy gives none: weeknights 20:00-06:00 and the whole weekend, device-local. */
export const defaultWindowsDescription = 'outside business hours: weekdays 20:00-06:00 and all weekend, device-local';

function compileDefaultWindows(timeZone: string): CompiledWindow[] {
  const all = (on: number[]) => [0, 1, 2, 3, 4, 5, 6].map((d) => on.includes(d));
  return [
    { name: 'weeknights (default)', days: all([1, 2, 3, 4]), startMinute: 20 * 60, endMinute: 6 * 60, endDayOffset: 1, durationMs: undefined, timeZone },
    // Friday evening to Monday morning as one window, counted in wall-clock time.
    { name: 'weekend (default)', days: all([5]), startMinute: 20 * 60, endMinute: 6 * 60, endDayOffset: 3, durationMs: undefined, timeZone },
  ];
}

function zoneOf(written: string | undefined, deviceTimeZone: string | undefined): string {
  return written === undefined || written === 'device-local' ? (deviceTimeZone ?? 'UTC') : written;
}

/** Compiles a policy's windows for devices in `deviceTimeZone` (UTC when absent); none given: the default windows. */
export function compileWindows(windows: readonly MaintenanceWindow[] | undefined, deviceTimeZone: string | undefined): CompiledWindow[] {
  if (!windows || windows.length === 0) return compileDefaultWindows(deviceTimeZone ?? 'UTC');
  const out: CompiledWindow[] = [];
  windows.forEach((w, i) => {
    const startMinute = parseLocalTime(w.start);
    if (startMinute === undefined) return;
    const days = [false, false, false, false, false, false, false];
    for (const d of w.days ?? (['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const)) days[weekdayIndex[d]] = true;
    const durationMs = w.duration === undefined ? undefined : parseDuration(w.duration);
    const endMinute = w.end === undefined ? undefined : parseLocalTime(w.end);
    if (durationMs === undefined && endMinute === undefined) return;
    out.push({
      name: w.name ?? `window ${i + 1}`,
      days,
      startMinute,
      endMinute: endMinute ?? 0,
      // An end not after the start crosses midnight (equal: 24 hours).
      endDayOffset: endMinute === undefined ? 0 : endMinute > startMinute ? 0 : 1,
      durationMs: durationMs === undefined ? undefined : Math.min(durationMs, 7 * dayMs),
      timeZone: zoneOf(w.timeZone, deviceTimeZone),
    });
  });
  return out;
}

/** Compiles freezes: each covers whole local dates, start to end inclusive. */
export function compileFreezes(freezes: readonly Freeze[] | undefined, deviceTimeZone: string | undefined): CompiledFreeze[] {
  const out: CompiledFreeze[] = [];
  for (const [i, f] of (freezes ?? []).entries()) {
    const first = parseLocalDate(f.start);
    const last = parseLocalDate(f.end);
    if (!first || !last) continue;
    const zone = zoneOf(f.timeZone, deviceTimeZone);
    const start = resolveLocal(first, zone);
    const end = resolveLocal(addDays(last, 1), zone);
    if (end <= start) continue;
    out.push({ name: f.name ?? `freeze ${i + 1}`, start, end, reason: f.reason, from: f.start, to: f.end });
  }
  return out.sort((a, b) => a.start - b.start || a.name.localeCompare(b.name));
}

/** The occurrence of a window opening on a local date, or undefined when it does not open that day. */
export function occurrenceOn(window: CompiledWindow, date: LocalDate): WindowOccurrence | undefined {
  if (!window.days[weekdayOf(date)]) return undefined;
  const start = resolveLocal({ ...date, minute: window.startMinute }, window.timeZone);
  let end: number;
  if (window.durationMs !== undefined) {
    end = start + window.durationMs;
  } else {
    end = resolveLocal({ ...addDays(date, window.endDayOffset), minute: window.endMinute }, window.timeZone);
    if (end <= start) {
      // Start and end both fell in one spring-forward gap: keep the window at its written length.
      end = start + ((window.endDayOffset * 1440 + window.endMinute - window.startMinute) * 60_000 || dayMs);
    }
  }
  return { name: window.name, start, end };
}

function longestSpanDays(windows: readonly CompiledWindow[]): number {
  let longest = 0;
  for (const w of windows) longest = Math.max(longest, w.durationMs ?? (w.endDayOffset + 1) * dayMs);
  return Math.ceil(longest / dayMs) + 1;
}

/**
 * A policy's windows and freezes for one time zone, with the occurrences cached per UTC day:
 * a plan asks the same questions for thousands of devices.
 */
export class WindowSchedule {
  readonly windows: readonly CompiledWindow[];
  readonly freezes: readonly CompiledFreeze[];
  /** Local days on which no window opens, sorted by start. */
  readonly holidays: readonly CompiledHoliday[];
  readonly #byDay = new Map<number, WindowOccurrence[]>();
  readonly #nextOpen = new Map<number, number | undefined>();
  readonly #nextOpenPassingFreezes = new Map<number, number | undefined>();
  readonly #lookback: number;

  constructor(windows: readonly CompiledWindow[], freezes: readonly CompiledFreeze[] = [], holidays: readonly CompiledHoliday[] = []) {
    this.windows = windows;
    this.freezes = freezes;
    this.holidays = holidays;
    this.#lookback = longestSpanDays(windows);
  }

  /** Occurrences opening within UTC day `day` (days since the epoch), sorted by start then name. */
  openingOnUtcDay(day: number): readonly WindowOccurrence[] {
    let list = this.#byDay.get(day);
    if (list) return list;
    list = [];
    const from = day * dayMs;
    const to = from + dayMs;
    // Any instant of a UTC day falls on the local date before, on or after it.
    const base = dateOfDay(day);
    for (const w of this.windows) {
      for (const shift of [-1, 0, 1]) {
        const occ = occurrenceOn(w, addDays(base, shift));
        if (occ && occ.start >= from && occ.start < to) list.push(occ);
      }
    }
    list.sort((a, b) => a.start - b.start || a.name.localeCompare(b.name));
    if (this.#byDay.size > 5000) this.#byDay.clear();
    this.#byDay.set(day, list);
    return list;
  }

  /** The occurrence open at `at` (the earliest-opened when several overlap), if any. */
  windowAt(at: number): WindowOccurrence | undefined {
    const today = Math.floor(at / dayMs);
    let found: WindowOccurrence | undefined;
    for (let d = today - this.#lookback; d <= today; d++) {
      for (const occ of this.openingOnUtcDay(d)) {
        if (occ.start <= at && at < occ.end && (!found || occ.start < found.start)) found = occ;
      }
    }
    return found;
  }

  /** True when a window is open at `at` (freezes not considered). */
  isInsideWindow(at: number): boolean {
    return this.windowAt(at) !== undefined;
  }

  /** The first instant at or after `from` inside a window (freezes not considered). */
  nextWindowStart(from: number): number | undefined {
    if (this.windows.length === 0) return undefined;
    if (this.isInsideWindow(from)) return from;
    const today = Math.floor(from / dayMs);
    for (let d = today; d <= today + 9; d++) {
      for (const occ of this.openingOnUtcDay(d)) if (occ.start > from) return occ.start;
    }
    return undefined;
  }

  /** The freeze covering `at`, if any. */
  freezeAt(at: number): CompiledFreeze | undefined {
    for (const f of this.freezes) if (f.start <= at && at < f.end) return f;
    return undefined;
  }

  /** The holiday covering `at`, if any. */
  holidayAt(at: number): CompiledHoliday | undefined {
    for (const h of this.holidays) {
      if (h.start > at) break;
      if (at < h.end) return h;
    }
    return undefined;
  }

  /**
   * The first instant at or after `from` inside a window, outside every holiday and (unless
   * `passFreezes`, a ScheduledUpdate's freezeOverride) every freeze; undefined beyond ~2 years.
   */
  nextOpening(from: number, passFreezes = false): number | undefined {
    const key = Math.floor(from / 1000);
    const cache = passFreezes ? this.#nextOpenPassingFreezes : this.#nextOpen;
    if (cache.has(key)) return cache.get(key);
    let t: number | undefined = from;
    // 1000 steps: two years of nightly windows each closed by a holiday or a freeze still ends.
    for (let i = 0; i < 1000 && t !== undefined && t < from + 800 * dayMs; i++) {
      t = this.nextWindowStart(t);
      if (t === undefined) break;
      const closed = (passFreezes ? undefined : this.freezeAt(t)) ?? this.holidayAt(t);
      if (!closed) break;
      t = closed.end;
    }
    const result = t !== undefined && t < from + 800 * dayMs ? t : undefined;
    if (cache.size > 100_000) cache.clear();
    cache.set(key, result);
    return result;
  }

  /** The first instant at or after `from` outside every freeze (a ScheduledUpdate that ignores windows). */
  nextUnfrozen(from: number): number {
    let t = from;
    // Freezes are sorted by start, so one pass steps over back-to-back freezes.
    for (const f of this.freezes) if (f.start <= t && t < f.end) t = f.end;
    return t;
  }

  /** True when an update may start at `at`: inside a window, not a holiday and not frozen. */
  isOpen(at: number): boolean {
    return this.isInsideWindow(at) && this.freezeAt(at) === undefined && this.holidayAt(at) === undefined;
  }

  /** The occurrence open at `at`, or else the next one to open (the status's nextWindow). */
  currentOrNextWindow(at: number): WindowOccurrence | undefined {
    const open = this.windowAt(at);
    if (open) return open;
    const next = this.nextWindowStart(at);
    return next === undefined ? undefined : this.windowAt(next);
  }

  /** Every occurrence overlapping [from, to), sorted by start (forecasts). */
  windowsBetween(from: number, to: number): WindowOccurrence[] {
    const out: WindowOccurrence[] = [];
    for (let d = Math.floor(from / dayMs) - this.#lookback; d * dayMs < to; d++) {
      for (const occ of this.openingOnUtcDay(d)) if (occ.end > from && occ.start < to) out.push(occ);
    }
    return out;
  }
}

/** The first instant at or after `from` inside one of the windows (written as in a policy) in `timeZone`. */
export function nextWindowStart(windows: readonly MaintenanceWindow[] | undefined, timeZone: string | undefined, from: number): number | undefined {
  return new WindowSchedule(compileWindows(windows, timeZone)).nextWindowStart(from);
}

/** True when one of the windows (written as in a policy) in `timeZone` is open at `at`. */
export function isInsideWindow(windows: readonly MaintenanceWindow[] | undefined, timeZone: string | undefined, at: number): boolean {
  return new WindowSchedule(compileWindows(windows, timeZone)).isInsideWindow(at);
}

/** Every opening of the windows (written as in a policy) in `timeZone` overlapping [from, to). */
export function windowsBetween(windows: readonly MaintenanceWindow[] | undefined, timeZone: string | undefined, from: number, to: number): WindowOccurrence[] {
  return new WindowSchedule(compileWindows(windows, timeZone)).windowsBetween(from, to);
}
