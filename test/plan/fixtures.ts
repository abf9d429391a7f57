// Builders for plan tests: devices, software states, manifests, releases and operations.
import type { Device, DeviceSoftware, SoftwareFreshness, SoftwareType } from '../../controller/model/fleet.ts';
import type { DeviceGroup, DeviceGroupSpec, ScheduledUpdate, ScheduledUpdateSpec, UpdatePolicy, UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { OperationRecord, Plan } from '../../controller/model/plan.ts';
import type { ReleaseRecord } from '../../controller/model/state.ts';
import { buildPlan, type PlanInput } from '../../controller/plan/build-plan.ts';
import { locateEntries, type LocatedEntry } from '../../controller/plan/plan-entries.ts';

export const day = 86_400_000;
export const hour = 3_600_000;
export const at = (iso: string) => Date.parse(iso);
export const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));

export function device(id: string, options: Partial<Omit<Device, 'id'>> & { tags?: string[] } = {}): Device {
  const { tags, ...rest } = options;
  return {
    id,
    deviceType: 'collaborationBar',
    manufacturer: 'neat',
    model: 'Bar',
    serialNumber: `SN-${id}`,
    uniqueId: `UQ-${id}`,
    macAddresses: [],
    companyAssetTag: null,
    notes: tags ? tags.map((t) => `#${t}`).join(' ') : null,
    healthStatus: 'healthy',
    currentUserId: null,
    createdDateTime: null,
    ...rest,
  };
}

type StateSpec = [current: string | null, available: string | null, freshness?: SoftwareFreshness];

export function software(deviceId: string, states: Partial<Record<SoftwareType, StateSpec>>): DeviceSoftware {
  const out: DeviceSoftware['software'] = {};
  for (const [type, spec] of Object.entries(states) as [SoftwareType, StateSpec][]) {
    const [currentVersion, availableVersion, freshness] = spec;
    (out as Record<string, unknown>)[type] = {
      softwareType: type,
      currentVersion,
      availableVersion,
      freshness: freshness ?? (availableVersion && availableVersion !== currentVersion ? 'updateAvailable' : 'latest'),
    };
  }
  return { deviceId, software: out };
}

export function group(name: string, spec: DeviceGroupSpec, extra: Partial<DeviceGroup> = {}): DeviceGroup {
  return { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name }, spec, ...extra };
}

export function policy(name: string, spec: UpdatePolicySpec, extra: Partial<UpdatePolicy> = {}): UpdatePolicy {
  return { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'UpdatePolicy', metadata: { name }, spec, ...extra };
}

export function scheduled(name: string, spec: ScheduledUpdateSpec, extra: Partial<ScheduledUpdate> = {}): ScheduledUpdate {
  return { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'ScheduledUpdate', metadata: { name }, spec, ...extra };
}

export function release(model: string, softwareType: SoftwareType, version: string, firstSeen: number): ReleaseRecord {
  return { model, softwareType, version, firstSeen };
}

export function op(deviceId: string, softwareType: SoftwareType | undefined, version: string | undefined, options: Partial<OperationRecord> = {}): OperationRecord {
  return {
    deviceId,
    softwareType,
    version,
    owner: options.owner ?? 'default/UpdatePolicy/p',
    operationId: options.operationId ?? `op-${deviceId}-${softwareType ?? 'x'}`,
    active: options.active ?? false,
    outcome: options.outcome ?? (options.active ? undefined : 'succeeded'),
    startedAt: options.startedAt ?? 0,
    endedAt: options.endedAt ?? (options.active ? undefined : (options.startedAt ?? 0) + hour),
    errorCode: options.errorCode,
    errorMessage: options.errorMessage,
  };
}

export interface Scenario {
  now: number;
  groups?: DeviceGroup[];
  policies?: UpdatePolicy[];
  scheduledUpdates?: ScheduledUpdate[];
  devices: Device[];
  software: DeviceSoftware[];
  operations?: OperationRecord[];
  releases?: ReleaseRecord[];
  rollouts?: PlanInput['rollouts'];
}

export function plan(s: Scenario): Plan {
  return buildPlan({
    now: s.now,
    groups: s.groups ?? [],
    policies: s.policies ?? [],
    scheduledUpdates: s.scheduledUpdates ?? [],
    devices: s.devices,
    software: new Map(s.software.map((x) => [x.deviceId, x])),
    operations: s.operations ?? [],
    releases: s.releases ?? [],
    ...(s.rollouts ? { rollouts: s.rollouts } : {}),
  });
}

/** Every entry of the plan with its device. */
export function entries(p: Plan): LocatedEntry[] {
  return locateEntries(p.devices);
}

export function entry(p: Plan, deviceId: string, type: SoftwareType): LocatedEntry {
  const e = entries(p).find((x) => x.deviceId === deviceId && x.softwareType === type);
  if (!e) throw new Error(`no entry for ${deviceId} ${type}`);
  return e;
}
