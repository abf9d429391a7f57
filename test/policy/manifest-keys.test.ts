import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { displayName, kindKey, objectKey, ownerKey } from '../../controller/policy/manifest-keys.ts';
import { manifestKey } from '../../controller/manifest/kinds.ts';
import { statusKey } from '../../controller/status/build-status.ts';

// [case, namespace, kind, name, key]
const cases: [string, string | undefined, string, string, string][] = [
  ['a namespace is kept', 'rooms', 'UpdatePolicy', 'paris', 'rooms/UpdatePolicy/paris'],
  ['no namespace means default', undefined, 'DeviceGroup', 'lobby', 'default/DeviceGroup/lobby'],
  ['the kind is written as given', 'ops', 'ScheduledUpdate', 'tonight', 'ops/ScheduledUpdate/tonight'],
];
for (const [name, namespace, kind, manifest, key] of cases) {
  test(`kindKey: ${name}`, () => {
    assert.is(kindKey(namespace, kind, manifest), key);
  });
  // The ledger's owner, a status's key and a parsed manifest's key are one spelling: an
  // operation started by a manifest must be found again under the key its status is kept by.
  test(`ownerKey, statusKey and manifestKey agree with kindKey: ${name}`, () => {
    const metadata = namespace === undefined ? { name: manifest } : { name: manifest, namespace };
    const k = kind as 'UpdatePolicy' | 'ScheduledUpdate' | 'DeviceGroup';
    assert.is(ownerKey(k, metadata), key);
    assert.is(statusKey(k, metadata), key);
    assert.is(manifestKey(k, { metadata }), key);
  });
}

test('objectKey and displayName: namespace/name, and the name alone in the default namespace', () => {
  assert.is(objectKey({ name: 'paris' }), 'default/paris');
  assert.is(objectKey({ name: 'paris', namespace: 'rooms' }), 'rooms/paris');
  assert.is(displayName('default/paris'), 'paris');
  assert.is(displayName('rooms/paris'), 'rooms/paris');
  assert.is(displayName('rooms/UpdatePolicy/paris'), 'rooms/paris');
});

test.run();
