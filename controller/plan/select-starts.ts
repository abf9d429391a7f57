// What starts now, among the works that may: one update per device (the API's operations name
// no software type, so any active one blocks the device) and at most maxConcurrent per policy.
// An update running that firmwarden did not start (found on the fleet by plan and why) shows as
// in progress on the first entry that would have started, since the API cannot say which it is.
import type { SoftwareType } from '../model/fleet.ts';
import type { PlanAction, Reason } from '../model/plan.ts';
import { DeviceIndex } from '../policy/device-index.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { sharedReason } from '../policy/shared-reasons.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { stableHash } from '../policy/waves.ts';
import type { GroupContext, PolicyContext } from './group-context.ts';
import { OperationBook } from './operation-book.ts';
import { cmp, dayText, typeOrder, type Work } from './work.ts';
import { freezeText } from './timing.ts';

/** Updates in flight per policy key before anything starts: each device busy with an operation, under its group's policy. */
export function inFlightByPolicy(book: OperationBook, index: DeviceIndex, ctxOfDevice: (i: number) => GroupContext): Map<string, number> {
  const inFlight = new Map<string, number>();
  for (const id of book.busyDevices()) {
    const i = index.indexOfId(id);
    if (i === undefined) continue;
    const p = ctxOfDevice(i).policy?.key;
    if (p !== undefined) inFlight.set(p, (inFlight.get(p) ?? 0) + 1);
  }
  return inFlight;
}

/** Why an automatic update of a policy waits while `used` of its updates are in flight or starting (its limit reached). */
export function limitReason(policy: PolicyContext, used: number): Reason {
  return sharedReason('ConcurrencyLimit', `${used} updates under ${displayName(policy.key)} are in flight or starting, the most it allows (maxConcurrent ${policy.maxConcurrent})`);
}

/**
 * Picks what starts now: one update per device, at most maxConcurrent in flight per policy.
 * `inFlight`: inFlightByPolicy's counts, when the caller made them; they are counted up as
 * updates start (at the end: in flight or starting, per policy).
 */
export function selectStarts(mains: Work[], ctxOfDevice: (i: number) => GroupContext, index: DeviceIndex, book: OperationBook, now: number, inFlight = inFlightByPolicy(book, index, ctxOfDevice)): PlanAction[] {
  const candidates = startOrder(mains);
  const startedOn = new Map<string, SoftwareType>();
  const shownRunning = new Set<string>();
  const chosen = new Set<Work>();
  // The limit's reason of each policy at its count (once full, a policy's count stays: shared by its works held).
  const held = new Map<string, { used: number; reason: Reason }>();
  for (let k = 0; k < candidates.length; k++) { // indexed: no iterator result per work (plan's --no-opt)
    const w = candidates[k]!;
    const busy = book.activeOn(w.device.id);
    if (busy && busy.length > 0) {
      const op = busy[0]!;
      if (busy.every((o) => o.softwareType === undefined) && !shownRunning.has(w.device.id)) {
        shownRunning.add(w.device.id);
        w.status = 'inProgress';
        const facts = [op.operationId ? `operation ${op.operationId}` : '', op.startedAt > 0 ? `since ${dayText(op.startedAt)}` : ''].filter(Boolean).join(', ');
        w.reason = { code: 'InProgress', message: `an update firmwarden did not start is running on the device${facts ? ` (${facts})` : ''}; firmwarden starts nothing on it until that ends` };
        continue;
      }
      w.status = 'pending';
      w.reason = { code: 'DeviceBusy', message: `another update is running on this device${op.softwareType ? ` (${softwareLabel[op.softwareType]}${op.version ? ` to ${op.version}` : ''})` : ''}; one update at a time per device` };
      continue;
    }
    const first = startedOn.get(w.device.id);
    if (first) {
      w.status = 'pending';
      w.reason = { code: 'DeviceBusy', message: `the ${softwareLabel[first]} update of this device starts first; one update at a time per device` };
      continue;
    }
    const policy = w.ctx.policy;
    if (policy) {
      const used = inFlight.get(policy.key) ?? 0;
      if (w.source === 'auto' && used >= policy.maxConcurrent) {
        w.status = 'pending';
        let h = held.get(policy.key);
        if (h === undefined || h.used !== used) {
          h = { used, reason: limitReason(policy, used) };
          held.set(policy.key, h);
        }
        w.reason = h.reason;
        continue;
      }
      inFlight.set(policy.key, used + 1);
    }
    startedOn.set(w.device.id, w.type);
    chosen.add(w);
    w.status = 'pending';
    w.reason = { code: 'Starting', message: startingMessage(w) };
  }
  const actions: PlanAction[] = [];
  for (let k = 0; k < mains.length; k++) { // indexed: no iterator result per work (plan's --no-opt)
    const w = mains[k]!;
    if (!chosen.has(w)) continue;
    actions.push({
      deviceId: w.device.id,
      softwareType: w.type,
      version: w.version!,
      currentVersion: w.state.currentVersion,
      owner: w.owner ?? '',
      ...(w.su ? { ownerSpecDigest: w.su.specDigest } : {}),
      group: w.ctx.key,
      policy: w.ctx.policy?.key,
      scheduledUpdate: w.su?.key,
      earliestStart: w.earliest ?? now,
      rule: w.rule,
      reason: w.reason,
      wave: w.wave,
    });
  }
  // Works were collected in two passes (operations and schedules first, then the light path):
  // put the actions back in the plan's order.
  actions.sort((a, b) => cmp(a.group ?? '\uffff', b.group ?? '\uffff') || cmp(a.deviceId, b.deviceId) || typeOrder.get(a.softwareType)! - typeOrder.get(b.softwareType)!);
  return actions;
}

