// The automatic decision for one device × software type: which version its policy wants and
// from when, or why it stays. It never proposes anything but a provable upgrade, never touches
// firmware Microsoft has not verified, and only offers versions the release calendar knows
// (they were offered as availableVersion, hence verified).
import type { SoftwareState } from '../model/fleet.ts';
import type { Reason } from '../model/plan.ts';
import type { CalendarIndex, KnownRelease } from './release-calendar.ts';
import { sharedReason } from './shared-reasons.ts';
import { softwareLabel, type EffectiveRule } from './software-rules.ts';
import { compareParsed, parseVersion } from './version.ts';

export interface AutoDecision {
  /** stay: nothing to install; update: `version` from `eligibleAt`; blocked: refused. */
  readonly outcome: 'stay' | 'update' | 'blocked';
  readonly version: string | undefined;
  readonly eligibleAt: number | undefined;
  readonly reason: Reason;
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function stay(code: Reason['code'], message: string): AutoDecision {
  return { outcome: 'stay', version: undefined, eligibleAt: undefined, reason: sharedReason(code, message) };
}
function blocked(code: Reason['code'], message: string, version?: string): AutoDecision {
  return { outcome: 'blocked', version, eligibleAt: undefined, reason: sharedReason(code, message) };
}

function isExcluded(rule: EffectiveRule, r: KnownRelease): boolean {
  return rule.exclude.includes(r.version) || rule.excludeParsed.some((p) => compareParsed(p, r.parsed) === 0);
}

/** When a known version becomes eligible under the rule (Infinity: waits for a newer release). */
export function eligibleTime(rule: EffectiveRule, releases: readonly KnownRelease[], index: number): number {
  const r = releases[index]!;
  const byPhase = r.firstSeen + rule.delayMs;
  if (!rule.lagOneVersion) return byPhase;
  const next = releases[index + 1];
  return next === undefined ? Number.POSITIVE_INFINITY : Math.max(byPhase, next.firstSeen);
}

/** True when the device is offered a version other than the one it runs (the one fact of availableVersion a decision uses). */
export function hasOffer(state: SoftwareState): boolean {
  return state.availableVersion !== null && state.availableVersion !== state.currentVersion;
}

/**
 * Decides what the policy's rule wants for a device of `model` in `state`, at `now`. The result
 * depends only on the rule, the model, the software type, the installed version, whether the
 * firmware is unknown and hasOffer(state): callers memoize on exactly those.
 */
export function decideAutomatic(rule: EffectiveRule, calendar: CalendarIndex, model: string, state: SoftwareState, now: number): AutoDecision {
  const type = state.softwareType;
  const label = softwareLabel[type];
  const current = state.currentVersion;
  const offer = hasOffer(state);
  if (rule.mode !== 'automatic') {
    const code = rule.mode === 'none' ? 'NoPolicy' : 'ManualOnly';
    const what = rule.mode === 'none' ? 'the device follows no UpdatePolicy' : `${label} is manual under this policy`;
    return offer
      ? stay(code, `a newer version is offered, but ${what}: only a ScheduledUpdate installs it`)
      : stay(code, `${what}; nothing newer is offered`);
  }
  if (type === 'firmware' && state.freshness === 'unknown') {
    return blocked('UnknownFirmware', `the device runs firmware Microsoft has not verified${current ? ` (${current})` : ''}; automatic updates leave it alone, only a ScheduledUpdate can update it`);
  }
  const releases = calendar.versions(model, type);
  const somethingOffered = offer || releases.length > 0;
  if (current === null) {
    return somethingOffered
      ? blocked('NotComparable', `the device does not report its ${label} version, so firmwarden cannot prove an update is not a downgrade`)
      : stay('NoNewerVersion', `the device reports no ${label} version and nothing is offered`);
  }
  const parsedCurrent = parseVersion(current);
  if (!parsedCurrent) {
    return somethingOffered
      ? blocked('NotComparable', `the installed version '${current}' cannot be ordered, so firmwarden cannot prove any update is not a downgrade`)
      : stay('NoNewerVersion', `nothing newer than ${current} is offered`);
  }
  if (rule.maximum && compareParsed(parsedCurrent, rule.maximum) > 0) {
    return blocked('Downgrade', `the device runs ${current}, newer than the policy's maximum ${rule.maximumText}; firmwarden never downgrades${type === 'firmware' ? ' (going back needs a factory reset)' : ''}, so it stays on ${current}`, rule.maximumText);
  }
  let firstNewer = releases.length;
  for (let i = 0; i < releases.length; i++) {
    if (compareParsed(releases[i]!.parsed, parsedCurrent) > 0) {
      firstNewer = i;
      break;
    }
  }
  if (firstNewer === releases.length) return stay('UpToDate', `${current} is the newest ${label} version known for ${model}`);

  let nowBest = -1;
  let laterBest = -1;
  let laterAt = Number.POSITIVE_INFINITY;
  let anyAllowed = false;
  const held: string[] = [];
  for (let i = firstNewer; i < releases.length; i++) {
    const r = releases[i]!;
    if (isExcluded(rule, r)) { held.push(`${r.version} is excluded`); continue; }
    if (rule.minimum && compareParsed(r.parsed, rule.minimum) < 0) { held.push(`${r.version} is below the minimum ${rule.minimumText}`); continue; }
    if (rule.maximum && compareParsed(r.parsed, rule.maximum) > 0) { held.push(`${r.version} is above the maximum ${rule.maximumText}`); continue; }
    anyAllowed = true;
    const at = eligibleTime(rule, releases, i);
    if (at <= now) nowBest = i;
    else if (Number.isFinite(at) && (at < laterAt || (at === laterAt && i > laterBest))) {
      laterAt = at;
      laterBest = i;
    }
  }
  if (nowBest >= 0) {
    const r = releases[nowBest]!;
    return { outcome: 'update', version: r.version, eligibleAt: eligibleTime(rule, releases, nowBest), reason: sharedReason('Starting', `${r.version} is eligible (first seen ${dayText(r.firstSeen)})`) };
  }
  if (laterBest >= 0) {
    const r = releases[laterBest]!;
    const lagged = rule.lagOneVersion && laterAt > r.firstSeen + rule.delayMs;
    const why = lagged
      ? `one version behind: it became installable when a newer version was first seen`
      : rule.delayMs === 0 ? 'released' : `the ${rule.phase} phase installs ${label} ${Math.round(rule.delayMs / 86_400_000)} days after release (first seen ${dayText(r.firstSeen)})`;
    return { outcome: 'update', version: r.version, eligibleAt: laterAt, reason: sharedReason('Deferred', `${r.version} becomes eligible on ${dayText(laterAt)}: ${why}`) };
  }
  if (anyAllowed) {
    const newest = releases[releases.length - 1]!;
    return stay('LagOneVersion', `${newest.version} is the newest version known for ${model}; one version behind, it is installed only once a newer version is released`);
  }
  return stay('HeldByVersionRules', `nothing newer is allowed: ${held.join('; ')}`);
}
