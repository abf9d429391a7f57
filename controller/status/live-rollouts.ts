// A group's or policy's rollouts on the live page: state, wave and a sentence saying where each stands.
import type { SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { RolloutView } from '../model/plan.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { liveTime } from './live-time.ts';
import { waitingWords } from './waiting-words.ts';

/** One software type's rollout, as the page shows it. */
export interface LiveRollout {
  readonly softwareType: SoftwareType;
  readonly software: string;
  readonly version: string | undefined;
  readonly state: RolloutView['state'];
  readonly wave: number | undefined;
  readonly waves: number;
  /** "wave 2 of 3, baking until …" */
  readonly text: string;
  readonly completed: number;
  readonly failed: number;
}

/** Where a rollout stands in words ("wave 2 of 3 done, baking until …"), bake times in the zone given. */
export function rolloutText(r: RolloutView, timeZone: string | undefined, now: number): string {
  const wave = r.wave === undefined ? `${r.waves} wave${r.waves === 1 ? '' : 's'}, none started` : `wave ${r.wave} of ${r.waves}`;
  const failed = r.failed > 0 ? `; ${r.failed} of ${r.completed} finished failed` : '';
  switch (r.state) {
    case 'Progressing':
      return `${wave}, updating${failed}`;
    case 'Baking':
      return `${wave} done, baking${r.bakeUntil === undefined ? '' : ` until ${liveTime(r.bakeUntil, timeZone, now).local}`}${failed}`;
    case 'Waiting':
      return `${wave}, waiting for ${waitingWords(r.waitingFor, "a window or the phase's delay")}${failed}`;
    case 'Complete':
      return `complete${failed}`;
    case 'Stopped':
      return `stopped in ${wave} by the failure threshold${failed}`;
    case 'Suspended':
      return `suspended in ${wave}`;
  }
}

/** The rollouts in the order of SoftwareTypes, each with its sentence. */
export function liveRollouts(rollouts: readonly RolloutView[], timeZone: string | undefined, now: number): LiveRollout[] {
  const order = (t: SoftwareType) => SoftwareTypes.indexOf(t);
  return [...rollouts]
    .sort((a, b) => order(a.softwareType) - order(b.softwareType))
    .map((r) => ({
      softwareType: r.softwareType,
      software: softwareLabel[r.softwareType],
      version: r.version,
      state: r.state,
      wave: r.wave,
      waves: r.waves,
      text: rolloutText(r, timeZone, now),
      completed: r.completed,
      failed: r.failed,
    }));
}
