// What a person needs to know to act on refused and failed updates: refusals in words, which stall, what gives a failure another chance.
import type { ReasonCode, ScheduledSummary } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import type { LocatedEntry } from '../plan/plan-entries.ts';

/** What a person would need to know to act on failed or refused updates. */
export interface Attention {
  /** Refusals only a person can resolve (they stall the manifest), with the sentence saying which and what to do. */
  readonly refused: number;
  readonly refusedText: string;
  /** Refusals the rules make on purpose, such as a device on unknown firmware: counted in the Ready message, no stall. */
  readonly leftAloneText: string | undefined;
  /** What gives failed updates another chance, completing "not retried until ...". */
  readonly retry: string;
}

/** "1 update" / "2 updates": a count with its noun agreeing. */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** "1 runs" / "2 run": the verb agreeing with a count. */
const verb = (n: number, singular: string, plural: string) => `${n} ${n === 1 ? singular : plural}`;

/** A refused entry: what the status needs of it to sort and describe it. */
type RefusedEntry = Pick<LocatedEntry, 'deviceId' | 'reason' | 'desiredVersion'>;

/**
 * "2 run a newer version than 1.2.3 (downgrade), 1 version not comparable": the refusals counted
 * by reason, in a fixed order so the message only changes when the refusals do.
 */
export function describeRefusals(refused: readonly RefusedEntry[]): string {
  const byCode = new Map<ReasonCode, RefusedEntry[]>();
  for (const e of refused) (byCode.get(e.reason.code) ?? byCode.set(e.reason.code, []).get(e.reason.code)!).push(e);
  const parts: string[] = [];
  const downgrades = byCode.get('Downgrade');
  if (downgrades) {
    const versions = new Set(downgrades.map((e) => e.desiredVersion));
    const than = versions.size === 1 && downgrades[0]!.desiredVersion !== undefined ? downgrades[0]!.desiredVersion : 'the version asked for';
    parts.push(`${verb(downgrades.length, 'runs', 'run')} a newer version than ${than} (downgrade)`);
  }
  const notComparable = byCode.get('NotComparable')?.length;
  if (notComparable) parts.push(`${plural(notComparable, 'version')} not comparable`);
  const unknownVersion = byCode.get('UnknownVersion')?.length;
  if (unknownVersion) parts.push(`${verb(unknownVersion, 'does', 'do')} not report ${unknownVersion === 1 ? 'its' : 'their'} version`);
  const unknownFirmware = byCode.get('UnknownFirmware')?.length;
  if (unknownFirmware) parts.push(`${verb(unknownFirmware, 'runs', 'run')} unknown (unverified) firmware`);
  return parts.join(', ');
}

/**
 * Whether a refusal made by a policy's automatic rule needs a person. A device on unknown
 * firmware, or on a version that cannot be ordered, is left alone on purpose ("never
 * auto-updated; only manually"): that is normal, and stalling the whole group for it would make
 * Flux `wait: true` fail the group forever. A policy whose maximum is older than what a device
 * runs asks for a downgrade: the policy is wrong, a person must change it.
 */
export function isPolicyRefusalStalling(code: ReasonCode): boolean {
  return code === 'Downgrade';
}

/** The refusals of a group's or policy's own rule (a ScheduledUpdate's refusals are in its own status). */
export function ownRefusals(entries: readonly LocatedEntry[]): LocatedEntry[] {
  return entries.filter((e) => e.state === 'blocked' && RefusalCodes.has(e.reason.code) && e.scheduledUpdate === undefined);
}

/** Attention for a group or a policy: policy downgrades stall, devices left alone are counted. */
export function policyAttention(entries: readonly LocatedEntry[], retry: string): Attention {
  const own = ownRefusals(entries);
  const stalling = own.filter((e) => isPolicyRefusalStalling(e.reason.code));
  const leftAlone = own.filter((e) => !isPolicyRefusalStalling(e.reason.code));
  return {
    refused: stalling.length,
    refusedText: `${plural(stalling.length, 'update')} refused: ${describeRefusals(stalling)}; firmwarden never downgrades, so raise or remove the policy's versions.maximum (status.needsAttention names them)`,
    leftAloneText: leftAlone.length === 0 ? undefined : `${plural(leftAlone.length, 'update')} left alone on purpose: ${describeRefusals(leftAlone)}; only a ScheduledUpdate or a person at the device updates them (status.needsAttention names them)`,
    retry,
  };
}

/**
 * Attention for a ScheduledUpdate: every refusal needs a person (someone asked for something
 * firmwarden will not do). The message says how many targets did nothing and why, "all 3
 * targets refused: ..." when the ScheduledUpdate could do nothing for any of them.
 */
export function scheduledAttention(summary: ScheduledSummary, records: readonly LocatedEntry[]): Attention {
  const refused = records.filter((e) => e.state === 'blocked' && RefusalCodes.has(e.reason.code));
  const devices = new Set(refused.map((e) => e.deviceId)).size;
  const targets = summary.deviceIds.length;
  const how = devices === targets ? `all ${plural(targets, 'target')}` : `${devices} of ${plural(targets, 'target')}`;
  return {
    refused: refused.length,
    refusedText: `${how} refused: ${describeRefusals(refused)}; nothing was started for ${devices === 1 ? 'it' : 'them'}, change or delete the ScheduledUpdate (status.needsAttention names them)`,
    leftAloneText: undefined,
    retry: 'a person edits the spec of this ScheduledUpdate, which then runs again for its targets, or creates a new one (it never retries by itself; status.needsAttention names the devices)',
  };
}
