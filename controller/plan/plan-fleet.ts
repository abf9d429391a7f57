// The fleet as the plan reads it: devices by position, the groups they fall in, and each
// device's software states. Every phase after this one reads a device through its position,
// never through its id. Two sources: a compact fleet built once when the fleet was read
// (compact-fleet.ts: states in typed arrays, the index kept, membership memoized between
// plans by plan-memo.ts), or the listing and a map of documents by id (indexed on every plan;
// tests, forecasts and callers that hold no compact fleet). Both give the same plan.
// Internal to controller/plan; pure.
import type { Device, DeviceSoftware, SoftwareState } from '../model/fleet.ts';
import type { DeviceGroup } from '../model/manifests.generated.ts';
import { DeviceIndex } from '../policy/device-index.ts';
import { resolveGroups, type Membership } from '../policy/groups.ts';
import type { CompactFleet } from './compact-fleet.ts';
import type { PlanMemo } from './plan-memo.ts';
import { reported, stateAt } from './work.ts';

/** Devices by position, their groups and their software. */
export interface PlanFleet {
  readonly index: DeviceIndex;
  readonly membership: Membership;
  /**
   * Fills `out` (by software type index) with the states the device at a position really
   * reports, undefined for the rest, and `ids` with their ids in a compact fleet's state table
   * (-1: none, or no compact fleet); false when its software was never read (it gets no entries).
   */
  reportedAt(i: number, out: (SoftwareState | undefined)[], ids: Int32Array): boolean;
}

/** Indexes the devices and resolves the groups over them. */
export function planFleet(devices: readonly Device[], software: ReadonlyMap<string, DeviceSoftware>, groups: readonly DeviceGroup[]): PlanFleet {
  const index = new DeviceIndex(devices);
  return new ListedFleet(index, resolveGroups(groups, index), software);
}

/** The plan's fleet from a compact one; `memo` keeps the membership between plans. */
export function planCompactFleet(fleet: CompactFleet, groups: readonly DeviceGroup[], memo: PlanMemo | undefined): PlanFleet {
  const index = fleet.index;
  const membership = memo ? memo.membership(fleet.table, groups) : resolveGroups(groups, index);
  return new CompactPlanFleet(index, membership, fleet);
}

// Classes, not objects holding a closure made per plan: the walk calls reportedAt for every
// device, so V8 inlines it into the walk's optimized code, which then holds the closure weakly;
// once the plan's closure had died, the next plan began by throwing that code away
// (deoptimized: "embedded weak objects cleared") and walked unoptimized until it was compiled
// again. A method of a class lives as long as the program.

/** A listing and its software documents by id. */
class ListedFleet implements PlanFleet {
  readonly index: DeviceIndex;
  readonly membership: Membership;
  readonly #software: ReadonlyMap<string, DeviceSoftware>;

  constructor(index: DeviceIndex, membership: Membership, software: ReadonlyMap<string, DeviceSoftware>) {
    this.index = index;
    this.membership = membership;
    this.#software = software;
  }

  reportedAt(i: number, out: (SoftwareState | undefined)[], ids: Int32Array): boolean {
    const sw = this.#software.get(this.index.devices[i]!.id);
    if (!sw) return false;
    for (let t = 0; t < 6; t++) out[t] = reported(stateAt(sw.software, t));
    ids.fill(-1);
    return true;
  }
}

/** A compact fleet (compact-fleet.ts). */
class CompactPlanFleet implements PlanFleet {
  readonly index: DeviceIndex;
  readonly membership: Membership;
  readonly #fleet: CompactFleet;

  constructor(index: DeviceIndex, membership: Membership, fleet: CompactFleet) {
    this.index = index;
    this.membership = membership;
    this.#fleet = fleet;
  }

  reportedAt(i: number, out: (SoftwareState | undefined)[], ids: Int32Array): boolean {
    return this.#fleet.reportedAt(i, out, ids);
  }
}
