// The emulator's control surface, in-process (`handle.control`) and over HTTP (/_emulator/):
// the clock, releases, faults, quirks, failure rates, the rate limit, and what tests need to
// look inside (devices, operations, the log of actions, request counters).
import type { DeviceType, SoftwareType } from '../../model/fleet.ts';
import { SoftwareTypes } from '../../model/fleet.ts';
import type { EmulatorClock } from './emulator-clock.ts';
import { findDeviceIndex, generateDevice, type SiteKey } from './fleet-gen.ts';
import { activityAt, bookingsBetween, type RoomBooking } from './room-calendar.ts';
import type { ActivityState } from '../../model/rooms.ts';
import type { EmulatorState } from './fleet-state.ts';
import { parseInstant, type ReleaseInfo, type ReleaseInput } from './release-book.ts';
import type { FaultInjector, FaultSettings } from './faults.ts';
import { EmulatorInputError } from './input-error.ts';
import type { OperationError, OperationStatus, OperationType } from './operations.ts';
import { mergeQuirks, type Quirks } from './quirks.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { ActionLogEntry, RequestLog, RequestStats } from './request-log.ts';
import type { ActionName } from './operations.ts';
import type { SoftwareStatus } from './software-status.ts';
import type { AppRegistration } from './tokens.ts';
import type { HealthRegressionRule } from './health-regressions.ts';

export interface ClockInfo {
  /** Emulator time, ISO 8601. */
  readonly now: string;
  readonly nowMs: number;
  readonly speed: number;
  /** Emulator time minus the base clock's. */
  readonly offsetMs: number;
}

/** A device as the emulator sees it (identity, tags and live software state). */
export interface DeviceView {
  readonly index: number;
  readonly id: string;
  readonly deviceType: DeviceType;
  readonly manufacturer: string;
  readonly model: string;
  readonly uniqueId: string;
  readonly serialNumber: string;
  readonly companyAssetTag: string | null;
  readonly notes: string;
  readonly tags: readonly string[];
  readonly site: SiteKey;
  readonly timeZone: string;
  readonly healthStatus: string;
  readonly currentUserId: string | null;
  readonly unknownFirmware: boolean;
  /** The health document's entries, for the types the device reports. */
  readonly software: Partial<Record<SoftwareType, SoftwareStatus>>;
}

/** An operation with what the wire hides (software type and versions). */
export interface OperationView {
  readonly id: string;
  readonly deviceId: string;
  readonly operationType: OperationType;
  readonly status: OperationStatus;
  readonly softwareType: SoftwareType | null;
  readonly fromVersion: string | null;
  readonly toVersion: string | null;
  readonly createdDateTime: string;
  /** When it ends (null when stuck). */
  readonly completesDateTime: string | null;
  readonly error: OperationError | null;
  readonly appId: string;
}

export interface EmulatorSummary {
  readonly tenant: string;
  readonly devices: number;
  readonly seed: number | string;
  readonly epoch: string;
  readonly clock: ClockInfo;
  readonly rateLimit: number;
  readonly operations: Record<OperationStatus, number>;
  readonly updatedDevices: number;
  readonly addedReleases: number;
  readonly faults: FaultSettings;
  readonly quirks: Quirks;
  readonly stats: RequestStats;
}

export interface DeviceQuery {
  readonly deviceType?: string;
  readonly tag?: string;
  readonly model?: string;
  /** Default 0. */
  readonly offset?: number;
  /** Default 100. */
  readonly limit?: number;
}

