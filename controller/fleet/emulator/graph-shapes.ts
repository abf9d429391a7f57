// Wire shapes of the Graph resources (teamworkDevice, health, activity, configuration,
// operation), built from the emulator's records and bent by the quirks when asked.
import { SoftwareTypes, type DeviceType, type SoftwareType } from '../../model/fleet.ts';
import type { DeviceRecord } from './fleet-gen.ts';
import { operationStatusAt, operationTimesAt, type OperationRecord } from './operations.ts';
import { statusSpellings, type Quirks } from './quirks.ts';
import type { SoftwareStatus } from './software-status.ts';

type Json = Record<string, unknown>;

/** Properties $select may name on a device. */
export const deviceProperties = [
  'id', 'deviceType', 'hardwareDetail', 'notes', 'companyAssetTag', 'healthStatus', 'activityState',
  'createdDateTime', 'createdBy', 'lastModifiedDateTime', 'lastModifiedBy', 'currentUser',
] as const;
export const healthProperties = ['id', 'connection', 'loginStatus', 'peripheralsHealth', 'softwareUpdateHealth', 'hardwareHealth', 'createdDateTime', 'lastModifiedDateTime', 'createdBy', 'lastModifiedBy'] as const;
export const activityProperties = ['id', 'activePeripherals', 'createdDateTime', 'lastModifiedDateTime', 'createdBy', 'lastModifiedBy'] as const;
export const configurationProperties = [
  'id', 'cameraConfiguration', 'displayConfiguration', 'hardwareConfiguration', 'microphoneConfiguration', 'speakerConfiguration',
  'systemConfiguration', 'teamsClientConfiguration', 'softwareVersions', 'createdDateTime', 'lastModifiedDateTime', 'createdBy', 'lastModifiedBy',
] as const;
export const operationProperties = ['id', 'operationType', 'status', 'error', 'startedDateTime', 'completedDateTime', 'createdDateTime', 'lastActionDateTime', 'createdBy', 'lastActionBy'] as const;

const iso = (ms: number) => new Date(ms).toISOString();
const pascal = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The deviceType string a quirk setting puts on the wire. */
export function wireDeviceType(type: DeviceType, quirks: Quirks): string {
  const value = type === 'sipAnalog' && quirks.sipAnalog === 'unknownFutureValue' ? 'unknownFutureValue' : type;
  return quirks.pascalCaseEnums ? pascal(value) : value;
}

/** A teamworkDevice. */
export function shapeDevice(record: DeviceRecord, lastModifiedAt: number, quirks: Quirks): Json {
  const e = (value: string) => (quirks.pascalCaseEnums ? pascal(value) : value);
  return {
    '@odata.type': '#microsoft.graph.teamworkDevice',
    id: record.id,
    deviceType: wireDeviceType(record.deviceType, quirks),
    hardwareDetail: {
      serialNumber: record.serialNumber, uniqueId: record.uniqueId, macAddresses: [...record.macAddresses],
      manufacturer: record.manufacturer, model: record.model,
    },
    notes: record.notes,
    companyAssetTag: record.companyAssetTag,
    healthStatus: e(record.healthStatus),
    activityState: e(record.activityState),
    createdDateTime: iso(record.createdAt),
    createdBy: null,
    lastModifiedDateTime: iso(lastModifiedAt),
    lastModifiedBy: null,
    currentUser: record.currentUser
      ? { id: record.currentUser.id, displayName: record.currentUser.displayName, userIdentityType: 'aadUser', userPrincipalName: record.currentUser.userPrincipalName }
      : null,
  };
}

function connection(connected: boolean | 'unknown', at: number): Json {
  return { connectionStatus: connected === 'unknown' ? 'unknown' : connected ? 'connected' : 'disconnected', lastModifiedDateTime: iso(at) };
}

function peripheral(isOptional: boolean, connected: boolean, at: number): Json {
  return { isOptional, connection: connection(connected, at) };
}

const roomLike: ReadonlySet<DeviceType> = new Set(['teamsRoom', 'collaborationBar', 'surfaceHub']);

