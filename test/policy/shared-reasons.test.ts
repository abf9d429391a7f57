// sharedReason (controller/policy/shared-reasons.ts) hands out one object per equal code and
// message, so a repeated plan compares reasons by identity. What it returns must always be the
// plain { code, message } asked for — same keys, same order, same values — whether it was made
// now, found in the newer generation, or carried over from the older one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReasonCode } from '../../controller/model/plan.ts';
import { sharedReason } from '../../controller/policy/shared-reasons.ts';

const pairs: [ReasonCode, string][] = [
  ['Starting', '1.1 is eligible (first seen 2026-11-01)'],
  ['Deferred', '1.1 is eligible (first seen 2026-11-01)'], // same message, another code: another reason
  ['DeviceOffline', 'the device is offline; 1.1 is installed once it is back online'],
  ['NoWindow', ''],
];

for (const [code, message] of pairs) {
  test(`${code} "${message}": a plain { code, message }, the same object when asked again`, () => {
    const first = sharedReason(code, message);
    assert.equal(Object.keys(first), ['code', 'message']);
    assert.equal(first, { code, message });
    // A message built afresh (another string object of the same text) finds the same reason.
    assert.ok(sharedReason(code, [...message].join('')) === first);
  });
}

test('reasons of another code or message are other objects', () => {
  assert.ok(sharedReason('Starting', 'x') !== sharedReason('Deferred', 'x'));
  assert.ok(sharedReason('Starting', 'x') !== sharedReason('Starting', 'y'));
});

test('past a generation the values stay right, and a reason still in use is still shared', () => {
  const kept = sharedReason('Baking', 'kept across generations');
  for (let k = 0; k < 40_000; k++) {
    const r = sharedReason('WaitingForWave', `filler ${k}`);
    if (k % 5000 === 0) assert.equal(r, { code: 'WaitingForWave', message: `filler ${k}` });
    if (k % 10_000 === 0) assert.ok(sharedReason('Baking', 'kept across generations') === kept);
  }
  assert.equal(sharedReason('Baking', 'kept across generations'), { code: 'Baking', message: 'kept across generations' });
  assert.equal(sharedReason('WaitingForWave', 'filler 3'), { code: 'WaitingForWave', message: 'filler 3' });
});

test.run();
