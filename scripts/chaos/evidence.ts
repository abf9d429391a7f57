// Watching and reading from outside the controller: its state file (as it is saved), lock files
// in its clone, a person who edits the config repository, and at the end the evidence the
// invariants are checked on — the emulator's log and operations, and the remote's history.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, parseDocument } from 'yaml';
import { testGitEnv, type GitRemote } from '../../test/support/git-remote.ts';
import type { EmulatorProcess } from './processes.ts';
import type { GitEvidence, LedgerEvidence, OperationEvidence, PostEvidence } from './invariants.ts';

/** A ledger entry with what the watcher needs beyond the invariants. */
export interface LedgerRecord extends LedgerEvidence {
  readonly requestedAt: number;
  readonly endedAt?: number | undefined;
}

/** Key of an intent: the same entry across saves. */
export const entryKey = (e: LedgerRecord) => `${e.deviceId}|${e.softwareType}|${e.version}|${e.requestedAt}`;

const activeStates = new Set(['starting', 'queued', 'scheduled', 'inProgress']);

/** True while a ledger entry says something may still change on its device (as the controller counts it). */
export function isInFlight(e: LedgerRecord): boolean {
  return activeStates.has(e.state) || (e.state === 'unknown' && e.endedAt === undefined);
}

/**
 * Reads the state file each time it is replaced (and every second, in case an event is missed)
 * and remembers every success and every operation id any ledger ever held.
 */
export class StateWatcher {
  readonly #path: string;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ledger: LedgerRecord[] = [];
  readonly #succeeded = new Map<string, LedgerRecord>();
  readonly #tracked = new Set<string>();
  readonly #listeners = new Set<(ledger: readonly LedgerRecord[]) => void>();

  constructor(path: string) {
    this.#path = path;
  }

  start(): void {
    this.#watcher = watch(dirname(this.#path), (_event, name) => {
      if (name === null || name === basename(this.#path)) this.readNow();
    });
    this.#timer = setInterval(() => this.readNow(), 1_000);
  }

