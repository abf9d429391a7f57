// Health regressions on demand: a device of a given model that an update brought to a given
// version loses what the rule says — it goes offline, is signed out of Teams or Exchange, or a
// peripheral disconnects (or disappears) — in its health document from the moment the update
// succeeded. Only devices updated through the API are touched (a device generated on that
// version is not), which is what a firmware that breaks cameras looks like to a health soak.
import type { SoftwareType } from '../../model/fleet.ts';
import { SoftwareTypes } from '../../model/fleet.ts';
import { EmulatorInputError } from './input-error.ts';

/** What a regression breaks. */
export const HealthFaults = [
  'offline', 'teamsSignIn', 'exchangeSignIn', 'camera', 'contentCamera', 'microphone', 'speaker', 'communicationSpeaker', 'display', 'compute',
] as const;
export type HealthFault = (typeof HealthFaults)[number];

/** One rule: devices of `model` (any when absent) updated to `version` (any when absent) of `softwareType` (any when absent) lose `what`. */
export interface HealthRegressionRule {
  readonly model?: string;
  readonly softwareType?: SoftwareType;
  readonly version?: string;
  readonly what: HealthFault;
  /** The peripheral disappears from the document instead of disconnecting; default false. */
  readonly missing?: boolean;
}

/** Checks a rule from control or options; throws EmulatorInputError naming the field. */
export function checkHealthRegression(input: unknown): HealthRegressionRule {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new EmulatorInputError('a health regression is an object {model?, softwareType?, version?, what, missing?}');
  const x = input as Record<string, unknown>;
  for (const key of Object.keys(x)) {
    if (!['model', 'softwareType', 'version', 'what', 'missing'].includes(key)) throw new EmulatorInputError(`unknown field ${JSON.stringify(key)} in a health regression; known: model, softwareType, version, what, missing`);
  }
  if (typeof x.what !== 'string' || !(HealthFaults as readonly string[]).includes(x.what)) throw new EmulatorInputError(`what must be one of ${HealthFaults.join(', ')}`);
  if (x.model !== undefined && (typeof x.model !== 'string' || x.model.trim() === '')) throw new EmulatorInputError('model must be a model name');
  if (x.version !== undefined && (typeof x.version !== 'string' || x.version.trim() === '')) throw new EmulatorInputError('version must be a version string');
  if (x.softwareType !== undefined && !(SoftwareTypes as readonly unknown[]).includes(x.softwareType)) throw new EmulatorInputError(`softwareType must be one of ${SoftwareTypes.join(', ')}`);
  if (x.missing !== undefined && typeof x.missing !== 'boolean') throw new EmulatorInputError('missing must be true or false');
  if (x.model === undefined && x.version === undefined) throw new EmulatorInputError('give model and/or version: a regression of every update of every device is not a test of anything');
  return {
    what: x.what as HealthFault,
    ...(x.model === undefined ? {} : { model: (x.model as string).trim() }),
    ...(x.softwareType === undefined ? {} : { softwareType: x.softwareType as SoftwareType }),
    ...(x.version === undefined ? {} : { version: (x.version as string).trim() }),
    ...(x.missing === true ? { missing: true } : {}),
  };
}

/** The rules that strike a device of `model` whose updates (through the API) left `updated` installed. */
export function healthFaultsFor(rules: readonly HealthRegressionRule[], model: string, updated: Partial<Record<SoftwareType, string>> | undefined): HealthRegressionRule[] {
  if (!updated || rules.length === 0) return [];
  return rules.filter((rule) => {
    if (rule.model !== undefined && rule.model.toLowerCase() !== model.toLowerCase()) return false;
    const types = rule.softwareType ? [rule.softwareType] : SoftwareTypes;
    return types.some((t) => updated[t] !== undefined && (rule.version === undefined || updated[t] === rule.version));
  });
}

type Json = Record<string, unknown>;
const peripheralOf: Partial<Record<HealthFault, [group: 'peripheralsHealth' | 'hardwareHealth', key: string]>> = {
  camera: ['peripheralsHealth', 'roomCameraHealth'],
  contentCamera: ['peripheralsHealth', 'contentCameraHealth'],
  microphone: ['peripheralsHealth', 'microphoneHealth'],
  speaker: ['peripheralsHealth', 'speakerHealth'],
  communicationSpeaker: ['peripheralsHealth', 'communicationSpeakerHealth'],
  compute: ['hardwareHealth', 'computeHealth'],
};

/** A health document (as shapeHealth made it) with the rules' faults applied; parts the device lacks stay absent. */
export function applyHealthFaults(document: Json, faults: readonly HealthRegressionRule[]): Json {
  if (faults.length === 0) return document;
  const doc = structuredClone(document);
  const disconnect = (connection: unknown) => {
    if (connection && typeof connection === 'object') (connection as Json)['connectionStatus'] = 'disconnected';
  };
  for (const f of faults) {
    if (f.what === 'offline') disconnect(doc['connection']);
    else if (f.what === 'teamsSignIn') disconnect((doc['loginStatus'] as Json | null)?.['teamsConnection']);
    else if (f.what === 'exchangeSignIn') disconnect((doc['loginStatus'] as Json | null)?.['exchangeConnection']);
    else if (f.what === 'display') {
      const peripherals = doc['peripheralsHealth'] as Json | null;
      const displays = peripherals?.['displayHealthCollection'];
      if (!Array.isArray(displays)) continue;
      if (f.missing) peripherals!['displayHealthCollection'] = [];
      else for (const d of displays) disconnect((d as Json)['connection']);
    } else {
      const [group, key] = peripheralOf[f.what]!;
      const holder = doc[group] as Json | null;
      const peripheral = holder?.[key] as Json | null | undefined;
      if (!peripheral) continue;
      if (f.missing) holder![key] = null;
      else disconnect(peripheral['connection']);
    }
  }
  return doc;
}
