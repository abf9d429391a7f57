// deriveEvents: which reconcile brings which event, judged against the notifier's memory.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DevicePlan, GroupSummary, Plan, PlanEntry, PolicySummary, RolloutView, ScheduledSummary } from '../../controller/model/plan.ts';
import type { LedgerEntry } from '../../controller/model/state.ts';
import { deriveEvents, emptyMemory, forgetAfterMs, type ReconcileFacts, type StatusFact } from '../../controller/notify/derive-events.ts';
import type { NotificationMemory } from '../../controller/model/notification-events.ts';

const t0 = Date.parse('2027-03-01T10:00:00Z');
const min = 60_000;

function plan(parts: Partial<Plan> = {}): Plan {
  return { now: t0, devices: [], actions: [], groups: [], policies: [], scheduledUpdates: [], conflicts: [], clamps: [], releases: [], rollouts: {}, nextActionTime: undefined, unmanaged: [], ...parts };
}

function rollout(parts: Partial<RolloutView>): RolloutView {
  return { softwareType: 'firmware', version: '1.2.0', state: 'Progressing', wave: 1, waves: 3, waveStartedTime: undefined, bakeUntil: undefined, stoppedTime: undefined, stoppedReason: undefined, completed: 0, failed: 0, ...parts };
}

function policy(rollouts: RolloutView[]): PolicySummary {
  return { key: 'default/general', name: 'general', groups: ['default/paris'], devices: 2, models: [], suspended: undefined, rollouts, nextWindow: undefined, nextActionTime: undefined };
}

function group(rollouts: RolloutView[]): GroupSummary {
  return { key: 'default/paris', name: 'paris', policy: 'default/general', missingPolicy: undefined, timeZone: 'Europe/Paris', license: 'Pro', phase: 'General', deviceIds: ['d1', 'd2'], nextWindow: undefined, freeze: undefined, nextActionTime: undefined, rollouts } as GroupSummary;
}

function entry(parts: Partial<PlanEntry>): PlanEntry {
  return { softwareType: 'firmware', scheduledUpdate: undefined, state: 'upToDate', currentVersion: '1.0.0', desiredVersion: undefined, earliestStart: undefined, rule: { code: 'FirmwarePhase', text: '' }, reason: { code: 'UpToDate', message: '' }, clamp: undefined, failure: undefined, refused: undefined, ...parts };
}

function devicePlan(deviceId: string, entries: PlanEntry[]): DevicePlan {
  return { deviceId, group: 'default/paris', policy: 'default/general', wave: 1, entries };
}

function ledger(deviceId: string, parts: Partial<LedgerEntry>): LedgerEntry {
  return { deviceId, softwareType: 'firmware', version: '1.2.0', operationId: `op-${deviceId}`, owner: 'default/UpdatePolicy/general', requestedAt: t0 - 5 * 3_600_000, state: 'failed', endedAt: t0 - min, error: { code: 'InstallFailed', message: 'disk full' }, fromVersion: '1.0.0', ...parts };
}

function stalled(kind: string, name: string, reason: string, message: string): StatusFact {
  return {
    path: `${kind.toLowerCase()}s/${name}.yaml`,
    key: { kind, name },
    status: { conditions: [{ type: 'Ready', status: 'False', reason, message, lastTransitionTime: '2027-03-01T09:00:00Z' }, { type: 'Stalled', status: 'True', reason, message, lastTransitionTime: '2027-03-01T09:00:00Z' }] },
  };
}

function facts(parts: Partial<ReconcileFacts> & { now?: number }): ReconcileFacts {
  return { now: t0, plan: plan(), statuses: [], ledger: [], deviceLabel: (id) => `Room ${id}`, ...parts };
}

const Level = suite('deriveEvents: level events are news once');

const su: ScheduledSummary = {
  key: 'default/nyc-client',
  name: 'nyc-client',
  scheduledTime: undefined,
  deviceIds: ['d1', 'd2'],
  records: [
    devicePlan('d1', [entry({ scheduledUpdate: 'default/nyc-client', state: 'blocked', desiredVersion: '0.9.0', reason: { code: 'Downgrade', message: '0.9.0 is older than 1.0.0' } })]),
    devicePlan('d2', [entry({ scheduledUpdate: 'default/nyc-client', state: 'scheduled', desiredVersion: '1.2.0', reason: { code: 'ScheduledTime', message: '' }, clamp: { deviceId: 'd2', model: 'Bar', softwareType: 'firmware', version: '1.2.0', requestedTime: t0 + 90 * 86_400_000, effectiveTime: t0 + 30 * 86_400_000, reason: 'the General phase installs firmware at most 30 days after release' } })]),
  ],
  nextActionTime: undefined,
  completionTime: undefined,
};

