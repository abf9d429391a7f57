// teamworkDeviceHealth (wire) -> DeviceHealth (port): what works on the device, reduced to one
// word per aspect so a health soak can compare "before the update" with "now" and the ledger
// can keep the "before" in a few bytes. Tolerant: a part the document leaves out or spells in a
// way we do not know is simply not reported (unknown), never a reason to refuse the document.
import type { DeviceHealth, HealthAspect } from '../../model/fleet.ts';
import { asObject, normalizeEnum } from './wire-values.ts';
import { Interner } from './intern.ts';

// A few dozen distinct summaries across a whole fleet: one shared (readonly) object each.
const summaries = new Interner<DeviceHealth>(1_000);

const connectionStatuses = ['unknown', 'connected', 'disconnected'] as const;

/** ok / down / unknown of a teamworkConnection; undefined when there is none. */
function connectionWord(value: unknown): 'ok' | 'down' | 'unknown' | undefined {
  const connection = asObject(value);
  if (!connection) return undefined;
  const status = normalizeEnum(connection['connectionStatus'], connectionStatuses, 'unknown');
  return status === 'connected' ? 'ok' : status === 'disconnected' ? 'down' : 'unknown';
}

/** The word of a teamworkPeripheralHealth (its connection); undefined when the peripheral is absent. */
function peripheralWord(value: unknown): 'ok' | 'down' | 'unknown' | undefined {
  const peripheral = asObject(value);
  if (!peripheral) return undefined;
  return connectionWord(peripheral['connection']) ?? 'unknown';
}

/** Displays as one aspect: down when any is disconnected, ok when all are connected. */
function displaysWord(value: unknown): 'ok' | 'down' | 'unknown' | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const words = value.map(peripheralWord);
  if (words.includes('down')) return 'down';
  return words.every((w) => w === 'ok') ? 'ok' : 'unknown';
}

/**
 * The health summary of a health document (already unwrapped). hdmiIngestHealth is left out on
 * purpose: it is disconnected whenever nobody has a laptop plugged in, so comparing it would
 * report a regression every time a meeting ends.
 */
export function parseHealth(health: Record<string, unknown>): DeviceHealth {
  const login = asObject(health['loginStatus']);
  const peripherals = asObject(health['peripheralsHealth']);
  const hardware = asObject(health['hardwareHealth']);
  const words: [HealthAspect, 'ok' | 'down' | 'unknown' | undefined][] = [
    ['online', connectionWord(health['connection'])],
    ['teamsSignIn', connectionWord(login?.['teamsConnection'])],
    ['exchangeSignIn', connectionWord(login?.['exchangeConnection'])],
    ['roomCamera', peripheralWord(peripherals?.['roomCameraHealth'])],
    ['contentCamera', peripheralWord(peripherals?.['contentCameraHealth'])],
    ['microphone', peripheralWord(peripherals?.['microphoneHealth'])],
    ['speaker', peripheralWord(peripherals?.['speakerHealth'])],
    ['communicationSpeaker', peripheralWord(peripherals?.['communicationSpeakerHealth'])],
    ['display', displaysWord(peripherals?.['displayHealthCollection'])],
    ['compute', peripheralWord(hardware?.['computeHealth'])],
  ];
  const out: Partial<Record<HealthAspect, 'ok' | 'down' | 'unknown'>> = {};
  let key = '';
  for (const [aspect, word] of words) {
    if (word === undefined) continue;
    out[aspect] = word;
    key += `${aspect}=${word};`;
  }
  return summaries.get(key, () => out);
}
