// The plan of a synthetic fleet of 3,000 devices (synthetic-fleet.ts), pinned two ways:
// properties any correct plan has (one entry per reported software type, one start per device,
// maxConcurrent kept, no start for a suspended policy or an offline device, no wave ahead of an
// unfinished one, summaries that add up), and a digest of every section of the output, taken
// when buildPlan was split into its phases and checked equal to the single function's output.
// A change of behaviour changes a digest: if it is meant, print the new ones with
//   PRINT_PLAN_DIGESTS=1 node --disable-warning=ExperimentalWarning test/plan/plan-digest.test.ts
// and say in the commit which sections changed and why.
import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Plan } from '../../controller/model/plan.ts';
import { buildPlan } from '../../controller/plan/build-plan.ts';
import { syntheticFleet, syntheticNow as now } from './synthetic-fleet.ts';

/** Every value, keys in their order, `undefined` kept (a key present but undefined is output too). */
function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${canonical(k)}=>${canonical(x)}`).join(',')}}`;
  if (v instanceof Set) return `Set{${[...v].map(canonical).join(',')}}`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
}
const digest = (v: unknown) => createHash('sha256').update(canonical(v)).digest('hex').slice(0, 16);

function sections(p: Plan): Record<string, string> {
  const { devices, actions, groups, policies, scheduledUpdates, conflicts, clamps, releases, rollouts, ...rest } = p;
  return {
    devices: digest(devices), actions: digest(actions), groups: digest(groups), policies: digest(policies), scheduledUpdates: digest(scheduledUpdates),
    conflicts: digest(conflicts), clamps: digest(clamps), releases: digest(releases), rollouts: digest(rollouts), rest: digest(rest),
  };
}

// Taken from the output of buildPlan before its split (commit 7d9090b) on syntheticFleet(): equal after it.
// groups and policies changed once since, when rollouts gained waitingFor (with it left out, equal).
const pinned: Record<string, string> = {
  devices: 'b6aa821e7a3aa5ee', actions: 'a8270b9aac19aa16', groups: 'bcc8cd92250291f9', policies: '9190b96c5e759595', scheduledUpdates: '97c31fa5e86836b8',
  conflicts: 'fd5e1ac3df5a40ad', clamps: '4f53cda18c2baa0c', releases: 'fc7824db606ab68b', rollouts: '0834f0fcfcc47a08', rest: 'cfdf6f994a29c3f8',
};

const input = syntheticFleet();
const inputBefore = canonical(input);
const plan = buildPlan(input);
const Digest = suite('synthetic fleet: pinned output');
if (process.env.PRINT_PLAN_DIGESTS) console.log(sections(plan));

Digest('every section of the plan is what it was', () => {
  const got = sections(plan);
  const changed = Object.keys(pinned).filter((k) => got[k] !== pinned[k]);
  assert.equal(changed, [], `the plan's ${changed.join(', ')} changed: ${JSON.stringify(got)}`);
});

Digest('the same input gives the same plan, and the input is left as it was', () => {
  assert.is(canonical(input), inputBefore, 'buildPlan changed its input');
  assert.equal(sections(buildPlan(syntheticFleet())), sections(plan));
});
Digest.run();

const Props = suite('synthetic fleet: properties of the plan');
const byId = new Map(input.devices.map((d) => [d.id, d]));
const groupOfPolicy = new Map(plan.groups.map((g) => [g.key, g.policy]));
const policyOf = new Map(input.policies.map((p) => [`default/${p.metadata.name}`, p]));

Props('the plan covers the cases it is meant to pin', () => {
  const codes = new Set(plan.devices.flatMap((d) => d.entries.map((e) => e.reason.code)));
  for (const code of ['Starting', 'ConcurrencyLimit', 'DeviceBusy', 'WaitingForWave', 'Suspended', 'RolloutStopped', 'Frozen', 'DeviceOffline', 'InProgress', 'Failed', 'Succeeded', 'ScheduledTime', 'UnknownFirmware', 'Downgrade', 'LagOneVersion']) {
    assert.ok(codes.has(code as never), `no entry with reason ${code}`);
  }
  assert.ok(plan.unmanaged.length > 0 && plan.conflicts.length > 0 && Object.keys(plan.rollouts).length > 0);
  assert.ok(plan.scheduledUpdates.some((s) => s.freezeOverride) && plan.devices.some((d) => d.group === undefined));
});

