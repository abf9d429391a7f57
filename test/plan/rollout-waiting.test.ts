// What a waiting rollout says it waits for (RolloutView.waitingFor, and the currentWave line
// people read): the reason most of its devices wait for, decided by the plan — rooms in use,
// a maintenance window, a freeze, the phase's delay — rather than one generic phrase.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { ActivityReading } from '../../controller/model/rooms.ts';
import { buildPlan } from '../../controller/plan/build-plan.ts';
import { currentWaveText } from '../../controller/status/people-fields.ts';
import { at, device, group, policy, release, software } from './fixtures.ts';

const minute = 60_000;
// Monday 1 March 2027; Paris is UTC+1, so the 09:00-17:00 window opens at 08:00Z.
const opens = at('2027-03-01T08:00:00Z');
const office: UpdatePolicySpec = { maintenanceWindows: [{ name: 'office', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], start: '09:00', end: '17:00' }] };
const rooms = ['r1', 'r2', 'r3'].map((id) => device(id, { deviceType: 'teamsRoom', model: 'Bar', tags: ['paris'] }));
const busy: ActivityReading = { state: 'busy', at: opens };
const idle: ActivityReading = { state: 'idle', at: opens };

interface Case {
  readonly now?: number;
  readonly spec?: UpdatePolicySpec;
  readonly activity: Record<string, ActivityReading>;
  /** When firmware 1.1 was first seen (default: months before). */
  readonly released?: number;
}

function rolloutOf(c: Case) {
  const now = c.now ?? opens;
  const plan = buildPlan({
    now,
    groups: [group('rooms', { policyRef: { name: 'p' }, selector: { tags: ['paris'] }, timeZone: 'Europe/Paris' })],
    policies: [policy('p', { ...office, ...c.spec, rollout: { waves: [{ name: 'all', percent: 100 }] } })],
    scheduledUpdates: [],
    devices: rooms,
    software: new Map(rooms.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'] })])),
    operations: [],
    releases: [release('Bar', 'firmware', '1.1', c.released ?? at('2026-09-01T00:00:00Z'))],
    rooms: { activity: new Map(Object.entries(c.activity)), schedules: new Map() },
  });
  const views = plan.policies.find((p) => p.name === 'p')!.rollouts;
  return { view: views.find((v) => v.softwareType === 'firmware')!, line: currentWaveText(views, 'Europe/Paris') };
}

const allBusy = { r1: busy, r2: busy, r3: busy };
const allIdle = { r1: idle, r2: idle, r3: idle };
// [what, case, state, waitingFor, words in the currentWave line]
const cases: [string, Case, string, string | undefined, string][] = [
  ['every room in a meeting: waits for devices in use', { activity: allBusy }, 'Waiting', 'InUse', 'waiting for devices in use (a meeting or a call) to be free'],
  ['before the window opens: waits for a maintenance window', { now: opens - 60 * minute, activity: allIdle }, 'Waiting', 'OutsideWindow', 'waiting for a maintenance window'],
  ["a release too new for the phase: waits for the phase's delay", { spec: { software: { firmware: { mode: 'automatic', phase: 'General' } } }, activity: allIdle, released: opens - 86_400_000 }, 'Waiting', 'Deferred', "waiting for the phase's delay"],
  ['a freeze under way: waits for it to end', { spec: { freezes: [{ name: 'audit', start: '2027-02-28', end: '2027-03-03' }] }, activity: allIdle }, 'Waiting', 'Frozen', 'waiting for a freeze to end'],
  ['most rooms busy, one idle and starting: progressing, not waiting', { activity: { r1: busy, r2: busy, r3: idle } }, 'Progressing', undefined, 'updating'],
];
for (const [what, c, state, waitingFor, words] of cases) {
  test(what, () => {
    const { view, line } = rolloutOf(c);
    assert.is(view.state, state);
    assert.is(view.waitingFor, waitingFor);
    assert.ok(line?.includes(words), line);
  });
}

// Two groups of one policy share its decisions: each group's waiting light updates count for
// that group's rollout (the tally moves with the decision from one group to the next).
test('two groups of one policy, before the window opens: each group waits for the window', () => {
  const east = ['e1', 'e2'].map((id) => device(id, { deviceType: 'teamsRoom', model: 'Bar', tags: ['east'] }));
  const west = ['w1', 'w2', 'w3'].map((id) => device(id, { deviceType: 'teamsRoom', model: 'Bar', tags: ['west'] }));
  const devices = [...east, ...west];
  const plan = buildPlan({
    now: opens - 60 * minute,
    groups: ['east', 'west'].map((tag) => group(tag, { policyRef: { name: 'p' }, selector: { tags: [tag] }, timeZone: 'Europe/Paris' })),
    policies: [policy('p', { ...office, rollout: { waves: [{ name: 'all', percent: 100 }] } })],
    scheduledUpdates: [],
    devices,
    software: new Map(devices.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'] })])),
    operations: [],
    releases: [release('Bar', 'firmware', '1.1', at('2026-09-01T00:00:00Z'))],
    rooms: { activity: new Map(devices.map((d) => [d.id, idle])), schedules: new Map() },
  });
  for (const name of ['east', 'west']) {
    const view = plan.groups.find((g) => g.name === name)!.rollouts.find((v) => v.softwareType === 'firmware')!;
    assert.is(view.state, 'Waiting', name);
    assert.is(view.waitingFor, 'OutsideWindow', name);
  }
});

test.run();
