// Types of the fleet port: what the engine knows of devices and of their operations.
// The engine talks to devices only through `Fleet`; the Graph adapter and the emulator are
// behind it. Keep this file free of Graph wire shapes: adapters translate.
import type { ActivityState, Booking } from './rooms.ts';

/** The six software types `updateSoftware` accepts, in the API's own order. */
export const SoftwareTypes = ['adminAgent', 'operatingSystem', 'teamsClient', 'firmware', 'partnerAgent', 'companyPortal'] as const;
export type SoftwareType = (typeof SoftwareTypes)[number];

/** Device categories as the API names them (plus `unknown` for anything it adds later). */
export const DeviceTypes = [
  'unknown', 'ipPhone', 'teamsRoom', 'surfaceHub', 'collaborationBar', 'teamsDisplay',
  'touchConsole', 'lowCostPhone', 'teamsPanel', 'sip', 'sipAnalog',
] as const;
export type DeviceType = (typeof DeviceTypes)[number];

export const HealthStatuses = ['unknown', 'offline', 'critical', 'nonUrgent', 'healthy'] as const;
export type HealthStatus = (typeof HealthStatuses)[number];

/** A device as listed by the fleet, with every attribute a DeviceGroup selector can use. */
export interface Device {
  /** The API's device id (GUID-shaped). */
  readonly id: string;
  readonly deviceType: DeviceType;
  readonly manufacturer: string;
  readonly model: string;
  readonly serialNumber: string;
  /** hardwareDetail.uniqueId */
  readonly uniqueId: string;
  readonly macAddresses: readonly string[];
  readonly companyAssetTag: string | null;
  readonly notes: string | null;
  readonly healthStatus: HealthStatus;
  readonly currentUserId: string | null;
  /** currentUser.displayName: a room's resource account ("Room 4.12 Paris") or the person signed in; what admins call the device. */
  readonly currentUserName?: string | null;
  /** currentUser.userPrincipalName: for a Teams Room, its resource account, whose mailbox is the room's calendar. */
  readonly currentUserPrincipalName?: string | null;
  /** activityState as listed (busy in a meeting or call); may be minutes old, so starts read it again. */
  readonly activityState?: ActivityState;
  readonly createdDateTime: string | null;
}

export const Freshness = ['unknown', 'latest', 'updateAvailable'] as const;
export type SoftwareFreshness = (typeof Freshness)[number];

/** One software type's state on one device, from the health document. */
export interface SoftwareState {
  readonly softwareType: SoftwareType;
  /** null when the device does not report it. */
  readonly currentVersion: string | null;
  /** null when nothing newer is offered. */
  readonly availableVersion: string | null;
  readonly freshness: SoftwareFreshness;
}

/**
 * What the health document says works on a device, compared before and after an update (a
 * health soak): the connection, the Teams and Exchange sign-ins, the peripherals and compute.
 */
export const HealthAspects = [
  'online', 'teamsSignIn', 'exchangeSignIn', 'roomCamera', 'contentCamera', 'microphone', 'speaker', 'communicationSpeaker', 'display', 'compute',
] as const;
export type HealthAspect = (typeof HealthAspects)[number];

/**
 * A compact health summary: per aspect the document reports, `ok`, `down` (disconnected,
 * offline, signed out) or `unknown`. An aspect the document leaves out is absent: a peripheral
 * that was there before and is absent now is missing.
 */
export type DeviceHealth = Readonly<Partial<Record<HealthAspect, 'ok' | 'down' | 'unknown'>>>;

/** Software states of one device, keyed by type; a type the device does not report is absent. */
export interface DeviceSoftware {
  readonly deviceId: string;
  readonly software: Partial<Record<SoftwareType, SoftwareState>>;
  /** The rest of the same health document, compactly; absent when the reader gives none (tests, forecasts). */
  readonly health?: DeviceHealth;
}

/** The controller's picture of the fleet at one moment (reconcile/fleet-view.ts keeps it fresh). */
export interface FleetSnapshot {
  readonly devices: readonly Device[];
  readonly software: ReadonlyMap<string, DeviceSoftware>;
  /** When each device's software was last read (ms). */
  readonly readAt: ReadonlyMap<string, number>;
  /** Devices whose last read failed, with the error. */
  readonly unreadable: ReadonlyMap<string, string>;
  readonly listedAt: number;
}

/** The internal operation states every documented spelling maps to. */
export const OperationStates = ['queued', 'scheduled', 'inProgress', 'succeeded', 'failed', 'cancelled', 'unknown'] as const;
export type OperationState = (typeof OperationStates)[number];

