// When a work may start: wave order and bake time (through WaveGates), then maintenance
// windows, holidays and freezes, memoized because thousands of devices share the same answers.
// A ScheduledUpdate that ignores windows still waits out freezes; one with spec.freezeOverride
// passes them, and the freezes it passes are noted on it for its status.
import type { SoftwareState, SoftwareType } from '../model/fleet.ts';
import type { PlanEntry, Reason } from '../model/plan.ts';
import type { AutoDecision } from '../policy/automatic.ts';
import { describeHoliday } from '../policy/holidays.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { sharedReason } from '../policy/shared-reasons.ts';
import type { CompiledFreeze } from '../policy/windows.ts';
import { formatLocal } from '../policy/zoned-time.ts';
import type { GroupContext } from './group-context.ts';
import type { UnitStats } from './wave-unit.ts';
import { noteBakingOf, WaveGates } from './wave-gates.ts';
import { planEntry, type Work } from './work.ts';

/** The evidence a policy asks of a version, then wave order and bake or soak time, for a work (see WaveGates). */
export function applyGate(w: Work, gates: WaveGates): void {
  if (!w.needs || w.source !== 'auto' || w.version === undefined) return;
  const e = gates.evidence(w.ctx, w.type, w.version);
  if (e && !e.open) {
    w.needs = false;
    w.status = 'scheduled';
    w.earliest = undefined;
    w.reason = evidenceReason(e.reason, w.t0Reason);
    return;
  }
  if (e?.notBefore !== undefined && e.notBefore > w.t0) {
    w.t0 = e.notBefore;
    w.t0Reason = e.reason;
  }
  if (w.wave === undefined) return;
  const g = gates.gate(w.ctx, w.type, w.version, w.wave);
  if (!g.open) {
    w.needs = false;
    w.status = 'scheduled';
    w.earliest = undefined;
    w.reason = g.reason;
    return;
  }
  if (g.bakeUntil !== undefined && g.bakeUntil > w.t0) {
    w.t0 = g.bakeUntil;
    w.t0Reason = g.reason;
    gates.noteBaking(w.ctx, w.type, w.version, g.bakeUntil);
  }
}

/**
 * Where a light update stands: a shared entry while it waits, or the instant it may start (now
 * or earlier) when it may go now. No wrapper object: a plan settles 100,000 of them. `unit`: the
 * wave unit of ctx, type and the decision's version (the caller holds it; no look-up per call).
 */
export function settleLight(d: AutoDecision, ctx: GroupContext, st: SoftwareState, type: SoftwareType, wave: number, gates: WaveGates, memo: WindowMemo, now: number, unit: UnitStats, like?: PlanEntry): PlanEntry | number {
  const version = d.version!;
  let t0 = Math.max(now, d.eligibleAt ?? now);
  let t0Reason = d.eligibleAt !== undefined && d.eligibleAt > now ? d.reason : undefined;
  const evidence = gates.evidence(ctx, type, version);
  if (evidence && !evidence.open) return waitingEntry(ctx, st, type, version, undefined, evidenceReason(evidence.reason, t0Reason), like);
  if (evidence?.notBefore !== undefined && evidence.notBefore > t0) {
    t0 = evidence.notBefore;
    t0Reason = evidence.reason;
  }
  const gate = wave > 0 ? gates.gateOf(unit, ctx, wave) : undefined;
  if (gate && !gate.open) return waitingEntry(ctx, st, type, version, undefined, gate.reason, like);
  if (gate?.bakeUntil !== undefined && gate.bakeUntil > t0) {
    t0 = gate.bakeUntil;
    t0Reason = gate.reason;
    noteBakingOf(unit, gate.bakeUntil);
  }
  const placed = placeMemoized(memo, ctx, t0, t0Reason, now);
  if (placed.start === undefined) return waitingEntry(ctx, st, type, version, undefined, placed.reason!, like);
  if (placed.start > now) return waitingEntry(ctx, st, type, version, placed.start, placed.reason ?? t0Reason ?? d.reason, like);
  return placed.start;
}

/**
 * The shared entry of light updates that wait (a function of the module rather than a closure in
 * settleLight, which runs once per decision, group and wave: 100,000 times on a large fleet).
 */
function waitingEntry(ctx: GroupContext, st: SoftwareState, type: SoftwareType, version: string, earliestStart: number | undefined, reason: Reason, like: PlanEntry | undefined): PlanEntry {
  return planEntry(type, undefined, 'scheduled', st.currentVersion, version, earliestStart, ctx.rules[type].rule, reason, undefined, undefined, undefined, like);
}

/** Missing evidence, and the phase's later date when it also waits for that. */
function evidenceReason(reason: Reason, phase: Reason | undefined): Reason {
  return phase ? sharedReason(reason.code, `${reason.message}; it also waits for the phase: ${phase.message}`) : reason;
}

/** Where a start lands: the instant (undefined: no window) and why it is later than asked. */
export type WindowResult = { readonly start: number | undefined; readonly reason: Reason | undefined };
/** Memo of window placements: schedule → why t0 is late → t0 → result (thousands of devices share them). */
export type WindowMemo = Map<object, Map<Reason | undefined, Map<number, WindowResult>>>;

