// The release calendar as one machine-written file of the config repository
// (`.firmwarden/releases.json` at the root of the manifests' folder), so release dates,
// stopped rollouts and evidence for versions survive the loss of the state file without living
// in the statuses people review. Git and folder sources commit or write it with the statuses; Kubernetes keeps the
// same data in the state ConfigMap instead. Pure: text in, data out, and back.
//
// The layout is JSON with one record per line, sorted, so a new release is a one-line diff and
// an unchanged calendar renders to the same bytes (no commit). The file is hidden and not YAML:
// lint, plan and the sources never read it as a manifest.
import type { HealthAspect, SoftwareType } from '../model/fleet.ts';
import { HealthAspects, SoftwareTypes } from '../model/fleet.ts';
import type { EvidenceRecord, ReleaseRecord, RememberedCalendar, RolloutMemory } from '../model/state.ts';

/** Where the file lives, relative to the manifests' folder (--path). */
export const calendarFilePath = '.firmwarden/releases.json';

/** A calendar that remembers nothing. */
export const emptyCalendar: RememberedCalendar = Object.freeze({ releases: [], rollouts: {} });

const writtenBy = 'firmwarden';
const note = 'Written by the firmwarden controller with its status commits: when each version was first seen (the release date phases count from) and which rollouts the failure threshold stopped. Do not edit; delete it only to forget every release date.';
const softwareTypes: ReadonlySet<string> = new Set(SoftwareTypes);

/** RFC 3339 UTC to the second, as statuses write times. */
function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const dayMs = 86_400_000;
const healthAspects: ReadonlySet<string> = new Set(HealthAspects);

/**
 * One evidence record as a line. Its healthy time is written to the day: it grows at every
 * health read, and to the second it would change the file, hence a commit, at every reconcile.
 * Losing the state file then costs at most a day of healthy time.
 */
function evidenceLine(e: EvidenceRecord): string {
  return JSON.stringify({
    evidence: e.group, deviceId: e.deviceId, softwareType: e.softwareType, version: e.version, sinceTime: iso(e.since),
    healthyUntilTime: iso(Math.max(e.since, Math.floor(e.healthyUntil / dayMs) * dayMs)), healthBefore: e.healthBefore,
    ...(e.regressedAt === undefined ? {} : { regressedTime: iso(e.regressedAt) }), ...(e.left ? { left: true } : {}),
  });
}

/** The file's text: stable for equal content, one record per line. */
export function renderCalendarFile(calendar: RememberedCalendar): string {
  const releases = [...calendar.releases]
    .sort((a, b) => compareText(a.model, b.model) || compareText(a.softwareType, b.softwareType) || compareText(a.version, b.version))
    .map((r) => JSON.stringify({ model: r.model, softwareType: r.softwareType, version: r.version, firstSeenTime: iso(r.firstSeen) }));
  const rollouts = Object.entries(calendar.rollouts)
    .sort(([a], [b]) => compareText(a, b))
    .map(([key, m]) => JSON.stringify({ rollout: key, stoppedTime: iso(m.stoppedAt), reason: m.reason }));
  const evidence = [...(calendar.evidence ?? [])]
    .sort((a, b) => compareText(a.group, b.group) || compareText(a.softwareType, b.softwareType) || compareText(a.version, b.version) || compareText(a.deviceId, b.deviceId))
    .map(evidenceLine);
  const list = (lines: string[]) => (lines.length === 0 ? '[]' : `[\n    ${lines.join(',\n    ')}\n  ]`);
  // No evidence, no key: a calendar written before evidence existed renders to the same bytes.
  const evidenceKey = evidence.length === 0 ? '' : `,\n  "evidence": ${list(evidence)}`;
  return `{\n  "writtenBy": ${JSON.stringify(writtenBy)},\n  "note": ${JSON.stringify(note)},\n  "version": 1,\n  "releases": ${list(releases)},\n  "stoppedRollouts": ${list(rollouts)}${evidenceKey}\n}\n`;
}

/** The file read back, or why it cannot be (a sentence naming the file and what to do). */
export type CalendarRead = { readonly ok: true; readonly calendar: RememberedCalendar; readonly skipped: number } | { readonly ok: false; readonly problem: string };

