// The plan benchmarks' synthetic fleet (bench/plan.bench.ts, bench/plan-repeated.bench.ts):
// devices × 6 software types spread over sites and floors, 20 policies, groups by site and
// floor plus lab / vip / basic, operations on every 50th device, one ScheduledUpdate.
import type { Device, DeviceSoftware, SoftwareState, SoftwareType } from '../../controller/model/fleet.ts';
import { SoftwareTypes } from '../../controller/model/fleet.ts';
import type { DeviceGroup, UpdatePolicy, ScheduledUpdate } from '../../controller/model/manifests.generated.ts';
import type { OperationRecord } from '../../controller/model/plan.ts';
import type { ReleaseRecord } from '../../controller/model/state.ts';
import { CompactFleetBuilder } from '../../controller/plan/compact-fleet.ts';


let seed = 42;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const day = 86_400_000;
const now = Date.parse('2026-11-21T12:00:00Z');
const zones = ['Europe/Paris', 'America/New_York', 'Europe/Lisbon', 'Asia/Tokyo', 'America/Los_Angeles', 'Australia/Sydney', 'Europe/London', 'Asia/Kolkata', 'America/Sao_Paulo', 'UTC'];
const deviceTypes = ['ipPhone', 'teamsRoom', 'collaborationBar', 'teamsPanel', 'teamsDisplay', 'touchConsole'] as const;
const models = Array.from({ length: 40 }, (_, i) => ({ model: `Model ${i}`, manufacturer: `maker${i % 7}`, type: deviceTypes[i % 6]! }));

/**
 * A string built by a template is a rope; reading a character flattens it in place. The fleet
 * adapter's strings come from JSON.parse (flat, one instance per value), so the bench's must
 * be flat and distinct too, or the plan would be measured on cheaper input than it gets.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

/** The synthetic fleet and manifests: `deviceCount` devices, `groupCount` groups (the same on every call). */
export function generatePlanInput(deviceCount: number, groupCount: number) {
  const software = new Map<string, DeviceSoftware>();
  const input = generate(deviceCount, groupCount, (_, sw) => software.set(sw.deviceId, sw));
  return { ...input, software };
}

/**
 * The same fleet and manifests, the fleet ingested as the controller keeps it: each device's
 * software document goes into a compact fleet as it is made and is dropped (controller/plan/compact-fleet.ts).
 * `devices` and `software` are the compact fleet's own, so buildPlan reads the compact form.
 */
export function generatePlanFleet(deviceCount: number, groupCount: number) {
  const builder = new CompactFleetBuilder(deviceCount);
  const { devices: _, ...input } = generate(deviceCount, groupCount, (device, sw) => builder.add(device, sw));
  const fleet = builder.build();
  return { ...input, devices: fleet.devices, software: fleet.software };
}

