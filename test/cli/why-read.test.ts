// planEnough against the whole fleet's software, for every device of small fleets built to
// put devices in each situation: the plan made from what it chose to read explains each device
// exactly as the plan made from everything, and reads less than everything when it can.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceSoftware } from '../../controller/model/fleet.ts';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';

type Waves = NonNullable<NonNullable<UpdatePolicySpec['rollout']>['waves']>;
import { explainDevice } from '../../controller/plan/explain-device.ts';
import { planEnough } from '../../controller/cli/why-read.ts';
import type { PreviewInput } from '../../controller/cli/fleet-operations.ts';
import { planFrom } from '../../controller/reconcile/engine.ts';
import { emptyState, type LedgerEntry } from '../../controller/model/state.ts';
import { at, day, device, group, hour, op, policy, release, scheduled, software, type Scenario } from '../plan/fixtures.ts';

// Saturday noon: inside the default weekend window everywhere.
const now = at('2026-11-21T12:00:00Z');
const releases = [release('Bar', 'firmware', '1.1', now - 40 * day), release('Bar', 'firmware', '1.2', now - 10 * day), release('Pad', 'firmware', '1.2', now - 10 * day)];

/** 48 devices over two groups of one policy, a third group by type, and some in none. */
function scenario(overrides: Partial<Scenario> = {}): Scenario {
  const devices = Array.from({ length: 48 }, (_, i) => {
    const id = `d${String(i + 1).padStart(2, '0')}`;
    const site = i % 3 === 0 ? 'site-paris' : i % 3 === 1 ? 'site-nyc' : 'site-lisbon';
    return device(id, { tags: [site], model: i % 5 === 0 ? 'Pad' : 'Bar', deviceType: i % 5 === 0 ? 'touchConsole' : 'collaborationBar', healthStatus: i % 11 === 0 ? 'offline' : 'healthy' });
  });
  // Most run 1.0 (an update to 1.1 or 1.2 is due); some are done, some run unverified firmware.
  const sw = devices.map((d, i) => software(d.id, { firmware: i % 7 === 0 ? ['1.2', null] : i % 13 === 0 ? ['0.9', '1.2', 'unknown'] : ['1.0', '1.2'], teamsClient: ['5.0', null] }));
  return {
    now,
    groups: [
      group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, timeZone: 'Europe/Paris' }),
      group('nyc', { policyRef: { name: 'p' }, selector: { tags: ['site-nyc'] }, timeZone: 'America/New_York' }),
      group('consoles', { policyRef: { name: 'q' }, selector: { deviceTypes: ['touchConsole'] }, priority: 5, timeZone: 'Europe/Paris' }),
    ],
    policies: [
      policy('p', { software: { firmware: { mode: 'automatic', phase: 'Test' } }, rollout: { waves: [{ count: 3 }, { percent: 30 }], bakeTime: '24h', maxConcurrent: 4 } }),
      policy('q', { software: { firmware: { mode: 'automatic', phase: 'Test' } }, rollout: { waves: [{ count: 2 }], maxConcurrent: 1 } }),
    ],
    devices,
    software: sw,
    releases,
    ...overrides,
  };
}

/**
 * The engine's input for a scenario, as why builds it: the manifests, the fleet read so far, the
 * operations as the controller's ledger (one without an owner as an update read on the device).
 */
function input(s: Scenario, software: ReadonlyMap<string, DeviceSoftware>): PreviewInput {
  const manifests = [...(s.groups ?? []), ...(s.policies ?? []), ...(s.scheduledUpdates ?? [])].map((m, i) => ({
    key: `${m.metadata.namespace ?? 'default'}/${m.kind}/${m.metadata.name}`, kind: m.kind, file: `${m.kind}.yaml`, docIndex: i, valid: true, manifest: m,
  }));
  const ops = s.operations ?? [];
  const ledger = ops.filter((o) => o.owner !== undefined).map((o): LedgerEntry => ({
    deviceId: o.deviceId, softwareType: o.softwareType!, version: o.version!, operationId: o.operationId, owner: o.owner!, requestedAt: o.startedAt,
    state: o.active ? 'inProgress' : o.outcome!, endedAt: o.endedAt, error: undefined, fromVersion: null,
  }));
  const operations = ops.filter((o) => o.owner === undefined).map((o) => ({
    id: o.operationId!, deviceId: o.deviceId, operationType: 'softwareUpdate', state: 'inProgress' as const, rawStatus: 'inProgress',
    createdDateTime: new Date(o.startedAt).toISOString(), startedDateTime: new Date(o.startedAt).toISOString(), completedDateTime: null, error: null,
  }));
  return {
    desired: { manifests, findings: [] },
    fleet: { devices: s.devices, software, readAt: new Map(), unreadable: new Map(), listedAt: s.now },
    state: { ...emptyState, releases: s.releases ?? [], ledger },
    now: s.now,
    outcomes: [],
    operations,
  };
}

