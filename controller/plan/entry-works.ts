// The rules that decide one device × software type, as a work: an operation in flight wins;
// then what the automatic rule or a ScheduledUpdate wants, what already happened (succeeded,
// failed), and what blocks it (offline, a stopped rollout, a suspended policy). Start times
// are only proposed here (t0); waves, windows and freezes come after (time-works.ts).
// Internal to controller/plan; pure.
import type { Device, SoftwareState, SoftwareType } from '../model/fleet.ts';
import type { OperationRecord, Reason } from '../model/plan.ts';
import type { RolloutMemory } from '../model/state.ts';
import type { AutoDecision } from '../policy/automatic.ts';
import { displayName } from '../policy/manifest-keys.ts';
import type { CalendarIndex } from '../policy/release-calendar.ts';
import { resumeAfter } from '../policy/rollout-health.ts';
import { sharedReason } from '../policy/shared-reasons.ts';
import { decideScheduled } from '../policy/scheduled.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { formatLocal } from '../policy/zoned-time.ts';
import type { Decisions } from './decisions.ts';
import type { GroupContext } from './group-context.ts';
import type { OperationBook } from './operation-book.ts';
import { dayText, failureOf, scheduledRule, type ScheduledCtx, type Work } from './work.ts';

/** What deciding a work reads: the moment, the operations, the release calendar and the memoized decisions. */
export interface WorkEnv {
  readonly now: number;
  readonly book: OperationBook;
  readonly calendar: CalendarIndex;
  readonly decisions: Decisions;
}

/**
 * The automatic rule's work for a device × type (`model` and `wave` of its position). `type` is
 * the constant from SoftwareTypes, not the input's string: map look-ups on it hash once.
 * `decided`: the decision the caller already holds for them (the walk's), else it is looked up.
 */
export function autoWork(env: WorkEnv, device: Device, i: number, model: string, wave: number | undefined, st: SoftwareState, type: SoftwareType, ctx: GroupContext, decided?: AutoDecision): Work {
  const now = env.now;
  const rule = ctx.rules[type];
  const d = decided ?? env.decisions.decide(ctx, model, st, type).decision;
  const w: Work = {
    device, deviceIdx: i, type, state: st, ctx, source: 'auto', su: undefined, rule: rule.rule,
    version: d.version, status: 'upToDate', reason: d.reason, needs: false, t0: now, t0Reason: undefined,
    respectWindows: true, earliest: undefined, wave, clamp: undefined, failure: undefined,
    refused: undefined, owner: ctx.policy?.owner, isMain: false, entry: undefined,
  };
  const last = env.book.lastAt(i, device.id, type);
  if (last?.active) return inProgress(w, last);
  if (d.outcome === 'stay') {
    if (last && last.outcome === 'succeeded' && last.version === st.currentVersion) {
      w.status = 'succeeded';
      w.reason = { code: 'Succeeded', message: `updated to ${last.version} by firmwarden${last.endedAt ? ` on ${dayText(last.endedAt)}` : ''}` };
    }
    return w;
  }
  if (d.outcome === 'blocked') {
    w.status = 'blocked';
    return w;
  }
  const v = d.version!;
  const policy = ctx.policy!;
  if (last && last.version === v && !last.active) {
    if (last.outcome === 'succeeded') {
      w.status = 'succeeded';
      w.reason = { code: 'Succeeded', message: `updated to ${v}${last.endedAt ? ` on ${dayText(last.endedAt)}` : ''}; waiting for the device to report the new version` };
      return w;
    }
    const after = resumeAfter(policy.policy);
    if (last.outcome === 'failed' && !(after !== undefined && last.endedAt !== undefined && last.endedAt < after)) {
      w.status = 'failed';
      w.failure = failureOf(last);
      w.reason = { code: 'Failed', message: `the update to ${v} failed${last.errorMessage ? `: ${last.errorMessage.replace(/[.\s]+$/, '')}` : ''}; it is not retried until a newer version is eligible or spec.resume forgives it` };
      return w;
    }
  }
  return needsUpdate(w, device, d.eligibleAt ?? now, d.reason, now);
}

/**
 * A work that needs an update from `startAt` (because of `why`), unless something blocks it:
 * the device is offline, or (automatic rule only) the policy's rollout of the type stopped or
 * the policy is suspended. A suspension with an end moves the start to that end instead.
 */
export function needsUpdate(w: Work, device: Device, startAt: number, why: Reason, now: number): Work {
  if (device.healthStatus === 'offline') {
    w.status = 'blocked';
    w.reason = offlineReason(w.version);
    return w;
  }
  const policy = w.ctx.policy;
  if (w.source === 'auto' && policy) {
    const stop = policy.stopped.get(w.type);
    if (stop) {
      w.status = 'blocked';
      w.reason = stopReason(policy.key, w.type, stop);
      return w;
    }
    const s = policy.suspension;
    if (s) {
      const message = `${displayName(policy.key)} is suspended by ${s.by}: ${s.reason}${s.until === undefined ? '' : ` (until ${dayText(s.until)})`}`;
      if (s.until === undefined) {
        w.status = 'blocked';
        w.reason = { code: 'Suspended', message };
        return w;
      }
      if (s.until > startAt) {
        startAt = s.until;
        why = { code: 'Suspended', message };
      }
    }
  }
  w.needs = true;
  w.status = 'scheduled';
  w.t0 = Math.max(now, startAt);
  w.t0Reason = startAt > now ? why : undefined;
  w.reason = why;
  return w;
}

