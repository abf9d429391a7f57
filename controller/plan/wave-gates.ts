// Wave order and bake time, per rollout unit (group × software type × version): a device of
// wave k may start once every device of the earlier waves that needs the same version has
// finished, and the latest of their operations ended at least bakeTime ago — or, for a wave
// with a health soak, the soak's duration ago (the soak replaces the bake). Counting is done
// first for every device, then each (unit, wave) is judged once and the answer shared. The
// evidence a policy asks for (versions.requireEvidence) is judged here too, once per unit.
import { SoftwareTypes, type SoftwareType } from '../model/fleet.ts';
import { ReasonCodes, type OperationRecord, type Reason } from '../model/plan.ts';
import type { EvidenceGate } from '../policy/evidence.ts';
import { formatDuration } from '../policy/duration.ts';
import { soakRuleFor } from '../policy/health-soak.ts';
import { sharedReason } from '../policy/shared-reasons.ts';
import { waveName } from '../policy/waves.ts';
import { bakingGate, waitingGate } from './gate-reasons.ts';
import type { GroupContext } from './group-context.ts';
import type { Gate, UnitStats } from './wave-unit.ts';
import { dayText } from './work.ts';

const openGate: Gate = { open: true, bakeUntil: undefined, reason: undefined };

/** Judges the evidence a group's policy asks of a version (undefined: it asks none). */
export type EvidenceJudge = (ctx: GroupContext, type: SoftwareType, version: string) => EvidenceGate | undefined;

/** The units of a plan and their gates. */
export class WaveGates {
  /** Every unit, keyed group index|type|version (for rollout views). */
  readonly units = new Map<string, UnitStats>();
  readonly #nested = new Map<GroupContext, Map<SoftwareType, Map<string, UnitStats>>>();
  readonly #judgeEvidence: EvidenceJudge | undefined;
  readonly #evidence = new Map<string, EvidenceGate | undefined>();
  readonly #pool: UnitStats[] | undefined;
  #made = 0;
  // Units are asked for group by group (the walk, the settling): the last group's map is kept at hand.
  #lastCtx: GroupContext | undefined;
  #lastByType: Map<SoftwareType, Map<string, UnitStats>> | undefined;
  // The last unit asked for per software type (by position in SoftwareTypes) in group #slotCtx, and its version.
  #slotCtx: GroupContext | undefined;
  readonly #slotVersion: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];
  readonly #slotUnit: (UnitStats | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined];

  /**
   * `pool`: units of the previous plans, by the order they were made, which this plan's take
   * over when they are the same units (same group position, type, version and sizes), emptied;
   * a repeated plan then makes no new ones (~3 MB a plan at 100,000 devices, kept to its end).
   * The caller keeps it between plans (PlanMemo); nothing may hold a unit past its plan.
   */
  constructor(judgeEvidence?: EvidenceJudge, pool?: UnitStats[]) {
    this.#judgeEvidence = judgeEvidence;
    this.#pool = pool;
  }

