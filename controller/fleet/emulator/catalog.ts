// The hardware the emulated fleet is made of: device types with their share of the fleet,
// and per type the manufacturers and models, each on a software platform that decides which
// of the six software types it reports and can update.
import type { DeviceType, SoftwareType } from '../../model/fleet.ts';

/** android: everything updatable; windows: no firmware or Company Portal; sip: nothing updatable. */
export type Platform = 'android' | 'windows' | 'sip';

export interface ModelSpec {
  readonly manufacturer: string;
  /** Unique across the catalog: control calls name a model by this alone. */
  readonly model: string;
  readonly deviceType: DeviceType;
  readonly platform: Platform;
  /** Share of its device type. */
  readonly weight: number;
  /** Leading number of its firmware versions (android only). */
  readonly firmwareMajor: number;
  /** Android release its OS builds are based on (android only). */
  readonly osMajor: number;
}

/** Share of the fleet per device type (sums to 100). */
export const deviceTypeWeights: readonly (readonly [DeviceType, number])[] = [
  ['ipPhone', 33], ['lowCostPhone', 8], ['teamsRoom', 12], ['collaborationBar', 12], ['touchConsole', 6],
  ['teamsPanel', 8], ['teamsDisplay', 5], ['surfaceHub', 3], ['sip', 11], ['sipAnalog', 2],
];

function m(manufacturer: string, model: string, deviceType: DeviceType, platform: Platform, weight: number, firmwareMajor = 0, osMajor = 0): ModelSpec {
  return { manufacturer, model, deviceType, platform, weight, firmwareMajor, osMajor };
}

/** Every model the emulator can generate, in a fixed order (indices are stored compactly). */
export const models: readonly ModelSpec[] = [
  m('yealink', 'MP58', 'ipPhone', 'android', 3, 122, 9),
  m('yealink', 'MP56', 'ipPhone', 'android', 3, 122, 9),
  m('poly', 'CCX 500', 'ipPhone', 'android', 3, 8, 9),
  m('poly', 'CCX 600', 'ipPhone', 'android', 1, 8, 9),
  m('audiocodes', 'C470HD', 'ipPhone', 'android', 2, 1, 10),
  m('cisco', 'Desk Phone 9841', 'ipPhone', 'android', 1, 2, 10),
  m('yealink', 'MP52', 'lowCostPhone', 'android', 3, 122, 9),
  m('audiocodes', 'C435HD', 'lowCostPhone', 'android', 2, 1, 10),
  m('poly', 'CCX 350', 'lowCostPhone', 'android', 2, 8, 9),
  m('lenovo', 'ThinkSmart Core', 'teamsRoom', 'windows', 4),
  m('crestron', 'UC-Engine', 'teamsRoom', 'windows', 2),
  m('logitech', 'Tap', 'teamsRoom', 'windows', 3),
  m('yealink', 'MVC640', 'teamsRoom', 'windows', 2),
  m('poly', 'Studio X30', 'collaborationBar', 'android', 3, 4, 10),
  m('poly', 'Studio X50', 'collaborationBar', 'android', 2, 4, 10),
  m('logitech', 'Rally Bar', 'collaborationBar', 'android', 3, 1, 12),
  m('logitech', 'Rally Bar Mini', 'collaborationBar', 'android', 2, 1, 12),
  m('neat', 'Bar', 'collaborationBar', 'android', 3, 2, 12),
  m('yealink', 'MeetingBar A30', 'collaborationBar', 'android', 2, 133, 10),
  m('yealink', 'VC210', 'collaborationBar', 'android', 1, 118, 9),
  m('poly', 'TC10', 'touchConsole', 'android', 3, 4, 10),
  m('logitech', 'Tap IP', 'touchConsole', 'android', 2, 1, 12),
  m('yealink', 'CTP18', 'touchConsole', 'android', 2, 133, 10),
  m('neat', 'Pad', 'touchConsole', 'android', 3, 2, 12),
  m('yealink', 'RoomPanel', 'teamsPanel', 'android', 3, 151, 11),
  m('crestron', 'TSS-770', 'teamsPanel', 'android', 2, 2, 11),
  m('logitech', 'Tap Scheduler', 'teamsPanel', 'android', 2, 1, 12),
  m('poly', 'TC8', 'teamsPanel', 'android', 1, 4, 10),
  m('lenovo', 'ThinkSmart View', 'teamsDisplay', 'android', 3, 3, 10),
  m('yealink', 'DeskVision A24', 'teamsDisplay', 'android', 2, 133, 11),
  m('microsoft', 'Surface Hub 3', 'surfaceHub', 'windows', 2),
  m('microsoft', 'Surface Hub 2S', 'surfaceHub', 'windows', 1),
  m('poly', 'VVX 450', 'sip', 'sip', 3),
  m('yealink', 'T46U', 'sip', 'sip', 3),
  m('cisco', 'CP-8841', 'sip', 'sip', 2),
  m('audiocodes', 'MP-112', 'sipAnalog', 'sip', 1),
  m('grandstream', 'HT802', 'sipAnalog', 'sip', 1),
];

/** Software types a platform reports and can update, in the API's order. */
export const platformSoftware: Readonly<Record<Platform, readonly SoftwareType[]>> = {
  android: ['adminAgent', 'operatingSystem', 'teamsClient', 'firmware', 'partnerAgent', 'companyPortal'],
  windows: ['adminAgent', 'operatingSystem', 'teamsClient', 'partnerAgent'],
  sip: [],
};

/** Looks a model up by its (unique) name, case-insensitively. */
export function findModelIndex(name: string): number | undefined {
  const wanted = name.trim().toLowerCase();
  const index = models.findIndex((spec) => spec.model.toLowerCase() === wanted);
  return index < 0 ? undefined : index;
}
