// The controller's picture of the fleet: devices and their software states, with the time
// each was read. Reading every device's health costs one request per device (30 requests a
// second per app), so the picture is refreshed in the background and a reconcile plans on the
// latest one instead of waiting for a full read; devices touched by an operation are re-read
// first. A read stamped later than the clock now says (the clock was stepped back) is due at
// once: its age is unknown, and trusting it would freeze the picture for as long as the step.
import type { Device, DeviceSoftware, Fleet } from '../model/fleet.ts';
import { FleetError } from '../model/fleet.ts';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';

export interface FleetSnapshot {
  readonly devices: readonly Device[];
  readonly software: ReadonlyMap<string, DeviceSoftware>;
  /** When each device's software was last read (ms). */
  readonly readAt: ReadonlyMap<string, number>;
  /** Devices whose last read failed, with the error. */
  readonly unreadable: ReadonlyMap<string, string>;
  readonly listedAt: number;
}

export interface FleetViewOptions {
  /** Re-list devices at most this often (ms). Default: 10 minutes. */
  readonly listIntervalMs?: number;
  /** Software states older than this are re-read (ms). Default: 15 minutes. */
  readonly maxAgeMs?: number;
  /** Devices read per refresh step, so one step never takes minutes. Default: 500. */
  readonly chunk?: number;
}

/** Keeps the latest fleet snapshot and refreshes it in bounded steps. */
export class FleetView {
  readonly #fleet: Fleet;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #listIntervalMs: number;
  readonly #maxAgeMs: number;
  readonly #chunk: number;
  #devices: Device[] = [];
  #listedAt = Number.NEGATIVE_INFINITY;
  readonly #software = new Map<string, DeviceSoftware>();
  readonly #readAt = new Map<string, number>();
  readonly #unreadable = new Map<string, string>();
  readonly #urgent = new Set<string>();

  constructor(fleet: Fleet, deps: { clock: Clock; logger: Logger }, options: FleetViewOptions = {}) {
    this.#fleet = fleet;
    this.#clock = deps.clock;
    this.#log = deps.logger.child({ component: 'fleet-view' });
    this.#listIntervalMs = options.listIntervalMs ?? 10 * 60_000;
    this.#maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
    this.#chunk = options.chunk ?? 500;
  }

  /** Asks for these devices to be re-read at the next refresh step (after an operation ended). */
  markStale(deviceIds: Iterable<string>): void {
    for (const id of deviceIds) this.#urgent.add(id);
  }

  /** True once every listed device has been read at least once. */
  get complete(): boolean {
    return this.#listedAt > Number.NEGATIVE_INFINITY && this.#devices.every((d) => this.#readAt.has(d.id) || this.#unreadable.has(d.id));
  }

  snapshot(): FleetSnapshot {
    return {
      devices: this.#devices,
      software: this.#software,
      readAt: this.#readAt,
      unreadable: this.#unreadable,
      listedAt: this.#listedAt,
    };
  }

  /**
   * One bounded refresh step: re-list when due, then read the devices marked stale, never read,
   * or oldest, at most `chunk` of them. Returns how many devices were read.
   */
  async refreshStep(signal?: AbortSignal): Promise<number> {
    const now = this.#clock.now();
    if (now - this.#listedAt >= this.#listIntervalMs || this.#listedAt > now) {
      this.#devices = await this.#fleet.listDevices(signal ? { signal } : {});
      this.#listedAt = now;
      const known = new Set(this.#devices.map((d) => d.id));
      for (const id of [...this.#software.keys()]) if (!known.has(id)) this.#forget(id);
      this.#log.info({ devices: this.#devices.length }, 'devices listed');
    }
    const due = this.#pickDue(now);
    if (due.length === 0) return 0;
    const results = await this.#fleet.readSoftware(due, signal);
    const readAt = this.#clock.now();
    for (const id of due) {
      const result = results.get(id);
      this.#urgent.delete(id);
      if (result === undefined) continue;
      if (result instanceof FleetError) {
        this.#unreadable.set(id, result.message);
        // Try again later rather than at once: a device that cannot be read now usually cannot in a second either.
        this.#readAt.set(id, readAt - this.#maxAgeMs / 2);
      } else {
        this.#software.set(id, result);
        this.#readAt.set(id, readAt);
        this.#unreadable.delete(id);
      }
    }
    return due.length;
  }

  /** Refreshes until every device has been read once (used at start-up and by `plan`). */
  async refreshAll(signal?: AbortSignal): Promise<void> {
    await this.refreshStep(signal);
    while (!this.complete || this.#urgent.size > 0) {
      if ((await this.refreshStep(signal)) === 0) break;
    }
  }

  #pickDue(now: number): string[] {
    const picked: string[] = [];
    const take = (id: string) => {
      if (picked.length < this.#chunk && !picked.includes(id)) picked.push(id);
    };
    for (const id of this.#urgent) take(id);
    const stale = this.#devices
      .filter((d) => {
        const readAt = this.#readAt.get(d.id) ?? Number.NEGATIVE_INFINITY;
        return readAt <= now - this.#maxAgeMs || readAt > now;
      })
      .sort((a, b) => (this.#readAt.get(a.id) ?? -Infinity) - (this.#readAt.get(b.id) ?? -Infinity) || a.id.localeCompare(b.id));
    for (const d of stale) {
      if (picked.length >= this.#chunk) break;
      take(d.id);
    }
    return picked;
  }

  #forget(id: string): void {
    this.#software.delete(id);
    this.#readAt.delete(id);
    this.#unreadable.delete(id);
    this.#urgent.delete(id);
  }
}
