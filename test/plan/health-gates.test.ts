import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Device, DeviceHealth, DeviceSoftware } from '../../controller/model/fleet.ts';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { OperationRecord, Plan } from '../../controller/model/plan.ts';
import { buildPlan } from '../../controller/plan/build-plan.ts';
import { forecast } from '../../controller/plan/forecast.ts';
import { renderPlanMarkdown, renderPlanText } from '../../controller/plan/render-plan.ts';
import { fineAspects } from '../../controller/policy/health-soak.ts';
import type { HealthMemory } from '../../controller/model/state.ts';
import { at, day, device, entries, group, hour, iso, op, policy, release, scheduled, software } from './fixtures.ts';

// Saturday noon; the policies' window is open all day, every day, so only the health rules decide.
const now = at('2026-11-21T12:00:00Z');
const allDay = [{ name: 'always', start: '00:00', end: '24:00' }];
const fine: DeviceHealth = { online: 'ok', teamsSignIn: 'ok', exchangeSignIn: 'ok', roomCamera: 'ok', microphone: 'ok', speaker: 'ok', display: 'ok' };
const before = fineAspects(fine)!;
const releases = [release('Bar', 'firmware', '1.2.3', now - 60 * day)];

const room = (id: string, tag: string): Device => device(id, { tags: [tag], deviceType: 'teamsRoom', currentUserName: `Room ${id} Paris` });
const rooms = Array.from({ length: 6 }, (_, i) => room(`r${i + 1}`, 'rooms'));
const labs = Array.from({ length: 5 }, (_, i) => room(`lab${i + 1}`, 'lab'));
const sw = (id: string, version: string, health: DeviceHealth = fine): DeviceSoftware => ({ ...software(id, { firmware: [version, version === '1.2.3' ? null : '1.2.3'] }), health });

interface Case {
  readonly now?: number;
  readonly general?: UpdatePolicySpec;
  readonly lab?: UpdatePolicySpec;
  readonly software?: DeviceSoftware[];
  readonly operations?: OperationRecord[];
  readonly health?: HealthMemory;
}
const generalSpec: UpdatePolicySpec = {
  maintenanceWindows: allDay,
  software: { firmware: { phase: 'Test' } },
  rollout: { waves: [{ name: 'canary', count: 2, soak: { duration: '48h', maxRegressions: 0 } }], soak: { duration: '24h' }, bakeTime: '24h' },
};
const labSpec: UpdatePolicySpec = { maintenanceWindows: allDay, software: { firmware: { phase: 'Test' } }, rollout: { waves: [] } };
const inputOf = (c: Case) => ({
  now: c.now ?? now,
  groups: [
    group('rooms', { policyRef: { name: 'general' }, selector: { tags: ['rooms'] }, timeZone: 'Europe/Paris' }),
    group('lab', { policyRef: { name: 'lab' }, selector: { tags: ['lab'] }, timeZone: 'Europe/Paris' }),
  ],
  policies: [policy('general', c.general ?? generalSpec), policy('lab', c.lab ?? labSpec)],
  scheduledUpdates: [],
  devices: [...rooms, ...labs],
  software: new Map((c.software ?? [...rooms, ...labs].map((d) => sw(d.id, d.id.startsWith('lab') ? '1.2.3' : '1.2.0'))).map((x) => [x.deviceId, x])),
  operations: c.operations ?? [],
  releases,
  ...(c.health ? { health: c.health } : {}),
});
const planOf = (c: Case): Plan => buildPlan(inputOf(c));

// The canary (2 devices, as the first plan picks them) updated to 1.2.3 two hours before `now`, health recorded before.
const canaryEnded = now - 2 * hour;
const canary = planOf({}).actions.filter((a) => a.group === 'default/rooms').map((a) => a.deviceId);
const [c1, c2] = canary as [string, string];
const canaryOps = (ids: string[] = canary) => ids.map((id) => ({ ...op(id, 'firmware', '1.2.3', { owner: 'default/UpdatePolicy/general', startedAt: canaryEnded - hour, endedAt: canaryEnded }), healthBefore: before, wave: 1 }));
const afterCanary = (health: Record<string, DeviceHealth> = {}) =>
  [...rooms, ...labs].map((d) => sw(d.id, canary.includes(d.id) || d.id.startsWith('lab') ? '1.2.3' : '1.2.0', health[d.id] ?? fine));