/**
 * Reads the file's text. Records that do not read (a hand edit) are skipped and counted, not
 * fatal: the rest of the calendar still counts, and the next write drops them.
 */
export function parseCalendarFile(text: string, file: string = calendarFilePath): CalendarRead {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `${file} is not valid JSON (${(error as Error).message}); delete it and the controller writes it again (release dates seen only there are lost)` };
  }
  const root = data as { version?: unknown; releases?: unknown; stoppedRollouts?: unknown; evidence?: unknown } | null;
  if (root === null || typeof root !== 'object' || root.version !== 1) {
    return { ok: false, problem: `${file} is not a firmwarden release calendar of version 1; delete it and the controller writes it again` };
  }
  let skipped = 0;
  const releases: ReleaseRecord[] = [];
  for (const r of Array.isArray(root.releases) ? (root.releases as unknown[]) : []) {
    const x = r as { model?: unknown; softwareType?: unknown; version?: unknown; firstSeenTime?: unknown } | null;
    const firstSeen = typeof x?.firstSeenTime === 'string' ? Date.parse(x.firstSeenTime) : Number.NaN;
    if (typeof x?.model !== 'string' || typeof x.softwareType !== 'string' || !softwareTypes.has(x.softwareType) || typeof x.version !== 'string' || Number.isNaN(firstSeen)) {
      skipped++;
      continue;
    }
    releases.push({ model: x.model, softwareType: x.softwareType as SoftwareType, version: x.version, firstSeen });
  }
  const rollouts: Record<string, RolloutMemory> = {};
  for (const r of Array.isArray(root.stoppedRollouts) ? (root.stoppedRollouts as unknown[]) : []) {
    const x = r as { rollout?: unknown; stoppedTime?: unknown; reason?: unknown } | null;
    const at = typeof x?.stoppedTime === 'string' ? Date.parse(x.stoppedTime) : Number.NaN;
    if (typeof x?.rollout !== 'string' || !x.rollout.includes('|') || Number.isNaN(at)) {
      skipped++;
      continue;
    }
    rollouts[x.rollout] = { stoppedAt: at, reason: typeof x.reason === 'string' ? x.reason : 'stopped by the failure threshold' };
  }
  const evidence: EvidenceRecord[] = [];
  for (const r of Array.isArray(root.evidence) ? (root.evidence as unknown[]) : []) {
    const e = readEvidence(r);
    if (e) evidence.push(e);
    else skipped++;
  }
  return { ok: true, calendar: { releases, rollouts, ...(evidence.length > 0 ? { evidence } : {}) }, skipped };
}

/** One evidence line read back, or undefined when it does not read. */
function readEvidence(r: unknown): EvidenceRecord | undefined {
  const x = r as { evidence?: unknown; deviceId?: unknown; softwareType?: unknown; version?: unknown; sinceTime?: unknown; healthyUntilTime?: unknown; healthBefore?: unknown; regressedTime?: unknown; left?: unknown } | null;
  const time = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : Number.NaN);
  const since = time(x?.sinceTime);
  const healthyUntil = time(x?.healthyUntilTime);
  const regressedAt = x?.regressedTime === undefined ? undefined : time(x.regressedTime);
  const before = x?.healthBefore;
  if (
    typeof x?.evidence !== 'string' || !x.evidence.includes('/') || typeof x.deviceId !== 'string' || typeof x.softwareType !== 'string' || !softwareTypes.has(x.softwareType)
    || typeof x.version !== 'string' || Number.isNaN(since) || Number.isNaN(healthyUntil) || (regressedAt !== undefined && Number.isNaN(regressedAt))
    || !Array.isArray(before) || !before.every((a) => typeof a === 'string' && healthAspects.has(a))
  ) return undefined;
  return {
    group: x.evidence, deviceId: x.deviceId, softwareType: x.softwareType as SoftwareType, version: x.version, since, healthyUntil, healthBefore: before as HealthAspect[],
    ...(regressedAt === undefined ? {} : { regressedAt }), ...(x.left === true ? { left: true } : {}),
  };
}
