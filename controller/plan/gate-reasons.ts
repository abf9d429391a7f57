// The wave gates (wave-gates.ts) that hold or bake a wave, with their reasons, kept from one plan
// to the next. A 100,000-device plan judges ~10,000 (unit, wave) gates and most say again what
// they said a minute before; writing each message anew (template, flattening, sharedReason's
// hash) cost ~2.5 MB a repeated plan, the gates ~0.5 MB more. Here a gate is made once per
// distinct input — the policy's waves (by identity: manifests are read only), the wave, and the
// counts or instant it names — and the same one returned after (gates are never written to).
// The words are exactly what they were.
// Bounded: dropped when it holds too many (identity is a shortcut, never meaning). Pure: a cache.
import type { Wave } from '../model/manifests.generated.ts';
import type { Reason } from '../model/plan.ts';
import type { Gate } from './wave-unit.ts';
import { sharedReason } from '../policy/shared-reasons.ts';
import { waveName } from '../policy/waves.ts';
import { dayText } from './work.ts';

/** Gates kept before the cache is emptied (a plan of 1,000 groups makes a few thousand). */
const limit = 32_768;

/** Waves at or above this are not cached (a pair of them would not be one small number): written every time. */
const waveBound = 1024;

/**
 * Gates by waves list (by identity; `undefined` for none), by a small number (the waves
 * named), by a number (a count or an instant), then by text (a version; '' when none).
 */
class GateCache {
  #byWaves = new WeakMap<readonly Wave[], Map<number, Map<number, Map<string, Gate>>>>();
  #noWaves = new Map<number, Map<number, Map<string, Gate>>>();
  #size = 0;

  /** The gate filed under these keys, if any. */
  get(waves: readonly Wave[] | undefined, pair: number, n: number, text: string): Gate | undefined {
    return (waves === undefined ? this.#noWaves : this.#byWaves.get(waves))?.get(pair)?.get(n)?.get(text);
  }

  /** Files a gate under these keys (emptying the cache first when it is full). */
  set(waves: readonly Wave[] | undefined, pair: number, n: number, text: string, gate: Gate): void {
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
    byText.set(text, gate);
    this.#size++;
  }
}

const waiting = new GateCache();
const baking = new GateCache();

/**
 * The closed gate of `wave` held by `waitingWave` with `devices` still to update to `version`:
 * "wave N starts after wave M has finished: K devices of earlier waves still to update to V" (WaitingForWave).
 */
export function waitingGate(waves: readonly Wave[] | undefined, wave: number, waitingWave: number, devices: number, version: string): Gate {
  const cached = wave >= 0 && wave < waveBound && waitingWave >= 0 && waitingWave < waveBound;
  const pair = wave * waveBound + waitingWave;
  let gate = cached ? waiting.get(waves, pair, devices, version) : undefined;
  if (gate === undefined) {
    const reason: Reason = sharedReason('WaitingForWave', `${waveName(waves, wave)} starts after ${waveName(waves, waitingWave)} has finished: ${devices} device${devices === 1 ? '' : 's'} of earlier waves still to update to ${version}`);
    gate = { open: false, reason };
    if (cached) waiting.set(waves, pair, devices, version, gate);
  }
  return gate;
}

/** The gate of `wave` open from `bakeUntil`: "wave N starts once the previous wave has baked until <instant>" (Baking). */
export function bakingGate(waves: readonly Wave[] | undefined, wave: number, bakeUntil: number): Gate {
  const cached = wave >= 0 && wave < waveBound;
  let gate = cached ? baking.get(waves, wave, bakeUntil, '') : undefined;
  if (gate === undefined) {
    const reason: Reason = sharedReason('Baking', `${waveName(waves, wave)} starts once the previous wave has baked until ${dayText(bakeUntil)}`);
    gate = { open: true, bakeUntil, reason };
    if (cached) baking.set(waves, wave, bakeUntil, '', gate);
  }
  return gate;
}