/** Everything a test or the demo can do to a running emulator. */
export interface EmulatorControl {
  /** Emulator time in ms. */
  now(): number;
  clock(): ClockInfo;
  /** Jumps to an instant (ms or ISO 8601). Operations that ended before the jump keep their effect. */
  setTime(at: number | string): ClockInfo;
  advance(ms: number): ClockInfo;
  /** Clock acceleration from now on (1 = real time). */
  setSpeed(speed: number): ClockInfo;
  /** Releases a version for a model and software type (verified by default, released now by default). */
  releaseVersion(input: ReleaseInput): ReleaseInfo;
  releases(filter?: { model?: string; softwareType?: string }): ReleaseInfo[];
  faults(): FaultSettings;
  /** Merges fault settings (see FaultSettings); returns the result. */
  setFaults(patch: Partial<FaultSettings>): FaultSettings;
  clearFaults(): FaultSettings;
  quirks(): Quirks;
  setQuirks(patch: Partial<Quirks>): Quirks;
  /** Effective failure rate of updates per model name. */
  failureRates(): Record<string, number>;
  /** Failure rate (0–1) of one model, or '*' for all models without their own. */
  setFailureRate(model: string, rate: number): void;
  /** Health regression rules in force (see health-regressions.ts). */
  healthRegressions(): readonly HealthRegressionRule[];
  /** Adds one: devices of a model updated to a version lose what it says; returns every rule. */
  addHealthRegression(rule: HealthRegressionRule): readonly HealthRegressionRule[];
  /** Removes every rule; returns the (empty) list. */
  clearHealthRegressions(): readonly HealthRegressionRule[];
  rateLimit(): number;
  /** Requests per second per app in this tenant (0 = unlimited). */
  setRateLimit(perSecond: number): void;
  /** Requests per second across all tenants and apps (0 = no cap). */
  globalRateLimit(): number;
  setGlobalRateLimit(perSecond: number): void;
  /** One device by id or index; undefined when there is none. */
  device(idOrIndex: string | number): DeviceView | undefined;
  /** Devices in index order, filtered. */
  devices(query?: DeviceQuery): DeviceView[];
  /** Operations of a device, newest first. */
  operations(deviceId: string): OperationView[];
  cancelOperation(deviceId: string, operationId: string): boolean;
  /** A room's bookings overlapping [from, to) (ms or ISO 8601), as getSchedule serves them; [] for a device without a room calendar. */
  roomCalendar(deviceId: string, from: number | string, to: number | string): RoomBooking[];
  /** A device's activityState at an instant (ms or ISO 8601; default now), as the device list and GET serve it. */
  activityAt(deviceId: string, at?: number | string): ActivityState;
  /** Every POST action received (updateSoftware, restart, runDiagnostics), oldest first. */
  actionLog(filter?: { deviceId?: string; action?: ActionName }): ActionLogEntry[];
  stats(): RequestStats;
  /** Clears the action log and the counters. */
  resetLog(): void;
  summary(): EmulatorSummary;
  /** Writes the state file now (no-op without statePath). */
  save(): Promise<void>;
  /**
   * Replaces an app's client secret, as a rotation in the tenant does: the old secret is refused
   * from now on; tokens already issued stay valid until they expire, as in Entra ID.
   */
  setClientSecret(clientId: string, secret: string): void;
}