/** placeInWindow, memoized (a schedule belongs to one policy and one time zone, so its answers are shared). */
export function placeMemoized(memo: WindowMemo, ctx: GroupContext, t0: number, t0Reason: Reason | undefined, now: number): WindowResult {
  let byReason = memo.get(ctx.schedule);
  if (!byReason) memo.set(ctx.schedule, (byReason = new Map()));
  let byT0 = byReason.get(t0Reason);
  if (!byT0) byReason.set(t0Reason, (byT0 = new Map()));
  let result = byT0.get(t0);
  if (!result) byT0.set(t0, (result = placeInWindow(ctx.schedule, t0, t0Reason, ctx.timeZone, now)));
  return result;
}

/**
 * Moves a work's start into a maintenance window outside holidays and freezes (when it respects
 * windows), or else past the freezes (unless its ScheduledUpdate overrides them).
 */
export function applyWindow(w: Work, now: number, memo: WindowMemo): void {
  const override = w.su?.su.spec.freezeOverride;
  // Freeze-passing placements are rare (break glass) and are not memoized with the others.
  let result: WindowResult = w.respectWindows
    ? override
      ? placeInWindow(w.ctx.schedule, w.t0, w.t0Reason, w.ctx.timeZone, now, true)
      : placeMemoized(memo, w.ctx, w.t0, w.t0Reason, now)
    : override
      ? { start: w.t0, reason: w.t0 > now ? w.t0Reason : undefined }
      : placeOutsideFreezes(w.ctx.schedule, w.t0, w.t0Reason, w.ctx.timeZone, now);
  const passed = override && result.start !== undefined ? w.ctx.schedule.freezeAt(result.start) : undefined;
  if (passed && override && w.su) {
    const policy = w.ctx.policy ? `UpdatePolicy ${displayName(w.ctx.policy.key)}: ` : '';
    const text = `${policy}${freezeText(passed)}`;
    w.su.passedFreezes.set(text, text);
    const why = result.reason ?? w.reason;
    // Starting now, selectStarts words the reason (startingMessage names the freeze too).
    if (result.start! > now) result = { start: result.start, reason: { code: why.code, message: `${why.message}; passes ${freezeText(passed)} with spec.freezeOverride: ${override.reason}` } };
  }
  if (result.start === undefined) {
    w.needs = false;
    w.status = 'scheduled';
    w.earliest = undefined;
    w.reason = result.reason!;
    return;
  }
  w.earliest = result.start;
  if (result.start <= now) return;
  w.needs = false;
  w.status = 'scheduled';
  if (result.reason) w.reason = result.reason;
}

/** "the freeze Year-end (2027-12-20 to 2028-01-03: change freeze)". */
export function freezeText(f: CompiledFreeze): string {
  return `the freeze ${f.name} (${f.from} to ${f.to}${f.reason ? `: ${f.reason}` : ''})`;
}

/** The first open instant from t0 (past freezes too unless `passFreezes`) and, when later than now, why. */
export function placeInWindow(schedule: GroupContext['schedule'], t0: number, t0Reason: Reason | undefined, timeZone: string, now: number, passFreezes = false): WindowResult {
  const start = schedule.nextOpening(t0, passFreezes);
  if (start === undefined) return { start, reason: sharedReason('NoWindow', `no maintenance window opens outside the freezes and holidays in the next two years`) };
  if (start <= now) return { start, reason: undefined };
  if (start === t0 && t0Reason) return { start, reason: t0Reason };
  const local = `${formatLocal(start, timeZone)} ${timeZone}`;
  const window = schedule.windowAt(start);
  const firstWindow = schedule.nextWindowStart(t0) ?? t0;
  // What closed the window the work would otherwise have started in: a freeze, else a holiday;
  // else a freeze in force now (the window opens after it anyway), else only the window's hours.
  const freezeThen = passFreezes ? undefined : schedule.freezeAt(firstWindow);
  const holiday = freezeThen || start <= firstWindow ? undefined : schedule.holidayAt(firstWindow);
  const freeze = freezeThen ?? (holiday || passFreezes ? undefined : schedule.freezeAt(t0));
  const prefix = t0Reason ? `${t0Reason.message}; then ` : '';
  if (freeze) {
    return { start, reason: sharedReason(t0Reason?.code ?? 'Frozen', `${prefix}${freezeText(freeze)} blocks starts; next window ${window?.name ?? ''} opens ${local}`) };
  }
  if (holiday) {
    return { start, reason: sharedReason(t0Reason?.code ?? 'OutsideWindow', `${prefix}closed for ${describeHoliday(holiday)}; next window ${window?.name ?? ''} opens ${local}`) };
  }
  return { start, reason: sharedReason(t0Reason?.code ?? 'OutsideWindow', `${prefix}waits for the maintenance window ${window?.name ?? ''}, opening ${local}`) };
}

/** A ScheduledUpdate that ignores windows: t0, or the end of the freezes covering it, and why. */
export function placeOutsideFreezes(schedule: GroupContext['schedule'], t0: number, t0Reason: Reason | undefined, timeZone: string, now: number): WindowResult {
  const start = schedule.nextUnfrozen(t0);
  if (start === t0) return { start, reason: t0 > now ? t0Reason : undefined };
  const freeze = schedule.freezeAt(t0)!;
  const prefix = t0Reason ? `${t0Reason.message}; then ` : '';
  return {
    start,
    reason: {
      code: t0Reason?.code ?? 'Frozen',
      message: `${prefix}${freezeText(freeze)} blocks starts until ${formatLocal(start, timeZone)} ${timeZone}; a ScheduledUpdate passes a freeze only with spec.freezeOverride`,
    },
  };
}

