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
import { sleep } from './abortable-sleep.ts';
import { chaosConfigFiles } from './config-repo.ts';
import { isInFlight, Person, StateWatcher } from './evidence.ts';
import type { RestartEvidence } from './invariants.ts';
import { judgeRun } from './judge.ts';
import { performKill } from './kill.ts';
import type { ChaosOptions } from './options.ts';
import { choiceRandom, planChaos } from './plan.ts';
import { ControllerProcess, HarnessError, startEmulatorProcess } from './processes.ts';
import { Releaser } from './releaser.ts';
import { formatKill, type ChaosReport, type KillRecord } from './report.ts';
import { settle } from './settle.ts';

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
    const killContext = {
      emulator, controller, stateWatcher, releaser, dataDir, speed: options.speed, killCount: plan.kills.length, signal, elapsed, busyDevices, personEdits, restarts,
      arm: (on: boolean) => {
        armed = on;
      },
    };

    for (const k of plan.kills) {
      await sleep(k.armAtMs - elapsed(), signal);
      const record = await performKill(k, killContext);
      kills.push(record);
      print(formatKill(record));
    }
    await sleep(options.durationMs - elapsed(), signal);
    over = true;
    for (const t of timers) clearTimeout(t);
    await personQueue;
    await emulator.control('DELETE', '/faults');

    const unsettled = await settle(emulator, controller, stateWatcher, options.settleMs, options.speed, signal);
    stopping = true;
    const finalExit = await controller.stop(40_000);

    // ---- evidence and invariants ----
    const judged = await judgeRun({ emulator, bareDir: remote.bareDir, stateWatcher, person, releaser, kills, restarts, unexpectedExits, unsettled, finalExit, background, episodes });
    ok = judged.ok;
    const { invariants, notes, counts } = judged;
    return { seed: options.seed, devices: options.devices, kills, invariants, notes, counts, realMs: Math.round(performance.now() - began), workdir, ok };
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => undefined);
    if (ok && !options.keep && !options.workdir) await rm(workdir, { recursive: true, force: true });
  }
}
