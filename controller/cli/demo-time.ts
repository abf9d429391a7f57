// Times on the demo's screen in a group's own zone: "Sat 16 Jan 21:00 EST", "tomorrow 00:00 WET (in 2 h)".
import { dayNumber, isValidTimeZone, localDateOf, toLocal, weekdayOf } from '../policy/zoned-time.ts';
import { formatRelative } from '../plan/render-time.ts';

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');
const isOffsetName = (name: string) => /^GMT[+-−]/.test(name);

/**
 * The zone's abbreviation at an instant (CET, EDT, WET, UTC), or its offset (GMT+9) where no
 * abbreviation is in common English use. Intl knows some only by region: en-US says GMT+1 for
 * Paris and en-GB says GMT-5 for New York, so both are asked.
 */
export function zoneAbbreviation(ms: number, timeZone: string): string {
  let fallback = 'UTC';
  for (const locale of ['en-US', 'en-GB']) {
    const name = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }).formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value;
    if (name === undefined) continue;
    if (!isOffsetName(name)) return name;
    if (fallback === 'UTC') fallback = name;
  }
  return fallback;
}

const zoneOrUtc = (timeZone: string | undefined) => (timeZone !== undefined && isValidTimeZone(timeZone) ? timeZone : 'UTC');

/** "21:00 EST": the wall-clock time in `timeZone` (UTC when the zone is not one). */
function formatClock(ms: number, timeZone: string | undefined): string {
  const zone = zoneOrUtc(timeZone);
  const l = toLocal(ms, zone);
  return `${pad2(l.hour)}:${pad2(l.minute)} ${zoneAbbreviation(ms, zone)}`;
}

/** "Sat 16 Jan 21:00 EST" in `timeZone` (with the year after the month when `withYear`); UTC when the zone is not one. */
export function formatZoned(ms: number, timeZone: string | undefined, withYear = false): string {
  const l = toLocal(ms, zoneOrUtc(timeZone));
  const weekday = weekdays[weekdayOf(l)]!;
  return `${weekday} ${pad2(l.day)} ${months[l.month - 1]}${withYear ? ` ${l.year}` : ''} ${formatClock(ms, timeZone)}`;
}

/** "Sun 10 Jan 00:00 WET (in 2 h)", or "due now" when the time has come (a time already past is never shown as what comes next). */
export function formatNext(ms: number, now: number, timeZone: string | undefined): string {
  if (ms <= now) return 'due now';
  // Today and tomorrow by the group's own calendar, as its people would say it.
  const zone = zoneOrUtc(timeZone);
  const days = dayNumber(localDateOf(ms, zone)) - dayNumber(localDateOf(now, zone));
  const when = days === 0 ? `today ${formatClock(ms, zone)}` : days === 1 ? `tomorrow ${formatClock(ms, zone)}` : formatZoned(ms, zone);
  return `${when} (${formatRelative(ms, now)})`;
}
