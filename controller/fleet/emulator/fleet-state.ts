// The emulator's mutable world: the generated fleet plus what happened to it since — releases
// added through control, versions changed by successful updates, operations, failure rates.
// Operations are settled lazily (whenever a device is read, and for all of them before the
// clock moves) so their effect on the device never depends on who asked first.
import { SoftwareTypes, type SoftwareType } from '../../model/fleet.ts';
import { compareVersions, isComparableVersion } from '../../policy/version.ts';
import { findModelIndex, models, platformSoftware } from './catalog.ts';
import type { EmulatorClock } from './emulator-clock.ts';
import { generateDevice, type DeviceRecord, type FleetSpec } from './fleet-gen.ts';
import { activityAt } from './room-calendar.ts';
import { EmulatorInputError } from './input-error.ts';
import {
  actionOperationTypes, isActiveStatus, operationStatusAt, planTimeline,
  type ActionName, type OperationError, type OperationRecord, type OperationStatus, type OperationTiming,
} from './operations.ts';
import { createRandom, mix, pick, randomHex } from './prng.ts';
import type { Release } from './releases-gen.ts';
import { computeSoftwareStatus, findAvailableVersion, isNewer, type SoftwareStatus } from './software-status.ts';
import { checkHealthRegression, healthFaultsFor, type HealthRegressionRule } from './health-regressions.ts';

/** The app a request came from (the token's appid). */
export interface AppIdentity {
  readonly id: string;
  readonly displayName: string;
}

export type StartResult =
  | { readonly kind: 'accepted'; readonly operation: OperationRecord }
  | { readonly kind: 'conflict'; readonly operation: OperationRecord }
  | { readonly kind: 'invalid'; readonly message: string };

export interface ReleaseInput {
  readonly model: string;
  readonly softwareType: string;
  readonly version: string;
  /** Default true. */
  readonly verified?: boolean;
  /** ms or ISO 8601; default: the emulator's now. */
  readonly releasedAt?: number | string;
}

export interface ReleaseInfo extends Release {
  readonly model: string;
  readonly manufacturer: string;
  readonly softwareType: SoftwareType;
  /** Added through control rather than generated. */
  readonly added: boolean;
}

interface SoftwareOverlay {
  readonly software: Partial<Record<SoftwareType, string>>;
  modifiedAt: number;
}

/** The serializable part of the state (what a state file keeps). */
export interface PersistedFleetState {
  readonly software: readonly (readonly [number, Partial<Record<SoftwareType, string>>, number])[];
  readonly operations: readonly OperationRecord[];
  readonly releases: readonly { readonly model: string; readonly softwareType: SoftwareType; readonly version: string; readonly releasedAt: number; readonly verified: boolean }[];
  readonly failureRates: Readonly<Record<string, number>>;
  /** Health regressions on demand (absent in files written before they existed). */
  readonly healthRegressions?: readonly HealthRegressionRule[];
}

const failureCodes: readonly OperationError[] = [
  { code: 'DownloadFailed', message: 'The device could not download the software package.' },
  { code: 'InstallationFailed', message: 'The software package failed to install; the device kept its previous version.' },
  { code: 'DeviceBusy', message: 'The device was in a meeting for the whole update window.' },
];
const offline: OperationError = { code: 'DeviceOffline', message: 'The device did not respond before the operation timed out.' };
const opSalt = 201;

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new EmulatorInputError(`a failure rate is a number from 0 to 1, got ${rate}`);
  return rate;
}

/** Parses ms since the epoch or an ISO 8601 date-time. */
export function parseInstant(value: number | string, what: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new EmulatorInputError(`${what} must be ms since the epoch or an ISO 8601 date-time, got ${JSON.stringify(value)}`);
  return ms;
}

export class EmulatorState {
  readonly spec: FleetSpec;
  readonly clock: EmulatorClock;
  readonly timing: OperationTiming;
  /** Called after every change worth persisting. */
  onChange: () => void = () => {};
  readonly #added = new Map<number, Partial<Record<SoftwareType, Release[]>>>();
  readonly #overlay = new Map<number, SoftwareOverlay>();
  readonly #operations = new Map<number, OperationRecord[]>();
  readonly #active = new Set<OperationRecord>();
  readonly #failureRates = new Map<number, number>();
  #allFailureRate: number | undefined;
  #healthRegressions: HealthRegressionRule[] = [];

