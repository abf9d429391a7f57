// The failed and refused updates on the live page, one per device and software type, and their kinds counted.
import type { SoftwareType } from '../model/fleet.ts';
import type { Plan } from '../model/plan.ts';
import { RefusalCodes } from '../model/plan.ts';
import { isScheduledRefusal, scheduledRefusals } from '../plan/plan-entries.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { liveTime, type LiveTime } from './live-time.ts';

/** One failed or refused update of one device. */
export interface LiveProblem {
  readonly state: 'failed' | 'refused';
  readonly device: string;
  readonly deviceId: string;
  readonly group: string | undefined;
  readonly scheduledUpdate: string | undefined;
  readonly softwareType: SoftwareType;
  readonly software: string;
  readonly version: string | undefined;
  readonly code: string;
  readonly reason: string;
  readonly time: LiveTime | undefined;
}

/** Every failed or refused update of the plan: failures first, latest first; then refusals; then by group and device. */
export function problemsOf(plan: Plan, label: (id: string) => string, timeZoneOf: (group: string | undefined) => string | undefined): LiveProblem[] {
  const out: LiveProblem[] = [];
  const now = plan.now;
  for (const d of plan.devices) {
    for (const e of d.entries) {
      const base = {
        device: label(d.deviceId),
        deviceId: d.deviceId,
        group: d.group === undefined ? undefined : displayName(d.group),
        softwareType: e.softwareType,
        software: softwareLabel[e.softwareType],
      };
      if (e.state === 'failed') {
        const detail = [e.failure?.code, e.failure?.message].filter(Boolean).join(': ');
        out.push({
          ...base,
          state: 'failed',
          scheduledUpdate: e.scheduledUpdate === undefined ? undefined : displayName(e.scheduledUpdate),
          version: e.desiredVersion,
          code: e.failure?.code ?? e.reason.code,
          reason: detail || e.reason.message,
          time: e.failure?.time === undefined ? undefined : liveTime(e.failure.time, timeZoneOf(d.group), now),
        });
      } else if (e.state === 'blocked' && RefusalCodes.has(e.reason.code) && !isScheduledRefusal(e)) {
        out.push({ ...base, state: 'refused', scheduledUpdate: undefined, version: e.desiredVersion, code: e.reason.code, reason: e.reason.message, time: undefined });
      }
      for (const r of scheduledRefusals(e)) {
        out.push({ ...base, state: 'refused', scheduledUpdate: displayName(r.scheduledUpdate), version: r.version, code: r.reason.code, reason: r.reason.message, time: undefined });
      }
    }
  }
  // Failures first, latest first; then refusals; then by group and device.
  const failedAt = (p: LiveProblem) => (p.time ? Date.parse(p.time.at) : 0);
  return out.sort(
    (a, b) =>
      (a.state === 'failed' ? 0 : 1) - (b.state === 'failed' ? 0 : 1) ||
      failedAt(b) - failedAt(a) ||
      (a.group ?? '~').localeCompare(b.group ?? '~') ||
      a.device.localeCompare(b.device) ||
      a.softwareType.localeCompare(b.softwareType),
  );
}

/** The problems counted by state and code, most frequent first (failures first). */
export function problemKinds(problems: readonly LiveProblem[]): { state: 'failed' | 'refused'; code: string; updates: number }[] {
  const kinds = new Map<string, { state: 'failed' | 'refused'; code: string; updates: number }>();
  for (const p of problems) {
    const k = `${p.state}|${p.code}`;
    const known = kinds.get(k);
    if (known) known.updates++;
    else kinds.set(k, { state: p.state, code: p.code, updates: 1 });
  }
  return [...kinds.values()].sort((a, b) => (a.state === b.state ? 0 : a.state === 'failed' ? -1 : 1) || b.updates - a.updates || a.code.localeCompare(b.code));
}
