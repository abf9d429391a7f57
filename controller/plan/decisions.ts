// The automatic rule's decisions, memoized. A decision depends only on the rules (policies with
// equal rules share a signature), the model, the software type, the installed version, whether
// the firmware is unknown and whether an update is offered: computed once per combination.
// Nested maps and slots, because building a string key per device × type costs more than the
// look-up saves at 600,000 entries. Internal to controller/plan; pure.
import type { SoftwareState, SoftwareType } from '../model/fleet.ts';
import { SoftwareTypes } from '../model/fleet.ts';
import type { PlanEntry, Reason } from '../model/plan.ts';
import { decideAutomatic, hasOffer, type AutoDecision } from '../policy/automatic.ts';
import type { CalendarIndex } from '../policy/release-calendar.ts';
import type { GroupContext } from './group-context.ts';
import { settledEntry, type LightShare } from './work.ts';

/** A decision, its entry when nothing needs doing, and (for updates) what its light updates share in one group. */
export interface Decided extends LightShare {
  readonly decision: AutoDecision;
  /** Replaced by the previous plan's entry when that one is equal in every key (device-plans.ts). */
  settled: PlanEntry;
  /** How often `settled` was compared with a device's previous entry and differed (compared at most a few times). */
  settledTries: number;
  /**
   * For an update nothing may start (offline device, stopped rollout: collect-entries.ts), the
   * reason of the last one entered and its entry, with its comparisons as for `settled`.
   */
  blockedBy: Reason | undefined;
  blocked: PlanEntry | undefined;
  blockedTries: number;
}

/**
 * Decided per slot (unknown firmware × offer, see slotOf), then by installed version; one
 * DecisionSlots per rule signature, model and software type. A compact fleet's state id
 * (compact-fleet.ts) fixes the state, hence its slot and version: byState keeps the Decided
 * found for each id, so most look-ups index an array instead of hashing a version string.
 */
export interface DecisionSlots {
  readonly bySlot: readonly Map<string | null, Decided>[];
  readonly byState: (Decided | undefined)[];
}

/** The slot of a state: unknown firmware counts 2, an offered update 1. */
function slotOf(st: SoftwareState): number {
  return (st.freshness === 'unknown' ? 2 : 0) + (hasOffer(st) ? 1 : 0);
}

/**
 * The signatures of a group's rules per software type, joined: by the rules object, which
 * group-context.ts shares between groups and plans (per policy object and licence), so a plan
 * of 1,000 groups does not join them again for each (~0.6 MB a plan). Read only.
 */
const rulesSignatures = new WeakMap<object, string>();

/** The automatic decisions of one plan (one calendar, one `now`). */
export class Decisions {
  readonly #calendar: CalendarIndex;
  readonly #now: number;
  readonly #bySignature = new Map<string, Map<string, DecisionSlots>>();
  /** Per group, its slots by model, shared by the groups whose rules have the same signatures. */
  readonly #byCtx = new Map<GroupContext, Map<string, DecisionSlots[]>>();
  readonly #byRules = new Map<string, Map<string, DecisionSlots[]>>();
  #lastCtx: GroupContext | undefined;
  #lastByModel: Map<string, DecisionSlots[]> | undefined;

  constructor(calendar: CalendarIndex, now: number) {
    this.#calendar = calendar;
    this.#now = now;
  }

  /** The slots of one rule signature and model. */
  #slots(signature: string, model: string): DecisionSlots {
    let byModel = this.#bySignature.get(signature);
    if (!byModel) this.#bySignature.set(signature, (byModel = new Map()));
    let slots = byModel.get(model);
    if (!slots) byModel.set(model, (slots = { bySlot: [new Map(), new Map(), new Map(), new Map()], byState: [] }));
    return slots;
  }

  /**
   * The slots of a group's rules for one model, per software type position (memoized per group).
   * Called once per device: it makes no closure (one over ctx or model would make V8 allocate
   * a context on every call, made or not: 5.6 MB a plan at 100,000 devices); misses go to
   * #byModelOf and #slotsOf.
   */
  slotsFor(ctx: GroupContext, model: string): DecisionSlots[] {
    // The walk asks for one group's devices one after the other: its map is kept at hand.
    let byModel = this.#lastCtx === ctx ? this.#lastByModel : this.#byCtx.get(ctx);
    if (!byModel) byModel = this.#byModelOf(ctx);
    this.#lastCtx = ctx;
    this.#lastByModel = byModel;
    let slots = byModel.get(model);
    if (!slots) byModel.set(model, (slots = this.#slotsOf(ctx, model)));
    return slots;
  }

  /** A group's slots by model, shared with the groups whose rules have the same signatures. */
  #byModelOf(ctx: GroupContext): Map<string, DecisionSlots[]> {
    let rules = rulesSignatures.get(ctx.rules);
    if (rules === undefined) rulesSignatures.set(ctx.rules, (rules = SoftwareTypes.map((t) => ctx.rules[t].signature).join('\u0000')));
    let byModel = this.#byRules.get(rules);
    if (!byModel) this.#byRules.set(rules, (byModel = new Map()));
    this.#byCtx.set(ctx, byModel);
    return byModel;
  }

  /** The slots of a group's rules for one model, per software type position. */
  #slotsOf(ctx: GroupContext, model: string): DecisionSlots[] {
    return SoftwareTypes.map((t) => this.#slots(ctx.rules[t].signature, model));
  }

  /** The decision for a state, in the slots of its type (from slotsFor); `stateId`: its compact state id, -1 when none. */
  decideIn(typeSlots: DecisionSlots, ctx: GroupContext, model: string, st: SoftwareState, stateId: number): Decided {
    if (stateId >= 0) {
      const known = typeSlots.byState[stateId];
      if (known !== undefined) return known;
    }
    const slot = typeSlots.bySlot[slotOf(st)]!;
    let d = slot.get(st.currentVersion);
    if (!d) {
      const decision = decideAutomatic(ctx.rules[st.softwareType], this.#calendar, model, st, this.#now);
      slot.set(st.currentVersion, (d = { decision, settled: settledEntry(st, ctx, decision), settledTries: 0, blockedBy: undefined, blocked: undefined, blockedTries: 0, walkCtx: undefined, walkUnit: undefined, settleCtx: undefined, settleUnit: undefined, settleType: undefined, byWave: undefined, byWaveCode: undefined }));
    }
    if (stateId >= 0) typeSlots.byState[stateId] = d;
    return d;
  }

  /** The decision for a state of `type` under a group's rules. */
  decide(ctx: GroupContext, model: string, st: SoftwareState, type: SoftwareType): Decided {
    return this.decideIn(this.#slots(ctx.rules[type].signature, model), ctx, model, st, -1);
  }
}
