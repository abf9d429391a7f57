// Rollout progress as numbers for Prometheus: per DeviceGroup and per UpdatePolicy, devices by
// state, the wave each automatic rollout is in, and whether it is stopped or suspended. Built
// from the plan a reconcile acted on, with the live view's device states, so the dashboard and
// the page agree. The only labels are a manifest's namespace and name, a device state and a
// software type: never a device id or a version (one series per device or per release would
// grow without bound). Series: groups × seriesPerGroup + policies × seriesPerPolicy. Pure.
import type { SoftwareType } from '../model/fleet.ts';
import type { Plan, RolloutView } from '../model/plan.ts';
import { liveDeviceState, LiveStates, type LiveState, type LiveTally } from './live-state.ts';

/** A device state as a label value (Prometheus labels are snake_case), in LiveStates' order. */
export const deviceStateLabel: Readonly<Record<LiveState, string>> = {
  failed: 'failed',
  refused: 'refused',
  inProgress: 'in_progress',
  blocked: 'blocked',
  waiting: 'waiting',
  upToDate: 'up_to_date',
  notRead: 'not_read',
};

/** The software types that have automatic rollouts (waves), and so a wave series. */
export const rolloutSoftwareTypes = ['firmware', 'teamsClient'] as const satisfies readonly SoftwareType[];

/** Series one DeviceGroup has at most: a device count per state, wave, waves and stopped per rollout, and suspended (7 + 6 + 1). */
export const seriesPerGroup = LiveStates.length + 3 * rolloutSoftwareTypes.length + 1;
/** Series one UpdatePolicy has at most: the same families as a group's. */
export const seriesPerPolicy = seriesPerGroup;

/** One automatic rollout (one software type) of a group or policy. */
export interface RolloutGauge {
  readonly softwareType: SoftwareType;
  /** The wave being rolled out, from 1; 0 when the rollout has nothing left to do. */
  readonly wave: number;
  readonly waves: number;
  /** The failure threshold stopped it (until a person sets spec.resume). */
  readonly stopped: boolean;
}

/** The gauges of one DeviceGroup or UpdatePolicy. */
export interface ManifestGauges {
  readonly namespace: string;
  readonly name: string;
  /** Member devices by state; a member not read yet is `notRead`. */
  readonly devices: LiveTally;
  readonly rollouts: readonly RolloutGauge[];
  /** Its UpdatePolicy (for a group: the policy it follows) is suspended now. */
  readonly suspended: boolean;
}

export interface RolloutGauges {
  readonly groups: readonly ManifestGauges[];
  readonly policies: readonly ManifestGauges[];
}

/** namespace and name of a `namespace/name` key. */
function keyParts(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: 'default', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

function rolloutsOf(views: readonly RolloutView[]): RolloutGauge[] {
  return views.map((r) => ({ softwareType: r.softwareType, wave: r.wave ?? 0, waves: r.waves, stopped: r.state === 'Stopped' }));
}

/** The gauges of every group and policy of a plan. */
export function rolloutGauges(plan: Plan): RolloutGauges {
  const empty = (): Record<LiveState, number> => ({ failed: 0, refused: 0, inProgress: 0, blocked: 0, waiting: 0, upToDate: 0, notRead: 0 });
  const byGroup = new Map<string, Record<LiveState, number>>();
  const byPolicy = new Map<string, Record<LiveState, number>>();
  const read = new Map<string, number>();
  const readByPolicy = new Map<string, number>();
  for (const d of plan.devices) {
    const state = liveDeviceState(d);
    if (d.group !== undefined) {
      const t = byGroup.get(d.group) ?? byGroup.set(d.group, empty()).get(d.group)!;
      t[state]++;
      read.set(d.group, (read.get(d.group) ?? 0) + 1);
    }
    if (d.policy !== undefined) {
      const t = byPolicy.get(d.policy) ?? byPolicy.set(d.policy, empty()).get(d.policy)!;
      t[state]++;
      readByPolicy.set(d.policy, (readByPolicy.get(d.policy) ?? 0) + 1);
    }
  }
  const suspended = new Set(plan.policies.filter((p) => p.suspended !== undefined).map((p) => p.key));
  const groups = plan.groups.map((g): ManifestGauges => {
    const devices = byGroup.get(g.key) ?? empty();
    // Members whose software is not read yet are in the group but not in plan.devices.
    devices.notRead = Math.max(0, g.deviceIds.length - (read.get(g.key) ?? 0));
    return { ...keyParts(g.key), devices, rollouts: rolloutsOf(g.rollouts), suspended: g.policy !== undefined && suspended.has(g.policy) };
  });
  const policies = plan.policies.map((p): ManifestGauges => {
    const devices = byPolicy.get(p.key) ?? empty();
    devices.notRead = Math.max(0, p.devices - (readByPolicy.get(p.key) ?? 0));
    return { ...keyParts(p.key), devices, rollouts: rolloutsOf(p.rollouts), suspended: suspended.has(p.key) };
  });
  return { groups, policies };
}