  constructor(spec: FleetSpec, clock: EmulatorClock, timing: OperationTiming) {
    this.spec = spec;
    this.clock = clock;
    this.timing = timing;
  }

  // ---- releases ----

  /** Generated plus added releases of a model's software type, ascending by version. */
  releasesOf(modelIndex: number, type: SoftwareType): readonly Release[] {
    const generated = this.spec.releases[modelIndex]?.[type] ?? [];
    const added = this.#added.get(modelIndex)?.[type];
    return added ? [...generated, ...added].sort((a, b) => compareVersions(a.version, b.version) ?? 0) : generated;
  }

  /** Releases a new version for a model; throws EmulatorInputError on bad input. */
  addRelease(input: ReleaseInput): ReleaseInfo {
    const modelIndex = findModelIndex(String(input.model ?? ''));
    if (modelIndex === undefined) throw new EmulatorInputError(`unknown model ${JSON.stringify(input.model)}; known: ${models.map((m) => m.model).join(', ')}`);
    const spec = models[modelIndex]!;
    const type = input.softwareType as SoftwareType;
    if (!platformSoftware[spec.platform].includes(type)) {
      throw new EmulatorInputError(`model ${spec.model} has no software type ${JSON.stringify(input.softwareType)}; it has: ${platformSoftware[spec.platform].join(', ') || 'none'}`);
    }
    if (typeof input.version !== 'string' || !isComparableVersion(input.version)) {
      throw new EmulatorInputError(`version must be dotted numbers (like 1.14.2), got ${JSON.stringify(input.version)}`);
    }
    if (this.releasesOf(modelIndex, type).some((r) => compareVersions(r.version, input.version) === 0)) {
      throw new EmulatorInputError(`model ${spec.model} already has ${type} version ${input.version}`);
    }
    const release: Release = {
      version: input.version.trim(),
      releasedAt: input.releasedAt === undefined ? this.clock.now() : parseInstant(input.releasedAt, 'releasedAt'),
      verified: input.verified ?? true,
    };
    const byType = this.#added.get(modelIndex) ?? {};
    byType[type] = [...(byType[type] ?? []), release];
    this.#added.set(modelIndex, byType);
    this.onChange();
    return { ...release, model: spec.model, manufacturer: spec.manufacturer, softwareType: type, added: true };
  }

  /** All releases, optionally of one model and/or software type. */
  listReleases(filter: { model?: string; softwareType?: string } = {}): ReleaseInfo[] {
    const modelIndex = filter.model === undefined ? undefined : findModelIndex(filter.model);
    if (filter.model !== undefined && modelIndex === undefined) throw new EmulatorInputError(`unknown model ${JSON.stringify(filter.model)}`);
    const out: ReleaseInfo[] = [];
    models.forEach((spec, k) => {
      if (modelIndex !== undefined && k !== modelIndex) return;
      for (const type of platformSoftware[spec.platform]) {
        if (filter.softwareType !== undefined && type !== filter.softwareType) continue;
        const added = this.#added.get(k)?.[type] ?? [];
        for (const r of this.releasesOf(k, type)) out.push({ ...r, model: spec.model, manufacturer: spec.manufacturer, softwareType: type, added: added.includes(r) });
      }
    });
    return out;
  }

  // ---- devices ----

  /** The generated device (identity, tags, health) at an index. */
  device(index: number): DeviceRecord {
    const record = generateDevice(this.spec, index);
    // Activity follows the clock (meetings and calls through the day), not the generation.
    const live = { ...record, activityState: activityAt(this.spec, record, this.clock.now()) };
    // A health regression that takes the device offline shows in the device list too.
    return this.#healthFaultsOf(index, record).some((f) => f.what === 'offline') ? { ...live, healthStatus: 'offline', activityState: 'unavailable' } : live;
  }

  /** The health regressions striking a device now (from its updates through the API). */
  healthFaultsOf(index: number): HealthRegressionRule[] {
    return this.#healthFaultsOf(index, generateDevice(this.spec, index));
  }