export interface ControlDeps {
  readonly state: EmulatorState;
  readonly clock: EmulatorClock;
  readonly faults: FaultInjector;
  readonly quirks: { current: Quirks };
  readonly limiter: RateLimiter;
  readonly log: RequestLog;
  readonly tenant: string;
  readonly seed: number | string;
  readonly save: () => Promise<void>;
  /** The tenant's apps; setClientSecret replaces entries in place (the token endpoint reads this list). */
  readonly apps?: AppRegistration[];
  /** The cap across tenants (shared by every tenant's control); default none. */
  readonly globalLimiter?: RateLimiter;
  /** Settles every tenant's operations before the shared clock moves; default this state's only. */
  readonly settleAll?: () => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Runs `change`, turning its RangeError into the control surface's input error (400). */
function asInput(change: () => void): void {
  try {
    change();
  } catch (error) {
    throw new EmulatorInputError((error as Error).message, { cause: error });
  }
}

/** Builds the control object over the emulator's parts. */
export function createControl(deps: ControlDeps): EmulatorControl {
  const { state, clock } = deps;
  const clockInfo = (): ClockInfo => ({ now: iso(clock.now()), nowMs: clock.now(), speed: clock.speed, offsetMs: clock.offsetMs });
  const moveClock = (move: () => void): ClockInfo => {
    // Settle first so operations that ended keep their effect even if time goes back.
    (deps.settleAll ?? (() => state.settleAll()))();
    try {
      move();
    } catch (error) {
      throw new EmulatorInputError((error as Error).message, { cause: error });
    }
    state.onChange();
    return clockInfo();
  };
  const view = (index: number): DeviceView => {
    const record = state.device(index);
    const software: Partial<Record<SoftwareType, SoftwareStatus>> = {};
    for (const type of SoftwareTypes) {
      const status = state.softwareStatus(index, type, record);
      if (status) software[type] = status;
    }
    return {
      index, id: record.id, deviceType: record.deviceType, manufacturer: record.manufacturer, model: record.model, uniqueId: record.uniqueId,
      serialNumber: record.serialNumber, companyAssetTag: record.companyAssetTag, notes: record.notes, tags: record.tags, site: record.site.key,
      timeZone: record.site.timeZone, healthStatus: record.healthStatus, currentUserId: record.currentUser?.id ?? null, unknownFirmware: record.unknownFirmware, software,
    };
  };
  const indexOf = (deviceId: string): number => {
    const index = findDeviceIndex(state.spec, deviceId);
    if (index === undefined) throw new EmulatorInputError(`no device has id ${deviceId}`);
    return index;
  };
  const control: EmulatorControl = {
    now: () => clock.now(),
    clock: clockInfo,
    setTime: (at) => moveClock(() => clock.set(parseInstant(at, 'time'))),
    advance: (ms) => moveClock(() => {
      if (!Number.isFinite(ms)) throw new RangeError('advance takes a number of ms');
      clock.advance(ms);
    }),
    setSpeed: (speed) => moveClock(() => clock.setSpeed(speed)),
    releaseVersion: (input) => state.addRelease(input),
    releases: (filter) => state.listReleases(filter),
    faults: () => deps.faults.settings,
    setFaults: (patch) => deps.faults.set(patch),
    clearFaults: () => deps.faults.clear(),
    quirks: () => deps.quirks.current,
    setQuirks: (patch) => (deps.quirks.current = mergeQuirks(deps.quirks.current, patch)),
    failureRates: () => state.failureRates(),
    setFailureRate: (model, rate) => state.setFailureRate(model, rate),
    healthRegressions: () => state.healthRegressions(),
    addHealthRegression: (rule) => {
      state.addHealthRegression(rule);
      return state.healthRegressions();
    },
    clearHealthRegressions: () => {
      state.clearHealthRegressions();
      return state.healthRegressions();
    },
    rateLimit: () => deps.limiter.ratePerSecond,
    setRateLimit: (perSecond) => asInput(() => deps.limiter.setRate(perSecond)),
    globalRateLimit: () => deps.globalLimiter?.ratePerSecond ?? 0,
    setGlobalRateLimit: (perSecond) => asInput(() => {
      if (!deps.globalLimiter) throw new RangeError('this emulator has no cap across tenants');
      deps.globalLimiter.setRate(perSecond);
    }),
    device: (idOrIndex) => {
      const index = typeof idOrIndex === 'number' ? idOrIndex : findDeviceIndex(state.spec, idOrIndex);
      return index === undefined || !Number.isInteger(index) || index < 0 || index >= state.spec.deviceCount ? undefined : view(index);
    },
    devices: (query = {}) => {
      const offset = query.offset ?? 0;
      const limit = query.limit ?? 100;
      const out: DeviceView[] = [];
      for (let i = offset; i < state.spec.deviceCount && out.length < limit; i++) {
        const record = state.device(i);
        if (query.deviceType !== undefined && record.deviceType !== query.deviceType) continue;
        if (query.tag !== undefined && !record.tags.includes(query.tag.replace(/^#/, ''))) continue;
        if (query.model !== undefined && record.model.toLowerCase() !== query.model.toLowerCase()) continue;
        out.push(view(i));
      }
      return out;
    },
    operations: (deviceId) => {
      const index = indexOf(deviceId);
      const id = state.device(index).id;
      return state.operationsOf(index).map((op) => ({
        id: op.id, deviceId: id, operationType: op.operationType, status: state.statusOf(op), softwareType: op.softwareType ?? null,
        fromVersion: op.fromVersion ?? null, toVersion: op.toVersion ?? null, createdDateTime: iso(op.createdAt),
        completesDateTime: op.completesAt === null ? null : iso(op.completesAt), error: op.error, appId: op.createdBy.id,
      }));
    },
    cancelOperation: (deviceId, operationId) => state.cancelOperation(indexOf(deviceId), operationId),
    roomCalendar: (deviceId, from, to) => {
      const index = indexOf(deviceId);
      return bookingsBetween(state.spec, generateDevice(state.spec, index), parseInstant(from, 'from'), parseInstant(to, 'to'));
    },
    activityAt: (deviceId, at) => activityAt(state.spec, generateDevice(state.spec, indexOf(deviceId)), at === undefined ? clock.now() : parseInstant(at, 'at')),
    actionLog: (filter) => deps.log.actions(filter),
    stats: () => deps.log.stats,
    resetLog: () => deps.log.reset(),
    summary: () => ({
      tenant: deps.tenant, devices: state.spec.deviceCount, seed: deps.seed, epoch: iso(state.spec.epoch), clock: clockInfo(),
      rateLimit: deps.limiter.ratePerSecond, operations: state.countOperations(), updatedDevices: state.updatedDeviceCount,
      addedReleases: state.listReleases().filter((r) => r.added).length, faults: deps.faults.settings, quirks: deps.quirks.current, stats: deps.log.stats,
    }),
    save: () => deps.save(),
    setClientSecret: (clientId, secret) => {
      const apps = deps.apps ?? [];
      const index = apps.findIndex((a) => a.clientId.toLowerCase() === clientId.toLowerCase());
      if (index < 0) throw new EmulatorInputError(`no app has client id ${clientId}`);
      if (secret.trim() === '') throw new EmulatorInputError('the secret must not be empty');
      apps[index] = { ...apps[index]!, clientSecret: secret };
    },
  };
  return control;
}
