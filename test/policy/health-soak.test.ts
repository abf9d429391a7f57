import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Device, DeviceHealth, DeviceSoftware, HealthAspect } from '../../controller/model/fleet.ts';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { OperationRecord } from '../../controller/model/plan.ts';
import { describeRegression, fineAspects, regressionsOf, settleMs, soakRuleFor, watchSoaks } from '../../controller/policy/health-soak.ts';
import { judgeFailures } from '../../controller/policy/rollout-health.ts';
import type { RegressionRecord } from '../../controller/model/state.ts';
import { device, hour, op, policy } from '../plan/fixtures.ts';

const allFine: DeviceHealth = { online: 'ok', teamsSignIn: 'ok', exchangeSignIn: 'ok', roomCamera: 'ok', microphone: 'ok', speaker: 'ok', display: 'ok' };
const before = fineAspects(allFine)!;

const Compare = suite('regressionsOf: health after an update against before');
const compareCases: [string, readonly HealthAspect[], DeviceHealth | undefined, string[]][] = [
  ['nothing changed: no regression', before, allFine, []],
  ['the camera disconnected', before, { ...allFine, roomCamera: 'down' }, ['camera unhealthy']],
  ['the camera is gone from the document: missing', before, { online: 'ok', teamsSignIn: 'ok', exchangeSignIn: 'ok', microphone: 'ok', speaker: 'ok', display: 'ok' }, ['camera missing']],
  ['offline: only that, though everything else reads disconnected too', before, { ...allFine, online: 'down', teamsSignIn: 'down', roomCamera: 'down' }, ['went offline']],
  ['signed out of Teams, camera down', before, { ...allFine, teamsSignIn: 'down', roomCamera: 'down' }, ['camera unhealthy', 'Teams sign-in lost']],
  ['Exchange sign-in lost', before, { ...allFine, exchangeSignIn: 'down' }, ['Exchange sign-in lost']],
  ['a sign-in the document no longer reports is unknown, not lost', before, { online: 'ok', roomCamera: 'ok', microphone: 'ok', speaker: 'ok', display: 'ok' }, []],
  ['unknown now is not a regression (the service cannot tell)', before, { ...allFine, roomCamera: 'unknown' }, []],
  ['down before and down after: not a regression', ['online'], { online: 'ok', roomCamera: 'down' }, []],
  ['no health read at all: nothing to compare', before, undefined, []],
];
for (const [name, was, now, expected] of compareCases) {
  Compare(name, () => assert.equal(regressionsOf(was, now), expected));
}

const Rules = suite('soakRuleFor: a wave soaks by its own rule, else the rollout one');
const soakSpec: UpdatePolicySpec = { rollout: { soak: { duration: '24h' }, waves: [{ name: 'canary', count: 2, soak: { duration: '48h', maxRegressions: 0 } }, { percent: 50 }] } };
const ruleCases: [string, UpdatePolicySpec, number | undefined, { durationMs: number; maxRegressions: number | undefined } | undefined][] = [
  ['the canary wave has its own soak', soakSpec, 1, { durationMs: 48 * hour, maxRegressions: 0 }],
  ['a listed wave without one takes the rollout soak', soakSpec, 2, { durationMs: 24 * hour, maxRegressions: undefined }],
  ['the rest takes the rollout soak', soakSpec, 3, { durationMs: 24 * hour, maxRegressions: undefined }],
  ['no soak anywhere: none', { rollout: { bakeTime: '24h' } }, 1, undefined],
  ['only the canary soaks: the others do not', { rollout: { waves: [{ count: 1, soak: { duration: '6h' } }] } }, 2, undefined],
];
for (const [name, spec, wave, expected] of ruleCases) {
  Rules(name, () => assert.equal(soakRuleFor(policy('p', spec), wave), expected));
}

// One room device updated to firmware 1.2.3; the update ended at `ended`.
const ended = Date.parse('2027-03-01T02:00:00Z');
const room: Device = device('d1', { deviceType: 'teamsRoom', currentUserName: 'Room 4.12 Paris' });
const update = (extra: Partial<OperationRecord> = {}): OperationRecord => ({ ...op('d1', 'firmware', '1.2.3', { startedAt: ended - hour, endedAt: ended }), healthBefore: before, wave: 1, ...extra });
const withHealth = (health: DeviceHealth): Map<string, DeviceSoftware> => new Map([['d1', { deviceId: 'd1', software: {}, health }]]);
const soak24 = { durationMs: 24 * hour, maxRegressions: undefined };

