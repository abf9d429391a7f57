// The status fields written for people: device labels, the window in local time, the rollouts
// in one line, at most five named devices, and what a summary keeps.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DevicePlan, PlanEntry, RolloutView } from '../../controller/model/plan.ts';
import { Document } from 'yaml';
import { currentWaveText, deviceLabel, fitSummary, maxSummaryLines, needsAttention, statusLineCount, summaryOnly, windowText } from '../../controller/status/people-fields.ts';

const at = (iso: string) => Date.parse(iso);
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const labelCases: [string, Parameters<typeof deviceLabel>[1], string][] = [
  ['the display name, the asset tag, then the id', { id: id(1), uniqueId: 'mtr-paris-1', serialNumber: 'SN1', companyAssetTag: 'IT-00042', currentUserName: 'Room 4.12 Paris' }, `Room 4.12 Paris, asset IT-00042, id ${id(1)}`],
  ['a room device is named by its resource account', { id: id(1), uniqueId: 'mtr-1', serialNumber: 'SN1', companyAssetTag: null, currentUserName: 'Room 4.12 Paris', deviceType: 'teamsRoom' }, `Room 4.12 Paris, id ${id(1)}`],
  ['a phone is never named by the person signed in (their name would go into Git history)', { id: id(1), uniqueId: 'phone-77', serialNumber: 'SN1', companyAssetTag: 'IT-7', currentUserName: 'Adele Vance', deviceType: 'ipPhone' }, `phone-77, asset IT-7, id ${id(1)}`],
  ['a personal display neither', { id: id(1), uniqueId: '', serialNumber: 'SN9', companyAssetTag: null, currentUserName: 'Adele Vance', deviceType: 'teamsDisplay' }, `SN9, id ${id(1)}`],
  ['without a user, the hardware id', { id: id(1), uniqueId: 'sip-nyc-000020', serialNumber: 'SN1', companyAssetTag: null, currentUserName: null }, `sip-nyc-000020, id ${id(1)}`],
  ['without either, the serial number', { id: id(1), uniqueId: '', serialNumber: 'PO12AB', companyAssetTag: 'IT-1' }, `PO12AB, asset IT-1, id ${id(1)}`],
  ['a device the fleet view does not know: its id', undefined, `id ${id(1)}`],
  ['line breaks and control characters in a name become spaces', { id: id(1), uniqueId: '', serialNumber: '', companyAssetTag: 'A\nB', currentUserName: 'Room\n- injected: 1\u0007' }, `Room - injected: 1, asset A B, id ${id(1)}`],
];
for (const [name, device, expected] of labelCases) {
  test(`deviceLabel: ${name}`, () => assert.is(deviceLabel(id(1), device), expected));
}

const windowCases: [string, Parameters<typeof windowText>[0], string, string | undefined][] = [
  ['a night window crossing midnight, in New York time',
    { name: 'weeknights', start: at('2027-02-23T03:00:00Z'), end: at('2027-02-23T10:00:00Z'), timeZone: 'America/New_York' }, 'UTC',
    'Mon 2027-02-22 22:00 to Tue 2027-02-23 05:00 America/New_York (weeknights)'],
  ['a day window: the end without its date',
    { name: 'office', start: at('2027-03-01T08:00:00Z'), end: at('2027-03-01T16:00:00Z'), timeZone: 'Europe/Paris' }, 'UTC',
    'Mon 2027-03-01 09:00 to 17:00 Europe/Paris (office)'],
  ['across the spring change in Paris: the local end is one hour later than the same offset would say',
    { name: 'weekend', start: at('2027-03-27T19:00:00Z'), end: at('2027-03-28T04:00:00Z'), timeZone: 'Europe/Paris' }, 'UTC',
    'Sat 2027-03-27 20:00 to Sun 2027-03-28 06:00 Europe/Paris (weekend)'],
  ['without a zone on the window, the one given', { name: 'w', start: at('2027-01-01T00:00:00Z'), end: at('2027-01-01T01:00:00Z') }, 'UTC', 'Fri 2027-01-01 00:00 to 01:00 UTC (w)'],
  ['no window', undefined, 'UTC', undefined],
];
for (const [name, window, zone, expected] of windowCases) {
  test(`windowText: ${name}`, () => assert.is(windowText(window, zone), expected));
}

