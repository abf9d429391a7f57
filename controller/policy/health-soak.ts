// Health soaks: after a policy's update ends, the device's health is watched for the soak's
// duration and compared with its health when the update was asked for (kept in the ledger).
// What was fine before and is down now — offline, Teams or Exchange signed out, a camera,
// microphone, speaker or display disconnected — or a peripheral that was there and is gone,
// is a regression: it counts as a failed update (rollout-health.ts) and is remembered, since
// the device may recover before anyone looks. Pure: `now` and the health reads come in.
import type { Device, DeviceHealth, DeviceSoftware, HealthAspect } from '../model/fleet.ts';
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { OperationRecord } from '../model/plan.ts';
import type { RegressionRecord } from '../model/state.ts';
import { parseDuration } from './duration.ts';
import { effectiveWaves } from './rollout-defaults.ts';
import { softwareLabel } from './software-rules.ts';

/**
 * Health read this soon after an update ended is not compared: the device restarts after
 * firmware and takes minutes to come back and sign in again, and reading it offline then is
 * not a regression. Do not shorten it "to catch problems sooner": every soak would then
 * report the restart.
 */
export const settleMs = 30 * 60_000;

/** A soak as the plan uses it. */
export interface SoakRule {
  readonly durationMs: number;
  /** More regressions than this in the wave stop the rollout; undefined: only the failure threshold counts them. */
  readonly maxRegressions: number | undefined;
}

const soakCache = new WeakMap<UpdatePolicy, (SoakRule | undefined)[]>();

/** The soak of a wave (counted from 1) under a policy: the wave's own, else the rollout's, else none. */
export function soakRuleFor(policy: UpdatePolicy, wave: number | undefined): SoakRule | undefined {
  let byWave = soakCache.get(policy);
  if (!byWave) soakCache.set(policy, (byWave = []));
  const k = wave ?? 0;
  if (k in byWave) return byWave[k];
  const waves = effectiveWaves(policy);
  const written = (wave !== undefined && wave >= 1 ? waves[wave - 1]?.soak : undefined) ?? policy.spec.rollout?.soak;
  const durationMs = written === undefined ? undefined : parseDuration(written.duration);
  const rule = written === undefined || durationMs === undefined ? undefined : { durationMs, maxRegressions: written.maxRegressions };
  byWave[k] = rule;
  return rule;
}

/** True when some wave of the policy, or the whole rollout, soaks. */
export function hasSoak(policy: UpdatePolicy): boolean {
  return policy.spec.rollout?.soak !== undefined || (policy.spec.rollout?.waves ?? []).some((w) => w.soak !== undefined);
}

/** The aspects fine in a health summary, in a fixed order (what the ledger keeps as "before"). */
export function fineAspects(health: DeviceHealth | undefined): HealthAspect[] | undefined {
  if (health === undefined) return undefined;
  return (Object.keys(health) as HealthAspect[]).filter((a) => health[a] === 'ok').sort();
}

const aspectWords: Readonly<Record<HealthAspect, string>> = {
  online: 'the device',
  teamsSignIn: 'Teams sign-in',
  exchangeSignIn: 'Exchange sign-in',
  roomCamera: 'camera',
  contentCamera: 'content camera',
  microphone: 'microphone',
  speaker: 'speaker',
  communicationSpeaker: 'communication speaker',
  display: 'display',
  compute: 'compute module',
};

/** Aspects a health document leaves out when the part is not there (a peripheral unplugged). */
const parts: ReadonlySet<HealthAspect> = new Set(['roomCamera', 'contentCamera', 'microphone', 'speaker', 'communicationSpeaker', 'display', 'compute']);

/**
 * What regressed between `before` (aspects fine then) and `now`, in words, or [] when nothing
 * did. Unknown now is not a regression (the service could not tell); a part absent now that
 * was fine before is missing; a connection or sign-in absent now is unknown, not lost; a device
 * gone offline is only that.
 */
export function regressionsOf(before: readonly HealthAspect[], now: DeviceHealth | undefined): string[] {
  if (now === undefined) return [];
  // Offline, everything reads disconnected: the rest would only hide the one thing that matters.
  if (now.online === 'down' && before.includes('online')) return ['went offline'];
  const out: string[] = [];
  for (const aspect of before) {
    const word = now[aspect];
    if (word === 'down') {
      out.push(aspect === 'online' ? 'went offline' : aspect === 'teamsSignIn' || aspect === 'exchangeSignIn' ? `${aspectWords[aspect]} lost` : `${aspectWords[aspect]} unhealthy`);
    } else if (word === undefined && parts.has(aspect)) {
      out.push(`${aspectWords[aspect]} missing`);
    }
  }
  return out;
}

