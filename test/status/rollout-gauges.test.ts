// Rollout gauges from a plan: devices by state per group and policy, the wave of each automatic
// rollout, stopped and suspended as booleans, and labels that never name a device or a version.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import { rolloutGauges, seriesPerGroup, seriesPerPolicy } from '../../controller/status/rollout-gauges.ts';
import { at, device, group, hour, op, plan, policy, release, software, type Scenario } from '../plan/fixtures.ts';

const nights: UpdatePolicySpec = { maintenanceWindows: [{ name: 'nights', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], start: '22:00', end: '05:00' }] };
// Saturday 23:00 in Paris: the nights window is open.
const now = at('2026-11-21T22:00:00Z');

function scenario(spec: UpdatePolicySpec = nights, extra: Partial<Scenario> = {}): Scenario {
  return {
    now,
    groups: [
      group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, timeZone: 'Europe/Paris' }),
      group('lyon', { policyRef: { name: 'p' }, selector: { tags: ['site-lyon'] }, timeZone: 'Europe/Paris' }, { metadata: { name: 'lyon', namespace: 'south' } }),
    ],
    policies: [policy('p', spec)],
    devices: [
      ...['d1', 'd2', 'd3', 'd4', 'd5'].map((id) => device(id, { tags: ['site-paris'] })),
      device('l1', { tags: ['site-lyon'] }),
    ],
    // d5 has not been read yet: no software.
    software: ['d1', 'd2', 'd3', 'd4', 'l1'].map((id) => software(id, { firmware: id === 'd4' ? ['1.1', null] : ['1.0', '1.1'] })),
    releases: [release('Bar', 'firmware', '1.1', at('2026-10-01T00:00:00Z'))],
    ...extra,
  };
}

const Gauges = suite('rolloutGauges');

Gauges('counts a group’s members by state, the ones not read yet included, with namespace and name apart', () => {
  const g = rolloutGauges(plan(scenario({ ...nights, rollout: { maxConcurrent: 1 } }, {
    operations: [
      op('d1', 'firmware', '1.1', { startedAt: now - 3 * hour, endedAt: now - 2 * hour, outcome: 'failed', errorCode: 'InstallFailed' }),
      op('d2', 'firmware', '1.1', { active: true, startedAt: now - hour }),
    ],
  })));
  const paris = g.groups.find((x) => x.name === 'paris')!;
  assert.is(paris.namespace, 'default');
  assert.equal(paris.devices, { failed: 1, refused: 0, inProgress: 1, blocked: 0, waiting: 1, upToDate: 1, notRead: 1 });
  // south/lyon refers to south/p, which does not exist: counted all the same, with no rollout.
  const lyon = g.groups.find((x) => x.name === 'lyon')!;
  assert.is(lyon.namespace, 'south');
  assert.is(lyon.devices.upToDate + lyon.devices.waiting, 1);
  assert.equal(lyon.rollouts, []);
  assert.is(lyon.suspended, false);
});

Gauges('a policy counts the devices of all its groups; its rollout says its wave and waves', () => {
  const s = scenario();
  const g = rolloutGauges(plan({ ...s, groups: [s.groups![0]!, group('lyon', { policyRef: { name: 'p' }, selector: { tags: ['site-lyon'] }, timeZone: 'Europe/Paris' })] }));
  assert.equal(g.groups.map((x) => `${x.namespace}/${x.name}`).sort(), ['default/lyon', 'default/paris']);
  const p = g.policies[0]!;
  assert.equal([p.namespace, p.name], ['default', 'p']);
  assert.is(Object.values(p.devices).reduce((a, b) => a + b, 0), 6);
  assert.is(p.devices.notRead, 1);
  const fw = p.rollouts.find((r) => r.softwareType === 'firmware')!;
  assert.is(fw.wave, 1);
  assert.ok(fw.waves >= 1);
  assert.is(fw.stopped, false);
  assert.is(p.suspended, false);
});

Gauges('a suspended policy is 1 on the policy and on each group that follows it', () => {
  const g = rolloutGauges(plan(scenario({ ...nights, suspend: { by: 'ana', reason: 'audit' } })));
  assert.is(g.policies[0]!.suspended, true);
  assert.is(g.groups.find((x) => x.name === 'paris')!.suspended, true);
});

Gauges('a rollout the failure threshold stopped is stopped on the policy and its groups; the other types are not', () => {
  const g = rolloutGauges(plan(scenario(nights, { rollouts: { 'default/p|firmware': { stoppedAt: now - 5 * hour, reason: 'too many failures' } } })));
  const stopped = (rs: readonly { softwareType: string; stopped: boolean }[]) => rs.filter((r) => r.stopped).map((r) => r.softwareType);
  assert.equal(stopped(g.policies[0]!.rollouts), ['firmware']);
  assert.equal(stopped(g.groups.find((x) => x.name === 'paris')!.rollouts), ['firmware']);
});

Gauges('a rollout with nothing left to do is in wave 0', () => {
  const s = scenario();
  const g = rolloutGauges(plan({ ...s, software: s.software!.map((x) => software(x.deviceId, { firmware: ['1.1', null] })) }));
  assert.is(g.policies[0]!.rollouts.find((r) => r.softwareType === 'firmware')!.wave, 0);
});

Gauges('series stay bounded: per group or policy a count per state, three per rollout type and suspended', () => {
  assert.is(seriesPerGroup, 7 + 3 * 2 + 1);
  assert.is(seriesPerPolicy, 14);
});

Gauges.run();