const rollout = (r: Partial<RolloutView>): RolloutView => ({
  softwareType: 'firmware', version: '1.2.3', state: 'Progressing', wave: 1, waves: 3, waveStartedTime: undefined, bakeUntil: undefined,
  stoppedTime: undefined, stoppedReason: undefined, completed: 0, failed: 0, ...r,
});
const waveCases: [string, RolloutView[], string | undefined][] = [
  ['no rollout', [], undefined],
  ['updating', [rollout({ wave: 2 })], 'firmware 1.2.3: wave 2 of 3, updating'],
  ['baking until a local time', [rollout({ state: 'Baking', bakeUntil: at('2027-02-24T21:00:00Z') })], 'firmware 1.2.3: wave 1 of 3 done, baking until Wed 2027-02-24 22:00 Europe/Paris'],
  ['stopped, with the failures', [rollout({ state: 'Stopped', stoppedTime: at('2027-02-22T12:51:40Z'), completed: 13, failed: 2 })], 'firmware 1.2.3: stopped in wave 1 of 3 on Mon 2027-02-22 13:51 Europe/Paris by the failure threshold (2 of 13 finished failed)'],
  ['two software types in the API order, waiting and complete', [rollout({ state: 'Complete' }), rollout({ softwareType: 'teamsClient', version: '5.4', state: 'Waiting', wave: undefined })],
    "teamsClient 5.4: 3 waves, none started, waiting for a maintenance window or the phase's delay; firmware 1.2.3: complete"],
  ['waiting for rooms in use', [rollout({ state: 'Waiting', waitingFor: 'InUse' })], 'firmware 1.2.3: wave 1 of 3, waiting for devices in use (a meeting or a call) to be free'],
  ['waiting out a freeze', [rollout({ state: 'Waiting', waitingFor: 'Frozen' })], 'firmware 1.2.3: wave 1 of 3, waiting for a freeze to end'],
  ['waiting for booked rooms', [rollout({ state: 'Waiting', waitingFor: 'RoomBooked' })], 'firmware 1.2.3: wave 1 of 3, waiting for booked meetings in its rooms to end'],
];
for (const [name, rollouts, expected] of waveCases) {
  test(`currentWaveText: ${name}`, () => assert.is(currentWaveText(rollouts, 'Europe/Paris'), expected));
}

const entry = (e: Partial<PlanEntry>): PlanEntry => ({
  softwareType: 'firmware', scheduledUpdate: undefined, state: 'upToDate', currentVersion: '1.0', desiredVersion: undefined, earliestStart: undefined,
  rule: { code: 'FirmwarePhase', text: 'firmware: General phase' }, reason: { code: 'UpToDate', message: '' }, clamp: undefined, failure: undefined, refused: undefined, ...e,
});
const devicePlan = (n: number, entries: PlanEntry[]): DevicePlan => ({ deviceId: id(n), group: 'default/g', policy: 'default/p', wave: 1, entries });
const failed = (time: number) => entry({ state: 'failed', desiredVersion: '2.0', failure: { code: 'DownloadFailed', message: 'x', time } });
const unknownFirmware = entry({ state: 'blocked', reason: { code: 'UnknownFirmware', message: '' } });
const downgrade = entry({ state: 'blocked', desiredVersion: '0.9', reason: { code: 'Downgrade', message: '' } });

test('needsAttention: failures first (latest first), then refusals a person must resolve, then devices left alone; five, then how many more', () => {
  const devices = [
    devicePlan(1, [unknownFirmware]),
    devicePlan(2, [failed(at('2027-01-02T00:00:00Z'))]),
    devicePlan(3, [downgrade]),
    devicePlan(4, [failed(at('2027-01-05T00:00:00Z')), entry({ softwareType: 'teamsClient', state: 'failed', desiredVersion: '9', failure: { code: undefined, message: undefined, time: 1 } })]),
    devicePlan(5, [entry({})]),
    devicePlan(6, [unknownFirmware]),
    devicePlan(7, [unknownFirmware]),
    devicePlan(8, [entry({ refused: [{ scheduledUpdate: 'default/su', version: '0.5', reason: { code: 'Downgrade', message: '' } }] })]),
  ];
  const lines = needsAttention(devices, (d) => `dev-${d.slice(-1)}`)!;
  assert.equal(lines, [
    'dev-4: firmware 2.0 failed (DownloadFailed), teamsClient 9 failed',
    'dev-2: firmware 2.0 failed (DownloadFailed)',
    'dev-3: firmware 0.9 refused (Downgrade)',
    'dev-8: firmware 0.5 refused (Downgrade)',
    'dev-1: firmware refused (UnknownFirmware)',
    'and 2 more devices',
  ]);
});