const Soak = suite('health soak between waves');
Soak('the canary goes first; the rest waits for it', () => {
  const p = planOf({});
  assert.equal(p.actions.filter((a) => a.group === 'default/rooms').map((a) => a.wave), [1, 1]);
});
Soak('soak not over: the next wave waits for the canary soak (48h), not the 24h bake', () => {
  const p = planOf({ operations: canaryOps(), software: afterCanary() });
  assert.is(p.actions.filter((a) => a.group === 'default/rooms').length, 0);
  const waiting = entries(p).filter((e) => e.wave === 2);
  assert.is(waiting.length, 4);
  assert.ok(waiting.every((e) => e.reason.code === 'Soaking' && e.earliestStart === canaryEnded + 48 * hour));
  assert.match(waiting[0]!.reason.message, /^wave 2 \(the rest\) starts once the health soak of wave 1 \(canary\) is over at 2026-11-23 10:00 UTC \(each device watched for 2d after its update\)/);
  assert.is(p.nextActionTime, canaryEnded + 48 * hour);
  assert.is(p.groups.find((g) => g.key === 'default/rooms')!.rollouts[0]!.state, 'Baking');
  assert.is(p.rollouts['default/general|firmware'], undefined);
});
Soak('soak over without a regression: the next wave starts', () => {
  const p = planOf({ now: canaryEnded + 49 * hour, operations: canaryOps(), software: afterCanary() });
  assert.is(p.actions.filter((a) => a.group === 'default/rooms').length, 4);
});
Soak('canary zero tolerance: a camera lost during the soak stops the rollout and names the room', () => {
  const p = planOf({ now: canaryEnded + 3 * hour, operations: canaryOps(), software: afterCanary({ [c2]: { ...fine, roomCamera: 'down' } }) });
  const stop = p.rollouts['default/general|firmware'];
  assert.ok(stop);
  assert.match(stop!.reason, /^1 device of wave 1 \(canary\) regressed during the health soak, more than its maxRegressions of 0: Room r\d Paris: camera unhealthy after firmware 1\.2\.3; set spec\.resume to go on$/);
  assert.match(stop!.reason, new RegExp(`Room ${c2} Paris`));
  const blocked = entries(p).filter((e) => e.wave === 2);
  assert.ok(blocked.every((e) => e.state === 'blocked' && e.reason.code === 'RolloutStopped' && e.reason.message.includes(`Room ${c2} Paris: camera unhealthy`)));
  assert.equal(p.health?.regressions.map((r) => [r.deviceId, r.what, r.at]), [[c2, ['camera unhealthy'], canaryEnded + 3 * hour]]);
});
Soak('a regression remembered from an earlier plan still counts after the device recovered', () => {
  const first = planOf({ now: canaryEnded + 3 * hour, operations: canaryOps(), software: afterCanary({ [c2]: { ...fine, roomCamera: 'down' } }) });
  const p = buildPlan({ ...inputOf({ now: canaryEnded + 49 * hour, operations: canaryOps(), software: afterCanary(), health: first.health! }) });
  assert.ok(p.rollouts['default/general|firmware']);
  assert.is(p.actions.filter((a) => a.group === 'default/rooms').length, 0);
});
Soak('a regression in a wave without maxRegressions only counts toward the failure threshold', () => {
  const spec: UpdatePolicySpec = { ...generalSpec, rollout: { waves: [{ name: 'canary', count: 2 }], soak: { duration: '24h' }, failureThreshold: { percent: 60, minCompleted: 2 } } };
  const p = planOf({ general: spec, now: canaryEnded + 3 * hour, operations: canaryOps(), software: afterCanary({ [c1]: { ...fine, online: 'down' } }) });
  assert.is(p.rollouts['default/general|firmware'], undefined, '1 of 2 is 50%, under 60%');
  const strict = planOf({ general: { ...spec, rollout: { ...spec.rollout, failureThreshold: { percent: 40, minCompleted: 2 } } }, now: canaryEnded + 3 * hour, operations: canaryOps(), software: afterCanary({ [c1]: { ...fine, online: 'down' } }) });
  assert.match(strict.rollouts['default/general|firmware']?.reason ?? '', /1 of 2 finished updates failed or regressed \(50%\), more than the threshold of 40%; regressed: Room r\d Paris: went offline after firmware 1\.2\.3/);
});

