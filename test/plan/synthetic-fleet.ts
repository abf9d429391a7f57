// A deterministic synthetic fleet and manifests for pinning the plan's output: a seeded
// generator (no Math.random, no clock) with what the plan decides on — waves by count and
// percent, a suspension with and without an end, a freeze, holidays, a Basic licence, offline
// devices, unknown firmware, operations running, failed and succeeded, ScheduledUpdates by
// group, selector and device id (devices in no group too), and devices nobody manages.
import type { Device, DeviceSoftware, SoftwareState, SoftwareType } from '../../controller/model/fleet.ts';
import { SoftwareTypes } from '../../controller/model/fleet.ts';
import type { DeviceGroup, ScheduledUpdate, UpdatePolicy, UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { OperationRecord } from '../../controller/model/plan.ts';
import type { ReleaseRecord } from '../../controller/model/state.ts';
import type { PlanInput } from '../../controller/plan/build-plan.ts';
import { day, device, group, hour, policy, scheduled } from './fixtures.ts';

/** Saturday noon UTC. */
export const syntheticNow = Date.parse('2026-11-21T12:00:00Z');

/** The plan input of `devices` devices (default 3,000), the same for the same arguments. */
export function syntheticFleet(devices = 3000, seed = 7): PlanInput {
  let s = seed >>> 0;
  const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const now = syntheticNow;
  const models = ['Bar', 'Board', 'Phone', 'Panel', 'Room'];
  const versions = (k: number) => `${1 + Math.floor(k / 3)}.${k % 3}.0`;
  const releases: ReleaseRecord[] = [];
  for (const model of models) for (const type of SoftwareTypes) for (let k = 0; k < 6; k++) releases.push({ model, softwareType: type, version: versions(k), firstSeen: now - (160 - k * 30) * day });
  const sites = ['paris', 'nyc', 'lisbon', 'tokyo'];
  const zones = ['Europe/Paris', 'America/New_York', 'Europe/Lisbon', 'Asia/Tokyo'];
  const fleet: Device[] = [];
  const software = new Map<string, DeviceSoftware>();
  for (let i = 0; i < devices; i++) {
    const id = `dev-${String((i * 7919) % 100_000).padStart(5, '0')}`;
    const r = random();
    const tags = r < 0.03 ? [] : [`site-${pick(sites)}`, `floor-${Math.floor(random() * 5)}`, ...(random() < 0.05 ? ['lab'] : []), ...(random() < 0.05 ? ['vip'] : [])];
    fleet.push(device(id, { tags, model: pick(models), healthStatus: random() < 0.03 ? 'offline' : 'healthy', deviceType: pick(['teamsRoom', 'ipPhone', 'collaborationBar'] as const) }));
    const sw: { -readonly [K in SoftwareType]?: SoftwareState } = {};
    for (const type of SoftwareTypes) {
      if (random() < 0.1) continue;
      const cur = Math.floor(random() * 6);
      const unknown = type === 'firmware' && random() < 0.02;
      sw[type] = { softwareType: type, currentVersion: unknown ? null : versions(cur), availableVersion: cur < 5 ? versions(5) : null, freshness: unknown ? 'unknown' : cur < 5 ? 'updateAvailable' : 'latest' };
    }
    if (random() > 0.01) software.set(id, { deviceId: id, software: sw });
  }
  const window: UpdatePolicySpec = { maintenanceWindows: [{ name: 'nights', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '22:00', end: '05:00' }, { name: 'weekend', days: ['Sat'], start: '00:00', duration: '48h' }] };
  const specs: [string, UpdatePolicySpec][] = [
    ['general', { ...window, software: { firmware: { phase: 'General' }, teamsClient: { phase: 'General' } }, rollout: { waves: [{ name: 'canary', count: 3 }, { name: 'early', percent: 20 }], bakeTime: '24h', maxConcurrent: 25, failureThreshold: { percent: 30, minCompleted: 5 } } }],
    ['fast', { ...window, software: { firmware: { phase: 'Test' }, teamsClient: { phase: 'Test' }, operatingSystem: { mode: 'automatic' } }, rollout: { waves: [{ percent: 50 }], maxConcurrent: 10 } }],
    ['paused', { ...window, software: { firmware: { phase: 'Test' } }, suspend: { by: 'ana', reason: 'incident 4711' } }],
    ['paused-until', { ...window, software: { firmware: { phase: 'Test' } }, suspend: { by: 'bo', reason: 'vendor bug', until: new Date(now + 3 * day).toISOString() } }],
    ['frozen', { ...window, software: { firmware: { phase: 'Test' } }, freezes: [{ name: 'Year end', start: '2026-11-20', end: '2026-11-30', reason: 'change freeze' }] }],
    ['holidays', { ...window, software: { firmware: { phase: 'General', lagOneVersion: true } }, holidays: { dates: [{ date: '11-21', name: 'Local day' }, { date: '11-22', name: 'Next day' }] } }],
  ];
  const policies: UpdatePolicy[] = specs.map(([name, spec]) => policy(name, spec));
  const groups: DeviceGroup[] = [
    group('lab', { policyRef: { name: 'fast' }, selector: { tags: ['lab'] }, priority: 100, timeZone: 'Europe/Paris' }),
    group('vip', { policyRef: { name: 'paused' }, selector: { tags: ['vip'] }, priority: 90, timeZone: 'America/New_York' }),
    group('basic-tokyo', { policyRef: { name: 'holidays' }, selector: { tags: ['site-tokyo', 'floor-0'] }, priority: 80, license: 'Basic', timeZone: 'Asia/Tokyo' }),
    group('missing-policy', { policyRef: { name: 'nowhere' }, selector: { tags: ['site-lisbon', 'floor-4'] }, priority: 70 }),
  ];
  const byFloor: string[] = ['general', 'general', 'paused-until', 'frozen', 'general'];
  sites.forEach((site, k) => {
    for (let floor = 0; floor < 5; floor++) groups.push(group(`${site}-${floor}`, { policyRef: { name: byFloor[(floor + k) % 5]! }, selector: { tags: [`site-${site}`, `floor-${floor}`] }, priority: 10, timeZone: zones[k]! }));
  });
  const owners = ['default/UpdatePolicy/general', 'default/UpdatePolicy/fast', 'default/ScheduledUpdate/by-id'];
  const operations: OperationRecord[] = [];
  for (let i = 0; i < fleet.length; i += 37) {
    const k = i / 37;
    const active = k % 4 === 0;
    const outcome = active ? undefined : k % 3 === 0 ? 'failed' : 'succeeded';
    const startedAt = now - (2 + (i % 40)) * hour;
    operations.push({
      deviceId: fleet[i]!.id, softwareType: i % 11 === 0 ? undefined : i % 2 ? 'firmware' : 'teamsClient', version: versions(5), owner: owners[k % 3], operationId: `op-${i}`,
      active, outcome, startedAt, endedAt: active ? undefined : startedAt + hour, errorCode: outcome === 'failed' ? 'E42' : undefined, errorMessage: outcome === 'failed' ? 'device rebooted' : undefined,
    });
  }
  const untagged = fleet.filter((d) => !d.notes).map((d) => d.id);
  const scheduledUpdates: ScheduledUpdate[] = [
    scheduled('by-id', { targets: { deviceIds: [fleet[0]!.id, ...fleet.slice(1, 25).map((d) => d.id), ...untagged.slice(0, 10)] }, software: [{ type: 'firmware', version: versions(5) }, { type: 'teamsClient', version: versions(0) }] }),
    scheduled('nyc-tonight', { targets: { groupRef: { name: 'nyc-1' } }, software: [{ type: 'teamsClient', version: 'latest' }], at: '2026-11-21T23:00', timeZone: 'America/New_York' }),
    scheduled('break-glass', { targets: { selector: { tags: ['site-paris', 'floor-3'] } }, software: [{ type: 'firmware', version: 'latest' }], respectMaintenanceWindows: true, freezeOverride: { reason: 'CVE fix' } }),
  ];
  return { now, groups, policies, scheduledUpdates, devices: fleet, software, operations, releases, rollouts: {} };
}
