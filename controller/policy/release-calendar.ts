// The release calendar: the API gives no release dates, so the first time a version is seen
// offered (availableVersion) to a model is taken as its release, and phases count from it.
// The calendar is plain data (ReleaseRecord[], sorted) that the caller persists; it is bounded:
// per model and software type only the newest versions are kept.
import type { DeviceSoftware, Device, SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { ReleaseRecord } from '../model/state.ts';
import { compareParsed, parseVersion, type ParsedVersion } from './version.ts';

/** A version seen offered to a model. */
export interface ReleaseObservation {
  readonly model: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
}

/** Bounds of the calendar. */
export interface CalendarLimits {
  /** Versions kept per model and software type, newest first. Default: 12. */
  readonly perStream?: number;
  /** Records kept in all. Default: 20,000 (the most recently seen win). */
  readonly total?: number;
}

const typeOrder = new Map<SoftwareType, number>(SoftwareTypes.map((t, i) => [t, i]));

function streamKey(model: string, type: SoftwareType): string {
  return `${model}\u0000${type}`;
}

/** Orders versions: comparable ones by value, the others after them by text. */
function compareVersionText(a: string, b: string): number {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (pa && pb) return compareParsed(pa, pb);
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The versions offered to each device, as unique observations (availableVersion only: only verified versions are offered). */
export function observationsOf(devices: readonly Device[], software: ReadonlyMap<string, DeviceSoftware>): ReleaseObservation[] {
  const out: ReleaseObservation[] = [];
  // Per model and type: the versions listed, and the last one seen. Most devices of a model are
  // offered what the previous one was, so comparing with it first saves hashing every string.
  const seen = new Map<string, { last: (string | undefined)[]; sets: Set<string>[] }>();
  for (const d of devices) {
    const s = software.get(d.id);
    if (!s) continue;
    let m = seen.get(d.model);
    if (!m) seen.set(d.model, (m = { last: SoftwareTypes.map(() => undefined), sets: SoftwareTypes.map(() => new Set<string>()) }));
    for (let t = 0; t < SoftwareTypes.length; t++) {
      const type = SoftwareTypes[t]!;
      const v = s.software[type]?.availableVersion;
      if (!v || m.last[t] === v) continue;
      m.last[t] = v;
      const versions = m.sets[t]!;
      if (versions.has(v)) continue;
      versions.add(v);
      out.push({ model: d.model, softwareType: type, version: v });
    }
  }
  return out;
}

/**
 * Adds what is seen now to the calendar: a version not yet known gets `now` as its first-seen
 * time; known ones keep theirs. Returns a new, sorted, bounded calendar.
 */
export function observeReleases(calendar: readonly ReleaseRecord[], observations: Iterable<ReleaseObservation>, now: number, limits: CalendarLimits = {}): ReleaseRecord[] {
  const byKey = new Map<string, ReleaseRecord>();
  const add = (r: ReleaseRecord) => {
    const key = `${streamKey(r.model, r.softwareType)}\u0000${r.version}`;
    const known = byKey.get(key);
    if (!known || r.firstSeen < known.firstSeen) byKey.set(key, r);
  };
  for (const r of calendar) add(r);
  const seen = new Set<string>();
  for (const o of observations) {
    const key = `${streamKey(o.model, o.softwareType)}\u0000${o.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!byKey.has(key)) byKey.set(key, { model: o.model, softwareType: o.softwareType, version: o.version, firstSeen: now });
  }
  return boundCalendar([...byKey.values()], limits);
}

/** Merges calendars (for example the state file's and the policies' status.releases), keeping the earliest first-seen time. */
export function mergeCalendars(...calendars: readonly (readonly ReleaseRecord[])[]): ReleaseRecord[] {
  return observeReleases(calendars.flat(), [], 0);
}

function boundCalendar(records: ReleaseRecord[], limits: CalendarLimits): ReleaseRecord[] {
  const perStream = limits.perStream ?? 12;
  const total = limits.total ?? 20_000;
  const streams = new Map<string, ReleaseRecord[]>();
  for (const r of records) {
    const key = streamKey(r.model, r.softwareType);
    const list = streams.get(key);
    if (list) list.push(r);
    else streams.set(key, [r]);
  }
  let kept: ReleaseRecord[] = [];
  for (const list of streams.values()) {
    list.sort((a, b) => compareVersionText(b.version, a.version));
    kept.push(...list.slice(0, perStream));
  }
  if (kept.length > total) {
    kept.sort((a, b) => b.firstSeen - a.firstSeen || sortRecords(a, b));
    kept = kept.slice(0, total);
  }
  return kept.sort(sortRecords);
}

function sortRecords(a: ReleaseRecord, b: ReleaseRecord): number {
  if (a.model !== b.model) return a.model < b.model ? -1 : 1;
  if (a.softwareType !== b.softwareType) return typeOrder.get(a.softwareType)! - typeOrder.get(b.softwareType)!;
  return compareVersionText(a.version, b.version);
}

/** A known version of a stream, with its parsed form. */
export interface KnownRelease {
  readonly version: string;
  readonly parsed: ParsedVersion;
  readonly firstSeen: number;
}

const none: readonly KnownRelease[] = [];

/** Fast look-ups into a calendar. */
export class CalendarIndex {
  readonly #streams = new Map<string, KnownRelease[]>();
  readonly #firstSeen = new Map<string, number>();

  constructor(calendar: readonly ReleaseRecord[]) {
    for (const r of calendar) {
      this.#firstSeen.set(`${streamKey(r.model, r.softwareType)}\u0000${r.version}`, r.firstSeen);
      const parsed = parseVersion(r.version);
      if (!parsed) continue;
      const key = streamKey(r.model, r.softwareType);
      const list = this.#streams.get(key);
      const entry = { version: r.version, parsed, firstSeen: r.firstSeen };
      if (list) list.push(entry);
      else this.#streams.set(key, [entry]);
    }
    for (const list of this.#streams.values()) list.sort((a, b) => compareParsed(a.parsed, b.parsed));
  }

  /** Comparable versions known for a model and software type, oldest version first. */
  versions(model: string, type: SoftwareType): readonly KnownRelease[] {
    return this.#streams.get(streamKey(model, type)) ?? none;
  }

  /** When the version was first seen offered to the model (undefined when never). */
  firstSeen(model: string, type: SoftwareType, version: string): number | undefined {
    return this.#firstSeen.get(`${streamKey(model, type)}\u0000${version}`);
  }
}
