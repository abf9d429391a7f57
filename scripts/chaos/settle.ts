// The settling phase of a chaos run: no faults, no kills, until the ledger has caught up with what the emulator says.
import { sleep } from './abortable-sleep.ts';
import { isInFlight, readOperations, type StateWatcher } from './evidence.ts';
import type { ControllerProcess, EmulatorProcess } from './processes.ts';

// No faults, no kills. Updates may go on starting (the backlog), but the
// ledger must catch up with the emulator: nothing said to be in flight whose operation ended
// more than 10 s (real) ago, or that the emulator does not know. Three quiet checks in a row.
/** Waits up to `settleMs` for three quiet checks in a row; returns what was still unsettled at the last check. */
export async function settle(emulator: EmulatorProcess, controller: ControllerProcess, stateWatcher: StateWatcher, settleMs: number, speed: number, signal: AbortSignal): Promise<string[]> {
  const settleStart = performance.now();
  const lagMs = 10_000 * speed;
  let unsettled: string[] = [];
  let quiet = 0;
  while (performance.now() - settleStart < settleMs && quiet < 3) {
    await sleep(1_000, signal);
    const active = stateWatcher.readNow().filter(isInFlight);
    const byId = new Map((await readOperations(emulator, active.map((e) => e.deviceId))).map((o) => [o.id, o]));
    const emulatorNow = (await emulator.control<{ nowMs: number }>('GET', '/clock')).nowMs;
    unsettled = active.flatMap((e) => {
      const what = `${e.deviceId.slice(0, 8)} ${e.softwareType} ${e.version} (${e.state})`;
      // An intent with no operation to show stays in doubt (the controller waits before taking
      // its POST as never sent): counted in the notes, not here.
      if (e.operationId === undefined) return [];
      const op = byId.get(e.operationId);
      if (!op) return [`${what}: the emulator has no operation ${e.operationId.slice(0, 8)}`];
      if (op.completesMs !== null && op.completesMs < emulatorNow - lagMs) return [`${what}: its operation ended ${op.status} long ago`];
      return [];
    });
    quiet = unsettled.length === 0 && controller.running ? quiet + 1 : 0;
  }
  return unsettled;
}