const cases: [string, Partial<ReconcileFacts>, [type: string, subject: string, text: RegExp][]][] = [
  ['a rollout the failure threshold stopped', { plan: plan({ policies: [policy([rollout({ state: 'Stopped', wave: 2, stoppedTime: t0 - min, stoppedReason: '3 of 5 finished updates failed (60%)' })])] }) },
    [['RolloutStopped', 'default/UpdatePolicy/general', /firmware 1\.2\.0 rollout of UpdatePolicy general stopped in wave 2 of 3: 3 of 5 finished updates failed/]]],
  ['an invalid manifest (Stalled, InvalidManifest)', { statuses: [stalled('UpdatePolicy', 'broken', 'InvalidManifest', 'policies/broken.yaml:7:5 unknown field phse')] },
    [['ManifestStalled', 'default/UpdatePolicy/broken', /UpdatePolicy broken is stalled \(InvalidManifest\): policies\/broken\.yaml:7:5 unknown field phse/]]],
  ['a stop or a refusal is not also a ManifestStalled', { statuses: [stalled('UpdatePolicy', 'general', 'FailureThresholdExceeded', 'stopped'), stalled('ScheduledUpdate', 'x', 'UpdatesRefused', 'refused')] }, []],
  ['a ScheduledUpdate refusal and a clamp, each on its device', { plan: plan({ scheduledUpdates: [su], devices: su.records }) },
    [
      ['ClampApplied', 'default/ScheduledUpdate/nyc-client', /^Room d2: firmware 1\.2\.0 moved from 2027-05-30T10:00:00Z to 2027-03-31T10:00:00Z \(ScheduledUpdate nyc-client\)/],
      ['UpdateRefused', 'default/ScheduledUpdate/nyc-client', /^Room d1: firmware 0\.9\.0 refused for ScheduledUpdate nyc-client \(Downgrade\)/],
    ]],
  ['a policy downgrade refusal concerns the group', { plan: plan({ devices: [devicePlan('d3', [entry({ state: 'blocked', desiredVersion: '1.1.0', reason: { code: 'Downgrade', message: 'newer than versions.maximum' } })])] }) },
    [['UpdateRefused', 'default/DeviceGroup/paris', /Room d3: firmware 1\.1\.0 refused for DeviceGroup paris \(Downgrade\)/]]],
  ['a device left alone on unknown firmware is no event', { plan: plan({ devices: [devicePlan('d3', [entry({ state: 'blocked', reason: { code: 'UnknownFirmware', message: '' } })])] }) }, []],
  ['a completed ScheduledUpdate, with its Ready message', {
    plan: plan({ scheduledUpdates: [{ ...su, records: [], completionTime: t0 - min }] }),
    statuses: [{ path: 'schedules/nyc.yaml', key: { kind: 'ScheduledUpdate', name: 'nyc-client' }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Completed', message: 'completed: updates: 2 succeeded' }] } }],
  }, [['ScheduledUpdateCompleted', 'default/ScheduledUpdate/nyc-client', /^ScheduledUpdate nyc-client completed: completed: updates: 2 succeeded$/]]],
  ['an operation that timed out, and one that failed', { ledger: [ledger('d1', { error: { code: 'TimedOut', message: 'still active after 4h' }, timeoutMs: 4 * 3_600_000 }), ledger('d2', {})] },
    [
      ['OperationTimedOut', 'default/UpdatePolicy/general', /^Room d1: firmware update to 1\.2\.0 timed out: still active after 4h \(requested 2027-03-01T05:00:00Z\)$/],
      ['UpdateFailed', 'default/UpdatePolicy/general', /^Room d2: firmware update to 1\.2\.0 failed \(InstallFailed\): disk full$/],
    ]],
  ['operations in flight or succeeded are no event', { ledger: [ledger('d1', { state: 'inProgress', endedAt: undefined, error: undefined }), ledger('d2', { state: 'succeeded', error: undefined })] }, []],
];

for (const [name, input, expected] of cases) {
  Level(`${name}: announced on the first reconcile that shows it, not on the next`, () => {
    const first = deriveEvents(facts(input), emptyMemory);
    const got = first.events.map((e) => [e.type, e.subject, e.text] as const).sort();
    assert.is(got.length, expected.length, JSON.stringify(got));
    for (const [i, [type, subject, text]] of [...expected].sort().entries()) {
      assert.is(got[i]![0], type);
      assert.is(got[i]![1], subject);
      assert.match(got[i]![2], text);
    }
    const again = deriveEvents(facts({ ...input, now: t0 + min }), first.memory);
    assert.equal(again.events, [], 'the same condition a minute later is not news');
  });
}

Level('events carry the manifest file and the groups and policies rules filter on', () => {
  const { events } = deriveEvents(facts({ statuses: [stalled('DeviceGroup', 'paris', 'UpdatesFailed', '2 updates failed')], plan: plan({ groups: [group([])] }) }), emptyMemory);
  assert.is(events.length, 1);
  assert.is(events[0]!.path, 'devicegroups/paris.yaml');
  assert.equal(events[0]!.groups, ['paris']);
  assert.equal(events[0]!.policies, ['general']);
});

Level('the first observation ever records what is true and announces nothing', () => {
  const input = facts({ ledger: [ledger('d1', {})], statuses: [stalled('UpdatePolicy', 'broken', 'InvalidManifest', 'x')] });
  const baseline = deriveEvents(input, emptyMemory, true);
  assert.equal(baseline.events, []);
  assert.is(Object.keys(baseline.memory.seen).length, 2);
  assert.equal(deriveEvents({ ...input, now: t0 + min }, baseline.memory).events, []);
});

Level('a condition that ended is forgotten after an hour: when it comes back later it is news again', () => {
  const input = facts({ statuses: [stalled('UpdatePolicy', 'broken', 'InvalidManifest', 'x')] });
  const seen = deriveEvents(input, emptyMemory).memory;
  const fixed = deriveEvents(facts({ now: t0 + 10 * min }), seen).memory;
  assert.is(Object.keys(fixed.seen).length, 1, 'kept a while after it ended');
  assert.equal(deriveEvents({ ...input, now: t0 + 20 * min }, fixed).events, [], 'back within the hour: a flap, not news');
  const later = deriveEvents(facts({ now: t0 + 20 * min + forgetAfterMs + min }), fixed).memory;
  assert.equal(later.seen, {});
  assert.is(deriveEvents({ ...input, now: t0 + 2 * forgetAfterMs }, later).events.length, 1);
});

Level('200 failures in one reconcile are 200 events with 200 keys (the outbox groups them)', () => {
  const many = Array.from({ length: 200 }, (_, i) => ledger(`d${i}`, {}));
  const { events, memory } = deriveEvents(facts({ ledger: many }), emptyMemory);
  assert.is(events.length, 200);
  assert.is(new Set(events.map((e) => e.key)).size, 200);
  assert.is(Object.keys(memory.seen).length, 200);
});

Level('the outbox passes through untouched', () => {
  const memory: NotificationMemory = { ...emptyMemory, outbox: [{ id: 'x', rule: 'default/r', channel: 'default/c', createdAt: t0, attempts: 2, events: [], omitted: 0 }] };
  assert.equal(deriveEvents(facts({}), memory).memory.outbox, memory.outbox);
});

Level.run();

const Waves = suite('deriveEvents: wave progress');

const step = (memory: NotificationMemory, r: RolloutView, now = t0) => deriveEvents(facts({ now, plan: plan({ groups: [group([r])] }) }), memory);

Waves('moving from wave 1 to wave 2 announces wave 1 finished, once', () => {
  const a = step(emptyMemory, rollout({ wave: 1 }));
  assert.equal(a.events, [], 'the first sight of a rollout is where it starts');
  const b = step(a.memory, rollout({ wave: 2, state: 'Baking', completed: 4, failed: 1 }), t0 + min);
  assert.equal(b.events.map((e) => e.text), ['DeviceGroup paris: wave 1 of 3 of the firmware 1.2.0 rollout finished (1 of 4 finished updates failed)']);
  assert.is(b.events[0]!.subject, 'default/DeviceGroup/paris');
  assert.equal(step(b.memory, rollout({ wave: 2 }), t0 + 2 * min).events, []);
});

Waves('jumping two waves announces both; the rollout completing announces the last', () => {
  const a = step(emptyMemory, rollout({ wave: 1 }));
  const b = step(a.memory, rollout({ wave: 3 }), t0 + min);
  assert.equal(b.events.map((e) => e.text.replace(/ of the .*/, '')), ['DeviceGroup paris: wave 1 of 3', 'DeviceGroup paris: wave 2 of 3']);
  const c = step(b.memory, rollout({ version: undefined, wave: undefined, state: 'Complete' }), t0 + 2 * min);
  assert.match(c.events[0]!.text, 'the last wave of the firmware 1.2.0 rollout finished; the rollout is complete');
  assert.equal(step(c.memory, rollout({ version: undefined, wave: undefined, state: 'Complete' }), t0 + 3 * min).events, [], 'complete stays quiet');
});

Waves('a new version starting over at wave 1 is no wave finished', () => {
  const a = step(emptyMemory, rollout({ wave: 2 }));
  assert.equal(step(a.memory, rollout({ version: '1.3.0', wave: 1 }), t0 + min).events, []);
});

Waves.run();
