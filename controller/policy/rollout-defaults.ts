// The rollout a policy gets when it says nothing about waves. Microsoft documents automatic
// updates as reaching the devices of a phase "gradually over a few weeks" (and only outside
// business hours, which the default maintenance windows do): 1%, 10%, 50%, then the rest, with
// a week of bake between waves, spreads a group over about three weeks. A policy that lists
// waves keeps what it wrote, and its bake time still defaults to 24 hours, as before.
import type { UpdatePolicy, Wave } from '../model/manifests.generated.ts';
import { parseDuration } from './duration.ts';

/** Waves of a policy that gives none. */
export const defaultWaves: readonly Wave[] = Object.freeze([
  Object.freeze({ name: 'first 1%', percent: 1 }),
  Object.freeze({ name: 'next 10%', percent: 10 }),
  Object.freeze({ name: 'next 50%', percent: 50 }),
]);

/** Bake time between the default waves. */
export const defaultWavesBakeMs = 7 * 24 * 3_600_000;
/** Bake time between waves a policy lists, when it gives no bakeTime. */
export const defaultBakeMs = 24 * 3_600_000;

/** The waves a policy's groups are cut into: its own (an empty list: one wave, as before), else the default waves. */
export function effectiveWaves(policy: UpdatePolicy): readonly Wave[] {
  return policy.spec.rollout?.waves ?? defaultWaves;
}

/** The bake time between a policy's waves: its bakeTime, else 24h after listed waves and 7d between the default waves. */
export function effectiveBakeMs(policy: UpdatePolicy): number {
  const rollout = policy.spec.rollout;
  const fallback = rollout?.waves !== undefined ? defaultBakeMs : defaultWavesBakeMs;
  return rollout?.bakeTime === undefined ? fallback : (parseDuration(rollout.bakeTime) ?? fallback);
}
