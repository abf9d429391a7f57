// Following one operation to its end through the fleet port (any backend), polling with a
// growing, jittered delay: operations take minutes, and polling every device every second
// would spend the tenant's request budget on nothing.
import type { Clock } from '../model/clock.ts';
import type { DeviceOperation, Fleet } from '../model/fleet.ts';
import { FleetError, isOperationActive } from '../model/fleet.ts';

export interface WaitForOperationOptions {
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** First wait (ms). Default 5 s. */
  readonly initialDelayMs?: number;
  /** Longest wait between polls (ms). Default 2 min. */
  readonly maxDelayMs?: number;
  /** Give up after this long (ms, clock time). Default 6 h. */
  readonly timeoutMs?: number;
  /** Called with every poll's answer (progress display). */
  readonly onPoll?: (operation: DeviceOperation) => void;
  readonly random?: () => number;
}

/** Polls until the operation is no longer queued/scheduled/in progress; returns its last state. */
export async function waitForOperation(fleet: Fleet, deviceId: string, operationId: string, options: WaitForOperationOptions): Promise<DeviceOperation> {
  const { clock } = options;
  const random = options.random ?? Math.random;
  const deadline = clock.now() + (options.timeoutMs ?? 6 * 3_600_000);
  let delay = options.initialDelayMs ?? 5_000;
  const maxDelay = options.maxDelayMs ?? 120_000;
  for (;;) {
    let operation: DeviceOperation | undefined;
    try {
      operation = await fleet.getOperation(deviceId, operationId, options.signal);
    } catch (error) {
      // A retryable failure (the service is busy) is not the end of the operation.
      if (!(error instanceof FleetError) || !error.retryable) throw error;
    }
    if (operation) {
      options.onPoll?.(operation);
      // `unknown` is a status spelling we do not know: it is not an end either.
      if (!isOperationActive(operation.state) && operation.state !== 'unknown') return operation;
    }
    const now = clock.now();
    if (now >= deadline) {
      throw new FleetError(`operation ${operationId} on device ${deviceId} still not finished`, { retryable: true, code: 'operationTimeout' });
    }
    // Half fixed, half jittered: never faster than half the delay, never synchronised across devices.
    const wait = Math.min(deadline - now, delay / 2 + random() * (delay / 2));
    await clock.sleep(wait, options.signal);
    delay = Math.min(maxDelay, delay * 1.6);
  }
}
