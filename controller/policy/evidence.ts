// Evidence-based promotion: a policy may ask that a version first ran healthy on N devices of a
// named group (a lab, a pilot) for a while before its own devices get it automatically
// (versions.requireEvidence). Evidence is gathered from the ledger — an update firmwarden made
// that succeeded on a device of such a group, with the device's health before it — and kept
// as records (state, and the calendar file in Git: the ledger forgets after 14 days, evidence
// must not). A record's healthy time grows while the device keeps the version and its health
// stays as good as before; one regression and it never counts again. Pure: `now` comes in.
import type { DeviceSoftware, SoftwareType } from '../model/fleet.ts';
import type { UpdatePolicy } from '../model/manifests.generated.ts';
import type { OperationRecord, Reason } from '../model/plan.ts';
import type { EvidenceRecord, RegressionRecord } from '../model/state.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { regressionsOf, settleMs } from './health-soak.ts';
import { displayName, refKey } from './manifest-keys.ts';

/** A policy's requireEvidence for one software type, resolved. */
export interface EvidenceRule {
  /** The DeviceGroup's key (namespace/name). */
  readonly group: string;
  readonly devices: number;
  readonly healthyForMs: number;
  /** healthyFor as written, for sentences. */
  readonly healthyForText: string;
}

/** The evidence a policy asks of a software type, or undefined. */
export function evidenceRuleOf(policy: UpdatePolicy, type: SoftwareType): EvidenceRule | undefined {
  const written = policy.spec.software?.[type]?.versions?.requireEvidence;
  if (!written) return undefined;
  const healthyForMs = parseDuration(written.healthyFor);
  if (healthyForMs === undefined) return undefined;
  return { group: refKey(policy.metadata, written.group), devices: written.devices, healthyForMs, healthyForText: written.healthyFor };
}

/** How long records are kept after they stopped counting time: a year. */
export const evidenceKeepMs = 365 * 86_400_000;
/** Most records kept (the oldest go first). */
export const maxEvidenceRecords = 5000;

export interface EvidenceInput {
  readonly memory: readonly EvidenceRecord[];
  /** Keys of the groups some policy takes evidence from: only their devices are recorded. */
  readonly groups: ReadonlySet<string>;
  /** The operations the plan knows. */
  readonly records: readonly OperationRecord[];
  /** The group key a device belongs to now. */
  readonly groupOf: (deviceId: string) => string | undefined;
  readonly software: ReadonlyMap<string, DeviceSoftware>;
  /** When each device's health was read; a device missing here counts as read at `now`. */
  readonly readAt: ReadonlyMap<string, number> | undefined;
  /** Regressions the health soaks found (an update that regressed is no evidence). */
  readonly regressed: (record: OperationRecord) => RegressionRecord | undefined;
  readonly now: number;
}

const recordKey = (r: { group: string; deviceId: string; softwareType: string; version: string }) => `${r.group}|${r.deviceId}|${r.softwareType}|${r.version}`;

/** Brings a record up to date with the device's latest health read. */
function observe(e: EvidenceRecord, input: EvidenceInput): EvidenceRecord {
  if (e.regressedAt !== undefined || e.left) return e;
  const sw = input.software.get(e.deviceId);
  if (!sw) return e;
  const readAt = input.readAt?.get(e.deviceId) ?? input.now;
  // A reading older than the update's end cannot show the device left the version it never showed
  // yet (a plan made before the device is read again, as the reconcile does since issue 17).
  if (readAt < e.since) return e;
  if (sw.software[e.softwareType]?.currentVersion !== e.version) return { ...e, left: true };
  if (readAt < e.since + settleMs) return e;
  if (regressionsOf(e.healthBefore, sw.health).length > 0) return { ...e, regressedAt: readAt };
  return readAt > e.healthyUntil ? { ...e, healthyUntil: readAt } : e;
}

