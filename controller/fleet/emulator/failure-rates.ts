// How often updates fail, per model: the seeded default of the fleet spec, overridden for
// every model at once ('*') and/or model by model (the per-model setting wins).
import { findModelIndex, models } from './catalog.ts';
import type { FleetSpec } from './fleet-gen.ts';
import { EmulatorInputError } from './input-error.ts';

/** Checks a failure rate (0–1); throws EmulatorInputError otherwise. */
export function checkFailureRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new EmulatorInputError(`a failure rate is a number from 0 to 1, got ${rate}`);
  return rate;
}

/** The failure rates in force for one fleet. */
export class FailureRates {
  readonly #spec: FleetSpec;
  readonly #byModel = new Map<number, number>();
  #all: number | undefined;

  constructor(spec: FleetSpec) {
    this.#spec = spec;
  }

  /** The rate of one model index. */
  of(modelIndex: number): number {
    return this.#byModel.get(modelIndex) ?? this.#all ?? this.#spec.failureRates[modelIndex] ?? 0;
  }

  /** Sets the rate of one model by name, or of every model with '*'; throws EmulatorInputError on bad input. */
  set(model: string, rate: number): void {
    checkFailureRate(rate);
    if (model === '*') {
      this.#all = rate;
      return;
    }
    const index = findModelIndex(model);
    if (index === undefined) throw new EmulatorInputError(`unknown model ${JSON.stringify(model)}`);
    this.#byModel.set(index, rate);
  }

  /** Effective rate per model name. */
  effective(): Record<string, number> {
    return Object.fromEntries(models.map((spec, k) => [spec.model, this.of(k)]));
  }

  /** The settings made (model name or '*' → rate), for a state file. */
  toPersisted(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries([...this.#byModel].map(([k, rate]) => [models[k]!.model, rate]));
    if (this.#all !== undefined) out['*'] = this.#all;
    return out;
  }

  /** Loads what toPersisted wrote; models this catalog no longer has are skipped. */
  restore(rates: Readonly<Record<string, number>>): void {
    for (const [model, rate] of Object.entries(rates)) {
      if (model === '*') this.#all = checkFailureRate(rate);
      else {
        const k = findModelIndex(model);
        if (k !== undefined) this.#byModel.set(k, checkFailureRate(rate));
      }
    }
  }
}
