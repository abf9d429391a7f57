import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildPlan } from '../../controller/plan/build-plan.ts';
import { forecast } from '../../controller/plan/forecast.ts';
import { at, day, device, group, iso, policy, release, scheduled, software } from './fixtures.ts';

// Friday noon UTC: Paris default windows open at 20:00 local (19:00 UTC).
const now = at('2026-11-20T12:00:00Z');
const devices = Array.from({ length: 6 }, (_, i) => device(`d${i + 1}`, { tags: ['site-paris'] }));
const input = (spec = {}, extra: { scheduledUpdates?: ReturnType<typeof scheduled>[] } = {}) => ({
  now,
  groups: [group('paris', { policyRef: { name: 'p' }, selector: { tags: ['site-paris'] }, timeZone: 'Europe/Paris' })],
  policies: [policy('p', spec)],
  scheduledUpdates: extra.scheduledUpdates ?? [],
  devices,
  software: new Map(devices.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.2'] })])),
  operations: [],
  releases: [release('Bar', 'firmware', '1.1', now - 40 * day), release('Bar', 'firmware', '1.2', now - 10 * day)],
});

const Forecast = suite('forecast');
Forecast('waves, bake time and windows unfold over the days; each device gets 1.1 then 1.2', () => {
  const f = forecast(input({ rollout: { waves: [{ count: 2 }], bakeTime: '24h' } }), { days: 40 });
  const firstWave = f.events.filter((e) => e.action.version === '1.1' && e.action.wave === 1);
  assert.equal(firstWave.map((e) => iso(e.time)), ['2026-11-20T19:00:00Z', '2026-11-20T19:00:00Z']);
  const second = f.events.filter((e) => e.action.version === '1.1' && e.action.wave === 2);
  assert.is(second.length, 4);
  // wave 1 ends 19:30 UTC; 24 hours of bake; Saturday is inside the weekend window.
  assert.ok(second.every((e) => iso(e.time) === '2026-11-21T19:30:00Z'));
  // 1.2 (first seen 10 days before now) becomes eligible 20 days after now, a Thursday noon; the window opens at 20:00.
  const v12 = f.events.filter((e) => e.action.version === '1.2');
  assert.is(v12.length, 6);
  assert.is(iso(v12[0]!.time), '2026-12-10T19:00:00Z');
  assert.is(f.truncated, false);
  assert.is(f.last.actions.length, 0);
});
Forecast('a policy without waves spreads a group over about three weeks: 1%, 10%, 50%, the rest, a week apart, each in a window', () => {
  const many = Array.from({ length: 200 }, (_, i) => device(`d${i + 1}`, { tags: ['site-paris'] }));
  const only11 = [release('Bar', 'firmware', '1.1', now - 40 * day)];
  const f = forecast({ ...input(), devices: many, software: new Map(many.map((d) => [d.id, software(d.id, { firmware: ['1.0', '1.1'] })])), releases: only11 }, { days: 40 });
  const events = f.events.filter((e) => e.action.version === '1.1');
  const firstOf = (wave: number) => iso(Math.min(...events.filter((e) => e.action.wave === wave).map((e) => e.time)));
  assert.equal([1, 2, 3, 4].map((w) => events.filter((e) => e.action.wave === w).length), [2, 20, 100, 78]);
  // Friday 20 November 20:00 Paris, then a week after each wave's last update ended, in the next window.
  assert.equal([1, 2, 3, 4].map(firstOf), ['2026-11-20T19:00:00Z', '2026-11-27T19:30:00Z', '2026-12-04T20:00:00Z', '2026-12-11T21:00:00Z']);
  const times = events.map((e) => e.time);
  assert.is(Math.round((Math.max(...times) - Math.min(...times)) / day), 21);
});
Forecast('maxConcurrent spreads the starts', () => {
  const f = forecast(input({ rollout: { waves: [{ percent: 100 }], maxConcurrent: 2 } }), { days: 3, operationMinutes: 60 });
  const times = f.events.filter((e) => e.action.version === '1.1').map((e) => iso(e.time));
  assert.equal(times, ['2026-11-20T19:00:00Z', '2026-11-20T19:00:00Z', '2026-11-20T20:00:00Z', '2026-11-20T20:00:00Z', '2026-11-20T21:00:00Z', '2026-11-20T21:00:00Z']);
});
Forecast('a ScheduledUpdate shows at its time', () => {
  const su = scheduled('now', { targets: { deviceIds: ['d1'] }, software: [{ type: 'firmware', version: '1.2' }], at: '2026-11-20T14:00', timeZone: 'Europe/Paris' });
  const f = forecast(input({ software: { firmware: { mode: 'manual' } } }, { scheduledUpdates: [su] }), { days: 2 });
  assert.equal(f.events.map((e) => [iso(e.time), e.action.deviceId, e.action.version, e.action.scheduledUpdate]), [['2026-11-20T13:00:00Z', 'd1', '1.2', 'default/now']]);
});
Forecast('nothing beyond the horizon; the first step equals the plan', () => {
  const i = input({ software: { firmware: { phase: 'Final' } } });
  const f = forecast(i, { days: 10 });
  assert.is(f.events.length, 0);
  assert.is(JSON.stringify(buildPlan(i).actions), JSON.stringify([]));
});
Forecast('the step limit is reported', () => {
  const f = forecast(input({ rollout: { waves: [{ percent: 100 }], maxConcurrent: 1 } }), { days: 3, maxSteps: 3 });
  assert.is(f.truncated, true);
  assert.is(f.events.length, 2, 'one plan before the window opens, then one start per plan');
});

Forecast.run();
