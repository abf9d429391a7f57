// Rollout progress for status: per group and per policy, for each automatically updated software
// type, the version most devices are moving to, the current wave, and the rollout's state.
import { SoftwareTypes, type SoftwareType } from '../model/fleet.ts';
import { ReasonCodes, type EntryState, type Reason, type ReasonCode, type RolloutView } from '../model/plan.ts';
import { compareVersions } from '../policy/version.ts';
import type { GroupContext } from './group-context.ts';
import type { UnitStats } from './wave-unit.ts';

/** The parts of a plan's work the views read. */
export interface ViewWork {
  readonly ctx: GroupContext;
  readonly type: SoftwareType;
  readonly source: 'auto' | 'scheduled';
  readonly status: EntryState;
  readonly version: string | undefined;
  readonly reason: Reason;
}

/** Automatic updates of one group, type and version that are pending, counted together (held-light.ts HeldShare). */
export interface HeldCount {
  readonly ctx: GroupContext;
  readonly type: SoftwareType;
  readonly version: string;
  readonly count: number;
}

// The accumulators' key of a group position and type: a number, not a string built and hashed per work.
const typeSlot = new Map<SoftwareType, number>(SoftwareTypes.map((t, i) => [t, i]));
function accKey(groupIndex: number, type: SoftwareType): number {
  return groupIndex * 8 + typeSlot.get(type)!;
}

const statePriority: Record<RolloutView['state'], number> = { Stopped: 0, Suspended: 1, Progressing: 2, Baking: 3, Waiting: 4, Complete: 5 };

function mostCommon(counts: Map<string, number>): string | undefined {
  let best: string | undefined;
  let bestN = 0;
  for (const [v, n] of counts) {
    if (n > bestN || (n === bestN && best !== undefined && (compareVersions(v, best) ?? (v > best ? 1 : -1)) > 0)) {
      best = v;
      bestN = n;
    }
  }
  return best;
}

/** The reason most devices wait for, over two tallies, by code and by position in ReasonCodes (ties: the first in ReasonCodes' order, for a stable answer). */
function commonestReason(a: ReadonlyMap<ReasonCode, number> | undefined, b: readonly number[] | undefined): ReasonCode | undefined {
  let best: ReasonCode | undefined;
  let bestN = 0;
  for (let k = 0; k < ReasonCodes.length; k++) {
    const code = ReasonCodes[k]!;
    const n = (a?.get(code) ?? 0) + (b?.[k] ?? 0);
    if (n > bestN) {
      best = code;
      bestN = n;
    }
  }
  return best;
}

