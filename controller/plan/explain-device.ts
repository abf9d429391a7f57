// `why`: one device's story in words a fleet admin understands: which group and policy apply
// (and which other groups wanted it), what each software type should get, when, and what
// blocks it right now. Pure: reads a plan.
import type { Device } from '../model/fleet.ts';
import type { DevicePlan, Plan, PlanEntry, ScheduledRefusal, ScheduledSummary } from '../model/plan.ts';
import { displayName } from '../policy/manifest-keys.ts';
import { parseTags } from '../policy/selector.ts';
import { softwareLabel } from '../policy/software-rules.ts';
import { formatLocalTime, formatRelative } from './render-time.ts';
import { escapeText, safeLine } from '../output/escape.ts';
import { isScheduledRefusal, scheduledRefusals } from './plan-entries.ts';

export interface DeviceExplanation {
  readonly device: Device;
  readonly plan: DevicePlan | undefined;
  /** For people, safe to print: control, separator and bidi characters of the values escaped. */
  readonly lines: readonly string[];
  /** The first thing in the way, in one sentence (undefined when nothing needs doing). */
  readonly blocker: string | undefined;
  /** Every ScheduledUpdate request refused for the device, whatever decided its entries. */
  readonly refusals: readonly (ScheduledRefusal & { readonly softwareType: PlanEntry['softwareType'] })[];
}

/** Finds a device by id, hardware unique id or serial number (case-insensitive). */
export function findDevice(devices: readonly Device[], ref: string): Device | undefined {
  const r = ref.trim().toLowerCase();
  return devices.find((d) => d.id.toLowerCase() === r) ?? devices.find((d) => d.uniqueId.toLowerCase() === r) ?? devices.find((d) => d.serialNumber.toLowerCase() === r);
}

/** The message as a sentence of its own. */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

function describeEntry(plan: Plan, entry: PlanEntry, zone: string): string[] {
  const label = softwareLabel[entry.softwareType];
  const current = entry.currentVersion ?? 'an unreported version';
  const lines: string[] = [];
  const rule = `rule: ${entry.rule.text}`;
  const when = (t: number) => `${formatLocalTime(t, zone)} (${formatRelative(t, plan.now)})`;
  switch (entry.state) {
    case 'upToDate':
      lines.push(`${label}: runs ${current}; nothing to install now. ${sentence(entry.reason.message)}.`, `  ${rule}`);
      break;
    case 'succeeded':
      lines.push(`${label}: runs ${current}; ${entry.reason.message}.`, `  ${rule}`);
      break;
    case 'pending':
      lines.push(`${label}: runs ${current}; should get ${entry.desiredVersion} now.`, `  ${rule}`, `  now: ${entry.reason.message}.`);
      break;
    case 'scheduled':
      lines.push(
        `${label}: runs ${current}; should get ${entry.desiredVersion} ${entry.earliestStart === undefined ? 'later (the time depends on earlier waves)' : `at ${when(entry.earliestStart)}`}.`,
        `  ${rule}`,
        `  until then: ${entry.reason.message}.`,
      );
      break;
    case 'inProgress':
      lines.push(`${label}: runs ${current}; ${entry.reason.message}.`, `  ${rule}`);
      break;
    case 'failed':
      lines.push(`${label}: runs ${current}; ${entry.reason.message}.`, `  ${rule}`);
      break;
    case 'blocked':
      lines.push(`${label}: runs ${current}; ${isScheduledRefusal(entry) ? 'REFUSED' : 'BLOCKED'} (${entry.reason.code}): ${entry.reason.message}.`, `  ${rule}`);
      break;
  }
  // Refusals of ScheduledUpdates another rule beat: what a person asked for and will not get.
  for (const r of entry.refused ?? []) lines.push(`  REFUSED (${r.reason.code}): ${refusalText(r)}.`);
  if (entry.clamp) {
    lines.push(`  note: asked for ${formatLocalTime(entry.clamp.requestedTime, zone)}, runs ${formatLocalTime(entry.clamp.effectiveTime, zone)}: ${entry.clamp.reason}.`);
  }
  if (entry.scheduledUpdate) lines.push(`  decided by the ScheduledUpdate ${displayName(entry.scheduledUpdate)}.`);
  return lines;
}

/** "the ScheduledUpdate fix asks for 1.0: 1.0 is older than …" */
function refusalText(r: ScheduledRefusal): string {
  return `the ScheduledUpdate ${displayName(r.scheduledUpdate)} asks for ${r.version ?? 'a version'}: ${r.reason.message}`;
}

/** How a ScheduledUpdate stands for one device: refused (never "completed"), completed, or nothing. */
function scheduledOutcome(s: ScheduledSummary, deviceId: string): string {
  const mine = s.records.find((r) => r.deviceId === deviceId);
  const refused = mine?.entries.filter(isScheduledRefusal) ?? [];
  // Refused here, the ScheduledUpdate did nothing for this device whatever it did elsewhere.
  if (refused.length > 0) return `; REFUSED here: ${refused.map((e) => `${softwareLabel[e.softwareType]}${e.desiredVersion ? ` ${e.desiredVersion}` : ''} (${e.reason.code})`).join(', ')}`;
  return s.completionTime !== undefined ? ', completed' : '';
}

