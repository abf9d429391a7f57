import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDevice } from '../../../controller/fleet/graph/parse-device.ts';
import { parseSoftware } from '../../../controller/fleet/graph/parse-software.ts';
import { mapOperationStatus, parseOperation } from '../../../controller/fleet/graph/parse-operation.ts';
import { normalizeEnum, parseTimestamp, unwrapEntity } from '../../../controller/fleet/graph/wire-values.ts';
import { DeviceTypes, type OperationState } from '../../../controller/model/fleet.ts';
import { devicePage, healthDocument, operations } from './spec-examples.ts';

const devices = suite('parseDevice');

devices('reads the spec example list entries into port devices', () => {
  const first = parseDevice(devicePage.value[0]);
  assert.ok(first.ok);
  if (!first.ok) return;
  assert.equal(first.value, {
    id: '7b1e3c52-9a4d-4f0e-8c21-5d6a0e4b9f11', deviceType: 'teamsRoom', manufacturer: 'lenovo', model: 'ThinkSmart Core', serialNumber: 'SN-MTR-004417',
    uniqueId: 'mtr-lisbon-3a', macAddresses: ['00:1A:2B:3C:4D:5E'], companyAssetTag: 'IT-00417', notes: 'Lisbon office, room 3A', healthStatus: 'nonUrgent',
    currentUserId: 'c0b7f6a2-3d1e-4b8a-9f50-2e6d7c8b9a01', currentUserName: 'Room 3A Lisbon', createdDateTime: '2024-11-04T08:15:30.112Z',
    activityState: 'idle',
  });
  const second = parseDevice(devicePage.value[1]);
  assert.ok(second.ok && second.value.currentUserId === null && second.value.currentUserName === null && second.value.notes === null && second.value.deviceType === 'ipPhone');
  assert.is(second.ok && second.value.activityState, 'busy');
});

const typeCases: [unknown, string][] = [
  ['CollaborationBar', 'collaborationBar'], ['TEAMSROOM', 'teamsRoom'], ['sipAnalog', 'sipAnalog'], ['SipAnalog', 'sipAnalog'],
  ['unknownFutureValue', 'unknown'], ['holographicDesk', 'unknown'], [7, 'unknown'], [undefined, 'unknown'], ['lowCostPhone', 'lowCostPhone'],
];
for (const [raw, expected] of typeCases) {
  devices(`deviceType ${JSON.stringify(raw)} reads as ${expected}`, () => {
    const parsed = parseDevice({ id: 'd1', deviceType: raw });
    assert.ok(parsed.ok);
    if (parsed.ok) assert.is(parsed.value.deviceType, expected);
  });
}

devices('notes a deviceType it does not know, so it can be logged', () => {
  const parsed = parseDevice({ id: 'd1', deviceType: 'holographicDesk' });
  assert.ok(parsed.ok && parsed.notes.length === 1 && parsed.notes[0]?.includes('holographicDesk'));
});

const badIds: [string, unknown][] = [['missing', {}], ['empty', { id: '' }], ['blank', { id: '  ' }], ['numeric', { id: 42 }], ['not an object', 'x'], ['null', null]];
for (const [name, raw] of badIds) {
  devices(`rejects a device whose id is ${name}`, () => {
    assert.is(parseDevice(raw).ok, false);
  });
}

devices('tolerates a device without hardwareDetail and with PascalCase health', () => {
  const parsed = parseDevice({ id: 'd1', deviceType: 'TeamsPanel', healthStatus: 'Healthy', hardwareDetail: null, macAddresses: 'x' });
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.is(parsed.value.healthStatus, 'healthy');
  assert.is(parsed.value.manufacturer, '');
  assert.equal(parsed.value.macAddresses, []);
});

const software = suite('parseSoftware');

software('reads the spec example health document: reported types present, null ones absent', () => {
  const parsed = parseSoftware('7b1e', healthDocument);
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.equal(Object.keys(parsed.value.software).sort(), ['adminAgent', 'firmware', 'operatingSystem', 'partnerAgent', 'teamsClient']);
  assert.equal(parsed.value.software.teamsClient, { softwareType: 'teamsClient', currentVersion: '5.2.115.0', availableVersion: '5.3.88.0', freshness: 'updateAvailable' });
  assert.equal(parsed.value.software.firmware, { softwareType: 'firmware', currentVersion: null, availableVersion: null, freshness: 'unknown' });
  assert.is(parsed.value.software.companyPortal, undefined);
});

software('reads a health document wrapped in value (the docs examples)', () => {
  const parsed = parseSoftware('7b1e', { value: healthDocument });
  assert.ok(parsed.ok && parsed.value.software.operatingSystem?.availableVersion === '10.0.19045.5247');
});

const versionCases: [string, unknown, 'kept' | 'dropped' | 'null'][] = [
  ['a dotted string', '1.2.3', 'kept'], ['a number (would lose zeros)', 5.3, 'dropped'], ['an object', { v: 1 }, 'dropped'], ['empty', '', 'null'], ['null', null, 'null'],
];
for (const [name, version, expected] of versionCases) {
  software(`a currentVersion that is ${name} is ${expected}`, () => {
    const parsed = parseSoftware('d', { softwareUpdateHealth: { firmwareSoftwareUpdateStatus: { softwareFreshness: 'Latest', currentVersion: version, availableVersion: null } } });
    assert.ok(parsed.ok);
    if (!parsed.ok) return;
    const state = parsed.value.software.firmware;
    if (expected === 'dropped') {
      assert.is(state, undefined);
      assert.is(parsed.notes.length, 1);
    } else {
      assert.is(state?.currentVersion, expected === 'kept' ? version : null);
      assert.is(state?.freshness, 'latest');
    }
  });
}