/** True while an operation may still change the device (queued, scheduled or in progress). */
export function isOperationActive(state: OperationState): boolean {
  return state === 'queued' || state === 'scheduled' || state === 'inProgress';
}

export interface DeviceOperation {
  readonly id: string;
  readonly deviceId: string;
  /** `softwareUpdate`, `deviceRestart`, … as the API names it. */
  readonly operationType: string;
  readonly state: OperationState;
  /** The status string exactly as the API sent it. */
  readonly rawStatus: string;
  readonly createdDateTime: string | null;
  readonly startedDateTime: string | null;
  readonly completedDateTime: string | null;
  readonly error: { readonly code: string | null; readonly message: string | null } | null;
}

/**
 * Which fleet a preview was computed on, named in every output of plan and why so that a plan
 * of the emulator's invented devices is never mistaken for the tenant's.
 */
export type FleetIdentity =
  | { readonly kind: 'emulator'; readonly seed: string; readonly devices: number }
  | { readonly kind: 'graph'; readonly tenant: string | null; readonly cloud: string; readonly graphUrl: string };

export interface UpdateRequest {
  readonly deviceId: string;
  readonly softwareType: SoftwareType;
  readonly version: string;
}

/** What starting an update led to: a new operation, or one that was already queued and got adopted. */
export interface UpdateStarted {
  readonly outcome: 'started' | 'adopted';
  readonly operation: DeviceOperation;
}

export interface ListDevicesOptions {
  /** Only these device types (the Graph adapter turns one type into a `$filter`). */
  readonly deviceTypes?: readonly DeviceType[];
  /** Only devices with this hardware unique id, compared as the service compares (a `$filter`). */
  readonly uniqueId?: string;
  readonly signal?: AbortSignal;
  /** Called after each page with the number of devices listed so far (the API gives no total). */
  readonly onProgress?: (listed: number) => void;
}

/** Called as software reads finish: how many of the `total` asked for have an answer so far. */
export type ReadProgress = (done: number, total: number) => void;

/** The narrow port through which the engine reads and changes the fleet. */
export interface Fleet {
  listDevices(options?: ListDevicesOptions): Promise<Device[]>;
  /** Software states of many devices; results are per device, a failed read is an error value. */
  readSoftware(deviceIds: readonly string[], signal?: AbortSignal, onProgress?: ReadProgress): Promise<Map<string, DeviceSoftware | FleetError>>;
  /** One device by id, or undefined when the service knows no such id. Optional: callers list instead. */
  getDevice?(deviceId: string, signal?: AbortSignal): Promise<Device | undefined>;
  /**
   * The operations of many devices (the Graph adapter asks 20 per $batch); results are per
   * device, a failed read is an error value. Optional: callers loop over listOperations.
   */
  readOperations?(deviceIds: readonly string[], signal?: AbortSignal): Promise<Map<string, DeviceOperation[] | FleetError>>;
  /** Starts an update; a 409 adopts the operation already queued instead of posting again. */
  startUpdate(request: UpdateRequest, signal?: AbortSignal): Promise<UpdateStarted>;
  /**
   * Starts many updates at once (the Graph adapter sends them 20 per $batch), with the same
   * rules as startUpdate; results in request order, one device at most once per call.
   * Optional: a backend without batching may leave it out and callers loop over startUpdate.
   */
  startUpdates?(requests: readonly UpdateRequest[], signal?: AbortSignal): Promise<(UpdateStarted | FleetError)[]>;
  getOperation(deviceId: string, operationId: string, signal?: AbortSignal): Promise<DeviceOperation>;
  listOperations(deviceId: string, signal?: AbortSignal): Promise<DeviceOperation[]>;
  /**
   * The activity of many devices now (the Graph adapter asks 20 per $batch); a failed read is an
   * error value. Optional: without it, starts are not checked for rooms in use.
   */
  readActivity?(deviceIds: readonly string[], signal?: AbortSignal): Promise<Map<string, ActivityState | FleetError>>;
  /**
   * The bookings of room mailboxes (addresses) between two instants (the Graph adapter asks
   * getSchedule for 20 at a time); a failed read is an error value (status 403 when the app may
   * not read calendars). Optional: without it, meeting-aware policies know no bookings.
   */
  readSchedules?(addresses: readonly string[], from: number, to: number, signal?: AbortSignal): Promise<Map<string, Booking[] | FleetError>>;
}

/** A classified failure of the fleet: `retryable` tells the caller whether trying later can help. */
export class FleetError extends Error {
  override readonly name = 'FleetError';
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    options: { retryable: boolean; status?: number; code?: string; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable;
    this.status = options.status;
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
  }
}
