// Device operation lists read while following operations, kept for a few seconds so that a
// start right after can use one as the read every start needs (operations.ts): a device whose
// update was just seen to end and that starts its next one in the same pass is read once, not
// twice (issue 17). A reading serves one start at most and only while it is fresh: the read
// exists to catch an update queued by someone else, so an old one proves nothing.
import type { DeviceOperation } from '../model/fleet.ts';

/** How long a reading may stand in for the read before a start (real ms). */
export const operationReadingFreshMs = 10_000;

/** Operation lists by device, each usable once while fresh. */
export class OperationReadings {
  readonly #elapsed: () => number;
  readonly #freshMs: number;
  readonly #readings = new Map<string, { readonly operations: readonly DeviceOperation[]; readonly at: number }>();

  /**
   * `elapsed`: milliseconds from an arbitrary start, default performance.now. Not the
   * controller's clock: a demo's clock runs weeks in seconds, and the pass reads it once.
   */
  constructor(options: { elapsed?: () => number; freshMs?: number } = {}) {
    this.#elapsed = options.elapsed ?? (() => performance.now());
    this.#freshMs = options.freshMs ?? operationReadingFreshMs;
  }

  /** Keeps the complete operation list just read for a device. */
  record(deviceId: string, operations: readonly DeviceOperation[]): void {
    this.#readings.set(deviceId, { operations, at: this.#elapsed() });
  }

  /** True while a fresh reading of the device waits to be used. */
  has(deviceId: string): boolean {
    const r = this.#readings.get(deviceId);
    return r !== undefined && this.#elapsed() - r.at <= this.#freshMs;
  }

  /** The device's reading if still fresh, at most once; undefined means: read the device now. */
  take(deviceId: string): readonly DeviceOperation[] | undefined {
    const r = this.#readings.get(deviceId);
    this.#readings.delete(deviceId);
    return r !== undefined && this.#elapsed() - r.at <= this.#freshMs ? r.operations : undefined;
  }
}
