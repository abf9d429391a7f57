// The emulator's own clock: another Clock (system, manual) seen through a settable offset and
// a speed, so control calls can set, advance or accelerate time without owning the base clock.
// Everything time-based in the emulator (operations, releases, token expiry) reads this.
import type { Clock } from '../../model/clock.ts';

export class EmulatorClock implements Clock {
  readonly #base: Clock;
  #anchorBase: number;
  #anchorNow: number;
  #speed: number;

  /** `offsetMs` is added to the base clock; `speed` multiplies the time that passes from now on. */
  constructor(base: Clock, options: { offsetMs?: number; speed?: number } = {}) {
    this.#base = base;
    this.#anchorBase = base.now();
    this.#anchorNow = this.#anchorBase + (options.offsetMs ?? 0);
    this.#speed = checkSpeed(options.speed ?? 1);
  }

  now(): number {
    return Math.floor(this.#anchorNow + (this.#base.now() - this.#anchorBase) * this.#speed);
  }

  /** How many times faster than the base clock this clock runs. */
  get speed(): number {
    return this.#speed;
  }

  /** This clock minus the base clock, in ms (what a restart restores). */
  get offsetMs(): number {
    return this.now() - this.#base.now();
  }

  /** Jumps to an instant. */
  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('clock time must be a finite number of ms');
    this.#anchorBase = this.#base.now();
    this.#anchorNow = ms;
  }

  /** Moves forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void {
    this.set(this.now() + ms);
  }

  /** Changes the speed from now on; time already passed keeps its value. */
  setSpeed(speed: number): void {
    this.set(this.now());
    this.#speed = checkSpeed(speed);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.#base.sleep(ms / this.#speed, signal);
  }
}

function checkSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed <= 0) throw new RangeError(`clock speed must be a positive number, got ${speed}`);
  return speed;
}
