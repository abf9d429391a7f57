// The forecast timeline as the live page shows it: a grid of updates per group per local date, and the batches to come.
import { softwareLabel } from '../policy/software-rules.ts';
import { dateText, localDateOf } from '../policy/zoned-time.ts';
import type { ForecastTimeline } from './forecast-timeline.ts';
import { liveTime, type LiveTime } from './live-time.ts';

/** One batch to come, as the page shows it. */
export interface LiveTimelineBatch {
  readonly time: LiveTime;
  readonly group: string;
  readonly software: string;
  readonly version: string;
  readonly wave: number | undefined;
  readonly devices: number;
  readonly names: readonly string[];
}

/** The forecast, as the page shows it. */
export interface LiveForecast {
  /** When the simulation started (it may be a little older than the view). */
  readonly from: LiveTime;
  readonly to: LiveTime;
  readonly truncated: boolean;
  /** The dates of the grid's columns, in order. */
  readonly dates: readonly string[];
  /** One row per group: updates starting on each date of `dates` (the group's local dates). */
  readonly rows: readonly { readonly group: string; readonly timeZone: string; readonly updates: readonly number[] }[];
  readonly batches: readonly LiveTimelineBatch[];
  readonly more: number;
  readonly assumptions: string;
}

const assumptions = 'assumes every update succeeds and takes 30 minutes, and no new version is released';

/** The page's forecast from the latest timeline: only what starts from `now`, every date to the horizon. */
export function forecastView(timeline: ForecastTimeline, now: number, groupName: (key: string | undefined) => string): LiveForecast {
  // The forecast may have started a little before this view: what it started in the past is history.
  const upcoming = timeline.batches.filter((b) => b.time >= now);
  const today = (tz: string) => dateText(localDateOf(now, tz));
  const cells = timeline.days.filter((d) => d.date >= today(d.timeZone));
  // Every date from today (the earliest of the groups' todays) to the horizon, quiet days included.
  const first = [...cells.map((c) => today(c.timeZone)), today('UTC')].sort()[0]!;
  const last = [...cells.map((c) => c.date), new Date(timeline.to).toISOString().slice(0, 10)].sort().at(-1)!;
  const all: string[] = [];
  for (let d = Temporal.PlainDate.from(first); Temporal.PlainDate.compare(d, last) <= 0; d = d.add({ days: 1 })) all.push(d.toString());
  const rows = new Map<string, { group: string; timeZone: string; updates: number[] }>();
  for (const c of cells) {
    const key = c.group ?? '';
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { group: groupName(c.group), timeZone: c.timeZone, updates: all.map(() => 0) }));
    row.updates[all.indexOf(c.date)]! += c.updates;
  }
  return {
    from: liveTime(timeline.from, undefined, now),
    to: liveTime(timeline.to, undefined, now),
    truncated: timeline.truncated,
    dates: all,
    rows: [...rows.values()].sort((a, b) => a.group.localeCompare(b.group)),
    batches: upcoming.map((b) => ({
      time: liveTime(b.time, b.timeZone, now),
      group: groupName(b.group),
      software: softwareLabel[b.softwareType],
      version: b.version,
      wave: b.wave,
      devices: b.devices,
      names: b.names,
    })),
    more: timeline.more,
    assumptions,
  };
}
