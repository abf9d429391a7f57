import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { activityFreshMs, decideInUse, skipsDevicesInUse } from '../../controller/policy/in-use.ts';
import type { ActivityReading } from '../../controller/model/rooms.ts';
import { policy } from '../plan/fixtures.ts';

const now = Date.parse('2027-03-01T10:00:00Z');
const minute = 60_000;

// [what, reading, expected kind, expected retryAt]
const cases: [string, ActivityReading | undefined, 'free' | 'unknown' | 'inUse', number | undefined][] = [
  ['a device read busy a minute ago is in use and is read again five minutes after that read', { state: 'busy', at: now - minute }, 'inUse', now + 4 * minute],
  ['a device read idle just now is free', { state: 'idle', at: now }, 'free', undefined],
  ['a device that does not report its activity (unknown) is not held: only busy holds', { state: 'unknown', at: now }, 'free', undefined],
  ['an unavailable (offline) device is not in use', { state: 'unavailable', at: now }, 'free', undefined],
  ['no reading yet: read the device before starting', undefined, 'unknown', undefined],
  ['a busy reading five minutes old no longer counts: read again', { state: 'busy', at: now - activityFreshMs }, 'unknown', undefined],
  ['an idle reading five minutes old no longer counts either (the device list may be minutes old)', { state: 'idle', at: now - activityFreshMs }, 'unknown', undefined],
  ['a reading from the future (clock stepped back) has no known age: read again', { state: 'idle', at: now + minute }, 'unknown', undefined],
];
for (const [what, reading, kind, retryAt] of cases) {
  test(what, () => {
    const d = decideInUse(reading, now);
    assert.is(d.kind, kind);
    assert.is(d.kind === 'inUse' ? d.retryAt : undefined, retryAt);
  });
}

const switches: [string, Parameters<typeof skipsDevicesInUse>[0], boolean][] = [
  ['devices under no policy are left alone while in use', undefined, true],
  ['a policy that says nothing leaves devices in use alone (on by default)', policy('p', {}), true],
  ['skipDevicesInUse: true', policy('p', { rollout: { skipDevicesInUse: true } }), true],
  ['skipDevicesInUse: false turns the check off', policy('p', { rollout: { skipDevicesInUse: false } }), false],
];
for (const [what, p, expected] of switches) test(what, () => assert.is(skipsDevicesInUse(p), expected));

test.run();