test('needsAttention: nothing failed or refused, no field; exactly five, no tail', () => {
  assert.is(needsAttention([devicePlan(1, [entry({})])], (d) => d), undefined);
  const five = [1, 2, 3, 4, 5].map((n) => devicePlan(n, [unknownFirmware]));
  assert.is(needsAttention(five, (d) => d)!.length, 5);
  assert.is(needsAttention([...five, devicePlan(6, [unknownFirmware])], (d) => d)!.at(-1), 'and 1 more device');
});

test('summaryOnly keeps what stays short and drops the per-device lists and the calendar', () => {
  const full = {
    conditions: [], devices: 3, phase: 'General', updates: { upToDate: 3 }, currentWave: 'w', nextWindowLocal: 'n', nextActionTime: 't', needsAttention: ['a'],
    observedGeneration: 2, observedSpecDigest: 'sha256:0123456789abcdef', suspended: false, scheduledTime: 's', completionTime: 'c',
    failing: [{}], refusals: [{}], clamps: [{}], conflicts: [{}], rollouts: [{}], releases: [{}], groups: ['g'], nextWindow: {}, counts: {},
  };
  assert.equal(Object.keys(summaryOnly(full)).sort(), [
    'completionTime', 'conditions', 'currentWave', 'devices', 'needsAttention', 'nextActionTime', 'nextWindowLocal', 'observedGeneration', 'observedSpecDigest',
    'phase', 'scheduledTime', 'suspended', 'updates',
  ]);
});

/** Lines of `status` as the status writer renders it (block YAML, no folding). */
function renderedLines(status: object): number {
  return new Document({ status }, { version: '1.2' }).toString({ lineWidth: 0, indent: 2 }).replace(/\n$/, '').split('\n').length;
}

const condition = (type: string, message: string) => ({ type, status: 'False', reason: 'UpdatesFailed', message, lastTransitionTime: '2027-01-01T00:00:00Z' });
const shapes: [string, object][] = [
  ['a group summary', { conditions: [condition('Ready', 'm'), condition('Reconciling', 'm'), condition('Stalled', 'm')], devices: 3, phase: 'General', updates: { upToDate: 1, pending: 0, failed: 2 }, currentWave: 'w', needsAttention: ['a: x', 'and 3 more devices'], observedSpecDigest: 'sha256:0123456789abcdef' }],
  ['empty lists and maps, nested lists of maps', { refused: {}, needsAttention: [], rollouts: [{ softwareType: 'firmware', waves: 2 }, {}], x: [[1, 2]] }],
  ['a message with line breaks (an invalid manifest\'s file name)', { conditions: [condition('Ready', 'bad\nfile\nname'), condition('Stalled', 'trailing\n')], devices: 1 }],
];
for (const [name, status] of shapes) {
  test(`statusLineCount: ${name} — as many lines as the writer renders, or more`, () => {
    const counted = statusLineCount(status);
    assert.ok(counted >= renderedLines(status), `${counted} < ${renderedLines(status)}`);
    assert.ok(counted <= renderedLines(status) + 1, `${counted} overstates ${renderedLines(status)}`);
  });
}

test('fitSummary: a status over 40 lines names fewer devices and counts the others; one that fits is left alone', () => {
  const named = (limit: number) => [...Array.from({ length: limit }, (_, i) => `device ${i}: firmware failed`), `and ${12 - limit} more devices`];
  const base = { conditions: [condition('Ready', 'm'), condition('Reconciling', 'm'), condition('Stalled', 'm')], devices: 3, updates: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 } };
  const long = { ...base, refused: { unknownFirmware: 1, notComparable: 2, downgrade: 3, unknownVersion: 4 }, w: 1, x: 1, y: 1, z: 1, v: 1, u: 1, needsAttention: named(5) };
  assert.ok(statusLineCount(long) > maxSummaryLines);
  const fitted = fitSummary(long, named);
  assert.ok(statusLineCount(fitted) <= maxSummaryLines, `${statusLineCount(fitted)} lines`);
  assert.equal(fitted.needsAttention.at(-1), `and ${12 - (fitted.needsAttention.length - 1)} more devices`);
  assert.ok(fitted.needsAttention.length >= 2, 'still names some devices');
  const short = { ...base, needsAttention: named(5) };
  assert.is(fitSummary(short, named), short);
});

test.run();