/** A teamworkDeviceHealth; `software` holds the six entries (null where the device reports none). */
export function shapeHealth(record: DeviceRecord, software: Readonly<Record<SoftwareType, SoftwareStatus | null>>, lastModifiedAt: number): Json {
  const online = record.healthStatus !== 'offline';
  const at = lastModifiedAt;
  const room = roomLike.has(record.deviceType);
  // Critical devices have lost a required peripheral; non-urgent ones an optional one.
  const cameraOk = online && record.healthStatus !== 'critical';
  const optionalOk = online && record.healthStatus !== 'nonUrgent';
  const softwareUpdateHealth: Json = {};
  // Alphabetical, like the docs' example.
  for (const type of [...SoftwareTypes].sort()) softwareUpdateHealth[`${type}SoftwareUpdateStatus`] = software[type];
  return {
    '@odata.type': '#microsoft.graph.teamworkDeviceHealth',
    id: record.id,
    connection: connection(online, at),
    loginStatus: {
      exchangeConnection: connection(online, at),
      teamsConnection: connection(online, at),
      skypeConnection: connection('unknown', at),
    },
    peripheralsHealth: {
      roomCameraHealth: room ? peripheral(false, cameraOk, at) : null,
      contentCameraHealth: room ? peripheral(true, optionalOk, at) : null,
      speakerHealth: peripheral(false, online, at),
      communicationSpeakerHealth: peripheral(false, online, at),
      microphoneHealth: peripheral(false, online, at),
      displayHealthCollection: room ? [peripheral(false, online, at)] : [],
    },
    softwareUpdateHealth,
    hardwareHealth: {
      computeHealth: peripheral(false, online, at),
      hdmiIngestHealth: room ? peripheral(true, optionalOk, at) : null,
    },
    createdDateTime: iso(record.createdAt),
    lastModifiedDateTime: iso(lastModifiedAt),
    createdBy: null,
    lastModifiedBy: null,
  };
}

function peripheralEntity(record: DeviceRecord, kind: string, productId: string): Json {
  return { id: `${record.id.slice(0, 8)}-${kind}`, displayName: `${record.manufacturer} ${record.model} ${kind}`, productId, vendorId: record.manufacturer.slice(0, 4).toUpperCase() };
}

/** A teamworkDeviceActivity. */
export function shapeActivity(record: DeviceRecord): Json {
  const room = roomLike.has(record.deviceType);
  const busy = record.activityState === 'busy';
  return {
    '@odata.type': '#microsoft.graph.teamworkDeviceActivity',
    id: record.id,
    activePeripherals: {
      communicationSpeaker: busy ? peripheralEntity(record, 'speaker', '0x0a01') : null,
      contentCamera: busy && room ? peripheralEntity(record, 'content-camera', '0x0c02') : null,
      microphone: busy ? peripheralEntity(record, 'microphone', '0x0b01') : null,
      roomCamera: busy && room ? peripheralEntity(record, 'camera', '0x0c01') : null,
      speaker: busy ? peripheralEntity(record, 'speaker', '0x0a01') : null,
    },
    createdDateTime: iso(record.createdAt),
    lastModifiedDateTime: iso(record.lastModifiedAt),
    createdBy: null,
    lastModifiedBy: null,
  };
}

