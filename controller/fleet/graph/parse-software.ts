// teamworkDeviceHealth.softwareUpdateHealth (wire) -> DeviceSoftware (port). Versions must be
// strings: a number would lose trailing zeros (5.30 -> 5.3) and a wrong version is how
// downgrades happen, so a non-string version drops that software type with a note.
import type { DeviceSoftware, SoftwareState, SoftwareType } from '../../model/fleet.ts';
import { Freshness, SoftwareTypes } from '../../model/fleet.ts';
import type { Parsed } from './parse-device.ts';
import { parseHealth } from './parse-health.ts';
import { asObject, normalizeEnum, unwrapEntity } from './wire-values.ts';
import { Interner } from './intern.ts';

// Every device on the same software reports the same state: one shared (readonly) object each.
const states = new Interner<SoftwareState>();

function readVersion(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length === 0 ? null : trimmed;
}

/** Parses a health document (top-level or wrapped in `value`) into software states and a health summary. */
export function parseSoftware(deviceId: string, body: unknown): Parsed<DeviceSoftware> {
  const health = unwrapEntity(body);
  if (!health) return { ok: false, problem: 'health document is not a JSON object' };
  const updateHealth = asObject(health['softwareUpdateHealth']);
  const software: Partial<Record<SoftwareType, SoftwareState>> = {};
  const notes: string[] = [];
  for (const softwareType of SoftwareTypes) {
    const status = asObject(updateHealth?.[`${softwareType}SoftwareUpdateStatus`]);
    if (!status) continue;
    const currentVersion = readVersion(status['currentVersion']);
    const availableVersion = readVersion(status['availableVersion']);
    if (currentVersion === undefined || availableVersion === undefined) {
      notes.push(`${softwareType}: version is not a string`);
      continue;
    }
    const freshness = normalizeEnum(status['softwareFreshness'], Freshness, 'unknown');
    // JSON.stringify, not a separator: versions are free text and may hold any character.
    software[softwareType] = states.get(JSON.stringify([softwareType, currentVersion, availableVersion, freshness]), () => ({
      softwareType,
      currentVersion,
      availableVersion,
      freshness,
    }));
  }
  return { ok: true, value: { deviceId, software, health: parseHealth(health) }, notes };
}
