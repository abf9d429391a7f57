// The controller's picture of the fleet: devices and their software states, with the time
// each was read. Reading every device's health costs one request per device (30 requests a
// second per app), so the picture is refreshed in the background and a reconcile plans on the
// latest one instead of waiting for a full read; devices touched by an operation are re-read
// first. A read stamped later than the clock now says (the clock was stepped back) is due at
// once: its age is unknown, and trusting it would freeze the picture for as long as the step.
// A long read reports its progress to the caller and, every few seconds, in a log line.
import type { Device, DeviceSoftware, Fleet, FleetSnapshot } from '../model/fleet.ts';
import { FleetError } from '../model/fleet.ts';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../log/logger.ts';
import { compactFleet, type CompactFleet } from '../plan/compact-fleet.ts';

/** How far a read has come: devices listed so far, or software states read out of a total. */
export type FleetReadProgress =
  | { readonly phase: 'list'; readonly listed: number; readonly elapsedMs: number }
  | { readonly phase: 'read'; readonly read: number; readonly total: number; readonly elapsedMs: number };

/** Receives progress while a refresh runs (often: callers throttle what they show). */
export type OnFleetProgress = (progress: FleetReadProgress) => void;

/** Devices per second and seconds left, from a progress report (undefined before the first read). */
export function progressRate(read: number, total: number, elapsedMs: number): { perSecond: number | undefined; etaSeconds: number | undefined } {
  if (read <= 0 || elapsedMs <= 0) return { perSecond: undefined, etaSeconds: undefined };
  const perSecond = read / (elapsedMs / 1000);
  return { perSecond, etaSeconds: Math.max(0, total - read) / perSecond };
}

export interface FleetViewOptions {
  /** Re-list devices at most this often (ms). Default: 10 minutes. */
  readonly listIntervalMs?: number;
  /** Software states older than this are re-read (ms). Default: 15 minutes. */
  readonly maxAgeMs?: number;
  /** Devices read per refresh step, so one step never takes minutes. Default: 500. */
  readonly chunk?: number;
  /** A progress log line at most this often while a read runs (ms). Default: 5 s. */
  readonly progressLogMs?: number;
}

export interface FleetViewDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Milliseconds from an arbitrary start, for rates and the progress cadence. Default:
   * performance.now. Not `clock`: a demo's clock runs weeks in seconds, a request does not.
   */
  readonly elapsed?: () => number;
}

/** Keeps the latest fleet snapshot and refreshes it in bounded steps. */
export class FleetView {
  readonly #fleet: Fleet;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #listIntervalMs: number;
  readonly #maxAgeMs: number;
  readonly #chunk: number;
  readonly #progressLogMs: number;
  readonly #elapsed: () => number;
  #devices: Device[] = [];
  #listedAt = Number.NEGATIVE_INFINITY;
  // The devices and their software, compact (plan/compact-fleet.ts): software states interned in
  // typed arrays, the selectors' index and the plans' memo built once per listing, not per plan.
  #compact: CompactFleet = compactFleet([], new Map());
  readonly #readAt = new Map<string, number>();
  readonly #unreadable = new Map<string, string>();
  readonly #urgent = new Set<string>();

  constructor(fleet: Fleet, deps: FleetViewDeps, options: FleetViewOptions = {}) {
    this.#fleet = fleet;
    this.#clock = deps.clock;
    this.#log = deps.logger.child({ component: 'fleet-view' });
    this.#elapsed = deps.elapsed ?? (() => performance.now());
    this.#listIntervalMs = options.listIntervalMs ?? 10 * 60_000;
    this.#maxAgeMs = options.maxAgeMs ?? 15 * 60_000;
    this.#chunk = options.chunk ?? 500;
    this.#progressLogMs = options.progressLogMs ?? 5_000;
  }

  /** Asks for these devices to be re-read at the next refresh step (after an operation ended). */
  markStale(deviceIds: Iterable<string>): void {
    for (const id of deviceIds) this.#urgent.add(id);
  }

  /** True once every listed device has been read at least once. */
  get complete(): boolean {
    return this.#listedAt > Number.NEGATIVE_INFINITY && this.#devices.every((d) => this.#readAt.has(d.id) || this.#unreadable.has(d.id));
  }

  /** The latest picture; its `devices` and `software` are a compact fleet's own, which buildPlan reads directly. */
  snapshot(): FleetSnapshot {
    return {
      devices: this.#compact.devices,
      software: this.#compact.software,
      readAt: this.#readAt,
      unreadable: this.#unreadable,
      listedAt: this.#listedAt,
    };
  }