/** Rollout views per group position and per policy key. */
export function buildRolloutViews(
  contexts: readonly GroupContext[],
  works: readonly ViewWork[],
  units: ReadonlyMap<string, UnitStats>,
  judgements: ReadonlyMap<string, { completed: number; failed: number }>,
  now: number,
  held: readonly HeldCount[] = [],
): { groups: Map<number, RolloutView[]>; policies: Map<string, RolloutView[]> } {
  // waits: per version, how many of its devices wait (state scheduled) for each reason. The maps
  // are made on their first count (most group × type pairs fill one or none: 3 MB a plan at 1,000 groups).
  interface Acc { counts: Map<string, number> | undefined; active: Map<string, number> | undefined; waits: Map<string, Map<ReasonCode, number>> | undefined; succeeded: number; failed: number }
  const acc = new Map<number, Acc>();
  for (let k = 0; k < works.length; k++) { // indexed: no iterator result per work (plan's --no-opt)
    const w = works[k]!;
    if (w.ctx.index < 0 || w.source !== 'auto') continue;
    const key = accKey(w.ctx.index, w.type);
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { counts: undefined, active: undefined, waits: undefined, succeeded: 0, failed: 0 }));
    if (w.status === 'succeeded') a.succeeded++;
    if (w.status === 'failed') a.failed++;
    if (w.version !== undefined && (w.status === 'pending' || w.status === 'inProgress')) {
      const active = (a.active ??= new Map());
      active.set(w.version, (active.get(w.version) ?? 0) + 1);
    }
    if (w.version !== undefined && w.status === 'scheduled') {
      const waits = (a.waits ??= new Map());
      let byCode = waits.get(w.version);
      if (!byCode) waits.set(w.version, (byCode = new Map()));
      byCode.set(w.reason.code, (byCode.get(w.reason.code) ?? 0) + 1);
    }
  }
  // Automatic updates held pending at their policy's limit without a work each (held-light.ts): as many pending works.
  for (let k = 0; k < held.length; k++) {
    const h = held[k]!;
    if (h.ctx.index < 0 || h.count === 0) continue;
    const key = accKey(h.ctx.index, h.type);
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { counts: undefined, active: undefined, waits: undefined, succeeded: 0, failed: 0 }));
    const active = (a.active ??= new Map());
    active.set(h.version, (active.get(h.version) ?? 0) + h.count);
  }
  // How many devices still move to each version: from the wave counts, which include every device.
  for (const u of units.values()) {
    if (u.groupIndex < 0) continue;
    const total = u.unfinished.reduce((n, x) => n + x, 0);
    if (total === 0) continue;
    const key = accKey(u.groupIndex, u.type);
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { counts: undefined, active: undefined, waits: undefined, succeeded: 0, failed: 0 }));
    const counts = (a.counts ??= new Map());
    counts.set(u.version, (counts.get(u.version) ?? 0) + total);
  }
  const groups = new Map<number, RolloutView[]>();
  const byPolicy = new Map<string, Map<SoftwareType, RolloutView[]>>();
  for (const ctx of contexts) {
    const policy = ctx.policy;
    if (!policy) continue;
    const views: RolloutView[] = [];
    for (const type of ['firmware', 'teamsClient'] as const) {
      if (ctx.rules[type].mode !== 'automatic') continue;
      const a = acc.get(accKey(ctx.index, type));
      const version = a?.counts ? mostCommon(a.counts) : undefined;
      const stop = policy.stopped.get(type);
      const u = version === undefined ? undefined : units.get(`${ctx.index}|${type}|${version}`);
      let wave: number | undefined;
      if (u) for (let k = 1; k < u.unfinished.length; k++) if (u.unfinished[k]! > 0) { wave = k; break; }
      let state: RolloutView['state'];
      if (stop) state = 'Stopped';
      else if (policy.suspension && (policy.suspension.until === undefined || policy.suspension.until > now)) state = 'Suspended';
      else if (version === undefined) state = 'Complete';
      else if ((a?.active?.get(version) ?? 0) > 0) state = 'Progressing';
      else if (u?.bakeUntil !== undefined && u.bakeUntil > now) state = 'Baking';
      else state = 'Waiting';
      const view: RolloutView = {
        softwareType: type,
        version,
        state,
        wave,
        waves: ctx.waveCount,
        waveStartedTime: u && wave !== undefined ? u.firstStart[wave] : undefined,
        bakeUntil: u?.bakeUntil !== undefined && u.bakeUntil > now ? u.bakeUntil : undefined,
        stoppedTime: stop?.stoppedAt,
        stoppedReason: stop?.reason,
        completed: (a?.succeeded ?? 0) + (a?.failed ?? 0),
        failed: a?.failed ?? 0,
        waitingFor: state === 'Waiting' ? commonestReason(a?.waits?.get(version!), u?.lightWaits) : undefined,
      };
      views.push(view);
      let pt = byPolicy.get(policy.key);
      if (!pt) byPolicy.set(policy.key, (pt = new Map()));
      const list = pt.get(type);
      if (list) list.push(view);
      else pt.set(type, [view]);
    }
    groups.set(ctx.index, views);
  }
  const policies = new Map<string, RolloutView[]>();
  for (const [key, perType] of byPolicy) {
    const out: RolloutView[] = [];
    for (const [type, list] of perType) {
      const lead = [...list].sort((x, y) => statePriority[x.state] - statePriority[y.state] || (x.wave ?? 99) - (y.wave ?? 99))[0]!;
      const j = judgements.get(`${key}|${type}`);
      out.push({
        ...lead,
        waves: Math.max(...list.map((v) => v.waves)),
        completed: j?.completed ?? lead.completed,
        failed: j?.failed ?? lead.failed,
      });
    }
    policies.set(key, out);
  }
  return { groups, policies };
}