/** Why an update waits for an offline device (needsUpdate's first answer). */
export function offlineReason(version: string | undefined): Reason {
  return sharedReason('DeviceOffline', `the device is offline; ${version} is installed once it is back online`);
}

/** What stopReason made for a stop: its policy, type, time and text with the reason. */
interface StopReason {
  readonly key: string;
  readonly type: SoftwareType;
  readonly stoppedAt: number;
  readonly text: string;
  readonly reason: Reason;
}

/**
 * The reason of the works a stopped rollout blocks, made once per stop: every device of the
 * policy with the type waiting (thousands) shares it, and so does the next plan, whose stop is
 * the same remembered object (judge-policies.ts). Everything the text is made of is checked.
 */
const stopReasons = new WeakMap<RolloutMemory, StopReason>();

/** Why the automatic updates of a type wait while its policy's rollout of it is stopped (needsUpdate's second answer). */
export function stopReason(key: string, type: SoftwareType, stop: RolloutMemory): Reason {
  const known = stopReasons.get(stop);
  if (known !== undefined && known.key === key && known.type === type && known.stoppedAt === stop.stoppedAt && known.text === stop.reason) return known.reason;
  const reason = sharedReason('RolloutStopped', `the rollout of ${softwareLabel[type]} under ${displayName(key)} stopped on ${dayText(stop.stoppedAt)}: ${stop.reason}`);
  stopReasons.set(stop, { key, type, stoppedAt: stop.stoppedAt, text: stop.reason, reason });
  return reason;
}

/** A work whose operation is running. */
export function inProgress(w: Work, op: OperationRecord): Work {
  w.status = 'inProgress';
  w.version = op.version ?? w.version;
  w.reason = { code: 'InProgress', message: `updating to ${op.version ?? 'a new version'} since ${dayText(op.startedAt)}${op.operationId ? ` (operation ${op.operationId})` : ''}` };
  return w;
}

/** A ScheduledUpdate's work for a device × type it targets (`version` as its spec asks). */
export function scheduledWork(env: WorkEnv, s: ScheduledCtx, version: string | undefined, device: Device, i: number, st: SoftwareState, type: SoftwareType, ctx: GroupContext): Work {
  const now = env.now;
  const w: Work = {
    device, deviceIdx: i, type, state: st, ctx, source: 'scheduled', su: s, rule: scheduledRule(s.key),
    version, status: 'upToDate', reason: { code: 'UpToDate', message: '' }, needs: false, t0: now, t0Reason: undefined,
    respectWindows: s.su.spec.respectMaintenanceWindows === true, earliest: undefined, wave: undefined, clamp: undefined,
    failure: undefined, refused: undefined, owner: s.owner, isMain: false, entry: undefined,
  };
  // Its own operations under this spec: edited after they ran, it starts again for its targets.
  const mine = env.book.lastBy(s.owner, device.id, type, s.specDigest);
  if (mine?.active) return inProgress(w, mine);
  if (mine && mine.outcome === 'succeeded') {
    w.status = 'succeeded';
    w.version = mine.version;
    w.reason = { code: 'Succeeded', message: `updated to ${mine.version} by this ScheduledUpdate${mine.endedAt ? ` on ${dayText(mine.endedAt)}` : ''}` };
    return w;
  }
  if (mine && (mine.outcome === 'failed' || mine.outcome === 'cancelled')) {
    w.status = 'failed';
    w.version = mine.version;
    w.failure = failureOf(mine);
    w.reason = { code: 'Failed', message: `the update to ${mine.version} ${mine.outcome}${mine.errorMessage ? `: ${mine.errorMessage}` : ''}; a ScheduledUpdate does not retry` };
    return w;
  }
  const d = decideScheduled({ version }, s.at, env.calendar, device.model, st, ctx.firmwarePhase, now);
  w.version = d.version;
  w.reason = d.reason;
  if (d.outcome === 'stay') return w;
  if (d.outcome === 'blocked') {
    w.status = 'blocked';
    return w;
  }
  if (s.completedAt !== undefined) {
    w.reason = { code: 'UpToDate', message: `this ScheduledUpdate completed on ${dayText(s.completedAt)}; it starts nothing more` };
    return w;
  }
  if (d.clampedTo !== undefined && d.requestedAt !== undefined) {
    w.clamp = { deviceId: device.id, model: device.model, softwareType: type, version: d.version!, requestedTime: d.requestedAt, effectiveTime: d.clampedTo, reason: d.clampText! };
  }
  const why: Reason = d.clampedTo !== undefined
    ? { code: 'ScheduledTime', message: `${d.version} is scheduled by ${displayName(s.key)}; moved from ${formatLocal(d.requestedAt!, ctx.timeZone)} to ${formatLocal(d.clampedTo, ctx.timeZone)} ${ctx.timeZone}: ${d.clampText}` }
    : d.requestedAt !== undefined
      ? { code: 'ScheduledTime', message: `${d.version} is scheduled by ${displayName(s.key)} for ${formatLocal(d.requestedAt, s.su.spec.timeZone ?? 'UTC')} ${s.su.spec.timeZone ?? 'UTC'}` }
      : { code: 'Starting', message: `${displayName(s.key)} asks for ${d.version} now` };
  return needsUpdate(w, device, d.startAt, why, now);
}