/** A teamworkDeviceConfiguration (softwareVersions from what is installed now; no company-portal entry). */
export function shapeConfiguration(record: DeviceRecord, installed: Partial<Record<SoftwareType, string>>, lastModifiedAt: number): Json {
  const room = roomLike.has(record.deviceType);
  return {
    '@odata.type': '#microsoft.graph.teamworkDeviceConfiguration',
    id: record.id,
    cameraConfiguration: { contentCameraConfiguration: { isContentCameraInverted: false, isContentCameraOptional: true, isContentEnhancementEnabled: room } },
    displayConfiguration: { configuredDisplays: [], displayCount: room ? 1 : 0, inBuiltDisplayScreenConfiguration: null, isContentDuplicationAllowed: true, isDualDisplayModeEnabled: false },
    hardwareConfiguration: { processorModel: record.deviceType === 'teamsRoom' || record.deviceType === 'surfaceHub' ? 'Intel Core i5' : 'Qualcomm QCS605' },
    microphoneConfiguration: { isMicrophoneOptional: false },
    speakerConfiguration: { isCommunicationSpeakerOptional: false, isSpeakerOptional: false },
    systemConfiguration: {
      dateTimeConfiguration: { dateFormat: 'yyyy-MM-dd', timeFormat: 'HH:mm', timeZone: record.site.timeZone, officeHoursStartTime: '08:00:00', officeHoursEndTime: '19:00:00' },
      defaultPassword: null, deviceLockTimeout: 'PT5M', isDeviceLockEnabled: !room, isLoggingEnabled: true, isPowerSavingEnabled: true,
      isScreenCaptureEnabled: false, isSilentModeEnabled: false, language: record.site.key === 'paris' ? 'fr-FR' : record.site.key === 'lisbon' ? 'pt-PT' : 'en-US',
      lockPin: null, loggingLevel: 'info', networkConfiguration: null,
    },
    teamsClientConfiguration: {
      accountConfiguration: { supportedClient: 'teamsOnly', onPremisesCalendarSyncConfiguration: null },
      featuresConfiguration: { emailToSendLogsAndFeedback: null, isAutoScreenShareEnabled: room, isBluetoothBeaconingEnabled: room, isHideMeetingNamesEnabled: false, isSendLogsAndFeedbackEnabled: true },
    },
    softwareVersions: {
      adminAgentSoftwareVersion: installed.adminAgent ?? null,
      firmwareSoftwareVersion: installed.firmware ?? null,
      operatingSystemSoftwareVersion: installed.operatingSystem ?? null,
      partnerAgentSoftwareVersion: installed.partnerAgent ?? null,
      teamsClientSoftwareVersion: installed.teamsClient ?? null,
    },
    createdDateTime: iso(record.createdAt),
    lastModifiedDateTime: iso(lastModifiedAt),
    createdBy: null,
    lastModifiedBy: null,
  };
}

const statusIndex = { queued: 0, scheduled: 1, inProgress: 2, succeeded: 3, failed: 4, cancelled: 5 } as const;

/** A teamworkDeviceOperation as it stands at `now`. */
export function shapeOperation(op: OperationRecord, now: number, quirks: Quirks): Json {
  const status = operationStatusAt(op, now);
  const times = operationTimesAt(op, now);
  const by = { application: { id: op.createdBy.id, displayName: op.createdBy.displayName }, device: null, user: null };
  return {
    '@odata.type': '#microsoft.graph.teamworkDeviceOperation',
    id: op.id,
    operationType: op.operationType,
    status: statusSpellings[quirks.statusSpelling][statusIndex[status]],
    error: status === 'failed' ? op.error : quirks.errorOnSuccess ? { code: null, message: 'Unknown' } : null,
    startedDateTime: times.startedAt === null ? null : iso(times.startedAt),
    completedDateTime: times.completedAt === null ? null : iso(times.completedAt),
    createdDateTime: iso(op.createdAt),
    lastActionDateTime: iso(times.lastActionAt),
    createdBy: by,
    lastActionBy: by,
  };
}

/** Keeps only the selected properties (and the annotations and id). */
export function selectFields(entity: Json, fields: readonly string[] | undefined): Json {
  if (!fields) return entity;
  const out: Json = {};
  for (const [key, value] of Object.entries(entity)) if (key.startsWith('@') || key === 'id' || fields.includes(key)) out[key] = value;
  return out;
}

/** A single-entity answer: properties at top level with @odata.context, or wrapped in `value` by quirk. */
export function singleEntity(context: string, entity: Json, quirks: Quirks): Json {
  return quirks.wrapSingleEntities ? { '@odata.context': context, value: entity } : { '@odata.context': context, ...entity };
}
