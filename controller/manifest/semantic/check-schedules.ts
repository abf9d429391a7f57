// ScheduledUpdates: 'at' comes with a time zone, names a real date, is not in the past, and
// a firmware schedule is not later than the phase lets firmware wait; each software type once,
// at a version that can be ordered.
import { isComparableVersion } from '../../policy/version.ts';
import { isTimeZone } from '../time-zones.ts';
// The same wall-clock rules as the engine (controller/policy), so lint names the time the controller will use.
import { formatLocal as formatInZone, parseLocalDateTime, resolveLocal as zonedToEpoch } from '../../policy/zoned-time.ts';
import type { Check } from './context.ts';
import { findEntry, validOf } from './context.ts';
import { modeOf } from './check-software-rules.ts';

const day = 86_400_000;

/** Longest a released firmware waits in each phase before it installs anyway. */
export const firmwareMaxDelayMs = { Test: 0, General: 30 * day, Final: 90 * day } as const;

/** schedule-at-without-time-zone, schedule-time-zone-without-at, invalid-date, schedule-in-past, schedule-after-max-delay. */
export const checkScheduleTimes: Check = (ctx) => {
  for (const schedule of validOf(ctx, 'ScheduledUpdate')) {
    const { at, timeZone } = schedule.manifest.spec;
    if (at !== undefined && timeZone === undefined) {
      ctx.report(schedule, ['spec', 'at'], 'key', 'schedule-at-without-time-zone', `'at' needs a timeZone beside it (for example timeZone: Europe/Paris): ${at} is a local time`);
      continue;
    }
    if (at === undefined) {
      if (timeZone !== undefined) {
        ctx.report(schedule, ['spec', 'timeZone'], 'key', 'schedule-time-zone-without-at', "timeZone without 'at' means nothing: the update runs now; add 'at' or remove timeZone");
      }
      continue;
    }
    const parts = parseLocalDateTime(at);
    if (!parts) {
      ctx.report(schedule, ['spec', 'at'], 'value', 'invalid-date', `${at} is not a date in the calendar`);
      continue;
    }
    if (timeZone === undefined || !isTimeZone(timeZone)) continue;
    const when = zonedToEpoch(parts, timeZone);
    if (when <= ctx.now) {
      ctx.report(schedule, ['spec', 'at'], 'value', 'schedule-in-past', `${at} ${timeZone} is in the past: the update runs as soon as the controller sees it`);
      continue;
    }
    if (!schedule.manifest.spec.software.some((s) => s.type === 'firmware')) continue;
    const ref = schedule.manifest.spec.targets.groupRef;
    if (!ref) continue;
    const group = findEntry(ctx, 'DeviceGroup', schedule.namespace, ref.name);
    if (!group?.schemaValid || !group.manifest.spec.policyRef) continue;
    const policy = findEntry(ctx, 'UpdatePolicy', group.namespace, group.manifest.spec.policyRef.name);
    if (!policy?.schemaValid) continue;
    const rule = policy.manifest.spec.software?.firmware;
    if (modeOf('firmware', rule) !== 'automatic') continue;
    const asked = rule?.phase ?? 'General';
    // Basic-licence devices are always in General, whatever the policy says.
    const phase = group.manifest.spec.license === 'Basic' ? 'General' : asked;
    const latest = ctx.now + firmwareMaxDelayMs[phase];
    if (when > latest) {
      const wait = phase === 'Test' ? 'installs firmware as soon as it is released' : `installs firmware at most ${firmwareMaxDelayMs[phase] / day} days after its release`;
      ctx.report(
        schedule,
        ['spec', 'at'],
        'value',
        'schedule-after-max-delay',
        `group '${ref.name}' is in the ${phase} phase, which ${wait}: this firmware update will run by ${formatInZone(latest, timeZone)} ${timeZone} at the latest, not at ${at}`,
      );
    }
  }
};

/** duplicate-software-type and version-not-comparable for ScheduledUpdates. */
export const checkScheduleSoftware: Check = (ctx) => {
  for (const schedule of validOf(ctx, 'ScheduledUpdate')) {
    const seen = new Set<string>();
    schedule.manifest.spec.software.forEach((s, i) => {
      const at = ['spec', 'software', i];
      if (seen.has(s.type)) ctx.report(schedule, [...at, 'type'], 'value', 'duplicate-software-type', `${s.type} is listed twice; list each software type once`);
      seen.add(s.type);
      const version = s.version ?? 'latest';
      if (version !== 'latest' && !isComparableVersion(version)) {
        ctx.report(schedule, [...at, 'version'], 'value', 'version-not-comparable', `'${version}' is not a version firmwarden can order (dotted numbers such as 1.14.2, or latest); it could not prove the update is not a downgrade`);
      }
    });
  }
};
