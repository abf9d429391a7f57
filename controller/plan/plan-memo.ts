// What a controller's plans share from one pass to the next: the groups' membership and the
// members' waves. Both are pure functions of the device table (compact-fleet.ts) and of the
// groups' and policies' specs, so each is kept with a digest of exactly what it was computed
// from and recomputed the moment any of that differs; a plan with a memo is the plan without
// one, byte for byte. It also keeps the last plan's DevicePlans by device position, which the
// next plan takes as its own where they equal what it computed (device-plans.ts: compared,
// never assumed), the walk's scratch arrays and the wave units to refill (wave-gates.ts). Software states are not among the inputs: a device reporting a new
// version changes its entries, never its group or wave. The engine keeps one PlanMemo between
// passes and hands it to every buildPlan (PlanInput.memo). Pure: no I/O, no clock.
import type { DeviceGroup, Wave } from '../model/manifests.generated.ts';
import type { DeviceIndex } from '../policy/device-index.ts';
import { resolveGroups, sortGroups, type Membership } from '../policy/groups.ts';
import { assignWavesInto } from '../policy/waves.ts';
import { DeviceRuns, PreviousPlans } from './device-plans.ts';
import { clearLightUpdates, noLightUpdates, type LightUpdates } from './light-updates.ts';
import type { UnitStats } from './wave-unit.ts';

/** One group's wave input: its members (by membership position), the salt (policy name) and the waves. */
export interface WaveRequest {
  readonly m: number;
  readonly policyName: string;
  readonly waves: readonly Wave[] | undefined;
}

/**
 * What the memo reads of a device table (compact-fleet.ts DeviceTable extends it): its index,
 * and its identity, which names the same devices at the same positions for as long as it lives.
 * Declared here so that compact-fleet.ts imports this file and nothing imports back (issue 14).
 */
export interface MemoTable {
  readonly index: DeviceIndex;
}

/** Memoized membership and waves between plans (one per controller; not shared between fleets running at once). */
export class PlanMemo {
  #table: MemoTable | undefined;
  #groupsDigest = '';
  #membership: Membership | undefined;
  #wavesDigest = '';
  #waves: Int32Array | undefined;
  #plansTable: MemoTable | undefined;
  #plans: PreviousPlans | undefined;
  #runs: DeviceRuns | undefined;
  readonly #light: LightUpdates = noLightUpdates();
  readonly #units: UnitStats[] = [];
  #lastTables: readonly object[] = [];
  /** How often each was recomputed and reused (for tests and the bench). */
  readonly counts = { membershipBuilt: 0, membershipReused: 0, wavesBuilt: 0, wavesReused: 0 };

  /**
   * The previous plan's DevicePlans in its walk order (empty for a new table), which the caller
   * updates to its plan's. Any plan of the table may have left them: each is compared before it
   * is reused.
   */
  previousPlans(table: MemoTable): PreviousPlans {
    if (this.#plansTable !== table || !this.#plans) {
      this.#plansTable = table;
      this.#plans = new PreviousPlans(table.index.devices.length);
    }
    return this.#plans;
  }

  /** The walk's scratch for a fleet of this many devices, empty (plans are synchronous: one at a time). */
  runs(devices: number): DeviceRuns {
    if (!this.#runs?.fits(devices)) this.#runs = new DeviceRuns(devices);
    this.#runs.reset();
    return this.#runs;
  }

  /** The walk's light updates, empty (plans are synchronous: one at a time; emptied here too in case one threw). */
  lightUpdates(): LightUpdates {
    clearLightUpdates(this.#light);
    return this.#light;
  }

  /**
   * Keeps the last plan's decision, operation and wave tables (Decisions, OperationBook,
   * WaveGates) until the next plan replaces them. Nothing reads them: V8's optimized code for
   * the walk and the settling holds some of their objects weakly, and when they died between
   * plans that code was thrown away at the next plan's start ("embedded weak objects cleared",
   * ~60 deoptimizations a plan at 100,000 devices), which then ran unoptimized until compiled again.
   */
  keepTables(tables: readonly object[]): void {
    this.#lastTables = tables;
  }

  /** The wave units of the last plans, which the next plan's WaveGates take over where the same (wave-gates.ts). */
  unitPool(): UnitStats[] {
    return this.#units;
  }

  /** The groups resolved over the table's devices, reused while the table and the groups' specs are the same. */
  membership(table: MemoTable, groups: readonly DeviceGroup[]): Membership {
    const digest = groupsDigest(groups);
    const known = this.#membership;
    if (known && this.#table === table && this.#groupsDigest === digest) {
      this.counts.membershipReused++;
      // Same names and specs in the same order: the same membership, on this pass's objects (their
      // metadata may have moved on); sorting the same list the same way gives the same positions.
      return { ...known, groups: sortGroups(groups) };
    }
    this.counts.membershipBuilt++;
    const membership = resolveGroups(groups, table.index);
    this.#table = table;
    this.#groupsDigest = digest;
    this.#membership = membership;
    this.#wavesDigest = '';
    this.#waves = undefined;
    return membership;
  }

  /**
   * The wave of each device position for these groups' waves (0: none), reused while the
   * membership and every group's policy name and waves are the same. The array is shared
   * between plans: nothing may write to it.
   */
  waves(membership: Membership, index: DeviceIndex, requests: readonly WaveRequest[]): Int32Array {
    const digest = JSON.stringify(requests.map((r) => [r.m, r.policyName, r.waves ?? null]));
    // Keyed on the members lists: a reused membership is a new object around the same lists.
    if (this.#waves && this.#membership?.members === membership.members && this.#wavesDigest === digest) {
      this.counts.wavesReused++;
      return this.#waves;
    }
    this.counts.wavesBuilt++;
    const waves = assignWaves(membership, index, requests);
    if (this.#membership?.members === membership.members) {
      this.#wavesDigest = digest;
      this.#waves = waves;
    }
    return waves;
  }
}

/** The wave of each device position (0: none) for these groups' requests. */
export function assignWaves(membership: Membership, index: DeviceIndex, requests: readonly WaveRequest[]): Int32Array {
  const out = new Int32Array(index.devices.length);
  const idOf = (i: number) => index.devices[i]!.id;
  for (const r of requests) assignWavesInto(membership.members[r.m]!, idOf, r.policyName, r.waves, out);
  return out;
}

/** What membership depends on: each group's name, namespace and spec, in the order given. */
function groupsDigest(groups: readonly DeviceGroup[]): string {
  return JSON.stringify(groups.map((g) => [g.metadata.namespace ?? null, g.metadata.name, g.spec]));
}
