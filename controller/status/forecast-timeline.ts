// The forecast summarised for the live page where the forecast runs: batches of updates that start together, updates per group per local day.
import type { SoftwareType } from '../model/fleet.ts';
import type { Forecast } from '../plan/forecast.ts';
import { dateText, localDateOf } from '../policy/zoned-time.ts';

/** Updates the forecast starts at one time in one group, for one software version. */
export interface TimelineBatch {
  readonly time: number;
  readonly group: string | undefined;
  readonly timeZone: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
  readonly wave: number | undefined;
  readonly devices: number;
  /** The first few devices, as admins know them. */
  readonly names: readonly string[];
}

/** The forecast, summarised for the page (built where the forecast runs, by forecastTimeline). */
export interface ForecastTimeline {
  /** The instant the simulation started from, and its horizon. */
  readonly from: number;
  readonly to: number;
  readonly truncated: boolean;
  /** Updates the simulation started in all. */
  readonly updates: number;
  /** Batches in time order, at most `maxBatches`; `more` counts those left out. */
  readonly batches: readonly TimelineBatch[];
  readonly more: number;
  /** Updates per group per local date of the group ("YYYY-MM-DD"). */
  readonly days: readonly { readonly group: string | undefined; readonly timeZone: string; readonly date: string; readonly updates: number }[];
}

/** The forecast summarised for the page: batches of updates that start together, and updates per group per local day. */
export function forecastTimeline(
  f: Pick<Forecast, 'from' | 'to' | 'truncated' | 'events'>,
  timeZoneOf: (group: string | undefined) => string,
  label: (deviceId: string) => string,
  options: { readonly maxBatches?: number; readonly namesPerBatch?: number } = {},
): ForecastTimeline {
  const maxBatches = options.maxBatches ?? 120;
  const namesPerBatch = options.namesPerBatch ?? 5;
  const batches = new Map<string, { batch: Omit<TimelineBatch, 'names'>; ids: string[] }>();
  const days = new Map<string, { group: string | undefined; timeZone: string; date: string; updates: number }>();
  for (const e of f.events) {
    const a = e.action;
    const timeZone = timeZoneOf(a.group);
    const key = `${e.time}|${a.group ?? ''}|${a.softwareType}|${a.version}`;
    let b = batches.get(key);
    if (!b) batches.set(key, (b = { batch: { time: e.time, group: a.group, timeZone, softwareType: a.softwareType, version: a.version, wave: a.wave, devices: 0 }, ids: [] }));
    b.batch = { ...b.batch, devices: b.batch.devices + 1 };
    if (b.ids.length < namesPerBatch) b.ids.push(a.deviceId);
    const date = dateText(localDateOf(e.time, timeZone));
    const dayKey = `${a.group ?? ''}|${date}`;
    const d = days.get(dayKey);
    if (d) d.updates++;
    else days.set(dayKey, { group: a.group, timeZone, date, updates: 1 });
  }
  // Events come in time order, and so do the batches (a Map keeps insertion order).
  const all = [...batches.values()];
  return {
    from: f.from,
    to: f.to,
    truncated: f.truncated,
    updates: f.events.length,
    batches: all.slice(0, maxBatches).map((b) => ({ ...b.batch, names: b.ids.map(label) })),
    more: Math.max(0, all.length - maxBatches),
    days: [...days.values()],
  };
}