  /** The evidence gate of a group's version (memoized; undefined when its policy asks for none). */
  evidence(ctx: GroupContext, type: SoftwareType, version: string): EvidenceGate | undefined {
    if (!this.#judgeEvidence) return undefined;
    const key = `${ctx.index}|${type}|${version}`;
    if (this.#evidence.has(key)) return this.#evidence.get(key);
    const gate = this.#judgeEvidence(ctx, type, version);
    this.#evidence.set(key, gate);
    return gate;
  }

  /** The unit of a group, software type and version (created empty on first use). */
  unit(ctx: GroupContext, type: SoftwareType, version: string): UnitStats {
    // The group's decisions of a type mostly want one version: its last unit per type is kept at
    // hand (the walk and the settling ask ~100,000 times a plan at 100,000 devices, three map look-ups each).
    let t = 0;
    while (t < SoftwareTypes.length && SoftwareTypes[t] !== type) t++;
    if (this.#slotCtx === ctx && t < SoftwareTypes.length && this.#slotVersion[t] === version) return this.#slotUnit[t]!;
    const u = this.#unitOf(ctx, type, version);
    if (t < SoftwareTypes.length) {
      if (this.#slotCtx !== ctx) {
        this.#slotCtx = ctx;
        for (let k = 0; k < SoftwareTypes.length; k++) this.#slotVersion[k] = undefined;
      }
      this.#slotVersion[t] = version;
      this.#slotUnit[t] = u;
    }
    return u;
  }

  #unitOf(ctx: GroupContext, type: SoftwareType, version: string): UnitStats {
    let byType = this.#lastCtx === ctx ? this.#lastByType : this.#nested.get(ctx);
    if (!byType) this.#nested.set(ctx, (byType = new Map()));
    this.#lastCtx = ctx;
    this.#lastByType = byType;
    let byVersion = byType.get(type);
    if (!byVersion) byType.set(type, (byVersion = new Map()));
    let u = byVersion.get(version);
    if (!u) {
      const n = ctx.waveCount + 1;
      // The k-th unit made: the previous plan's k-th when it is the same unit (a repeated plan makes its units in the same order), emptied.
      const k = this.#made++;
      const old = this.#pool?.[k];
      if (old !== undefined && old.groupIndex === ctx.index && old.type === type && old.version === version && old.unfinished.length === n && old.lightWaits.length === ReasonCodes.length) {
        u = emptied(old);
      } else {
        u = { groupIndex: ctx.index, type, version, unfinished: new Array(n).fill(0), lastEnd: new Array(n).fill(undefined), firstStart: new Array(n).fill(undefined), bakeUntil: undefined, gatedWave: undefined, lightWaits: new Array<number>(ReasonCodes.length).fill(0), gates: new Array(n).fill(undefined) };
        if (this.#pool !== undefined) this.#pool[k] = u;
      }
      byVersion.set(version, u);
      this.units.set(`${ctx.index}|${type}|${version}`, u);
    }
    return u;
  }

  /** Counts a device of `wave` that still has to update to `version` (waiting, starting or in flight). */
  countUnfinished(ctx: GroupContext, type: SoftwareType, version: string, wave: number): void {
    const u = this.unit(ctx, type, version);
    u.unfinished[wave] = (u.unfinished[wave] ?? 0) + 1;
  }

  /** Records the policy's last operation of a device of `wave` (its start and end feed bake times). */
  countOperation(ctx: GroupContext, type: SoftwareType, wave: number, op: OperationRecord): void {
    if (op.version === undefined) return;
    const u = this.unit(ctx, type, op.version);
    if (op.endedAt !== undefined && (u.lastEnd[wave] === undefined || op.endedAt > u.lastEnd[wave]!)) u.lastEnd[wave] = op.endedAt;
    if (u.firstStart[wave] === undefined || op.startedAt < u.firstStart[wave]!) u.firstStart[wave] = op.startedAt;
  }

  /** Judges (once) whether `wave` of the unit may go. Call after every device has been counted. */
  gate(ctx: GroupContext, type: SoftwareType, version: string, wave: number): Gate {
    return wave <= 1 ? openGate : this.gateOf(this.unit(ctx, type, version), ctx, wave);
  }

  /** gate() for a unit at hand (`u`: the unit of ctx, its type and version), without looking it up again. */
  gateOf(u: UnitStats, ctx: GroupContext, wave: number): Gate {
    if (wave <= 1) return openGate;
    const version = u.version;
    const gates = u.gates;
    const known = gates[wave];
    if (known) return known;
    let waiting = 0;
    let waitingWave = 0;
    // The latest end of an earlier wave plus its wait (its soak, else the bake time), and which wave.
    let bakeUntil: number | undefined;
    let soakOf: { wave: number; ms: number } | undefined;
    for (let k = 1; k < wave; k++) {
      if ((u.unfinished[k] ?? 0) > 0 && waitingWave === 0) waitingWave = k;
      waiting += u.unfinished[k] ?? 0;
      const e = u.lastEnd[k];
      if (e === undefined) continue;
      const soak = ctx.policy ? soakRuleFor(ctx.policy.policy, k) : undefined;
      const until = e + (soak?.durationMs ?? ctx.policy?.bakeMs ?? 0);
      if (bakeUntil === undefined || until > bakeUntil) {
        bakeUntil = until;
        soakOf = soak ? { wave: k, ms: soak.durationMs } : undefined;
      }
    }
    const waves = ctx.policy?.waves;
    let gate: Gate;
    if (waiting > 0) {
      gate = waitingGate(waves, wave, waitingWave, waiting, version);
      if (u.gatedWave === undefined || wave < u.gatedWave) u.gatedWave = wave;
    } else if (bakeUntil !== undefined && soakOf) {
      const message = `${waveName(waves, wave)} starts once the health soak of ${waveName(waves, soakOf.wave)} is over at ${dayText(bakeUntil)} (each device watched for ${formatDuration(soakOf.ms)} after its update)`;
      gate = { open: true, bakeUntil, reason: sharedReason('Soaking', message) };
    } else if (bakeUntil !== undefined) {
      gate = bakingGate(waves, wave, bakeUntil);
    } else {
      gate = openGate;
    }
    gates[wave] = gate;
    return gate;
  }

  /** Notes that a wave really waits for its bake time (for the rollout's state). */
  noteBaking(ctx: GroupContext, type: SoftwareType, version: string, bakeUntil: number): void {
    noteBakingOf(this.unit(ctx, type, version), bakeUntil);
  }
}

/** A unit as made new: nothing counted, no bake, no gated wave. */
function emptied(u: UnitStats): UnitStats {
  u.unfinished.fill(0);
  u.lastEnd.fill(undefined);
  u.firstStart.fill(undefined);
  u.lightWaits.fill(0);
  u.gates.fill(undefined);
  u.bakeUntil = undefined;
  u.gatedWave = undefined;
  return u;
}

/** noteBaking for a unit at hand. */
export function noteBakingOf(u: UnitStats, bakeUntil: number): void {
  if (u.bakeUntil === undefined || bakeUntil > u.bakeUntil) u.bakeUntil = bakeUntil;
}