/** Explains every device both ways; returns how many devices were read in all. */
async function compareAll(name: string, s: Scenario, chunk = 5): Promise<{ reads: number; devices: number }> {
  const all = new Map(s.software.map((x) => [x.deviceId, x]));
  const full = planFrom(input(s, all));
  let reads = 0;
  for (const d of s.devices) {
    const known = new Map<string, DeviceSoftware>([[d.id, all.get(d.id)!]]);
    const plan = await planEnough(input(s, known), d.id, async (ids) => {
      for (const id of ids) {
        assert.not.ok(known.has(id), `${name}: ${id} read twice`);
        known.set(id, all.get(id)!);
      }
    }, chunk);
    reads += known.size;
    const a = explainDevice(full, d);
    const b = explainDevice(plan, d);
    assert.equal(b.lines, a.lines, `${name}: ${d.id}`);
    assert.equal(b.plan, a.plan, `${name}: ${d.id}`);
    assert.is(b.blocker, a.blocker, `${name}: ${d.id}`);
  }
  return { reads, devices: s.devices.length };
}

const Enough = suite('planEnough: what why reads explains each device as the whole fleet does');

Enough('starts now, slots under maxConcurrent, waves and offline devices', async () => {
  const { reads, devices } = await compareAll('window open', scenario());
  assert.ok(reads < devices * devices / 2, `${reads} reads for ${devices} explanations`);
});

Enough('a closed window: nothing starts, the slots are never looked at', async () => {
  const s = scenario({ now: at('2026-11-24T12:00:00Z') });
  const { reads } = await compareAll('window closed', s);
  assert.ok(reads < 48 * 12, `${reads} reads`);
});

Enough('operations in flight and ended: busy devices, taken slots and bake time', async () => {
  const s = scenario({
    operations: [
      op('d02', 'firmware', '1.2', { active: true, startedAt: now - hour }),
      op('d05', 'firmware', '1.2', { active: true, startedAt: now - hour }),
      op('d08', 'firmware', '1.2', { startedAt: now - 5 * hour, endedAt: now - 2 * hour }),
      op('d11', undefined, undefined, { active: true, owner: undefined, startedAt: now - hour }),
    ],
  });
  await compareAll('operations', s);
});

Enough('ScheduledUpdates: completed only when every target is, whichever target is asked about', async () => {
  const s = scenario({
    scheduledUpdates: [
      // d01 and d04 already run 1.2, d10 still needs it: not complete, whichever of the three is asked about.
      scheduled('some', { targets: { deviceIds: ['d01', 'd04', 'd10'] }, software: [{ type: 'firmware', version: '1.2' }] }),
      scheduled('stay', { targets: { deviceIds: ['d03', 'd06'] }, software: [{ type: 'teamsClient', version: '5.0' }] }),
      scheduled('group', { targets: { groupRef: { name: 'consoles' } }, software: [{ type: 'teamsClient', version: '5.0' }] }),
    ],
    software: scenario().software.map((x) => (x.deviceId === 'd04' || x.deviceId === 'd01' ? software(x.deviceId, { firmware: ['1.2', null], teamsClient: ['5.0', null] }) : x)),
  });
  await compareAll('scheduled', s);
  await compareAll('scheduled, one device at a time', s, 1);
});

Enough('across times of the week, slot limits and wave cuts', async () => {
  for (const when of ['2026-11-21T12:00:00Z', '2026-11-24T12:00:00Z', '2026-11-24T22:30:00Z', '2026-11-25T03:00:00Z']) {
    for (const maxConcurrent of [1, 2, 6, 50]) {
      const cuts: Waves[] = [[{ count: 1 }], [{ percent: 10 }, { percent: 40 }], [{ count: 3 }, { count: 3 }, { count: 3 }]];
      for (const waves of cuts) {
        const base = scenario();
        const s = scenario({
          now: at(when),
          policies: [policy('p', { software: { firmware: { mode: 'automatic', phase: 'Test' } }, rollout: { waves, bakeTime: '2h', maxConcurrent } }), base.policies![1]!],
          operations: [op('d05', 'firmware', '1.2', { active: true, startedAt: at(when) - hour }), op('d14', 'firmware', '1.2', { startedAt: at(when) - 4 * hour, endedAt: at(when) - hour })],
        });
        await compareAll(`${when} maxConcurrent ${maxConcurrent} waves ${JSON.stringify(waves)}`, s, 3);
      }
    }
  }
});

Enough.run();
