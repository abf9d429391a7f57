// One chaos run: the emulator (a process that lives through the run), a Git remote served over
// smart HTTP on loopback, and `firmwarden run` killed with SIGKILL at planned moments and
// started again with the same state file and data folder. Meanwhile faults strike, people push
// edits and new versions come out. Afterwards the controller is given time to finish, stopped
// with SIGTERM, and the invariants are checked on what the emulator, the remote and the state
// file say.
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { startGitRemote } from '../../test/support/git-remote.ts';
import { chaosConfigFiles } from './config-repo.ts';
import {
  entryKey, isInFlight, leftoverLocks, Person, readGitEvidence, readOperations, readPosts, StateWatcher, watchGitLocks, type LedgerRecord,
} from './evidence.ts';
import {
  checkNoDowngrade, checkNoDuplicate, checkNoFalseSuccess, checkNoLostEdit, checkRecovery, compareVersionText, sameVersionUpdates, untrackedOperations,
  type RestartEvidence,
} from './invariants.ts';
import type { ChaosOptions } from './options.ts';
import { choiceRandom, killFaults, planChaos, type PlannedKill } from './plan.ts';
import { ControllerProcess, HarnessError, startEmulatorProcess, type EmulatorProcess } from './processes.ts';
import { formatKill, killDistribution, type ChaosReport, type IntentFate, type KillRecord } from './report.ts';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Next version after `version`: its last number plus one. */
function bump(version: string): string {
  return version.replace(/(\d+)(\D*)$/, (_, n: string, tail: string) => `${Number(n) + 1}${tail}`);
}

interface ReleaseInfo {
  readonly model: string;
  readonly softwareType: string;
  readonly version: string;
}

/**
 * Releases new versions of firmware and the Teams app for the models of the fleet, one at a
 * time, preferring models with an update in flight: the controller re-reads a device when its
 * operation ends, so those devices see the new version and start again at once (the others
 * only after the fleet view's next full read, minutes away on the real clock).
 */
class Releaser {
  readonly #emulator: EmulatorProcess;
  readonly #latest = new Map<string, ReleaseInfo>();
  readonly #modelOf = new Map<string, string>();
  readonly #pick: <T>(items: readonly T[]) => T;
  released = 0;

  constructor(emulator: EmulatorProcess, pick: <T>(items: readonly T[]) => T) {
    this.#emulator = emulator;
    this.#pick = pick;
  }

