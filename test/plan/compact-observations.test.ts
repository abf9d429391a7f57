// A later reading of a compact fleet (withSoftware) keeps the previous reading's release
// observations when no replaced device changed what it offers (issue 17: observing 100,000
// devices again cost ~60 ms of every repeated plan), and observes afresh when one did. Table:
// each case is a reading; the observations must equal those of the same fleet built from
// scratch (observationsOf over the documents), and be the previous array exactly when expected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceSoftware, SoftwareState, SoftwareType } from '../../controller/model/fleet.ts';
import { observationsOf } from '../../controller/policy/release-calendar.ts';
import { compactFleet } from '../../controller/plan/compact-fleet.ts';
import { device } from './fixtures.ts';

const st = (softwareType: SoftwareType, currentVersion: string | null, availableVersion: string | null): SoftwareState => ({
  softwareType,
  currentVersion,
  availableVersion,
  freshness: availableVersion && availableVersion !== currentVersion ? 'updateAvailable' : 'latest',
});
const doc = (deviceId: string, states: SoftwareState[], health?: DeviceSoftware['health']): DeviceSoftware => ({
  deviceId,
  software: Object.fromEntries(states.map((s) => [s.softwareType, s])) as DeviceSoftware['software'],
  ...(health ? { health } : {}),
});

const devices = [device('a', { model: 'Bar' }), device('b', { model: 'Bar' }), device('c', { model: 'Hub' }), device('d', { model: 'Hub' })];
const first = [
  doc('a', [st('firmware', '1.0', '1.1'), st('teamsClient', '5', '6')]),
  doc('b', [st('firmware', '1.1', null)]),
  doc('c', [st('firmware', '2.0', '2.2')]),
  // d was never read
];

// [what, documents read, observations kept]
const cases: [string, DeviceSoftware[], boolean][] = [
  ['an update finished (installed = offered, same offer)', [doc('a', [st('firmware', '1.1', '1.1'), st('teamsClient', '5', '6')])], true],
  ['the same document again', [first[2]!], true],
  ['an unknown device id', [doc('zz', [st('firmware', '9', '9.9')])], true],
  ['nothing read', [], true],
  ['a new version offered', [doc('b', [st('firmware', '1.1', '1.2')])], false],
  ['an offer withdrawn', [doc('c', [st('firmware', '2.0', null)])], false],
  ['a software type no longer reported', [doc('a', [st('firmware', '1.0', '1.1')])], false],
  ['a software type newly reported', [doc('b', [st('firmware', '1.1', null), st('companyPortal', '3', '4')])], false],
  ['a device read for the first time', [doc('d', [st('firmware', '2.0', '2.2')])], false],
  ['one kept, one changed, in that order', [first[2]!, doc('b', [st('firmware', '1.1', '1.3')])], false],
  ['one changed, then one kept', [doc('b', [st('firmware', '1.1', '1.3')]), first[2]!], false],
];

for (const [what, read, kept] of cases) {
  test(`${what}: observations ${kept ? 'kept' : 'observed again'}`, () => {
    const fleet = compactFleet(devices, new Map(first.map((d) => [d.deviceId, d])));
    const before = fleet.observations;
    const next = fleet.withSoftware(read);
    const documents = new Map(first.map((d) => [d.deviceId, d]));
    for (const d of read) if (devices.some((x) => x.id === d.deviceId)) documents.set(d.deviceId, d);
    assert.equal(next.observations, observationsOf(devices, documents));
    assert.is(next.observations === before, kept);
  });
}

test('observations not yet made are not carried: the later reading observes for itself', () => {
  const fleet = compactFleet(devices, new Map(first.map((d) => [d.deviceId, d])));
  const next = fleet.withSoftware([doc('b', [st('firmware', '1.1', '1.5')])]);
  assert.equal(next.observations, observationsOf(devices, new Map([...first, doc('b', [st('firmware', '1.1', '1.5')])].map((d) => [d.deviceId, d]))));
});

test.run();