  #healthFaultsOf(index: number, record: DeviceRecord): HealthRegressionRule[] {
    if (this.#healthRegressions.length === 0) return [];
    this.#settleDevice(index);
    return healthFaultsFor(this.#healthRegressions, record.model, this.#overlay.get(index)?.software);
  }

  // ---- health regressions ----

  /** The health regression rules in force, oldest first. */
  healthRegressions(): readonly HealthRegressionRule[] {
    return this.#healthRegressions;
  }

  /** Adds a health regression rule (an equal one is not added twice); throws EmulatorInputError on bad input. */
  addHealthRegression(input: unknown): HealthRegressionRule {
    const rule = checkHealthRegression(input);
    const text = JSON.stringify(rule);
    if (this.#healthRegressions.some((r) => JSON.stringify(r) === text)) return rule;
    this.#healthRegressions = [...this.#healthRegressions, rule];
    this.onChange();
    return rule;
  }

  /** Removes every health regression rule: affected devices are healthy again. */
  clearHealthRegressions(): void {
    this.#healthRegressions = [];
    this.onChange();
  }

  /** Installed versions now (after applying finished operations). */
  softwareOf(index: number, record: DeviceRecord = this.device(index)): Partial<Record<SoftwareType, string>> {
    this.#settleDevice(index);
    const overlay = this.#overlay.get(index);
    return overlay ? { ...record.software, ...overlay.software } : record.software;
  }

  /** When the device's software last changed (generation time when it never did). */
  lastModifiedOf(index: number, record: DeviceRecord = this.device(index)): number {
    this.#settleDevice(index);
    return this.#overlay.get(index)?.modifiedAt ?? record.lastModifiedAt;
  }

  /** The health document's entry for one software type, or null when the device does not report it. */
  softwareStatus(index: number, type: SoftwareType, record: DeviceRecord = this.device(index)): SoftwareStatus | null {
    const spec = models[record.modelIndex]!;
    const installed = this.softwareOf(index, record)[type];
    if (platformSoftware[spec.platform].includes(type)) return computeSoftwareStatus(installed, this.releasesOf(record.modelIndex, type), this.clock.now());
    // Windows rooms and SIP devices report a firmware entry they cannot update, as in the docs' example.
    if (type === 'firmware' && spec.platform !== 'android') return { softwareFreshness: 'unknown', currentVersion: installed ?? null, availableVersion: null };
    return null;
  }

  // ---- operations ----

  /** A device's operations, newest first. */
  operationsOf(index: number): readonly OperationRecord[] {
    this.#settleDevice(index);
    return [...(this.#operations.get(index) ?? [])].reverse();
  }

  findOperation(index: number, operationId: string): OperationRecord | undefined {
    const wanted = operationId.toLowerCase();
    return this.operationsOf(index).find((op) => op.id === wanted);
  }

  statusOf(op: OperationRecord): OperationStatus {
    return operationStatusAt(op, this.clock.now());
  }

  /** Starts an action, or reports the active operation of the same kind (409) or an unusable request. */
  startAction(
    index: number,
    action: ActionName,
    params: { softwareType?: SoftwareType; softwareVersion?: string | null },
    app: AppIdentity,
    options: { stuck: boolean },
  ): StartResult {
    const record = this.device(index);
    const operationType = actionOperationTypes[action];
    const now = this.clock.now();
    const existing = this.operationsOf(index).find((op) => op.operationType === operationType && isActiveStatus(operationStatusAt(op, now)));
    if (existing) return { kind: 'conflict', operation: existing };
    const spec = models[record.modelIndex]!;
    let outcome: 'succeeded' | 'failed' = 'succeeded';
    let error: OperationError | null = null;
    let rejectOnPickup = false;
    let target: { softwareType: SoftwareType; fromVersion: string | null; toVersion: string | null } | undefined;
    const sequence = this.#operations.get(index)?.length ?? 0;
    const random = createRandom(mix(this.spec.seed, index, sequence, opSalt));
    if (action === 'updateSoftware') {
      const type = params.softwareType;
      if (type === undefined || !SoftwareTypes.includes(type)) return { kind: 'invalid', message: 'softwareType must be one of ' + SoftwareTypes.join(', ') };
      if (!platformSoftware[spec.platform].includes(type)) {
        return { kind: 'invalid', message: `A ${spec.manufacturer} ${spec.model} does not support updates of ${type}.` };
      }
      const current = this.softwareOf(index, record)[type] ?? null;
      const releases = this.releasesOf(record.modelIndex, type);
      const requested = params.softwareVersion ?? null;
      const toVersion = requested ?? (current === null ? null : findAvailableVersion(current, releases, now));
      target = { softwareType: type, fromVersion: current, toVersion };
      const rejection = this.#checkTarget(type, spec.model, current, toVersion, releases, now);
      if (rejection) {
        outcome = 'failed';
        error = rejection;
        rejectOnPickup = true;
      }
    }
    const failureRate = this.failureRateOf(record.modelIndex) / (action === 'updateSoftware' ? 1 : 2);
    const draw = random();
    if (!error && record.healthStatus === 'offline') {
      outcome = 'failed';
      error = offline;
    } else if (!error && draw < failureRate) {
      outcome = 'failed';
      error = pick(random, failureCodes);
    }
    const id = `${randomHex(random, 8)}-${randomHex(random, 4)}-4${randomHex(random, 3)}-a${randomHex(random, 3)}-${randomHex(random, 12)}`;
    const timeline = planTimeline(now, this.timing, random, { stuck: options.stuck && !rejectOnPickup, rejectOnPickup });
    const operation: OperationRecord = {
      id, deviceIndex: index, operationType, createdAt: now, ...timeline, outcome, error, createdBy: { id: app.id, displayName: app.displayName },
      ...(target ?? {}),
    };
    const list = this.#operations.get(index) ?? [];
    list.push(operation);
    this.#operations.set(index, list);
    this.#active.add(operation);
    this.onChange();
    return { kind: 'accepted', operation };
  }

  #checkTarget(type: SoftwareType, model: string, current: string | null, target: string | null, releases: readonly Release[], now: number): OperationError | undefined {
    if (target === null) return { code: 'NoUpdateAvailable', message: `No newer verified ${type} version is available for this device.` };
    const release = releases.find((r) => compareVersions(r.version, target) === 0);
    if (!release) return { code: 'VersionNotFound', message: `Version ${target} of ${type} does not exist for model ${model}.` };
    if (release.releasedAt > now) return { code: 'VersionNotReleased', message: `Version ${target} of ${type} is not released before ${new Date(release.releasedAt).toISOString()}.` };
    if (current === null) return undefined;
    const order = compareVersions(target, current);
    if (order === 0) return { code: 'VersionAlreadyInstalled', message: `Version ${target} of ${type} is already installed.` };
    if (order !== 1) return { code: 'DowngradeNotAllowed', message: `Version ${target} is not newer than the installed ${current}; going back needs a factory reset.` };
    return undefined;
  }

  /** Cancels a queued, scheduled or running operation; false when it had already ended or does not exist. */
  cancelOperation(index: number, operationId: string): boolean {
    const op = this.findOperation(index, operationId);
    if (!op || !isActiveStatus(this.statusOf(op))) return false;
    op.cancelledAt = this.clock.now();
    this.#settle(op);
    this.onChange();
    return true;
  }

  /** Settles every operation that has ended by now (before the clock moves, so going back undoes nothing). */
  settleAll(): void {
    for (const op of [...this.#active]) this.#settleIfDone(op, this.clock.now());
  }

  #settleDevice(index: number): void {
    const list = this.#operations.get(index);
    if (!list) return;
    const now = this.clock.now();
    for (const op of list) if (!op.settled) this.#settleIfDone(op, now);
  }

  #settleIfDone(op: OperationRecord, now: number): void {
    if (!isActiveStatus(operationStatusAt(op, now))) this.#settle(op);
  }

  #settle(op: OperationRecord): void {
    const status = operationStatusAt(op, this.clock.now());
    if (status !== 'succeeded' && status !== 'failed' && status !== 'cancelled') return;
    op.settled = status;
    this.#active.delete(op);
    // The version moves only on success and only forward, whatever was asked.
    if (status === 'succeeded' && op.softwareType && op.toVersion) {
      const overlay = this.#overlay.get(op.deviceIndex) ?? { software: {}, modifiedAt: 0 };
      // The generated software, not this.device(): that reads health regressions, which settle operations.
      const current = overlay.software[op.softwareType] ?? generateDevice(this.spec, op.deviceIndex).software[op.softwareType];
      if (current === undefined || isNewer(op.toVersion, current)) {
        overlay.software[op.softwareType] = op.toVersion;
        overlay.modifiedAt = op.completesAt ?? this.clock.now();
        this.#overlay.set(op.deviceIndex, overlay);
      }
    }
    this.onChange();
  }

  /** Operation counts by status, over the whole fleet. */
  countOperations(): Record<OperationStatus, number> {
    this.settleAll();
    const counts: Record<OperationStatus, number> = { queued: 0, scheduled: 0, inProgress: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const list of this.#operations.values()) for (const op of list) counts[this.statusOf(op)]++;
    return counts;
  }

  /** Devices whose software changed since generation. */
  get updatedDeviceCount(): number {
    return this.#overlay.size;
  }

  // ---- failure rates ----

  failureRateOf(modelIndex: number): number {
    return this.#failureRates.get(modelIndex) ?? this.#allFailureRate ?? this.spec.failureRates[modelIndex] ?? 0;
  }

  /** Sets the failure rate of one model, or of every model with '*' (per-model settings still win). */
  setFailureRate(model: string, rate: number): void {
    checkRate(rate);
    if (model === '*') {
      this.#allFailureRate = rate;
    } else {
      const index = findModelIndex(model);
      if (index === undefined) throw new EmulatorInputError(`unknown model ${JSON.stringify(model)}`);
      this.#failureRates.set(index, rate);
    }
    this.onChange();
  }

  /** Effective failure rate per model name. */
  failureRates(): Record<string, number> {
    return Object.fromEntries(models.map((spec, k) => [spec.model, this.failureRateOf(k)]));
  }

  // ---- persistence ----

  toPersisted(): PersistedFleetState {
    this.settleAll();
    const releases: PersistedFleetState['releases'][number][] = [];
    for (const [k, byType] of this.#added) {
      for (const type of SoftwareTypes) for (const r of byType[type] ?? []) releases.push({ model: models[k]!.model, softwareType: type, ...r });
    }
    const failureRates: Record<string, number> = Object.fromEntries([...this.#failureRates].map(([k, rate]) => [models[k]!.model, rate]));
    if (this.#allFailureRate !== undefined) failureRates['*'] = this.#allFailureRate;
    return {
      software: [...this.#overlay].map(([index, o]) => [index, o.software, o.modifiedAt] as const),
      operations: [...this.#operations.values()].flat(),
      releases,
      failureRates,
      ...(this.#healthRegressions.length > 0 ? { healthRegressions: this.#healthRegressions } : {}),
    };
  }

  /** Loads what toPersisted wrote (into a fresh state built from the same spec). */
  restore(data: PersistedFleetState): void {
    for (const r of data.releases) {
      const k = findModelIndex(r.model);
      if (k === undefined) continue;
      const byType = this.#added.get(k) ?? {};
      byType[r.softwareType] = [...(byType[r.softwareType] ?? []), { version: r.version, releasedAt: r.releasedAt, verified: r.verified }];
      this.#added.set(k, byType);
    }
    for (const [index, software, modifiedAt] of data.software) {
      if (index < this.spec.deviceCount) this.#overlay.set(index, { software: { ...software }, modifiedAt });
    }
    for (const op of data.operations) {
      if (op.deviceIndex >= this.spec.deviceCount) continue;
      const copy: OperationRecord = { ...op };
      const list = this.#operations.get(op.deviceIndex) ?? [];
      list.push(copy);
      this.#operations.set(op.deviceIndex, list);
      if (!copy.settled) this.#active.add(copy);
    }
    this.#healthRegressions = (data.healthRegressions ?? []).map((r) => checkHealthRegression(r));
    for (const [model, rate] of Object.entries(data.failureRates)) {
      if (model === '*') this.#allFailureRate = checkRate(rate);
      else {
        const k = findModelIndex(model);
        if (k !== undefined) this.#failureRates.set(k, checkRate(rate));
      }
    }
  }
}
