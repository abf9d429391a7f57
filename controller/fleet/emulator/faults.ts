// Faults on demand. Rates draw from a seeded generator (so a run repeats); the `…Next`
// counters force the next N requests, which is what tests want.
import { EmulatorInputError } from './input-error.ts';
import { createRandom, mix, type Random } from './prng.ts';

export interface FaultSettings {
  /** Share of Graph requests answered 429 (0–1); default 0. */
  readonly throttleRate: number;
  /** The next N Graph requests are answered 429; default 0. */
  readonly throttleNext: number;
  /** Retry-After (whole seconds) sent with injected 429s and 503s; default 2. */
  readonly retryAfterSeconds: number;
  /** Share of Graph requests answered with a 5xx; default 0. */
  readonly serverErrorRate: number;
  /** The next N Graph requests are answered with a 5xx; default 0. */
  readonly serverErrorNext: number;
  /** Statuses injected 5xx answers cycle through; default [500, 503, 504] (503 carries Retry-After). */
  readonly serverErrorStatuses: readonly number[];
  /** Real-time delay added before every Graph answer, ms; default 0. */
  readonly latencyMs: number;
  /**
   * Real-time delay added before a POST action (updateSoftware, restart, runDiagnostics), direct
   * or in a $batch, is decided on and carried out, on top of latencyMs; default 0. Reads stay fast.
   */
  readonly actionLatencyMs: number;
  /** Share of Graph requests never answered (until the emulator closes); default 0. */
  readonly hangRate: number;
  /** The next N Graph requests are never answered; default 0. */
  readonly hangNext: number;
  /** Share of new operations that never leave inProgress; default 0. */
  readonly stuckOperationRate: number;
  /** Share of inner $batch requests answered 429 (outer answer stays 200); default 0. */
  readonly batchThrottleRate: number;
  /** The next N inner $batch requests are answered 429; default 0. */
  readonly batchThrottleNext: number;
  /**
   * Share of POST actions (updateSoftware, restart, runDiagnostics) carried out whose answer is
   * then lost: the operation exists but the connection closes without an answer; default 0.
   */
  readonly dropAnswerRate: number;
  /** The next N POST actions are carried out and their answers lost; default 0. */
  readonly dropAnswerNext: number;
}

export const noFaults: FaultSettings = {
  throttleRate: 0, throttleNext: 0, retryAfterSeconds: 2, serverErrorRate: 0, serverErrorNext: 0,
  serverErrorStatuses: [500, 503, 504], latencyMs: 0, actionLatencyMs: 0, hangRate: 0, hangNext: 0, stuckOperationRate: 0,
  batchThrottleRate: 0, batchThrottleNext: 0, dropAnswerRate: 0, dropAnswerNext: 0,
};

const rateKeys = ['throttleRate', 'serverErrorRate', 'hangRate', 'stuckOperationRate', 'batchThrottleRate', 'dropAnswerRate'] as const;
const countKeys = ['throttleNext', 'serverErrorNext', 'hangNext', 'batchThrottleNext', 'dropAnswerNext', 'retryAfterSeconds', 'latencyMs', 'actionLatencyMs'] as const;

/** Checks and merges a partial fault setting; throws EmulatorInputError naming the bad field. */
export function mergeFaults(base: FaultSettings, patch: Partial<Record<keyof FaultSettings, unknown>>): FaultSettings {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if ((rateKeys as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw new EmulatorInputError(`${key} must be a number from 0 to 1`);
    } else if ((countKeys as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new EmulatorInputError(`${key} must be a whole number >= 0`);
    } else if (key === 'serverErrorStatuses') {
      if (!Array.isArray(value) || value.length === 0 || !value.every((s) => Number.isInteger(s) && s >= 500 && s <= 599)) {
        throw new EmulatorInputError('serverErrorStatuses must be a non-empty list of 5xx statuses');
      }
    } else {
      throw new EmulatorInputError(`unknown fault ${JSON.stringify(key)}; known: ${Object.keys(noFaults).join(', ')}`);
    }
    out[key] = value;
  }
  return out as unknown as FaultSettings;
}

export type OuterFault =
  | { readonly kind: 'hang' }
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds: number | undefined };

/** Holds the current faults and decides, request by request, which one strikes. */
export class FaultInjector {
  #settings: FaultSettings = noFaults;
  readonly #random: Random;
  #serverErrorTurn = 0;

  constructor(seed: number, initial: Partial<FaultSettings> = {}) {
    this.#random = createRandom(mix(seed, 301));
    this.#settings = mergeFaults(noFaults, initial);
  }

  get settings(): FaultSettings {
    return this.#settings;
  }

  set(patch: Partial<Record<keyof FaultSettings, unknown>>): FaultSettings {
    this.#settings = mergeFaults(this.#settings, patch);
    return this.#settings;
  }

  clear(): FaultSettings {
    this.#settings = noFaults;
    return this.#settings;
  }

  #strikes(nextKey: 'throttleNext' | 'serverErrorNext' | 'hangNext' | 'batchThrottleNext' | 'dropAnswerNext', rate: number): boolean {
    const remaining = this.#settings[nextKey];
    if (remaining > 0) {
      this.#settings = { ...this.#settings, [nextKey]: remaining - 1 };
      return true;
    }
    return rate > 0 && this.#random() < rate;
  }

  /** The fault (if any) for one Graph request (a $batch counts once here). */
  decideOuter(): OuterFault | undefined {
    const s = this.#settings;
    if (this.#strikes('hangNext', s.hangRate)) return { kind: 'hang' };
    if (this.#strikes('serverErrorNext', s.serverErrorRate)) {
      const statuses = this.#settings.serverErrorStatuses;
      const status = statuses[this.#serverErrorTurn++ % statuses.length] ?? 500;
      return { kind: 'status', status, retryAfterSeconds: status === 503 ? this.#settings.retryAfterSeconds : undefined };
    }
    if (this.#strikes('throttleNext', s.throttleRate)) return { kind: 'status', status: 429, retryAfterSeconds: this.#settings.retryAfterSeconds };
    return undefined;
  }

  /** True when an inner $batch request is to be answered 429. */
  decideInnerThrottle(): boolean {
    return this.#strikes('batchThrottleNext', this.#settings.batchThrottleRate);
  }

  /** True when the answer to a POST action that was carried out is to be lost. */
  decideDropAnswer(): boolean {
    return this.#strikes('dropAnswerNext', this.#settings.dropAnswerRate);
  }

  /** True when a new operation is to get stuck in inProgress. */
  decideStuck(): boolean {
    const rate = this.#settings.stuckOperationRate;
    return rate >= 1 || (rate > 0 && this.#random() < rate);
  }
}