const Evidence = suite('evidence before promotion');
const evidenceSpec = (devices: number): UpdatePolicySpec => ({
  maintenanceWindows: allDay, software: { firmware: { phase: 'Test', versions: { requireEvidence: { group: 'lab', devices, healthyFor: '7d' } } } }, rollout: { waves: [] },
});
const labOps = (n: number, endedAt: number) => labs.slice(0, n).map((d) => ({ ...op(d.id, 'firmware', '1.2.3', { owner: 'default/UpdatePolicy/lab', startedAt: endedAt - hour, endedAt }), healthBefore: before }));
Evidence('not reached: the rooms wait, and the plan says what is missing', () => {
  const p = planOf({ general: evidenceSpec(5), operations: labOps(3, now - 8 * day) });
  assert.is(p.actions.filter((a) => a.group === 'default/rooms').length, 0);
  const waiting = entries(p).filter((e) => e.deviceId.startsWith('r'));
  assert.ok(waiting.every((e) => e.state === 'scheduled' && e.reason.code === 'WaitingForEvidence' && e.earliestStart === undefined));
  assert.is(waiting[0]!.reason.message, '1.2.3 waits for evidence: 7 days healthy on 5 devices of lab: 3 so far');
  assert.equal(p.health?.evidence.length, 3);
});
Evidence('reached: 5 lab devices healthy for 8 days, the rooms start', () => {
  const p = planOf({ general: evidenceSpec(5), operations: labOps(5, now - 8 * day) });
  assert.is(p.actions.filter((a) => a.group === 'default/rooms').length, 6);
});
Evidence('on the way: the rooms are scheduled for the day the evidence completes', () => {
  const p = planOf({ general: evidenceSpec(5), operations: labOps(5, now - 2 * day) });
  const e = entries(p).find((x) => x.deviceId === 'r1')!;
  assert.is(e.reason.code, 'WaitingForEvidence');
  assert.is(iso(e.earliestStart), iso(now + 5 * day));
  assert.match(e.reason.message, /0 so far, 5 more running it would complete it on 2026-11-26 12:00 UTC if they stay healthy/);
});
Evidence('evidence remembered from earlier plans counts once the ledger forgot the lab updates', () => {
  const first = planOf({ general: evidenceSpec(5), operations: labOps(5, now - 8 * day) });
  const p = planOf({ general: evidenceSpec(5), health: first.health!, now: now + 20 * day });
  assert.is(p.actions.filter((a) => a.group === 'default/rooms').length, 6);
});
Evidence('the group named does not exist: nothing counts, the rooms wait', () => {
  const spec = evidenceSpec(1);
  spec.software!.firmware!.versions!.requireEvidence!.group = 'no-such-lab';
  const p = planOf({ general: spec, operations: labOps(5, now - 8 * day) });
  assert.match(entries(p).find((x) => x.deviceId === 'r1')!.reason.message, /1 device of no-such-lab: 0 so far$/);
});
Evidence('a ScheduledUpdate does not wait for evidence', () => {
  const p = buildPlan({
    ...inputOf({ general: evidenceSpec(5) }),
    scheduledUpdates: [scheduled('now', { targets: { deviceIds: ['r1'] }, software: [{ type: 'firmware', version: '1.2.3' }] })],
  });
  assert.equal(p.actions.filter((a) => a.group === 'default/rooms').map((a) => a.deviceId), ['r1']);
});
Evidence('the forecast lets the lab prove the version, then starts the rooms', () => {
  const software = [...rooms, ...labs].map((d) => sw(d.id, '1.2.0'));
  const f = forecast(inputOf({ general: evidenceSpec(5), software }), { days: 14 });
  const labStarts = f.events.filter((e) => e.action.group === 'default/lab');
  const roomStarts = f.events.filter((e) => e.action.group === 'default/rooms');
  assert.is(labStarts.length, 5);
  assert.ok(labStarts.every((e) => e.time === now));
  assert.is(roomStarts.length, 6);
  // The lab's updates end 30 minutes later; seven days healthy after that, the rooms go.
  assert.ok(roomStarts.every((e) => e.time === now + 30 * 60_000 + 7 * day), iso(roomStarts[0]?.time));
});

Evidence('plan --forecast says which evidence is still missing when the forecast ends', () => {
  const software = [...rooms, ...labs].map((d) => sw(d.id, '1.2.0'));
  const f = forecast(inputOf({ general: evidenceSpec(5), software }), { days: 3 });
  const view = { plan: f.last, fleet: { kind: 'emulator' as const, seed: '1', devices: 11 }, devices: new Map([...rooms, ...labs].map((d) => [d.id, d])), invalid: [], forecast: f };
  assert.match(renderPlanText(view), /still waiting at the end: rooms, 6 devices: 1\.2\.3 waits for evidence: 7 days healthy on 5 devices of lab: 0 so far, 5 more running it would complete it on 2026-11-28 12:30 UTC if they stay healthy/);
  assert.match(renderPlanMarkdown(view), /- Still waiting at the end: rooms, 6 devices: 1\.2\.3 waits for evidence/);
});

Soak.run();
Evidence.run();
