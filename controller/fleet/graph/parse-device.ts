// teamworkDevice (wire) -> Device (port). Strict on the id (without it nothing can be done to
// the device); tolerant on everything else.
import type { Device } from '../../model/fleet.ts';
import { DeviceTypes, HealthStatuses } from '../../model/fleet.ts';
import { ActivityStates } from '../../model/rooms.ts';
import { asObject, asOptionalString, isKnownEnum, normalizeEnum, parseTimestamp } from './wire-values.ts';
import { internString } from './intern.ts';

export type Parsed<T> = { readonly ok: true; readonly value: T; readonly notes: readonly string[] } | { readonly ok: false; readonly problem: string };

/** Parses one device of a list page or a get-device response. */
export function parseDevice(raw: unknown): Parsed<Device> {
  const object = asObject(raw);
  if (!object) return { ok: false, problem: 'device is not a JSON object' };
  const id = object['id'];
  if (typeof id !== 'string' || id.trim().length === 0) return { ok: false, problem: 'device has no id' };
  const notes: string[] = [];
  if (object['deviceType'] !== undefined && !isKnownEnum(object['deviceType'], DeviceTypes)) {
    notes.push(`unknown deviceType ${JSON.stringify(object['deviceType'])}`);
  }
  const hardware = asObject(object['hardwareDetail']) ?? {};
  const macs = Array.isArray(hardware['macAddresses']) ? hardware['macAddresses'].filter((m): m is string => typeof m === 'string') : [];
  // On the current beta pages only; for a Teams Room it is the resource account, the room's mailbox.
  const principal = asOptionalString(asObject(object['currentUser'])?.['userPrincipalName']);
  const device: Device = {
    id,
    deviceType: normalizeEnum(object['deviceType'], DeviceTypes, 'unknown'),
    // Shared copies: a fleet has a few dozen models, each listed thousands of times.
    manufacturer: internString(asOptionalString(hardware['manufacturer']) ?? ''),
    model: internString(asOptionalString(hardware['model']) ?? ''),
    serialNumber: asOptionalString(hardware['serialNumber']) ?? '',
    uniqueId: asOptionalString(hardware['uniqueId']) ?? '',
    macAddresses: macs,
    companyAssetTag: asOptionalString(object['companyAssetTag']),
    notes: asOptionalString(object['notes']),
    healthStatus: normalizeEnum(object['healthStatus'], HealthStatuses, 'unknown'),
    currentUserId: asOptionalString(asObject(object['currentUser'])?.['id']),
    currentUserName: asOptionalString(asObject(object['currentUser'])?.['displayName']),
    ...(principal === null ? {} : { currentUserPrincipalName: principal }),
    ...(object['activityState'] === undefined || object['activityState'] === null ? {} : { activityState: normalizeEnum(object['activityState'], ActivityStates, 'unknown') }),
    createdDateTime: parseTimestamp(object['createdDateTime']),
  };
  return { ok: true, value: device, notes };
}