Props('each device once, with one entry per software type it reports, in group then id order', () => {
  const seen = new Set<string>();
  for (const d of plan.devices) {
    assert.not.ok(seen.has(d.deviceId), `${d.deviceId} twice`);
    seen.add(d.deviceId);
    const reported = Object.values(input.software.get(d.deviceId)!.software).filter((s) => s && (s.currentVersion !== null || s.availableVersion !== null || s.freshness !== 'unknown'));
    if (d.group !== undefined) assert.is(d.entries.length, reported.length, d.deviceId);
    assert.equal(new Set(d.entries.map((e) => e.softwareType)).size, d.entries.length);
  }
  const keys = plan.devices.map((d) => `${d.group ?? '\uffff'} ${d.deviceId}`);
  assert.equal(keys, [...keys].sort());
  for (const id of plan.unmanaged) assert.not.ok(seen.has(id), `${id} is planned and unmanaged`);
  assert.equal(plan.unmanaged, [...plan.unmanaged].sort());
});

Props('at most one start per device, and each start is its entry "Starting" now', () => {
  const devices = plan.actions.map((a) => a.deviceId);
  assert.is(new Set(devices).size, devices.length);
  const entries = new Map(plan.devices.flatMap((d) => d.entries.map((e) => [`${d.deviceId} ${e.softwareType}`, e] as const)));
  for (const a of plan.actions) {
    const e = entries.get(`${a.deviceId} ${a.softwareType}`)!;
    assert.is(e.state, 'pending');
    assert.is(e.reason.code, 'Starting');
    assert.is(a.earliestStart, now);
    assert.is.not(byId.get(a.deviceId)!.healthStatus, 'offline');
    assert.ok(!input.operations.some((o) => o.active && o.deviceId === a.deviceId), `${a.deviceId} is busy`);
  }
});

Props('a policy never has more than maxConcurrent in flight, and a suspended one starts nothing by itself', () => {
  for (const [key, p] of policyOf) {
    const mine = plan.actions.filter((a) => a.policy === key && a.scheduledUpdate === undefined);
    const running = new Set(input.operations.filter((o) => o.active && plan.devices.find((d) => d.deviceId === o.deviceId)?.policy === key).map((o) => o.deviceId)).size;
    const scheduledStarts = plan.actions.filter((a) => a.policy === key && a.scheduledUpdate !== undefined).length;
    if (mine.length > 0) assert.ok(running + scheduledStarts + mine.length <= (p.spec.rollout?.maxConcurrent ?? 50), key);
    if (p.spec.suspend && !(p.spec.suspend.until && Date.parse(p.spec.suspend.until) <= now)) assert.is(mine.length, 0, `${key} is suspended`);
  }
});

Props('no automatic start in a wave while an earlier wave of its group still needs that version', () => {
  for (const a of plan.actions) {
    if (a.scheduledUpdate !== undefined || a.wave === undefined || a.wave <= 1) continue;
    const waiting = plan.devices.filter((d) => d.group === a.group && d.wave !== undefined && d.wave < a.wave!)
      .flatMap((d) => d.entries).filter((e) => e.softwareType === a.softwareType && e.desiredVersion === a.version && e.scheduledUpdate === undefined && ['pending', 'scheduled', 'inProgress'].includes(e.state) && e.reason.code !== 'Starting');
    assert.is(waiting.length, 0, `${a.deviceId} starts in wave ${a.wave} of ${a.group}`);
  }
});

Props('summaries add up: groups list their devices, policies their groups, next action the earliest', () => {
  for (const g of plan.groups) {
    const planned = plan.devices.filter((d) => d.group === g.key).map((d) => d.deviceId);
    assert.ok(planned.every((id) => g.deviceIds.includes(id)), g.key);
    assert.is(g.policy, groupOfPolicy.get(g.key));
  }
  for (const p of plan.policies) assert.is(p.devices, plan.groups.filter((g) => g.policy === p.key).reduce((n, g) => n + g.deviceIds.length, 0), p.key);
  const times = [...plan.groups.map((g) => g.nextActionTime), ...plan.scheduledUpdates.map((s) => s.nextActionTime)].filter((t): t is number => t !== undefined && t > now);
  assert.is(plan.nextActionTime, times.length ? Math.min(...times) : undefined);
  for (const d of plan.devices) for (const e of d.entries) if (e.earliestStart !== undefined && e.state === 'scheduled') assert.ok(e.earliestStart > now, `${d.deviceId} ${e.softwareType}`);
});
Props.run();
