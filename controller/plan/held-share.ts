// What the held light updates of one settlement share (held-light.ts). Its own file, below
// work.ts, so a Work's per-wave slots can name it without work.ts reaching up to held-light.ts,
// which builds on work.ts (one-way imports, issue 14). Internal to controller/plan; pure.
import type { SoftwareType } from '../model/fleet.ts';
import type { PlanEntry } from '../model/plan.ts';
import type { GroupContext } from './group-context.ts';

/** What the held light updates of one settlement share: the entry's fields but the reason, and how many they are. */
export class HeldShare {
  readonly ctx: GroupContext;
  readonly type: SoftwareType;
  readonly version: string;
  readonly currentVersion: string | null;
  /** When they may start (settleLight's number): the entries' earliestStart. */
  readonly start: number;
  /** The previous plan's entry of the first device, and where (its entry, when equal, is the one made). */
  readonly likeK: number;
  readonly likeI: number;
  readonly likeP: number;
  count = 0;
  entry: PlanEntry | undefined;

  constructor(ctx: GroupContext, type: SoftwareType, version: string, currentVersion: string | null, start: number, likeK: number, likeI: number, likeP: number) {
    this.ctx = ctx;
    this.type = type;
    this.version = version;
    this.currentVersion = currentVersion;
    this.start = start;
    this.likeK = likeK;
    this.likeI = likeI;
    this.likeP = likeP;
  }
}