/** Devices signed in with a room's resource account: their signed-in name is the room's (status/people-fields.ts has the same rule). */
const roomTypes: ReadonlySet<string> = new Set(['teamsRoom', 'surfaceHub', 'collaborationBar', 'touchConsole', 'teamsPanel']);

/**
 * How admins name a device in a regression: the room's name on room devices, else its hardware
 * id or serial number, else its id. Never a person's name: it goes into statuses in Git.
 */
export function deviceName(deviceId: string, device: Pick<Device, 'deviceType' | 'currentUserName' | 'uniqueId' | 'serialNumber'> | undefined): string {
  const room = device !== undefined && roomTypes.has(device.deviceType) ? device.currentUserName?.trim() : undefined;
  return room || device?.uniqueId || device?.serialNumber || deviceId;
}

/** "Room 4.12 Paris: camera unhealthy after firmware 1.2.3". */
export function describeRegression(r: RegressionRecord): string {
  return `${r.device}: ${r.what.join(', ')} after ${softwareLabel[r.softwareType]} ${r.version}`;
}

/** Regressions named in a sentence, at most `max` of them ("…; and 3 more"). */
export function listRegressions(list: readonly RegressionRecord[], max = 3): string {
  const shown = list.slice(0, max).map(describeRegression).join('; ');
  return list.length > max ? `${shown}; and ${list.length - max} more` : shown;
}

/** The key of the update a regression belongs to. */
export function updateKey(r: { readonly deviceId: string; readonly softwareType: string | undefined }, requestedAt: number): string {
  return `${r.deviceId}|${r.softwareType ?? ''}|${requestedAt}`;
}

export interface SoakInput {
  /** The operations the plan knows (ledger and fleet). */
  readonly records: readonly OperationRecord[];
  /** The soak of an update (by its owner and wave), undefined when it has none. */
  readonly soakOf: (record: OperationRecord) => SoakRule | undefined;
  readonly software: ReadonlyMap<string, DeviceSoftware>;
  /** When each device's health was read; a device missing here counts as read at `now`. */
  readonly readAt: ReadonlyMap<string, number> | undefined;
  readonly device: (deviceId: string) => Device | undefined;
  /** Regressions found before. */
  readonly memory: readonly RegressionRecord[];
  readonly now: number;
}

/** What the soaks found: every regression still worth keeping, and a look-up per update. */
export interface SoakWatch {
  /** Regressions of updates the plan still knows (memory and new), oldest first. */
  readonly regressions: readonly RegressionRecord[];
  /** The regression of an update, if it had one. */
  regressed(record: OperationRecord): RegressionRecord | undefined;
}

/**
 * Compares the health of devices in soak with their health before the update. An update is in
 * soak from settleMs after it ended until its soak's duration after it ended, and only while it
 * is its device's latest update (a later one would take the blame). Remembered regressions stay
 * as long as the plan knows their update, so a device that recovered still counted.
 */
export function watchSoaks(input: SoakInput): SoakWatch {
  const byKey = new Map<string, RegressionRecord>();
  const known = new Set<string>();
  const latest = new Map<string, number>();
  for (const r of input.records) {
    known.add(updateKey(r, r.startedAt));
    if ((latest.get(r.deviceId) ?? -Infinity) < r.startedAt) latest.set(r.deviceId, r.startedAt);
  }
  for (const m of input.memory) {
    const key = updateKey(m, m.requestedAt);
    if (known.has(key)) byKey.set(key, m);
  }
  for (const r of input.records) {
    if (r.outcome !== 'succeeded' || r.endedAt === undefined || r.healthBefore === undefined || r.softwareType === undefined || r.version === undefined) continue;
    const key = updateKey(r, r.startedAt);
    if (byKey.has(key) || latest.get(r.deviceId) !== r.startedAt) continue;
    const soak = input.soakOf(r);
    if (!soak) continue;
    const readAt = input.readAt?.get(r.deviceId) ?? input.now;
    if (readAt < r.endedAt + settleMs || readAt > r.endedAt + soak.durationMs) continue;
    const what = regressionsOf(r.healthBefore, input.software.get(r.deviceId)?.health);
    if (what.length === 0) continue;
    byKey.set(key, {
      deviceId: r.deviceId, softwareType: r.softwareType, version: r.version, requestedAt: r.startedAt, at: readAt, what,
      device: deviceName(r.deviceId, input.device(r.deviceId)),
    });
  }
  const regressions = [...byKey.values()].sort((a, b) => a.at - b.at || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  return { regressions, regressed: (record) => byKey.get(updateKey(record, record.startedAt)) };
}
