// One tenant's pacer under a cap shared by every tenant of the process. Graph limits requests
// per app per tenant (about 30 a second on the device calls: the tenant's own Pacer, with its
// AIMD) and, far higher, per app across all tenants; the shared cap (`--global-rate`, default
// 2000 a second) is this process's share of the latter. A request needs a unit from both.
//
// Composed, not rewritten: a CappedPacer IS the tenant's Pacer (GraphHttp and the $batch code
// take a Pacer; throttles, Retry-After pauses and successes are the tenant's own, since a 429
// names one tenant's limit) and only its two acquire methods also take from the shared cap.
//
// Order, inside the tenant's own turn: wait until the tenant's window has room (Pacer.ready,
// which takes nothing), then take from the shared cap, then from the tenant's window, which by
// then grants at once. So cap units are not held while the tenant waits for its own window or
// sub-window (pacer.ts, Spread), and the cap counts them about when they are sent. The tenant's
// window is the limit Graph enforces with 429s: the caller gets the tenant's grant and stamps
// it when the request is sent (pacer.ts). The shared cap's grant is stamped at once, when it is
// granted: the cap is our own budget, not a server's window, so a count that runs a little
// early (by the send delay) is fine; it never raises its long-run rate, and nothing can leave
// shared units held by a request that is slow to go. The tenant's turn means one request of a
// tenant at a time waits at the shared cap, so a busy tenant cannot queue up the shared cap
// ahead of the others (the shared pacer serves its callers first come, first served).
import type { Clock } from '../../model/clock.ts';
import { SerialQueue } from '../../model/serial-queue.ts';
import { Pacer, type Grant, type PacerOptions } from './pacer.ts';

/** The default cap shared across tenants, requests per second (`--global-rate`). */
export const defaultGlobalRate = 2000;

/** The cap shared by all tenants of a process: a plain Pacer at `ratePerSecond` (default 2000). */
export function createSharedCap(clock: Clock, ratePerSecond: number = defaultGlobalRate): Pacer {
  // No AIMD here: nothing reports a throttle to the shared cap (a 429 is one tenant's), and a
  // margin of 0 and no spread because it is our own budget, not a server's window we must stay inside.
  return new Pacer(clock, { ratePerSecond, minRatePerSecond: ratePerSecond, marginMs: 0, spread: 1 });
}

/** A tenant's Pacer whose grants also take units from a cap shared with other tenants. */
export class CappedPacer extends Pacer {
  readonly #cap: Pacer;
  readonly #turn = new SerialQueue();

  constructor(clock: Clock, options: PacerOptions, cap: Pacer) {
    super(clock, options);
    this.#cap = cap;
  }

  /** The shared cap this pacer takes from. */
  get cap(): Pacer {
    return this.#cap;
  }

  override acquire(units: number, signal?: AbortSignal): Promise<Grant> {
    return this.#turn.run(async () => {
      await this.ready(Math.max(1, units), signal);
      const shared = await this.#cap.acquire(units, signal);
      shared.stamp();
      return super.acquire(shared.units, signal);
    });
  }

  override acquireUpTo(max: number, signal?: AbortSignal, atLeast = 1): Promise<Grant> {
    return this.#turn.run(async () => {
      // Never ask the cap for more than the tenant's window holds now: those units would be
      // lost, or wait for the tenant's next sub-window while the cap counts them (pacer.ts, Spread).
      const floor = Math.max(1, Math.min(max, atLeast, this.smallestShare));
      const most = Math.max(1, Math.min(max, await this.ready(floor, signal)));
      const shared = await this.#cap.acquireUpTo(most, signal, Math.min(floor, most));
      shared.stamp();
      return super.acquire(shared.units, signal);
    });
  }
}
