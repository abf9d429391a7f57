// Time zones: every name must be one the runtime knows, and a group without a timeZone must not
// follow a policy whose windows or freezes are in device-local time (UTC would be assumed).
import type { UpdatePolicy } from '../../model/manifests.generated.ts';
import { isTimeZone, suggestTimeZone } from '../time-zones.ts';
import type { PathSegment } from '../yaml-document.ts';
import type { Check, Entry } from './context.ts';
import { findEntry, validOf, whereIs } from './context.ts';

/** The time zone a window or freeze is in when it names none. */
export const deviceLocal = 'device-local';

/** invalid-time-zone: groups, schedules, windows and freezes. */
export const checkTimeZones: Check = (ctx) => {
  const check = (entry: Entry, zone: string | undefined, path: PathSegment[], allowDeviceLocal: boolean) => {
    if (zone === undefined || isTimeZone(zone) || (allowDeviceLocal && zone === deviceLocal)) return;
    const guess = suggestTimeZone(zone, ctx.suggestBudget);
    const local = allowDeviceLocal ? ` (or ${deviceLocal})` : '';
    const hint = guess ? `; did you mean '${guess}'?` : `; use an IANA name such as Europe/Paris or America/New_York${local}`;
    ctx.report(entry, path, 'value', 'invalid-time-zone', `unknown time zone '${zone}'${hint}`);
  };
  for (const entry of ctx.entries) {
    if (!entry.schemaValid) continue;
    if (entry.kind === 'DeviceGroup') check(entry, entry.manifest.spec.timeZone, ['spec', 'timeZone'], false);
    else if (entry.kind === 'ScheduledUpdate') check(entry, entry.manifest.spec.timeZone, ['spec', 'timeZone'], false);
    else if (entry.kind === 'UpdatePolicy') {
      entry.manifest.spec.maintenanceWindows?.forEach((w, i) => check(entry, w.timeZone, ['spec', 'maintenanceWindows', i, 'timeZone'], true));
      entry.manifest.spec.freezes?.forEach((f, i) => check(entry, f.timeZone, ['spec', 'freezes', i, 'timeZone'], true));
    }
  }
};

/** What in a policy is counted in device-local time, for the message; undefined when nothing. */
export function deviceLocalParts(policy: UpdatePolicy): string | undefined {
  const windows = policy.spec.maintenanceWindows ?? [];
  if (windows.length === 0) return 'its default maintenance windows (outside business hours)';
  const names: string[] = [];
  windows.forEach((w, i) => {
    if ((w.timeZone ?? deviceLocal) === deviceLocal) names.push(`window ${w.name ?? i + 1}`);
  });
  (policy.spec.freezes ?? []).forEach((f, i) => {
    if ((f.timeZone ?? deviceLocal) === deviceLocal) names.push(`freeze ${f.name ?? i + 1}`);
  });
  return names.length > 0 ? names.join(', ') : undefined;
}

/** device-local-without-time-zone: warned on the group, which is where the fix goes. */
export const checkDeviceLocalZones: Check = (ctx) => {
  for (const group of validOf(ctx, 'DeviceGroup')) {
    const ref = group.manifest.spec.policyRef;
    if (!ref || group.manifest.spec.timeZone !== undefined) continue;
    const policy = findEntry(ctx, 'UpdatePolicy', group.namespace, ref.name);
    if (!policy?.schemaValid) continue;
    const parts = deviceLocalParts(policy.manifest);
    if (!parts) continue;
    ctx.report(
      group,
      ['spec', 'policyRef'],
      'key',
      'device-local-without-time-zone',
      `policy '${ref.name}' (${whereIs(policy)}) uses device-local time for ${parts}, but this group has no spec.timeZone: UTC is assumed; set spec.timeZone to the site's time zone`,
    );
  }
};