/** The evidence records after this plan's observations (new successful updates in evidence groups, health read since). */
export function gatherEvidence(input: EvidenceInput): EvidenceRecord[] {
  const byKey = new Map<string, EvidenceRecord>();
  for (const e of input.memory) byKey.set(recordKey(e), e);
  if (input.groups.size > 0) {
    for (const r of input.records) {
      if (r.outcome !== 'succeeded' || r.endedAt === undefined || r.softwareType === undefined || r.version === undefined || r.healthBefore === undefined) continue;
      const group = input.groupOf(r.deviceId);
      if (group === undefined || !input.groups.has(group)) continue;
      const e: EvidenceRecord = { group, deviceId: r.deviceId, softwareType: r.softwareType, version: r.version, since: r.endedAt, healthyUntil: r.endedAt, healthBefore: r.healthBefore };
      const key = recordKey(e);
      if (byKey.has(key)) continue;
      const regression = input.regressed(r);
      byKey.set(key, regression ? { ...e, regressedAt: regression.at } : e);
    }
  }
  const out: EvidenceRecord[] = [];
  for (const e of byKey.values()) {
    const next = observe(e, input);
    if (Math.max(next.healthyUntil, next.regressedAt ?? 0) < input.now - evidenceKeepMs) continue;
    out.push(next);
  }
  out.sort((a, b) => b.since - a.since || (recordKey(a) < recordKey(b) ? -1 : 1));
  if (out.length > maxEvidenceRecords) out.length = maxEvidenceRecords;
  return out;
}

/**
 * Evidence records from several memories (the state, the calendar file), one per group, device,
 * type and version: a regression wins, then the record that saw more healthy time.
 */
export function mergeEvidence(...lists: readonly (readonly EvidenceRecord[] | undefined)[]): EvidenceRecord[] {
  const byKey = new Map<string, EvidenceRecord>();
  for (const list of lists) {
    for (const e of list ?? []) {
      const key = recordKey(e);
      const had = byKey.get(key);
      const better = !had || (had.regressedAt === undefined && (e.regressedAt !== undefined || e.healthyUntil > had.healthyUntil));
      if (better) byKey.set(key, e);
    }
  }
  return [...byKey.values()];
}

/** Whether a version may go under a policy's evidence rule: not yet, from a time if the devices on it stay healthy, or now. */
export type EvidenceGate =
  | { readonly open: false; readonly reason: Reason }
  | { readonly open: true; readonly notBefore: number | undefined; readonly reason: Reason | undefined };

const openGate: EvidenceGate = { open: true, notBefore: undefined, reason: undefined };

/** "7 days", "36h". */
function spanText(ms: number, written: string): string {
  const days = ms / 86_400_000;
  if (Number.isInteger(days)) return `${days} day${days === 1 ? '' : 's'}`;
  return /^\d+[dhms]$/.test(written) ? written : formatDuration(ms);
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** Evidence records indexed by group, software type and version. */
export class EvidenceIndex {
  readonly #byUnit = new Map<string, EvidenceRecord[]>();

  constructor(records: readonly EvidenceRecord[]) {
    for (const e of records) {
      const key = `${e.group}|${e.softwareType}|${e.version}`;
      const list = this.#byUnit.get(key);
      if (list) list.push(e);
      else this.#byUnit.set(key, [e]);
    }
  }

  /** How far a version is: devices that proved it, and when each still healthy one would (ascending). */
  progress(rule: EvidenceRule, type: SoftwareType, version: string): { proven: number; pendingAt: number[] } {
    let proven = 0;
    const pendingAt: number[] = [];
    for (const e of this.#byUnit.get(`${rule.group}|${type}|${version}`) ?? []) {
      if (e.regressedAt !== undefined) continue;
      if (e.healthyUntil - e.since >= rule.healthyForMs) proven++;
      else if (!e.left) pendingAt.push(e.since + rule.healthyForMs);
    }
    pendingAt.sort((a, b) => a - b);
    return { proven, pendingAt };
  }

  /** Whether `version` has the evidence `rule` asks for at `now`, and the sentence saying what is missing. */
  gate(rule: EvidenceRule, type: SoftwareType, version: string, now: number): EvidenceGate {
    const { proven, pendingAt } = this.progress(rule, type, version);
    if (proven >= rule.devices) return openGate;
    const head = `${version} waits for evidence: ${spanText(rule.healthyForMs, rule.healthyForText)} healthy on ${rule.devices} device${rule.devices === 1 ? '' : 's'} of ${displayName(rule.group)}: ${proven} so far`;
    const need = rule.devices - proven;
    if (pendingAt.length >= need) {
      const at = pendingAt[need - 1]!;
      if (at > now) {
        return { open: true, notBefore: at, reason: { code: 'WaitingForEvidence', message: `${head}, ${pendingAt.length} more running it would complete it on ${dayText(at)} if they stay healthy` } };
      }
      return { open: false, reason: { code: 'WaitingForEvidence', message: `${head}; waiting for the next health reading of ${displayName(rule.group)}'s devices` } };
    }
    const running = pendingAt.length > 0 ? `, ${pendingAt.length} more running it` : '';
    return { open: false, reason: { code: 'WaitingForEvidence', message: `${head}${running}` } };
  }
}
