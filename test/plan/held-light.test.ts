// Light updates held at their policy's limit without a work each (held-light.ts): which policies
// qualify, and plans in which they are held — every entry, count and rollout state as the works
// gave them (pending at the limit, the policy's final count in the words, a ScheduledUpdate's
// start counted, a device in use held by its room check instead, a meeting-aware policy left alone).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { Plan } from '../../controller/model/plan.ts';
import type { ActivityReading } from '../../controller/model/rooms.ts';
import { buildPlan } from '../../controller/plan/build-plan.ts';
import type { PolicyContext } from '../../controller/plan/group-context.ts';
import { policiesAtLimit } from '../../controller/plan/held-light.ts';
import { at, day, device, entries, entry, group, op, policy, release, scheduled, software } from './fixtures.ts';

interface LimitRow { readonly name: string; readonly inFlight: number | undefined; readonly maxConcurrent: number; readonly spec?: UpdatePolicySpec; readonly held: boolean }
const limitRows: LimitRow[] = [
  { name: 'in flight at the limit', inFlight: 3, maxConcurrent: 3, held: true },
  { name: 'in flight over the limit', inFlight: 5, maxConcurrent: 3, held: true },
  { name: 'one below the limit: something may still start', inFlight: 2, maxConcurrent: 3, held: false },
  { name: 'nothing in flight', inFlight: undefined, maxConcurrent: 3, held: false },
  { name: 'a limit of zero holds everything', inFlight: undefined, maxConcurrent: 0, held: true },
  { name: 'a meeting-aware policy: room checks come first', inFlight: 5, maxConcurrent: 3, spec: { rollout: { meetings: { avoid: true } } }, held: false },
  { name: 'meetings not avoided', inFlight: 5, maxConcurrent: 3, spec: { rollout: { meetings: { avoid: false } } }, held: true },
];

const Limit = suite('policiesAtLimit');
for (const r of limitRows) {
  Limit(r.name, () => {
    const p = { key: 'default/p', maxConcurrent: r.maxConcurrent, policy: policy('p', r.spec ?? {}) } as unknown as PolicyContext;
    const inFlight = new Map(r.inFlight === undefined ? [] : [['default/p', r.inFlight]]);
    assert.is(policiesAtLimit([p], inFlight).has('default/p'), r.held);
  });
}
Limit.run();

// Saturday noon: inside the default weekend window. Ten devices on 1.0 with 1.1 eligible, one wave, maxConcurrent 3.
const now = at('2026-11-21T12:00:00Z');
const ids = Array.from({ length: 10 }, (_, i) => `d${String(i + 1).padStart(2, '0')}`);

interface PlanCase { readonly busy?: number; readonly scheduledOn?: string; readonly spec?: UpdatePolicySpec; readonly activity?: Record<string, ActivityReading>; readonly duplicate?: boolean }
function planOf(c: PlanCase): Plan {
  const devices = ids.map((id) => device(id, { tags: ['paris'] }));
  if (c.duplicate) devices.push(device('d01', { tags: ['paris'] }));
  return buildPlan({
    now,
    groups: [group('paris', { policyRef: { name: 'p' }, selector: { tags: ['paris'] }, timeZone: 'Europe/Paris' })],
    policies: [policy('p', { ...c.spec, rollout: { waves: [{ percent: 100 }], maxConcurrent: 3, ...c.spec?.rollout } })],
    scheduledUpdates: c.scheduledOn ? [scheduled('now', { targets: { deviceIds: [c.scheduledOn] }, software: [{ type: 'firmware', version: '1.1' }], at: '2026-11-21T12:00', timeZone: 'UTC' })] : [],
    devices,
    software: new Map(ids.map((id) => [id, software(id, { firmware: ['1.0', '1.1'] })])),
    // The busy devices run another type's update: they count toward the limit.
    operations: ids.slice(0, c.busy ?? 0).map((id) => op(id, 'teamsClient', '2.0', { active: true })),
    releases: [release('Bar', 'firmware', '1.1', now - 40 * day)],
    ...(c.activity ? { rooms: { activity: new Map(Object.entries(c.activity)), schedules: new Map() } } : {}),
  });
}

interface HeldRow { readonly name: string; readonly plan: PlanCase; readonly starts: number; readonly limited: number; readonly message?: string; readonly other?: [string, string] }
const message = (n: number) => `${n} updates under p are in flight or starting, the most it allows (maxConcurrent 3)`;
const heldRows: HeldRow[] = [
  { name: 'below the limit: some start, the rest wait at it', plan: { busy: 2 }, starts: 1, limited: 7, message: message(3) },
  { name: 'at the limit: every idle device waits at it, pending from now', plan: { busy: 3 }, starts: 0, limited: 7, message: message(3) },
  { name: 'a ScheduledUpdate passes the limit and counts in the words', plan: { busy: 3, scheduledOn: 'd10' }, starts: 1, limited: 6, message: message(4) },
  { name: 'a device in use waits for its room check, not the limit', plan: { busy: 3, activity: { d09: { state: 'busy', at: now } } }, starts: 0, limited: 6, message: message(3), other: ['d09', 'InUse'] },
  { name: 'a meeting-aware policy takes the works path, same answer', plan: { busy: 3, spec: { rollout: { meetings: { avoid: true } } } }, starts: 0, limited: 7, message: message(3) },
  { name: 'two devices with one id: the works path, same answer', plan: { busy: 3, duplicate: true }, starts: 0, limited: 7, message: message(3) },
];

const Held = suite('light updates held at the limit');
for (const r of heldRows) {
  Held(r.name, () => {
    const p = planOf(r.plan);
    assert.is(p.actions.length, r.starts);
    const limited = entries(p).filter((e) => e.softwareType === 'firmware' && e.reason.code === 'ConcurrencyLimit');
    assert.is(limited.length, r.limited);
    for (const e of limited) {
      assert.is(e.state, 'pending');
      assert.is(e.desiredVersion, '1.1');
      assert.is(e.currentVersion, '1.0');
      assert.is(e.earliestStart, now);
      assert.is(e.reason.message, r.message);
    }
    if (r.other) assert.is(entry(p, r.other[0], 'firmware').reason.code, r.other[1]);
    // Pending updates make the rollout progress, held or started.
    assert.is(p.groups[0]!.rollouts.find((v) => v.softwareType === 'firmware')!.state, 'Progressing');
  });
}
Held('at the limit, a plan equals the same plan made again (entries shared, never changed)', () => {
  const a = JSON.stringify(planOf({ busy: 3 }));
  assert.is(JSON.stringify(planOf({ busy: 3 })), a);
});
Held.run();
