// Maintenance windows and freezes: each window has exactly one of end and duration, is not
// empty, not uselessly short, at most a week; each freeze has real dates in order.
import { formatDuration, parseDuration } from '../../policy/duration.ts';
import { parseLocalDate, parseLocalTime } from '../../policy/zoned-time.ts';
import type { Check } from './context.ts';
import { validOf } from './context.ts';

/** Windows shorter than this get a warning: an update may not fit in them. */
export const minWindowMs = 30 * 60_000;
/** Windows longer than this are refused. */
export const maxWindowMs = 7 * 24 * 3_600_000;

/** window-* rules. */
export const checkWindows: Check = (ctx) => {
  for (const policy of validOf(ctx, 'UpdatePolicy')) {
    policy.manifest.spec.maintenanceWindows?.forEach((w, i) => {
      const at = ['spec', 'maintenanceWindows', i];
      const label = w.name ? `window '${w.name}'` : `window ${i + 1}`;
      if (w.end !== undefined && w.duration !== undefined) {
        ctx.report(policy, [...at, 'duration'], 'key', 'window-end-and-duration', `${label} gives both end and duration; keep one of them`);
        return;
      }
      if (w.end === undefined && w.duration === undefined) {
        ctx.report(policy, at, 'start', 'window-without-end', `${label} gives neither end nor duration; add one (end: "06:00" or duration: 8h)`);
        return;
      }
      let length: number | undefined;
      let where: (string | number)[];
      if (w.end !== undefined) {
        const start = parseLocalTime(w.start);
        const end = parseLocalTime(w.end);
        where = [...at, 'end'];
        if (start === undefined || end === undefined) return;
        // An end earlier than the start crosses midnight; 24:00 is the end of the day.
        const from = start % 1440;
        length = (end === 1440 ? 1440 - from : (end - from + 1440) % 1440) * 60_000;
        if (length === 0) {
          ctx.report(policy, where, 'value', 'window-empty', `${label} starts and ends at ${w.start}: it is empty; for a whole day use duration: 24h`);
          return;
        }
      } else {
        where = [...at, 'duration'];
        length = parseDuration(w.duration!);
        if (length === undefined) return;
        if (length === 0) {
          ctx.report(policy, where, 'value', 'window-empty', `${label} has duration ${w.duration}: it is empty`);
          return;
        }
      }
      if (length > maxWindowMs) {
        ctx.report(policy, where, 'value', 'window-too-long', `${label} lasts ${formatDuration(length)}, more than 7 days; to allow updates at any time, leave maintenance windows out`);
      } else if (length < minWindowMs) {
        ctx.report(policy, where, 'value', 'window-too-short', `${label} lasts only ${formatDuration(length)}; an update may not start and finish in under 30 minutes`);
      }
    });
  }
};

/** freeze-end-before-start and invalid-date for freezes. */
export const checkFreezes: Check = (ctx) => {
  for (const policy of validOf(ctx, 'UpdatePolicy')) {
    policy.manifest.spec.freezes?.forEach((f, i) => {
      const at = ['spec', 'freezes', i];
      let ok = true;
      for (const field of ['start', 'end'] as const) {
        if (parseLocalDate(f[field]) === undefined) {
          ctx.report(policy, [...at, field], 'value', 'invalid-date', `${f[field]} is not a date in the calendar`);
          ok = false;
        }
      }
      if (ok && f.end < f.start) {
        ctx.report(policy, [...at, 'end'], 'value', 'freeze-end-before-start', `freeze ${f.name ? `'${f.name}' ` : ''}ends (${f.end}) before it starts (${f.start}); end is the last frozen day`);
      }
    });
  }
};