  async load(devices: number): Promise<void> {
    for (const d of await this.#emulator.control<{ id: string; model: string }[]>('GET', `/devices?limit=${devices}`)) this.#modelOf.set(d.id, d.model);
    const models = new Set(this.#modelOf.values());
    for (const r of await this.#emulator.control<ReleaseInfo[]>('GET', '/releases')) {
      if (!models.has(r.model) || (r.softwareType !== 'firmware' && r.softwareType !== 'teamsClient')) continue;
      const key = `${r.model}|${r.softwareType}`;
      const known = this.#latest.get(key);
      if (!known || (compareVersionText(r.version, known.version) ?? 0) > 0) this.#latest.set(key, r);
    }
  }

  /** Releases the next version of one (model, software type), of a model of `busyDevices` when it can; returns what it released. */
  async releaseOne(busyDevices: readonly string[]): Promise<ReleaseInfo | undefined> {
    const busy = new Set(busyDevices.map((id) => this.#modelOf.get(id)));
    const all = [...this.#latest.keys()].sort();
    const preferred = all.filter((key) => busy.has(key.slice(0, key.indexOf('|'))));
    const keys = preferred.length > 0 ? preferred : all;
    if (keys.length === 0) return undefined;
    const last = this.#latest.get(this.#pick(keys))!;
    const next = { model: last.model, softwareType: last.softwareType, version: bump(last.version) };
    await this.#emulator.control('POST', '/releases', next);
    this.#latest.set(`${next.model}|${next.softwareType}`, next);
    this.released++;
    return next;
  }
}

/** Runs the whole thing and returns the report; `print` gets the lines to show as they come. */
export async function runChaos(options: ChaosOptions, print: (line: string) => void, signal: AbortSignal): Promise<ChaosReport> {
  const began = performance.now();
  const plan = planChaos(options.seed, options.kills, options.durationMs);
  const choices = choiceRandom(options.seed);
  const workdir = options.workdir ? resolve(options.workdir) : await mkdtemp(join(tmpdir(), 'firmwarden-chaos-'));
  const dataDir = join(workdir, 'data');
  const statePath = join(workdir, 'state', 'state.json');
  await mkdir(join(workdir, 'state'), { recursive: true });
  const cleanups: (() => unknown)[] = [];
  const verbose = (line: string) => options.verbose && print(`  · ${line}`);
  const background: string[] = [];
  let ok = false;
  try {
    const emulator = await startEmulatorProcess({ devices: options.devices, seed: options.seed, speed: options.speed, dir: workdir });
    cleanups.push(() => emulator.stop());
    const remote = await startGitRemote({ files: chaosConfigFiles });
    cleanups.push(async () => {
      if (!ok || options.keep) await cp(remote.bareDir, join(workdir, 'remote.git'), { recursive: true }).catch(() => undefined);
      await remote.close();
    });
    const descriptions = Object.fromEntries(
      Object.entries(chaosConfigFiles).map(([file, text]) => [file, String((parseDocument(text).toJS() as { spec: { description: string } }).spec.description)]),
    );
    const person = new Person(remote, descriptions);
    const releaser = new Releaser(emulator, choices.pick);
    await releaser.load(options.devices);
    const stateWatcher = new StateWatcher(statePath);
    stateWatcher.start();
    cleanups.push(() => stateWatcher.close());

    const controller = new ControllerProcess(
      [
        'run', '--repo', remote.url, '--data-dir', dataDir, '--state', statePath, '--interval', '1s', '--resync', '2s', '--listen', '127.0.0.1:0',
        '--graph-url', emulator.graphUrl, '--tenant', emulator.tenant, '--client-id', emulator.clientId, '--client-secret-file', emulator.secretFile,
        '--fleet-rate', '200', '--fleet-timeout', '2',
      ],
      join(workdir, 'controller.log'),
    );
    cleanups.push(() => controller.close());
    let stopping = false;
    const unexpectedExits: string[] = [];
    const restarts: RestartEvidence[] = [];
    let t0 = performance.now();
    const elapsed = () => performance.now() - t0;
    controller.onUnexpectedExit = (code, sig) => {
      unexpectedExits.push(`the controller exited by itself (${sig ?? `code ${String(code)}`}) at +${(elapsed() / 1000).toFixed(1)} s`);
      if (!stopping && unexpectedExits.length <= 20) setTimeout(() => !stopping && controller.start(), 500);
    };

    print(`chaos: seed ${options.seed}, ${options.devices} devices, ${options.kills} kills over ${options.durationMs / 1000} s, emulator clock ×${options.speed}; workdir ${workdir}`);
    print(`replay: npm run chaos -- --seed ${options.seed} --devices ${options.devices} --kills ${options.kills} --duration ${options.durationMs / 1000}s --speed ${options.speed}`);
    controller.start();
    if ((await controller.waitReady(90_000)) === undefined) throw new HarnessError(`the controller never became ready; see ${join(workdir, 'controller.log')}`);

    // ---- the chaos phase ----
    t0 = performance.now();
    let armed = false;
    let over = false;
    const timers: NodeJS.Timeout[] = [];
    const later = (atMs: number, what: string, action: () => Promise<unknown>) =>
      timers.push(setTimeout(() => {
        if (!over) action().catch((error: unknown) => background.push(`${what} failed: ${(error as Error).message}`));
      }, atMs));
    let personQueue: Promise<unknown> = Promise.resolve();
    let editNumber = 0;
    const personEdits = () => {
      const run = personQueue.then(async () => {
        const file = choices.pick(Object.keys(chaosConfigFiles).sort());
        const edit = await person.edit(file, ++editNumber);
        verbose(edit ? `+${(elapsed() / 1000).toFixed(1)} s a person pushed ${edit.commit.slice(0, 10)} (${file})` : `a person gave up editing ${file}`);
        if (!edit) background.push(`a person's edit of ${file} lost the push race ten times`);
      });
      personQueue = run.catch(() => undefined);
      return run;
    };
    const busyDevices = () => stateWatcher.ledger.filter(isInFlight).map((e) => e.deviceId);
    let episodes = 0;
    for (const episode of plan.episodes) {
      later(episode.atMs, `fault ${episode.kind}`, async () => {
        if (armed) return;
        episodes++;
        verbose(`+${(elapsed() / 1000).toFixed(1)} s fault: ${episode.kind} ${JSON.stringify(episode.patch)} for ${episode.lastsMs} ms`);
        await emulator.control('POST', '/faults', episode.patch);
        await sleep(episode.lastsMs, signal);
        if (!armed) await emulator.control('POST', '/faults', episode.reset);
      });
    }
    for (const at of plan.releases) {
      later(at, 'release', async () => {
        const r = await releaser.releaseOne(busyDevices());
        if (r) verbose(`+${(elapsed() / 1000).toFixed(1)} s release: ${r.model} ${r.softwareType} ${r.version}`);
      });
    }
    for (const at of plan.edits) later(at, 'person edit', personEdits);

    const kills: KillRecord[] = [];
    const performKill = async (k: PlannedKill): Promise<KillRecord> => {
      armed = true;
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
      armed = false;
      await sleep(k.downtimeMs, signal);
      if (k.editWhileDown) await personEdits().catch(() => undefined);
      controller.start();
      const readyAfterMs = await controller.waitReady(45_000);
      restarts.push({ kill: k.index, readyAfterMs });
      // By now a POST the emulator held back (latency) has been carried out: read what became of each intent.
      const posts = await readPosts(emulator);
      const horizon = clock.nowMs + 1_000 * options.speed;
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
        index: k.index, of: plan.kills.length, kind: k.kind, triggered, trigger, atMs, emulatorTime: clock.now, intents,
        inFlight: ledger.filter((e) => isInFlight(e) && e.state !== 'starting').length, locks, lastMessage,
        downtimeMs: k.downtimeMs, editWhileDown: k.editWhileDown, readyAfterMs,
      };
    };

    for (const k of plan.kills) {
      await sleep(k.armAtMs - elapsed(), signal);
      const record = await performKill(k);
      kills.push(record);
      print(formatKill(record));
    }
    await sleep(options.durationMs - elapsed(), signal);
    over = true;
    for (const t of timers) clearTimeout(t);
    await personQueue;
    await emulator.control('DELETE', '/faults');

    // ---- settling: no faults, no kills. Updates may go on starting (the backlog), but the
    // ledger must catch up with the emulator: nothing said to be in flight whose operation ended
    // more than 10 s (real) ago, or that the emulator does not know. Three quiet checks in a row.
    const settleStart = performance.now();
    const lagMs = 10_000 * options.speed;
    let unsettled: string[] = [];
    let quiet = 0;
    while (performance.now() - settleStart < options.settleMs && quiet < 3) {
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
    stopping = true;
    const finalExit = await controller.stop(40_000);

    // ---- evidence and invariants ----
    const posts = await readPosts(emulator);
    const succeeded = stateWatcher.succeeded;
    const devices = new Set([...posts.map((p) => p.deviceId), ...succeeded.map((e) => e.deviceId), ...stateWatcher.readNow().map((e) => e.deviceId)]);
    const operations = await readOperations(emulator, devices);
    const git = await readGitEvidence(remote.bareDir, person.edits);
    const invariants = [
      checkNoDuplicate(posts, operations),
      checkNoDowngrade(posts),
      checkNoLostEdit(git),
      checkNoFalseSuccess(succeeded, operations, { counted: git.statusSucceeded, files: git.statusFiles }),
      checkRecovery({ restarts, unexpectedExits, unsettled, finalExit }),
    ];
    const notes: string[] = [killDistribution(kills)];
    const inDoubt = stateWatcher.readNow().filter((e) => e.state === 'starting');
    if (inDoubt.length > 0) notes.push(`${inDoubt.length} intent(s) still in doubt at the end (saved, no operation to show): ${inDoubt.map((e) => `${e.deviceId.slice(0, 8)} ${e.softwareType}`).join(', ')}`);
    const untracked = untrackedOperations(operations, stateWatcher.tracked);
    if (untracked.length > 0) notes.push(`${untracked.length} operation(s) the emulator ran that no ledger ever named: ${untracked.slice(0, 5).join('; ')}`);
    const again = sameVersionUpdates(posts);
    if (again.length > 0) notes.push(`${again.length} update(s) asked for the version already installed: ${again.slice(0, 5).join('; ')}`);
    notes.push(...background);
    const counts = {
      posts: posts.length,
      carriedOut: posts.filter((p) => p.status === 202).length,
      answersLost: posts.filter((p) => p.answerLost).length,
      refusedByFaults: posts.filter((p) => p.status === 0 || p.status === 429 || p.status >= 500).length,
      conflicts: posts.filter((p) => p.status === 409).length,
      operations: operations.length,
      succeeded: operations.filter((o) => o.status === 'succeeded').length,
      failed: operations.filter((o) => o.status === 'failed').length,
      stuck: operations.filter((o) => o.completesMs === null).length,
      personEdits: person.edits.length,
      controllerCommits: git.controllerCommits.length,
      releases: releaser.released,
      faultEpisodes: episodes,
    };
    notes.push(
      `emulator: ${counts.posts} updateSoftware POSTs (${counts.carriedOut} carried out, ${counts.answersLost} of them with the answer lost; ${counts.refusedByFaults} refused by injected faults), ` +
        `${counts.succeeded} operations succeeded, ${counts.failed} failed, ${counts.stuck} stuck; ${counts.personEdits} person edits, ${counts.controllerCommits} status commits, ` +
        `${counts.releases} releases, ${counts.faultEpisodes} fault episodes`,
    );
    ok = invariants.every((i) => i.ok);
    return { seed: options.seed, devices: options.devices, kills, invariants, notes, counts, realMs: Math.round(performance.now() - began), workdir, ok };
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
    if (ok && !options.keep && !options.workdir) await rm(workdir, { recursive: true, force: true });
  }
}
