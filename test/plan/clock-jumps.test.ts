// The plan across a clock stepped forward and back (NTP, a VM resumed): a sequence of reconciles
// is a sequence of plans, each fed the state the previous one left (release dates, stopped
// rollouts) and the operations it started, with `now` read from a clock that jumps. What must
// hold: a window closed at each reading starts nothing, and a bake is measured from the recorded
// end of the previous wave, so a clock that returns before the bake's end stops the next wave.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { OperationRecord, Plan } from '../../controller/model/plan.ts';
import { at, device, entries, group, hour, iso, op, plan, policy, release, software, type Scenario } from './fixtures.ts';

const minute = 60_000;
const fleet = (n: number) => Array.from({ length: n }, (_, i) => device(`d${String(i + 1).padStart(2, '0')}`, { tags: ['site-paris'] }));

/** Paris devices on firmware 1.0 with 1.1 released long ago; the policy spec varies. */
function scenario(now: number, spec: UpdatePolicySpec, n: number): Scenario {
  const devices = fleet(n);
  return {
    now,
    groups: [group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, timeZone: 'Europe/Paris' })],
    policies: [policy('p', spec)],
    devices,
    software: devices.map((d) => software(d.id, { firmware: ['1.0', '1.1'] })),
    releases: [release('Bar', 'firmware', '1.1', at('2026-09-01T00:00:00Z'))],
  };
}

/** The next reconcile: same fleet, the state the last plan left, the operations so far, another clock reading. */
function next(s: Scenario, last: Plan, now: number, operations: OperationRecord[] = s.operations ?? []): Scenario {
  return { ...s, now, releases: [...last.releases], rollouts: last.rollouts, operations };
}

const windows = suite('a closed window and a clock stepped back and forth');
// One wave: the three devices start together at the opening (the default waves would start one).
const nightly: UpdatePolicySpec = { maintenanceWindows: [{ name: 'nightly', days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], start: '22:00', end: '05:00' }], rollout: { waves: [{ percent: 100 }] } };
// Tuesday 24 November 2026, Paris is UTC+1: the window opens at 21:00Z.
const opens = at('2026-11-24T21:00:00Z');
const readings: [string, number][] = [
  ['20:30 Paris', at('2026-11-24T19:30:00Z')],
  ['stepped back an hour to 19:30', at('2026-11-24T18:30:00Z')],
  ['forward again to 21:45', at('2026-11-24T20:45:00Z')],
  ['back two hours and a half to 19:15', at('2026-11-24T18:15:00Z')],
  ['a second before the opening', opens - 1000],
];

windows('no reading inside the closed window starts anything, and each names the same opening', () => {
  let s = scenario(readings[0]![1], nightly, 3);
  let last = plan(s);
  for (const [name, now] of readings) {
    s = next(s, last, now);
    last = plan(s);
    assert.equal(last.actions, [], `${name}: nothing starts`);
    assert.is(iso(last.nextActionTime), iso(opens), `${name}: the opening is 22:00 Paris`);
    for (const e of entries(last)) assert.is(e.reason.code, 'OutsideWindow', `${name}: ${e.deviceId}`);
  }
  s = next(s, last, opens);
  assert.is(plan(s).actions.length, 3, 'at the opening, they start');
});

const bakes = suite('a bake and a clock stepped past its end and back');
const rollout: UpdatePolicySpec = { rollout: { waves: [{ name: 'canary', count: 2 }], bakeTime: '24h', maxConcurrent: 2 } };
// Saturday noon: the default weekend window is open throughout.
const t0 = at('2026-11-21T12:00:00Z');

bakes('the rest of the next wave waits for the recorded bake end again once the clock is back', () => {
  let s = scenario(t0, rollout, 6);
  let last = plan(s);
  const canary = last.actions.map((a) => a.deviceId);
  assert.is(canary.length, 2);
  // The canary updates and ends at t0 + 1 h: the times the service reported, kept in the ledger.
  const ended = t0 + hour;
  const ops = canary.map((id) => op(id, 'firmware', '1.1', { startedAt: t0, endedAt: ended }));
  s = { ...next(s, last, t0 + 2 * hour, ops), software: s.software.map((x) => (canary.includes(x.deviceId) ? software(x.deviceId, { firmware: ['1.1', '1.1'] }) : x)) };
  last = plan(s);
  assert.equal(last.actions, [], 'baking');
  assert.is(last.nextActionTime, ended + 24 * hour);

  // The clock jumps 28 hours ahead (Sunday evening, still the weekend window): by the clock the
  // bake is over, and two devices of the next wave start.
  const jumpedTo = t0 + 30 * hour;
  s = next(s, last, jumpedTo);
  last = plan(s);
  assert.is(last.actions.length, 2);
  const jumped = last.actions.map((a) => a.deviceId);
  const inFlight = [...ops, ...jumped.map((id) => op(id, 'firmware', '1.1', { active: true, startedAt: jumpedTo, operationId: `op-${id}` }))];

  // The clock is corrected back to t0 + 3 h, before the bake's end: the rest of the wave waits again.
  s = next(s, last, t0 + 3 * hour, inFlight);
  last = plan(s);
  assert.equal(last.actions, [], 'nothing more starts before the bake ends');
  const rest = entries(last).filter((e) => e.wave === 2 && !jumped.includes(e.deviceId) && e.state !== 'inProgress');
  assert.is(rest.length, 2);
  for (const e of rest) {
    assert.is(e.reason.code, 'Baking', `${e.deviceId}: ${e.reason.code} ${e.reason.message}`);
    assert.is(e.earliestStart, ended + 24 * hour);
  }
  // The two started during the jump are in flight, not started twice.
  for (const id of jumped) assert.is(entries(last).find((e) => e.deviceId === id)!.state, 'inProgress');

  // When real time reaches the bake's end (and the two in flight have ended), the rest goes.
  const done = inFlight.map((o) => (o.active ? { ...o, active: false, outcome: 'succeeded' as const, endedAt: ended + 23 * hour } : o));
  s = { ...next(s, last, ended + 24 * hour + minute, done), software: s.software.map((x) => (jumped.includes(x.deviceId) || canary.includes(x.deviceId) ? software(x.deviceId, { firmware: ['1.1', '1.1'] }) : x)) };
  assert.is(plan(s).actions.length, 2);
});

windows.run();
bakes.run();
