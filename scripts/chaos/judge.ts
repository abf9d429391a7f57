// The end of a chaos run: the evidence read from the emulator, the remote and the state file, the invariants checked on it, notes and counts.
import { readGitEvidence, readOperations, readPosts, type Person, type StateWatcher } from './evidence.ts';
import {
  checkNoDowngrade, checkNoDuplicate, checkNoFalseSuccess, checkNoLostEdit, checkRecovery, sameVersionUpdates, untrackedOperations,
  type RestartEvidence,
} from './invariants.ts';
import type { EmulatorProcess } from './processes.ts';
import type { Releaser } from './releaser.ts';
import { killDistribution, type ChaosReport, type KillRecord } from './report.ts';

/** What the run leaves to be judged. */
export interface RunOutcome {
  readonly emulator: EmulatorProcess;
  /** The Git remote's bare repository. */
  readonly bareDir: string;
  readonly stateWatcher: StateWatcher;
  readonly person: Person;
  readonly releaser: Releaser;
  readonly kills: readonly KillRecord[];
  readonly restarts: readonly RestartEvidence[];
  readonly unexpectedExits: readonly string[];
  readonly unsettled: readonly string[];
  readonly finalExit: number | null | 'timeout';
  /** Background actions that failed, in words. */
  readonly background: readonly string[];
  readonly episodes: number;
}

/** Reads the evidence and checks every invariant on it; `ok` when all hold. */
export async function judgeRun({ emulator, bareDir, stateWatcher, person, releaser, kills, restarts, unexpectedExits, unsettled, finalExit, background, episodes }: RunOutcome): Promise<Pick<ChaosReport, 'invariants' | 'notes' | 'counts' | 'ok'>> {
  const posts = await readPosts(emulator);
  const succeeded = stateWatcher.succeeded;
  const devices = new Set([...posts.map((p) => p.deviceId), ...succeeded.map((e) => e.deviceId), ...stateWatcher.readNow().map((e) => e.deviceId)]);
  const operations = await readOperations(emulator, devices);
  const git = await readGitEvidence(bareDir, person.edits);
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
  return { invariants, notes, counts, ok: invariants.every((i) => i.ok) };
}
