// One planned kill of the controller: faults armed, the trigger awaited (a git lock, a fresh intent), SIGKILL, evidence taken, a restart.
import { join } from 'node:path';
import { sleep } from './abortable-sleep.ts';
import { entryKey, isInFlight, leftoverLocks, readPosts, watchGitLocks, type LedgerRecord, type StateWatcher } from './evidence.ts';
import type { RestartEvidence } from './invariants.ts';
import { killFaults, type PlannedKill } from './plan.ts';
import type { ControllerProcess, EmulatorProcess } from './processes.ts';
import type { Releaser } from './releaser.ts';
import type { IntentFate, KillRecord } from './report.ts';

/** What a kill acts on and reports to: the run's processes, watchers and clock. */
export interface KillContext {
  readonly emulator: EmulatorProcess;
  readonly controller: ControllerProcess;
  readonly stateWatcher: StateWatcher;
  readonly releaser: Releaser;
  readonly dataDir: string;
  /** The emulator's clock speed. */
  readonly speed: number;
  /** Kills planned in all. */
  readonly killCount: number;
  readonly signal: AbortSignal;
  /** Real ms since the chaos phase began. */
  readonly elapsed: () => number;
  /** Devices the ledger says have an update in flight. */
  readonly busyDevices: () => string[];
  /** A person pushes an edit (queued behind the others). */
  readonly personEdits: () => Promise<unknown>;
  /** Restarts so far; this kill's is added. */
  readonly restarts: RestartEvidence[];
  /** True while a kill is armed: fault episodes leave the emulator's faults alone meanwhile. */
  readonly arm: (on: boolean) => void;
}

/** Performs kill `k` and returns what it found: where it landed, what became of each intent, the restart. */
export async function performKill(k: PlannedKill, ctx: KillContext): Promise<KillRecord> {
  const { emulator, controller, stateWatcher, releaser, dataDir, signal, elapsed, busyDevices, personEdits, restarts } = ctx;
  ctx.arm(true);
  const inDoubtBefore = new Set(stateWatcher.ledger.filter((e) => e.state === 'starting').map(entryKey));
  await emulator.control('DELETE', '/faults');
  const seqAtArm = (await readPosts(emulator)).reduce((m, p) => Math.max(m, p.seq), 0);
  const faults = killFaults[k.kind];
  if (Object.keys(faults.patch).length > 0) await emulator.control('POST', '/faults', faults.patch);
  // New versions make the controller start updates, so intents appear to be caught.
  if (k.kind === 'intent' || k.kind === 'answer-lost') for (let i = 0; i < 2; i++) await releaser.releaseOne(busyDevices());
  let trigger = 'random';
  let triggered = k.kind === 'random';
  if (k.kind !== 'random') {
    triggered = await new Promise<boolean>((resolveTrigger) => {
      let stop: () => void = () => undefined;
      const timer = setTimeout(() => {
        stop();
        resolveTrigger(false);
      }, Math.max(0, k.deadlineMs - elapsed()));
      let fired = false;
      const fire = (what: string) => {
        if (fired) return;
        fired = true;
        trigger = what;
        clearTimeout(timer);
        stop();
        const kill = () => {
          controller.killNow();
          resolveTrigger(true);
        };
        // No delay: killed before anything else runs in this process.
        if (k.killDelayMs === 0) kill();
        else setTimeout(kill, k.killDelayMs);
      };
      if (k.kind === 'git') {
        stop = watchGitLocks(join(dataDir, 'repo', '.git'), (name) => fire(name));
      } else {
        const baseline = new Set(stateWatcher.ledger.filter((e) => e.state === 'starting').map(entryKey));
        stop = stateWatcher.onRead((ledger) => {
          const fresh = ledger.find((e) => e.state === 'starting' && !baseline.has(entryKey(e)));
          if (fresh) fire(`${fresh.deviceId.slice(0, 8)} ${fresh.softwareType}`);
        });
      }
    });
  }
  const atMs = elapsed();
  await controller.kill();
  if (Object.keys(faults.onKill).length > 0) await emulator.control('POST', '/faults', faults.onKill);
  const clock = await emulator.control<{ now: string; nowMs: number }>('GET', '/clock');
  const ledger: readonly LedgerRecord[] = stateWatcher.readNow();
  const locks = leftoverLocks(join(dataDir, 'repo', '.git'));
  const lastMessage = controller.lastMessage;
  // A held request is decided on within holdMs: reset only then.
  await sleep(faults.holdMs - (elapsed() - atMs), signal);
  if (Object.keys(faults.reset).length > 0) await emulator.control('POST', '/faults', faults.reset);
  ctx.arm(false);
  await sleep(k.downtimeMs, signal);
  if (k.editWhileDown) await personEdits().catch(() => undefined);
  controller.start();
  const readyAfterMs = await controller.waitReady(45_000);
  restarts.push({ kill: k.index, readyAfterMs });
  // By now a POST the emulator held back (latency) has been carried out: read what became of each intent.
  const posts = await readPosts(emulator);
  const horizon = clock.nowMs + 1_000 * ctx.speed;
  const intents = ledger
    .filter((e) => e.state === 'starting')
    .map((e) => {
      const post = posts.filter((p) => p.seq > seqAtArm && p.deviceId === e.deviceId && p.softwareType === e.softwareType && p.requestedVersion === e.version && p.atMs <= horizon).at(-1);
      const fate: IntentFate = inDoubtBefore.has(entryKey(e))
        ? 'in doubt since before'
        : !post ? 'POST not sent' : post.status === 202 ? 'POST carried out, answer lost' : post.status === 409 ? 'POST refused 409' : 'POST never carried out';
      return { deviceId: e.deviceId, softwareType: e.softwareType, version: e.version, fate };
    });
  return {
    index: k.index, of: ctx.killCount, kind: k.kind, triggered, trigger, atMs, emulatorTime: clock.now, intents,
    inFlight: ledger.filter((e) => isInFlight(e) && e.state !== 'starting').length, locks, lastMessage,
    downtimeMs: k.downtimeMs, editWhileDown: k.editWhileDown, readyAfterMs,
  };
}
