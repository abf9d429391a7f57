// The reasons of wave gates (wave-gates.ts) that hold or bake a wave, kept from one plan to the
// next. A 100,000-device plan judges ~10,000 (unit, wave) gates and most say again what they
// said a minute before; writing each message anew (template, flattening, sharedReason's hash)
// cost ~2.5 MB a repeated plan. Here a message is written once per distinct input — the
// policy's waves (by identity: manifests are read only), the wave, and the counts or instant
// it names — and the same Reason returned after. The words are exactly what they were.
// Bounded: dropped when it holds too many (identity is a shortcut, never meaning). Pure: a cache.
import type { Wave } from '../model/manifests.generated.ts';
import type { Reason } from '../model/plan.ts';
import { sharedReason } from '../policy/shared-reasons.ts';
import { waveName } from '../policy/waves.ts';
import { dayText } from './work.ts';

/** Reasons kept before the cache is emptied (a plan of 1,000 groups makes a few thousand). */
const limit = 32_768;

/** Waves at or above this are not cached (a pair of them would not be one small number): written every time. */
const waveBound = 1024;

/**
 * Reasons by waves list (by identity; `undefined` for none), by a small number (the waves
 * named), by a number (a count or an instant), then by text (a version; '' when none).
 */
class ReasonCache {
  #byWaves = new WeakMap<readonly Wave[], Map<number, Map<number, Map<string, Reason>>>>();
  #noWaves = new Map<number, Map<number, Map<string, Reason>>>();
  #size = 0;

  /** The reason filed under these keys, if any. */
  get(waves: readonly Wave[] | undefined, pair: number, n: number, text: string): Reason | undefined {
    return (waves === undefined ? this.#noWaves : this.#byWaves.get(waves))?.get(pair)?.get(n)?.get(text);
  }

  /** Files a reason under these keys (emptying the cache first when it is full). */
  set(waves: readonly Wave[] | undefined, pair: number, n: number, text: string, reason: Reason): void {
    if (this.#size >= limit) {
      this.#byWaves = new WeakMap();
      this.#noWaves = new Map();
      this.#size = 0;
    }
    let byPair = waves === undefined ? this.#noWaves : this.#byWaves.get(waves);
    if (byPair === undefined) this.#byWaves.set(waves!, (byPair = new Map()));
    let byNumber = byPair.get(pair);
    if (byNumber === undefined) byPair.set(pair, (byNumber = new Map()));
    let byText = byNumber.get(n);
    if (byText === undefined) byNumber.set(n, (byText = new Map()));
    byText.set(text, reason);
    this.#size++;
  }
}

const waiting = new ReasonCache();
const baking = new ReasonCache();

/**
 * "wave N starts after wave M has finished: K devices of earlier waves still to update to V"
 * (WaitingForWave), for a gate of `wave` held by `waitingWave` with `devices` still to update.
 */
export function waitingForWaveReason(waves: readonly Wave[] | undefined, wave: number, waitingWave: number, devices: number, version: string): Reason {
  const cached = wave >= 0 && wave < waveBound && waitingWave >= 0 && waitingWave < waveBound;
  const pair = wave * waveBound + waitingWave;
  let reason = cached ? waiting.get(waves, pair, devices, version) : undefined;
  if (reason === undefined) {
    reason = sharedReason('WaitingForWave', `${waveName(waves, wave)} starts after ${waveName(waves, waitingWave)} has finished: ${devices} device${devices === 1 ? '' : 's'} of earlier waves still to update to ${version}`);
    if (cached) waiting.set(waves, pair, devices, version, reason);
  }
  return reason;
}

/** "wave N starts once the previous wave has baked until <instant>" (Baking). */
export function bakingReason(waves: readonly Wave[] | undefined, wave: number, bakeUntil: number): Reason {
  const cached = wave >= 0 && wave < waveBound;
  let reason = cached ? baking.get(waves, wave, bakeUntil, '') : undefined;
  if (reason === undefined) {
    reason = sharedReason('Baking', `${waveName(waves, wave)} starts once the previous wave has baked until ${dayText(bakeUntil)}`);
    if (cached) baking.set(waves, wave, bakeUntil, '', reason);
  }
  return reason;
}