  /**
   * One bounded refresh step: re-list when due, then read the devices marked stale, never read,
   * or oldest, at most `chunk` of them. Returns how many devices were read. `onProgress` hears
   * of the listing and of the step's reads.
   */
  refreshStep(signal?: AbortSignal, onProgress?: OnFleetProgress): Promise<number> {
    return this.#step(signal, this.#reporter(onProgress, () => ({ before: 0, total: undefined })));
  }

  /** Progress of a read as (devices read in this step, due in it) -> the caller's and the log's figures. */
  #reporter(onProgress: OnFleetProgress | undefined, frame: () => { before: number; total: number | undefined }) {
    const started = this.#elapsed();
    let lastLog = started;
    const report = (progress: FleetReadProgress) => {
      onProgress?.(progress);
      const now = this.#elapsed();
      if (now - lastLog < this.#progressLogMs) return;
      lastLog = now;
      if (progress.phase === 'list') this.#log.info({ listed: progress.listed }, 'listing devices');
      else {
        const { perSecond, etaSeconds } = progressRate(progress.read, progress.total, progress.elapsedMs);
        this.#log.info({ read: progress.read, total: progress.total, perSecond: round(perSecond), etaSeconds: round(etaSeconds) }, 'reading device software');
      }
    };
    return {
      listed: (listed: number) => report({ phase: 'list', listed, elapsedMs: this.#elapsed() - started }),
      read: (done: number, due: number) => {
        const { before, total } = frame();
        report({ phase: 'read', read: before + done, total: Math.max(total ?? due, before + done), elapsedMs: this.#elapsed() - started });
      },
    };
  }

  async #step(signal: AbortSignal | undefined, report: { listed: (n: number) => void; read: (done: number, due: number) => void }): Promise<number> {
    const now = this.#clock.now();
    if (now - this.#listedAt >= this.#listIntervalMs || this.#listedAt > now) {
      this.#devices = await this.#fleet.listDevices({ ...(signal ? { signal } : {}), onProgress: report.listed });
      this.#listedAt = now;
      const known = new Set(this.#devices.map((d) => d.id));
      for (const id of [...this.#readAt.keys()]) if (!known.has(id)) this.#forget(id);
      // A new listing is a new device table; the documents of devices still listed carry over.
      this.#compact = compactFleet(this.#devices, this.#compact.software);
      this.#log.info({ devices: this.#devices.length }, 'devices listed');
    }
    const due = this.#pickDue(now);
    if (due.length === 0) return 0;
    const results = await this.#fleet.readSoftware(due, signal, report.read);
    const readAt = this.#clock.now();
    const documents: DeviceSoftware[] = [];
    for (const id of due) {
      const result = results.get(id);
      this.#urgent.delete(id);
      if (result === undefined) continue;
      if (result instanceof FleetError) {
        this.#unreadable.set(id, result.message);
        // Try again later rather than at once: a device that cannot be read now usually cannot in a second either.
        this.#readAt.set(id, readAt - this.#maxAgeMs / 2);
      } else {
        documents.push(result.deviceId === id ? result : { ...result, deviceId: id });
        this.#readAt.set(id, readAt);
        this.#unreadable.delete(id);
      }
    }
    if (documents.length > 0) this.#compact = this.#compact.withSoftware(documents);
    return due.length;
  }

  /**
   * Refreshes until every device has been read once (used at start-up and by `plan`);
   * `onProgress` counts over the whole refresh, not per step.
   */
  async refreshAll(signal?: AbortSignal, onProgress?: OnFleetProgress): Promise<void> {
    let before = 0;
    let total: number | undefined;
    const report = this.#reporter(onProgress, () => {
      // Known once the first step has listed: what was never read, plus what is asked for again.
      total ??= this.#devices.filter((d) => !this.#readAt.has(d.id)).length + [...this.#urgent].filter((id) => this.#readAt.has(id)).length;
      return { before, total };
    });
    let n = await this.#step(signal, report);
    before += n;
    while (!this.complete || this.#urgent.size > 0) {
      if ((n = await this.#step(signal, report)) === 0) break;
      before += n;
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
    this.#readAt.delete(id);
    this.#unreadable.delete(id);
    this.#urgent.delete(id);
  }
}

function round(n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n * 10) / 10;
}
