// What the emulator was asked: counters for every request (the benchmark's 429 share) and one
// entry per POST action (tests prove with it that no update was sent twice or downgraded).
import type { ActionName } from './operations.ts';

/** One POST of updateSoftware, restart or runDiagnostics, whatever its answer. */
export interface ActionLogEntry {
  readonly seq: number;
  /** The tenant whose token made the request. */
  readonly tenant: string;
  /** Emulator time of the request, ISO 8601. */
  readonly at: string;
  readonly atMs: number;
  readonly action: ActionName;
  /** Client id of the calling app (null without a valid token). */
  readonly appId: string | null;
  readonly deviceId: string;
  /** As sent; null when absent. */
  readonly softwareType: string | null;
  readonly requestedVersion: string | null;
  /** The version the operation aims at (the available one when none was requested). */
  readonly targetVersion: string | null;
  /** What the device ran when the request arrived. */
  readonly fromVersion: string | null;
  /** HTTP status of the answer (202, 409, 429, …). */
  readonly status: number;
  readonly operationId: string | null;
  /** Direct request or an inner request of a $batch. */
  readonly via: 'direct' | 'batch';
  /** True when the dropAnswer fault lost the answer although the action was carried out. */
  readonly answerLost?: true;
  /** The device's activityState when the request arrived (busy: in a meeting or call); absent for an unknown device. */
  readonly activityState?: string;
}

/** Request counters since start (or the last reset). */
export interface RequestStats {
  /** HTTP requests received under /beta (a $batch counts once). */
  httpRequests: number;
  /** Graph requests evaluated: direct ones plus each inner request of a $batch. */
  graphRequests: number;
  batches: number;
  tokenRequests: number;
  /** Graph requests per answered status (inner requests included). */
  byStatus: Record<string, number>;
  /** Graph requests answered 429 (rate limit or injected). */
  throttled: number;
  /** Requests left hanging by the hang fault. */
  hung: number;
}

function emptyStats(): RequestStats {
  return { httpRequests: 0, graphRequests: 0, batches: 0, tokenRequests: 0, byStatus: {}, throttled: 0, hung: 0 };
}

export class RequestLog {
  readonly #maxEntries: number;
  #entries: ActionLogEntry[] = [];
  #seq = 0;
  #stats = emptyStats();

  /** Keeps at most `maxEntries` action entries (oldest dropped first). */
  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get stats(): RequestStats {
    return structuredClone(this.#stats);
  }

  countHttp(kind: 'graph' | 'batch' | 'token'): void {
    if (kind === 'token') this.#stats.tokenRequests++;
    else this.#stats.httpRequests++;
    if (kind === 'batch') this.#stats.batches++;
  }

  countGraph(status: number): void {
    this.#stats.graphRequests++;
    this.#stats.byStatus[status] = (this.#stats.byStatus[status] ?? 0) + 1;
    if (status === 429) this.#stats.throttled++;
  }

  countHung(): void {
    this.#stats.hung++;
  }

  recordAction(entry: Omit<ActionLogEntry, 'seq'>): void {
    this.#entries.push({ seq: ++this.#seq, ...entry });
    if (this.#entries.length > this.#maxEntries) this.#entries.splice(0, this.#entries.length - this.#maxEntries);
  }

  actions(filter: { deviceId?: string; action?: ActionName } = {}): ActionLogEntry[] {
    const id = filter.deviceId?.toLowerCase();
    return this.#entries.filter((e) => (id === undefined || e.deviceId.toLowerCase() === id) && (filter.action === undefined || e.action === filter.action));
  }

  /** Clears counters and entries. */
  reset(): void {
    this.#entries = [];
    this.#stats = emptyStats();
  }
}
