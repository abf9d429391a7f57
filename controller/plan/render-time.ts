// Times for people: local wall-clock time with the weekday and the zone, and "in 3 days".
import { toLocal, weekdayOf } from '../policy/zoned-time.ts';

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number) => String(n).padStart(2, '0');

/** "Sat 2026-11-28 20:00 Europe/Paris". */
export function formatLocalTime(ms: number, timeZone: string): string {
  const l = toLocal(ms, timeZone);
  const weekday = weekdays[weekdayOf(l)]!;
  return `${weekday} ${l.year}-${pad(l.month)}-${pad(l.day)} ${pad(l.hour)}:${pad(l.minute)} ${timeZone}`;
}

/** "2026-11-22 08:00 UTC". */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** "now", "in 5 hours", "in 3 days", "2 days ago". */
export function formatRelative(ms: number, now: number): string {
  const d = ms - now;
  if (Math.abs(d) < 60_000) return 'now';
  const abs = Math.abs(d);
  const text = abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 2 * 86_400_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} days`;
  return d > 0 ? `in ${text}` : `${text} ago`;
}
