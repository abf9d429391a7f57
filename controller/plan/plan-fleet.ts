// The fleet as the plan reads it: devices by position, the groups they fall in, and each
// device's software states. Every phase after this one reads a device through its position,
// never through its id, so a snapshot built once when the fleet is read (strings interned,
// software in typed arrays, groups kept between plans) can stand in for this one. Internal to
// controller/plan; pure.
import type { Device, DeviceSoftware } from '../model/fleet.ts';
import type { DeviceGroup } from '../model/manifests.generated.ts';
import { DeviceIndex } from '../policy/device-index.ts';
import { resolveGroups, type Membership } from '../policy/groups.ts';

/** Devices by position, their groups and their software. */
export interface PlanFleet {
  readonly index: DeviceIndex;
  readonly membership: Membership;
  /** The software states of the device at a position; undefined when none were read (it gets no entries). */
  softwareAt(i: number): DeviceSoftware | undefined;
}

/** Indexes the devices and resolves the groups over them. */
export function planFleet(devices: readonly Device[], software: ReadonlyMap<string, DeviceSoftware>, groups: readonly DeviceGroup[]): PlanFleet {
  const index = new DeviceIndex(devices);
  const membership = resolveGroups(groups, index);
  return { index, membership, softwareAt: (i) => software.get(index.devices[i]!.id) };
}
