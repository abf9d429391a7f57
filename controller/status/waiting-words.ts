// What a waiting rollout waits for, in words, from the reason most of its devices wait for
// (RolloutView.waitingFor): "a maintenance window", "devices in use to be free", … Shared by
// the status's currentWave line and the live view, so both say the same thing.
import type { ReasonCode } from '../model/plan.ts';

const words: Partial<Record<ReasonCode, string>> = {
  OutsideWindow: 'a maintenance window',
  NoWindow: 'a maintenance window (none opens outside freezes and holidays)',
  Deferred: "the phase's delay",
  Frozen: 'a freeze to end',
  WaitingForWave: 'an earlier wave to finish',
  Baking: "an earlier wave's bake time",
  Soaking: "an earlier wave's health soak",
  WaitingForEvidence: 'evidence from another group',
  InUse: 'devices in use (a meeting or a call) to be free',
  RoomBooked: 'booked meetings in its rooms to end',
  Suspended: 'the suspension to end',
  ScheduledTime: 'a scheduled time',
};

/** "waiting for …": what the rollout waits for; `unknown` when its devices' reason is not known. */
export function waitingWords(code: ReasonCode | undefined, unknown: string): string {
  return (code === undefined ? undefined : words[code]) ?? unknown;
}
