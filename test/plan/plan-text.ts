// Comparing two plans as their output: the JSON text with `undefined` kept apart from absent
// (so "same plan" means byte for byte and more), and an equality check that names where two
// texts first differ (uvu's diff of megabytes of text would take minutes).
import * as assert from 'uvu/assert';

/** The plan as output (JSON), with `undefined` kept apart from absent. */
export function planText(v: unknown): string {
  return JSON.stringify(v, (_, x) => (x === undefined ? '\u0000undefined' : x instanceof Map ? [...x] : x));
}

/** Asserts two plan texts equal, naming where they first differ. */
export function assertSamePlan(got: string, expected: string, what: string): void {
  if (got === expected) return;
  let k = 0;
  while (k < got.length && got[k] === expected[k]) k++;
  assert.unreachable(`${what}: the plans differ at character ${k}: …${got.slice(Math.max(0, k - 120), k + 80)}… expected …${expected.slice(Math.max(0, k - 120), k + 80)}…`);
}