/** Explains one device of the plan. */
export function explainDevice(plan: Plan, device: Device): DeviceExplanation {
  const dp = plan.devices.find((d) => d.deviceId === device.id);
  const tags = parseTags(device.notes);
  const lines: string[] = [];
  lines.push(`Device ${device.serialNumber || device.uniqueId || device.id}: ${device.manufacturer} ${device.model} (${device.deviceType}), health ${device.healthStatus}`);
  lines.push(`  id ${device.id}, unique id ${device.uniqueId || '-'}, serial ${device.serialNumber || '-'}, tags ${tags.length ? tags.map((t) => `#${t}`).join(' ') : '(none in its notes)'}`);
  const groupKey = dp?.group ?? plan.groups.find((g) => g.deviceIds.includes(device.id))?.key;
  const group = plan.groups.find((g) => g.key === groupKey);
  const conflict = plan.conflicts.find((c) => c.deviceId === device.id);
  lines.push('');
  if (!group) {
    lines.push('Group: none. No DeviceGroup selects or includes it, so no policy updates it automatically; only a ScheduledUpdate naming it can.');
  } else {
    lines.push(`Group: ${displayName(group.key)} (time zone ${group.timeZone}, ${group.license} licence${group.license === 'Basic' ? ': always the General phase' : ''}).`);
    if (conflict) {
      const others = conflict.groups.filter((g) => g !== conflict.chosen).map(displayName);
      lines.push(`  It also matches ${others.join(', ')}; ${conflict.reason}.`);
    }
    if (group.policy) {
      const policy = plan.policies.find((p) => p.key === group.policy);
      lines.push(`Policy: ${displayName(group.policy)}${dp?.wave !== undefined ? `; the device is in wave ${dp.wave}` : ''}.`);
      if (policy?.suspended) lines.push(`  The policy is suspended by ${policy.suspended.by}: ${policy.suspended.reason}${policy.suspended.until === undefined ? '' : ` (until ${formatLocalTime(policy.suspended.until, group.timeZone)})`}.`);
    } else if (group.missingPolicy) {
      lines.push(`Policy: ${displayName(group.missingPolicy)} is named but does not exist (or is invalid), so nothing updates automatically.`);
    } else {
      lines.push('Policy: none named, so nothing updates automatically; only ScheduledUpdates do.');
    }
    if (group.nextWindow) {
      const open = group.nextWindow.start <= plan.now;
      lines.push(`Maintenance window: ${group.nextWindow.name} ${open ? `is open until ${formatLocalTime(group.nextWindow.end, group.timeZone)}` : `opens ${formatLocalTime(group.nextWindow.start, group.timeZone)} (${formatRelative(group.nextWindow.start, plan.now)})`}.`);
    }
    if (group.freeze) {
      const f = group.freeze;
      lines.push(`Freeze: ${f.name} (${f.from} to ${f.to}${f.reason ? `: ${f.reason}` : ''}) blocks automatic starts until ${formatLocalTime(f.end, group.timeZone)}.`);
    }
  }
  const sus = plan.scheduledUpdates.filter((s) => s.deviceIds.includes(device.id));
  for (const s of sus) lines.push(`ScheduledUpdate ${s.name} targets it${s.scheduledTime === undefined ? ' (now)' : ` at ${formatLocalTime(s.scheduledTime, group?.timeZone ?? 'UTC')}`}${scheduledOutcome(s, device.id)}.`);
  lines.push('');
  const zone = group?.timeZone ?? 'UTC';
  if (!dp || dp.entries.length === 0) {
    lines.push(group ? 'Software: the device reports no software firmwarden can update (or it could not be read).' : 'Software: not planned.');
  } else {
    for (const e of dp.entries) lines.push(...describeEntry(plan, e, zone));
  }
  // A health soak's finding stays visible on the device even once its entry reads up to date.
  for (const r of plan.health?.regressions ?? []) {
    if (r.deviceId === device.id) lines.push(`Health: regressed after its update: ${r.what.join(', ')} after ${softwareLabel[r.softwareType]} ${r.version} (seen ${formatLocalTime(r.at, zone)}).`);
  }
  const blocking = dp?.entries.find((e) => e.state === 'blocked' || e.state === 'failed') ??
    dp?.entries.find((e) => e.state === 'scheduled' || (e.state === 'pending' && e.reason.code !== 'Starting'));
  const blocker = blocking ? `${softwareLabel[blocking.softwareType]}: ${blocking.reason.message}` : undefined;
  lines.push('');
  lines.push(blocker ? `What holds it right now: ${blocker}.` : dp?.entries.some((e) => e.state === 'pending') ? 'Nothing holds it: an update starts now.' : 'Nothing holds it: it is where the rules want it.');
  const refusals = dp?.entries.flatMap((e) => scheduledRefusals(e).map((r) => ({ softwareType: e.softwareType, ...r }))) ?? [];
  for (const r of refusals) lines.push(`Needs a person: ${softwareLabel[r.softwareType]}: ${refusalText(r)}; change or delete the ScheduledUpdate.`);
  // Device fields, names and reasons are hostile input; the lines are made safe once, here.
  return { device, plan: dp, lines: lines.map(safeLine), blocker: blocker === undefined ? undefined : escapeText(blocker), refusals };
}
