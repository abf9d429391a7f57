// A plan input another thread can receive. The compact fleet's software is a view over typed
// arrays (a class with methods), which structured cloning turns into an empty object: a worker
// thread given it could not read a single device's software. This copies it into a plain Map
// of documents; a plain input goes through unchanged.
import type { PlanInput } from './build-plan.ts';
import { compactOf } from './compact-fleet.ts';

/** `input` with its software as a plain Map when it is a compact fleet's view, so postMessage can clone it. */
export function portablePlanInput(input: PlanInput): PlanInput {
  if (compactOf(input.devices, input.software) === undefined && input.software instanceof Map) return input;
  return { ...input, devices: [...input.devices], software: new Map(input.software) };
}