software('a health document that is not an object is a problem, not a crash', () => {
  assert.is(parseSoftware('d', 'oops').ok, false);
  const empty = parseSoftware('d', { id: 'd' });
  assert.ok(empty.ok && Object.keys(empty.value.software).length === 0);
});

const ops = suite('parseOperation');

const exampleStates: [keyof typeof operations, OperationState][] = [
  ['queued', 'queued'], ['scheduled', 'scheduled'], ['inProgress', 'inProgress'], ['successful', 'succeeded'], ['failed', 'failed'], ['cancelled', 'cancelled'],
];
for (const [name, state] of exampleStates) {
  ops(`the spec's ${name} example maps to ${state}`, () => {
    const parsed = parseOperation('dev', operations[name]);
    assert.ok(parsed.ok);
    if (!parsed.ok) return;
    assert.is(parsed.value.state, state);
    assert.is(parsed.value.deviceId, 'dev');
    assert.is(parsed.value.rawStatus, operations[name].status);
  });
}

ops('keeps the error of a failed operation', () => {
  const parsed = parseOperation('dev', operations.failed);
  assert.ok(parsed.ok && parsed.value.error?.code === 'DeviceOffline');
});

ops('drops the {code: null, message: "Unknown"} error of a successful operation (A14)', () => {
  const parsed = parseOperation('dev', { ...operations.successful, error: { code: null, message: 'Unknown' } });
  assert.ok(parsed.ok && parsed.value.error === null);
});

ops('repairs the dashed timestamps of the docs examples (A12)', () => {
  const parsed = parseOperation('dev', { ...operations.inProgress, startedDateTime: '2021-06-19T12-01-03.45Z' });
  assert.ok(parsed.ok && parsed.value.startedDateTime === '2021-06-19T12:01:03.450Z');
});

ops('reads an operation wrapped in value, and normalises the operation type casing', () => {
  const parsed = parseOperation('dev', { value: { ...operations.queued, operationType: 'SoftwareUpdate' } });
  assert.ok(parsed.ok && parsed.value.operationType === 'softwareUpdate' && parsed.value.id === operations.queued.id);
});

ops('rejects an operation without id; an unknown status is unknown and noted', () => {
  assert.is(parseOperation('dev', { status: 'queued' }).ok, false);
  const odd = parseOperation('dev', { id: 'o1', status: 'Pending', operationType: 'softwareUpdate' });
  assert.ok(odd.ok && odd.value.state === 'unknown' && odd.notes.length === 1);
});

const statuses = suite('mapOperationStatus');
const spellings: [unknown, OperationState][] = [
  ['Queued', 'queued'], ['queued', 'queued'], ['QUEUED', 'queued'], ['Scheduled', 'scheduled'], ['InProgress', 'inProgress'], ['inProgress', 'inProgress'],
  ['in_progress', 'inProgress'], ['In Progress', 'inProgress'], ['Successful', 'succeeded'], ['successful', 'succeeded'], ['Succeeded', 'succeeded'],
  ['succeeded', 'succeeded'], ['Cancelled', 'cancelled'], ['Canceled', 'cancelled'], ['canceled', 'cancelled'], ['Failed', 'failed'], ['FAILED', 'failed'],
  ['Pending', 'unknown'], ['Completed', 'unknown'], ['', 'unknown'], [null, 'unknown'], [3, 'unknown'],
];
for (const [raw, expected] of spellings) {
  statuses(`${JSON.stringify(raw)} -> ${expected}`, () => {
    assert.is(mapOperationStatus(raw), expected);
  });
}

const values = suite('wire values');
const timestamps: [unknown, string | null][] = [
  ['2024-11-04T08:15:30.112Z', '2024-11-04T08:15:30.112Z'], ['2025-01-13T10:00:00Z', '2025-01-13T10:00:00.000Z'], ['2021-06-19T12-01-03.45Z', '2021-06-19T12:01:03.450Z'],
  ['2021-06-19T12-01-03Z', '2021-06-19T12:01:03.000Z'], ['2025-05-21T16:10:03', '2025-05-21T16:10:03.000Z'], ['2025-05-21T18:10:03+02:00', '2025-05-21T16:10:03.000Z'],
  ['yesterday', null], ['', null], [null, null], [1700000000000, null], ['2025-13-45T99:99:99Z', null],
];
for (const [raw, expected] of timestamps) {
  values(`timestamp ${JSON.stringify(raw)} -> ${String(expected)}`, () => {
    assert.is(parseTimestamp(raw), expected);
  });
}
values('normalizeEnum falls back for the sentinel and unknown members', () => {
  assert.is(normalizeEnum('unknownFutureValue', DeviceTypes, 'unknown'), 'unknown');
  assert.is(normalizeEnum('Sip', DeviceTypes, 'unknown'), 'sip');
});
values('unwrapEntity unwraps only when the wrapper is not itself the entity', () => {
  assert.equal(unwrapEntity({ value: { id: 'x' } }), { id: 'x' });
  assert.equal(unwrapEntity({ id: 'y', value: { id: 'x' } }), { id: 'y', value: { id: 'x' } });
  assert.is(unwrapEntity([1]), undefined);
});

devices.run();
software.run();
ops.run();
statuses.run();
values.run();
