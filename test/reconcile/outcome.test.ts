import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultRequeuePolicy, nextDelay } from '../../controller/reconcile/outcome.ts';
import type { ReconcileOutcome } from '../../controller/model/reconcile.ts';

const now = 1_800_000_000_000;
const cases: { name: string; outcome: ReconcileOutcome; failures: number; random: number; expected: number }[] = [
  { name: 'success comes back after the interval', outcome: { kind: 'success' }, failures: 0, random: 0, expected: 60_000 },
  { name: 'success adds up to 10 % jitter', outcome: { kind: 'success' }, failures: 0, random: 0.5, expected: 63_000 },
  { name: 'waiting comes back when the named time arrives', outcome: { kind: 'waiting', until: now + 5_000 }, failures: 0, random: 0.9, expected: 5_000 },
  { name: 'waiting far ahead still checks in after the interval', outcome: { kind: 'waiting', until: now + 86_400_000 }, failures: 0, random: 0, expected: 60_000 },
  { name: 'a time already past means after a second, never a busy loop', outcome: { kind: 'waiting', until: now - 1 }, failures: 0, random: 0, expected: 1_000 },
  { name: 'a terminal problem is looked at again after the interval', outcome: { kind: 'terminal', reason: 'InvalidManifest', message: 'x' }, failures: 3, random: 0, expected: 60_000 },
  { name: 'the first error backs off about a second', outcome: { kind: 'error', message: 'x' }, failures: 1, random: 1, expected: 1_000 },
  { name: 'the fourth error backs off 8 s at most', outcome: { kind: 'error', message: 'x' }, failures: 4, random: 1, expected: 8_000 },
  { name: 'back-off never passes five minutes', outcome: { kind: 'error', message: 'x' }, failures: 30, random: 1, expected: 300_000 },
  { name: 'back-off jitter halves at most', outcome: { kind: 'error', message: 'x' }, failures: 2, random: 0, expected: 1_000 },
];

for (const c of cases) {
  test(c.name, () => {
    assert.is(nextDelay(c.outcome, c.failures, now, c.random, defaultRequeuePolicy), c.expected);
  });
}

test.run();
