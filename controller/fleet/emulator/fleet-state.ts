// The emulator's mutable world: the generated fleet plus what happened to it since — releases
// added through control, versions changed by successful updates, operations, failure rates.
// Operations are settled lazily (whenever a device is read, and for all of them before the
// clock moves) so their effect on the device never depends on who asked first.
import type { SoftwareType } from '../../model/fleet.ts';
import { models, platformSoftware } from './catalog.ts';
import type { EmulatorClock } from './emulator-clock.ts';
import { generateDevice, type DeviceRecord, type FleetSpec } from './fleet-gen.ts';
import { activityAt } from './room-calendar.ts';
import { FailureRates } from './failure-rates.ts';
import { decideNewOperation } from './new-operation.ts';
import {
  actionOperationTypes, isActiveStatus, operationStatusAt, type ActionName, type OperationRecord, type OperationStatus, type OperationTiming,
} from './operations.ts';
import type { Release } from './releases-gen.ts';
import { ReleaseBook, type PersistedRelease, type ReleaseInfo, type ReleaseInput } from './release-book.ts';
import { computeSoftwareStatus, isNewer, type SoftwareStatus } from './software-status.ts';
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

interface SoftwareOverlay {
  readonly software: Partial<Record<SoftwareType, string>>;
  modifiedAt: number;
}

/** The serializable part of the state (what a state file keeps). */
export interface PersistedFleetState {
  readonly software: readonly (readonly [number, Partial<Record<SoftwareType, string>>, number])[];
  readonly operations: readonly OperationRecord[];
  readonly releases: readonly PersistedRelease[];
  readonly failureRates: Readonly<Record<string, number>>;
  /** Health regressions on demand (absent in files written before they existed). */
  readonly healthRegressions?: readonly HealthRegressionRule[];
}

export class EmulatorState {
  readonly spec: FleetSpec;
  readonly clock: EmulatorClock;
  readonly timing: OperationTiming;
  /** Called after every change worth persisting. */
  onChange: () => void = () => {};
  readonly #releases: ReleaseBook;
  readonly #overlay = new Map<number, SoftwareOverlay>();
  readonly #operations = new Map<number, OperationRecord[]>();
  readonly #active = new Set<OperationRecord>();
  readonly #failureRates: FailureRates;
  #healthRegressions: HealthRegressionRule[] = [];

  constructor(spec: FleetSpec, clock: EmulatorClock, timing: OperationTiming) {
    this.spec = spec;
    this.clock = clock;
    this.timing = timing;
    this.#releases = new ReleaseBook(spec);
    this.#failureRates = new FailureRates(spec);
  }

  // ---- releases ----

  /** Generated plus added releases of a model's software type, ascending by version. */
  releasesOf(modelIndex: number, type: SoftwareType): readonly Release[] {
    return this.#releases.releasesOf(modelIndex, type);
  }

  /** Releases a new version for a model; throws EmulatorInputError on bad input. */
  addRelease(input: ReleaseInput): ReleaseInfo {
    const info = this.#releases.add(input, this.clock.now());
    this.onChange();
    return info;
  }

  /** All releases, optionally of one model and/or software type. */
  listReleases(filter: { model?: string; softwareType?: string } = {}): ReleaseInfo[] {
    return this.#releases.list(filter);
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
    const decided = decideNewOperation({
      seed: this.spec.seed, record, sequence: this.#operations.get(index)?.length ?? 0, action, params, app, now, timing: this.timing,
      failureRate: this.failureRateOf(record.modelIndex), stuck: options.stuck,
      installed: () => this.softwareOf(index, record), releasesOf: (type) => this.releasesOf(record.modelIndex, type),
    });
    if (decided.kind === 'invalid') return decided;
    const operation = decided.operation;
    const list = this.#operations.get(index) ?? [];
    list.push(operation);
    this.#operations.set(index, list);
    this.#active.add(operation);
    this.onChange();
    return { kind: 'accepted', operation };
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
    return this.#failureRates.of(modelIndex);
  }

  /** Sets the failure rate of one model, or of every model with '*' (per-model settings still win). */
  setFailureRate(model: string, rate: number): void {
    this.#failureRates.set(model, rate);
    this.onChange();
  }

  /** Effective failure rate per model name. */
  failureRates(): Record<string, number> {
    return this.#failureRates.effective();
  }

  // ---- persistence ----

  toPersisted(): PersistedFleetState {
    this.settleAll();
    return {
      software: [...this.#overlay].map(([index, o]) => [index, o.software, o.modifiedAt] as const),
      operations: [...this.#operations.values()].flat(),
      releases: this.#releases.toPersisted(),
      failureRates: this.#failureRates.toPersisted(),
      ...(this.#healthRegressions.length > 0 ? { healthRegressions: this.#healthRegressions } : {}),
    };
  }

  /** Loads what toPersisted wrote (into a fresh state built from the same spec). */
  restore(data: PersistedFleetState): void {
    this.#releases.restore(data.releases);
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
    this.#failureRates.restore(data.failureRates);
  }
}