const Watch = suite('watchSoaks: regressions during the soak');
const watchCases: [string, { records: OperationRecord[]; health: DeviceHealth; readAt: number; memory?: RegressionRecord[] }, string[] | undefined][] = [
  ['a camera down 3 hours after the update is a regression', { records: [update()], health: { ...allFine, roomCamera: 'down' }, readAt: ended + 3 * hour }, ['camera unhealthy']],
  ['healthy after the update: none', { records: [update()], health: allFine, readAt: ended + 3 * hour }, undefined],
  ['offline minutes after the update is the restart, not a regression', { records: [update()], health: { ...allFine, online: 'down' }, readAt: ended + settleMs - 60_000 }, undefined],
  ['after the soak is over, health no longer counts', { records: [update()], health: { ...allFine, roomCamera: 'down' }, readAt: ended + 25 * hour }, undefined],
  ['an update without the health before it cannot be judged', { records: [update({ healthBefore: undefined })], health: { ...allFine, roomCamera: 'down' }, readAt: ended + 3 * hour }, undefined],
  ['a failed update is a failure already, not a regression', { records: [update({ outcome: 'failed' })], health: { ...allFine, roomCamera: 'down' }, readAt: ended + 3 * hour }, undefined],
  [
    'a later update on the device takes the blame, not this one',
    { records: [update(), { ...op('d1', 'teamsClient', '5.3', { startedAt: ended + hour, endedAt: ended + 2 * hour }), healthBefore: before }], health: { ...allFine, roomCamera: 'down' }, readAt: ended + 3 * hour },
    undefined,
  ],
  [
    'a regression seen before is kept though the device recovered',
    { records: [update()], health: allFine, readAt: ended + 5 * hour, memory: [{ deviceId: 'd1', softwareType: 'firmware', version: '1.2.3', requestedAt: ended - hour, at: ended + hour, what: ['microphone unhealthy'], device: 'Room 4.12 Paris' }] },
    ['microphone unhealthy'],
  ],
];
for (const [name, c, expected] of watchCases) {
  Watch(name, () => {
    const watch = watchSoaks({
      records: c.records, soakOf: () => soak24, software: withHealth(c.health), readAt: new Map([['d1', c.readAt]]),
      device: (id) => (id === 'd1' ? room : undefined), memory: c.memory ?? [], now: c.readAt,
    });
    assert.equal(watch.regressed(c.records[0]!)?.what, expected);
  });
}
Watch('a regression names the room and what regressed after which version', () => {
  const watch = watchSoaks({ records: [update()], soakOf: () => soak24, software: withHealth({ ...allFine, roomCamera: 'down' }), readAt: undefined, device: () => room, memory: [], now: ended + 2 * hour });
  assert.is(describeRegression(watch.regressions[0]!), 'Room 4.12 Paris: camera unhealthy after firmware 1.2.3');
});
Watch('a phone is named by its hardware id, never by the person signed in', () => {
  const phone = device('d1', { deviceType: 'ipPhone', currentUserName: 'Ada Lovelace' });
  const watch = watchSoaks({ records: [update()], soakOf: () => soak24, software: withHealth({ ...allFine, roomCamera: 'down' }), readAt: undefined, device: () => phone, memory: [], now: ended + 2 * hour });
  assert.is(watch.regressions[0]!.device, 'UQ-d1');
});
Watch('a remembered regression of an update the ledger forgot is dropped', () => {
  const memory: RegressionRecord[] = [{ deviceId: 'gone', softwareType: 'firmware', version: '1.2.3', requestedAt: 1, at: 2, what: ['camera missing'], device: 'x' }];
  const watch = watchSoaks({ records: [update()], soakOf: () => soak24, software: withHealth(allFine), readAt: undefined, device: () => room, memory, now: ended + 2 * hour });
  assert.equal(watch.regressions, []);
});

const Judge = suite('judgeFailures with regressions');
const owner = 'default/UpdatePolicy/p';
const finished = (n: number, wave: number) =>
  Array.from({ length: n }, (_, i) => ({ ...op(`w${wave}-${i}`, 'firmware', '1.2.3', { owner, startedAt: ended - hour + i, endedAt: ended + i }), wave }));
const regressionOf = (r: OperationRecord): RegressionRecord => ({ deviceId: r.deviceId, softwareType: 'firmware', version: '1.2.3', requestedAt: r.startedAt, at: ended + 3 * hour, what: ['camera unhealthy'], device: `Room ${r.deviceId}` });
const judgeCases: [string, UpdatePolicySpec, OperationRecord[], (r: OperationRecord) => boolean, RegExp | undefined][] = [
  ['canary zero tolerance: one regression in the canary stops the rollout, naming the room', soakSpec, finished(2, 1), (r) => r.deviceId === 'w1-0', /^1 device of wave 1 \(canary\) regressed during the health soak, more than its maxRegressions of 0: Room w1-0: camera unhealthy after firmware 1\.2\.3; set spec\.resume/],
  ['no regression: the canary goes on', soakSpec, finished(2, 1), () => false, undefined],
  ['one regression in a wave without maxRegressions, under the threshold: goes on', { ...soakSpec, rollout: { ...soakSpec.rollout, failureThreshold: { percent: 20 } } }, finished(10, 2), (r) => r.deviceId === 'w2-0', undefined],
  ['regressions count as failures toward the threshold and are named', { ...soakSpec, rollout: { ...soakSpec.rollout, failureThreshold: { percent: 20 } } }, finished(10, 2), (r) => ['w2-0', 'w2-1', 'w2-2'].includes(r.deviceId), /^3 of 10 finished updates failed or regressed \(30%\), more than the threshold of 20%; regressed: Room w2-0: camera unhealthy after firmware 1\.2\.3; Room w2-1/],
];
for (const [name, spec, records, isRegressed, expected] of judgeCases) {
  Judge(name, () => {
    const j = judgeFailures(policy('p', spec), 'firmware', records, undefined, ended + 4 * hour, (r) => (isRegressed(r) ? regressionOf(r) : undefined));
    if (expected === undefined) assert.is(j.stopped, undefined);
    else assert.match(j.stopped?.reason ?? '', expected);
  });
}
Judge('spec.resume after the regression forgives it', () => {
  const spec: UpdatePolicySpec = { ...soakSpec, resume: { after: new Date(ended + 10 * hour).toISOString(), by: 'ada' } };
  const j = judgeFailures(policy('p', spec), 'firmware', finished(2, 1), undefined, ended + 11 * hour, regressionOf);
  assert.is(j.stopped, undefined);
});

Compare.run();
Rules.run();
Watch.run();
Judge.run();
