// Runs a promise to completion while moving a ManualClock to each sleeper's deadline, so
// Retry-After and backoff waits take no real time but keep their clock-time order.
import type { ManualClock } from '../../../controller/model/clock.ts';

/** Settles `work`, advancing `clock` whenever everything is waiting on it. */
export async function drive<T>(clock: ManualClock, work: Promise<T>): Promise<T> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  settled.catch(() => undefined);
  while (!done) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (!done) clock.advanceToNextSleeper();
  }
  return settled;
}