function generate(deviceCount: number, groupCount: number, ingest: (device: Device, sw: DeviceSoftware) => void) {
  seed = 42;
  const sites = Math.max(1, Math.round(groupCount / 10));
  const devices: Device[] = [];
  const releases: ReleaseRecord[] = [];
  for (const m of models) {
    for (const type of SoftwareTypes) {
      for (let v = 0; v < 6; v++) releases.push({ model: m.model, softwareType: type, version: `${10 + v}.${v * 3}.0`, firstSeen: now - (200 - v * 35) * day });
    }
  }
  for (let i = 0; i < deviceCount; i++) {
    const m = pick(models);
    const site = Math.floor(random() * sites);
    const floor = Math.floor(random() * 10);
    const extra = random() < 0.01 ? ' #lab' : random() < 0.03 ? ' #vip' : random() < 0.08 ? ' #basic' : '';
    const id = flat(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    devices.push({
      id,
      deviceType: m.type,
      manufacturer: flat(`${m.manufacturer} `.trimEnd()),
      model: flat(`${m.model} `.trimEnd()),
      serialNumber: flat(`SN${i}`),
      uniqueId: flat(`UQ${i}`),
      macAddresses: [],
      companyAssetTag: flat(`IT-${i}`),
      notes: flat(`Room ${i} #site-${site} #floor-${floor}${extra}`),
      healthStatus: random() < 0.02 ? 'offline' : 'healthy',
      currentUserId: null,
      createdDateTime: null,
    });
    const sw: { -readonly [K in SoftwareType]?: SoftwareState } = {};
    for (const type of SoftwareTypes) {
      const cur = Math.floor(random() * 6);
      sw[type] = {
        softwareType: flat(`${type} `.trimEnd()) as SoftwareType,
        currentVersion: flat(`${10 + cur}.${cur * 3}.0`),
        availableVersion: cur < 5 ? flat(`15.15.${0}`) : null,
        freshness: type === 'firmware' && random() < 0.01 ? 'unknown' : cur < 5 ? 'updateAvailable' : 'latest',
      };
    }
    ingest(devices[devices.length - 1]!, { deviceId: id, software: sw });
  }
  const policies: UpdatePolicy[] = Array.from({ length: 20 }, (_, p) => ({
    apiVersion: 'firmwarden.dev/v1alpha1',
    kind: 'UpdatePolicy',
    metadata: { name: `policy-${p}` },
    spec: {
      software: {
        firmware: { mode: 'automatic', phase: (['Test', 'General', 'Final'] as const)[p % 3], lagOneVersion: p % 4 === 0 },
        teamsClient: { mode: 'automatic', phase: (['General', 'Final', 'Test'] as const)[p % 3] },
      },
      ...(p % 2 === 0 ? { maintenanceWindows: [{ name: 'nights', days: ['Mon', 'Tue', 'Wed', 'Thu'], start: '22:00', end: '05:00' }, { name: 'weekend', days: ['Sat'], start: '00:00', duration: '48h' }] } : {}),
      rollout: { waves: [{ percent: 5 }, { percent: 25 }], bakeTime: '24h', maxConcurrent: 40, failureThreshold: { percent: 15, minCompleted: 10 } },
    },
  } as UpdatePolicy));
  const groups: DeviceGroup[] = [];
  groups.push({ apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name: 'lab' }, spec: { policyRef: { name: 'policy-0' }, selector: { tags: ['lab'] }, priority: 100, timeZone: 'Europe/Paris' } });
  groups.push({ apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name: 'vip' }, spec: { policyRef: { name: 'policy-2' }, selector: { tags: ['vip'], deviceTypes: ['teamsRoom', 'collaborationBar'] }, priority: 50, timeZone: 'Europe/Paris' } });
  groups.push({ apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name: 'basic' }, spec: { policyRef: { name: 'policy-1' }, selector: { tags: ['basic'] }, priority: 60, license: 'Basic' } });
  for (let g = 0; groups.length < groupCount; g++) {
    const site = g % sites;
    const floor = Math.floor(g / sites) % 10;
    groups.push({
      apiVersion: 'firmwarden.dev/v1alpha1',
      kind: 'DeviceGroup',
      metadata: { name: `site-${site}-floor-${floor}` },
      spec: { policyRef: { name: `policy-${g % 20}` }, selector: { tags: [`site-${site}`, `floor-${floor}`] }, priority: 10, timeZone: zones[site % zones.length]! },
    });
  }
  const operations: OperationRecord[] = [];
  for (let i = 0; i < deviceCount; i += 50) {
    const d = devices[i]!;
    const active = i % 100 === 0;
    operations.push({
      deviceId: d.id, softwareType: 'firmware', version: '15.15.0', owner: 'default/UpdatePolicy/policy-1', operationId: `op${i}`,
      active, outcome: active ? undefined : i % 150 === 0 ? 'failed' : 'succeeded', startedAt: now - 3 * 3_600_000, endedAt: active ? undefined : now - 3_600_000,
      errorCode: undefined, errorMessage: undefined,
    });
  }
  const scheduledUpdates: ScheduledUpdate[] = [{
    apiVersion: 'firmwarden.dev/v1alpha1', kind: 'ScheduledUpdate', metadata: { name: 'teams-refresh' },
    spec: { targets: { selector: { tags: ['site-3'] } }, software: [{ type: 'teamsClient', version: 'latest' }], at: '2026-12-05T21:00', timeZone: 'America/New_York' },
  }];
  return { devices, releases, policies, groups, operations, scheduledUpdates };
}

export { now as planNow };
