// Durations as manifests write them: days, hours, minutes and seconds, largest first (1h30m, 7d).

const pattern = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds of a duration such as 90m, 1h30m or 7d; undefined when it cannot be read. */
export function parseDuration(text: string): number | undefined {
  const m = pattern.exec(text);
  if (!m || text === '') return undefined;
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

/** Writes a length of time in the largest sensible units (2d 4h, 45m), for people. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0m';
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts: string[] = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m && !d) parts.push(`${m}m`);
  return parts.length ? parts.join(' ') : '1m';
}