  /** Reads the file now (synchronously: a listener may kill the controller before anything else runs). */
  readNow(): readonly LedgerRecord[] {
    let ledger: LedgerRecord[];
    try {
      ledger = (JSON.parse(readFileSync(this.#path, 'utf8')) as { ledger?: LedgerRecord[] }).ledger ?? [];
    } catch {
      return this.#ledger; // not written yet, or replaced between the event and the read
    }
    this.#ledger = ledger;
    for (const e of ledger) {
      if (e.operationId !== undefined) this.#tracked.add(e.operationId);
      if (e.state === 'succeeded') this.#succeeded.set(`${entryKey(e)}|${e.operationId ?? ''}`, e);
    }
    for (const listener of this.#listeners) listener(ledger);
    return ledger;
  }

  get ledger(): readonly LedgerRecord[] {
    return this.#ledger;
  }

  /** Every entry ever seen as succeeded. */
  get succeeded(): readonly LedgerRecord[] {
    return [...this.#succeeded.values()];
  }

  /** Every operation id any ledger named. */
  get tracked(): ReadonlySet<string> {
    return this.#tracked;
  }

  /** Calls `listener` after each read; returns the way to stop. */
  onRead(listener: (ledger: readonly LedgerRecord[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#watcher?.close();
    if (this.#timer) clearInterval(this.#timer);
  }
}

/** Watches a clone's .git for lock files being created (a commit, fetch, reset or push under way). */
export function watchGitLocks(gitDir: string, onLock: (name: string) => void): () => void {
  let watcher: FSWatcher;
  try {
    watcher = watch(gitDir, { recursive: true }, (_event, name) => {
      if (name !== null && name.endsWith('.lock') && !name.startsWith('objects')) onLock(name);
    });
  } catch {
    return () => undefined; // no clone yet
  }
  return () => watcher.close();
}

/** Lock files left in a clone's .git (objects excepted). */
export function leftoverLocks(gitDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'objects') walk(path);
      } else if (entry.name.endsWith('.lock')) out.push(relative(gitDir, path));
    }
  };
  walk(gitDir);
  return out.sort();
}

/** Runs git with the tests' clean environment; resolves to stdout. */
export function gitAsync(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd, env: testGitEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(' ')}: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

export interface PersonEdit {
  readonly commit: string;
  readonly file: string;
  readonly spec: unknown;
}

/**
 * A person editing the config repository in a clone of their own: rewrites one manifest's
 * spec.description and pushes, fetching and redoing the edit when someone pushed first.
 */
export class Person {
  readonly #clone: string;
  readonly #base: Readonly<Record<string, string>>;
  readonly edits: PersonEdit[] = [];

  constructor(remote: GitRemote, baseDescriptions: Readonly<Record<string, string>>) {
    this.#clone = remote.clonePerson('ada');
    this.#base = baseDescriptions;
  }

  /** Pushes edit number `n` of `file`; undefined when ten attempts all lost the race. */
  async edit(file: string, n: number): Promise<PersonEdit | undefined> {
    for (let attempt = 1; attempt <= 10; attempt++) {
      await gitAsync(this.#clone, ['fetch', '-q', 'origin', 'main']);
      await gitAsync(this.#clone, ['reset', '-q', '--hard', 'origin/main']);
      const path = join(this.#clone, file);
      const doc = parseDocument(await readFile(path, 'utf8'));
      doc.setIn(['spec', 'description'], `${this.#base[file] ?? 'Edited'} (edit ${n} by a person)`);
      await writeFile(path, String(doc));
      await gitAsync(this.#clone, ['commit', '-q', '-am', `Describe ${file} (edit ${n})`]);
      try {
        await gitAsync(this.#clone, ['push', '-q', 'origin', 'HEAD:main']);
      } catch {
        continue; // someone (the controller) pushed first: start again from the new head
      }
      const edit = { commit: (await gitAsync(this.#clone, ['rev-parse', 'HEAD'])).trim(), file, spec: (doc.toJS() as { spec?: unknown }).spec };
      this.edits.push(edit);
      return edit;
    }
    return undefined;
  }
}

interface EmulatorPost extends PostEvidence {
  readonly requestedVersion: string | null;
}

/** The emulator's log of updateSoftware POSTs. */
export async function readPosts(emulator: EmulatorProcess): Promise<EmulatorPost[]> {
  return emulator.control<EmulatorPost[]>('GET', '/requests?action=updateSoftware');
}

/** The emulator's software update operations on the given devices. */
export async function readOperations(emulator: EmulatorProcess, deviceIds: Iterable<string>): Promise<OperationEvidence[]> {
  const out: OperationEvidence[] = [];
  for (const id of new Set(deviceIds)) {
    const ops = await emulator.control<{ id: string; deviceId: string; operationType: string; status: string; softwareType: string | null; fromVersion: string | null; toVersion: string | null; createdDateTime: string; completesDateTime: string | null }[]>(
      'GET',
      `/devices/${encodeURIComponent(id)}/operations`,
    );
    for (const op of ops) {
      if (op.operationType !== 'softwareUpdate') continue;
      out.push({
        id: op.id, deviceId: op.deviceId, status: op.status, softwareType: op.softwareType, fromVersion: op.fromVersion, toVersion: op.toVersion,
        createdMs: Date.parse(op.createdDateTime), completesMs: op.completesDateTime === null ? null : Date.parse(op.completesDateTime),
      });
    }
  }
  return out;
}

const statusTrailer = /^Firmwarden-Status:\s*true\s*$/m;

/** Each YAML document of a text without its status (undefined when the file is absent). */
function withoutStatus(text: string | undefined): unknown[] | undefined {
  if (text === undefined) return undefined;
  return parseAllDocuments(text).map((d) => {
    const value = d.toJS() as Record<string, unknown> | null;
    if (value === null || typeof value !== 'object') return value;
    const { status: _status, ...rest } = value;
    return rest;
  });
}

async function showFile(bareDir: string, rev: string, file: string): Promise<string | undefined> {
  try {
    return await gitAsync(bareDir, ['show', `${rev}:${file}`]);
  } catch {
    return undefined;
  }
}

/** What the remote's history says about the people's edits and the controller's commits. */
export async function readGitEvidence(bareDir: string, edits: readonly PersonEdit[]): Promise<GitEvidence & { statusSucceeded: number; statusFiles: number }> {
  const reachable = new Set<string>();
  for (const edit of edits) {
    try {
      await gitAsync(bareDir, ['merge-base', '--is-ancestor', edit.commit, 'main']);
      reachable.add(edit.commit);
    } catch {
      // not an ancestor
    }
  }
  const finalSpecs = new Map<string, unknown>();
  for (const file of new Set(edits.map((e) => e.file))) {
    const text = await showFile(bareDir, 'main', file);
    finalSpecs.set(file, text === undefined ? undefined : (parseDocument(text).toJS() as { spec?: unknown }).spec);
  }
  const log = await gitAsync(bareDir, ['log', '--format=%H%x1f%P%x1f%B%x1e', 'main']);
  const controllerCommits: { commit: string; beyondStatus: string[] }[] = [];
  for (const record of log.split('\x1e')) {
    const [commit, parents, message] = record.trim().split('\x1f');
    if (!commit || !message || !statusTrailer.test(message)) continue;
    const parent = parents?.split(' ')[0];
    const beyondStatus: string[] = [];
    if (!parent) beyondStatus.push('(a root commit)');
    else {
      const files = (await gitAsync(bareDir, ['diff-tree', '--no-commit-id', '--name-only', '-r', parent, commit])).split('\n').filter(Boolean);
      for (const file of files) {
        // The controller's own files (the release calendar under .firmwarden/, the fleet report
        // FLEET.md at the root of --path) are its to write; a person's are not.
        if (!/\.ya?ml$/.test(file)) {
          if (!file.split('/').includes('.firmwarden') && file.split('/').at(-1) !== 'FLEET.md') beyondStatus.push(file);
          continue;
        }
        const before = withoutStatus(await showFile(bareDir, parent, file));
        const after = withoutStatus(await showFile(bareDir, commit, file));
        if (before === undefined || after === undefined || !isDeepStrictEqual(before, after)) beyondStatus.push(file);
      }
    }
    controllerCommits.push({ commit, beyondStatus });
  }
  let statusSucceeded = 0;
  let statusFiles = 0;
  const groups = (await gitAsync(bareDir, ['ls-tree', '--name-only', 'main', 'groups/'])).split('\n').filter(Boolean);
  for (const file of groups) {
    // Counts per state: `counts` in the first status layout, `updates` in the later one.
    const doc = parseDocument((await showFile(bareDir, 'main', file)) ?? '').toJS() as { status?: { counts?: { succeeded?: number }; updates?: { succeeded?: number } } } | null;
    statusFiles++;
    statusSucceeded += doc?.status?.updates?.succeeded ?? doc?.status?.counts?.succeeded ?? 0;
  }
  return { edits, reachable, finalSpecs, controllerCommits, statusSucceeded, statusFiles };
}