/**
 * The works that may start now in the order they are given starts: ScheduledUpdates first (a
 * person asked), then wave order, then the stable hash of device id and policy name, then id
 * and type. Keys are computed once per work into arrays and positions sorted (no Map look-up
 * per comparison, no string built per hash: stableHash takes the two parts).
 */
function startOrder(mains: readonly Work[]): Work[] {
  const candidates: Work[] = [];
  for (let k = 0; k < mains.length; k++) if (mains[k]!.needs) candidates.push(mains[k]!);
  const n = candidates.length;
  const rank = new Int32Array(n);
  const hash = new Float64Array(n);
  const order = new Int32Array(n);
  let lastPolicy: object | undefined;
  let suffix = '\u0000';
  for (let k = 0; k < n; k++) {
    const w = candidates[k]!;
    const policy = w.ctx.policy?.policy;
    if (policy !== lastPolicy) {
      lastPolicy = policy;
      suffix = `\u0000${policy?.metadata.name ?? ''}`;
    }
    rank[k] = w.source === 'scheduled' ? 0 : (w.wave ?? 1);
    hash[k] = stableHash(w.device.id, suffix);
    order[k] = k;
  }
  // The hashes compared, not subtracted: a difference of two 32-bit hashes is no small integer, and V8 boxed each one returned.
  order.sort((a, b) => rank[a]! - rank[b]! || (hash[a]! < hash[b]! ? -1 : hash[a]! > hash[b]! ? 1 : 0) || cmp(candidates[a]!.device.id, candidates[b]!.device.id) || typeOrder.get(candidates[a]!.type)! - typeOrder.get(candidates[b]!.type)!);
  const out: Work[] = [];
  for (let k = 0; k < n; k++) out.push(candidates[order[k]!]!);
  return out;
}

/** Why an update starts now, in words. */
export function startingMessage(w: Work): string {
  const window = w.respectWindows ? w.ctx.schedule.windowAt(w.earliest ?? 0) : undefined;
  const where = window ? ` inside the window ${window.name}` : '';
  if (w.source === 'scheduled') {
    // Break glass is said where it happens: the freeze this start passes, and why.
    const override = w.su!.su.spec.freezeOverride;
    const frozen = override && w.earliest !== undefined ? w.ctx.schedule.freezeAt(w.earliest) : undefined;
    const passing = override && frozen ? `; passes ${freezeText(frozen)} with spec.freezeOverride: ${override.reason}` : '';
    return `${displayName(w.su!.key)} asks for ${w.version}; starts now${where}${passing}`;
  }
  return `${w.reason.message}; starts now${where}`;
}

