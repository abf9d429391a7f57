// The invariants a chaos run checks, as pure functions over evidence gathered from outside the
// controller: the emulator's log of POSTs and its operations (what really happened to each
// device), the remote's history (what people and the controller committed), and the ledgers
// read from the state file during the run (what the controller believed). Nothing here uses the
// controller's own code, so a bug there cannot hide itself.
import { isDeepStrictEqual } from 'node:util';

/** One updateSoftware POST as the emulator logged it. */
export interface PostEvidence {
  readonly seq: number;
  readonly atMs: number;
  readonly deviceId: string;
  readonly softwareType: string | null;
  readonly targetVersion: string | null;
  readonly fromVersion: string | null;
  /** 202 carried out, 409 refused as a duplicate; 0, 429 and 5xx never reached the device. */
  readonly status: number;
  readonly operationId: string | null;
  readonly answerLost?: boolean;
}

/** One software update operation as the emulator ran it. */
export interface OperationEvidence {
  readonly id: string;
  readonly deviceId: string;
  readonly status: string;
  readonly softwareType: string | null;
  readonly fromVersion: string | null;
  readonly toVersion: string | null;
  readonly createdMs: number;
  /** null: stuck, never ends. */
  readonly completesMs: number | null;
}

/** A ledger entry as read from the state file. */
export interface LedgerEvidence {
  readonly deviceId: string;
  readonly softwareType: string;
  readonly version: string;
  readonly operationId?: string | undefined;
  readonly state: string;
}

export interface InvariantResult {
  readonly name: string;
  readonly ok: boolean;
  /** What was checked, in numbers. */
  readonly evidence: string;
  /** One line per violation (all of them; the report shows the first few). */
  readonly violations: readonly string[];
}

/** Numeric comparison of dotted versions (1449/1.0.96.2026112907 too): 1, 0, -1, or undefined when not comparable. */
export function compareVersionText(a: string, b: string): number | undefined {
  const pa = a.split(/[./_-]/).map(Number);
  const pb = b.split(/[./_-]/).map(Number);
  if (pa.some(Number.isNaN) || pb.some(Number.isNaN)) return a === b ? 0 : undefined;
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d > 0 ? 1 : -1;
  }
  return 0;
}

const short = (id: string | null | undefined) => (id ?? '?').slice(0, 8);
const iso = (ms: number) => new Date(ms).toISOString();

function isActiveAt(op: OperationEvidence, atMs: number): boolean {
  return op.status !== 'cancelled' && op.createdMs <= atMs && (op.completesMs === null || atMs < op.completesMs);
}

/**
 * No second updateSoftware for a device while one is queued or running: every POST that reached
 * the device (carried out or refused with 409) is checked against the device's operations.
 */
export function checkNoDuplicate(posts: readonly PostEvidence[], operations: readonly OperationEvidence[]): InvariantResult {
  const byDevice = new Map<string, OperationEvidence[]>();
  for (const op of operations) byDevice.set(op.deviceId, [...(byDevice.get(op.deviceId) ?? []), op]);
  const violations: string[] = [];
  let checked = 0;
  for (const post of posts) {
    if (post.status !== 202 && post.status !== 409) continue;
    checked++;
    const what = `${short(post.deviceId)}: POST ${post.softwareType ?? '?'} ${post.targetVersion ?? ''} at ${iso(post.atMs)}`;
    if (post.status === 409) {
      violations.push(`${what} refused 409: operation ${short(post.operationId)} was already queued or running`);
      continue;
    }
    const busy = (byDevice.get(post.deviceId) ?? []).find((op) => op.id !== post.operationId && isActiveAt(op, post.atMs));
    if (busy) violations.push(`${what} while ${busy.softwareType ?? '?'} operation ${short(busy.id)} (created ${iso(busy.createdMs)}) was queued or running`);
  }
  return { name: 'no duplicate update in flight', ok: violations.length === 0, evidence: `${checked} POSTs that reached a device, against ${operations.length} operations`, violations };
}

/** No downgrade: every update carried out asked for a version not older than the installed one. */
export function checkNoDowngrade(posts: readonly PostEvidence[]): InvariantResult {
  const violations: string[] = [];
  let checked = 0;
  for (const post of posts) {
    if (post.status !== 202 || post.fromVersion === null || post.targetVersion === null) continue;
    checked++;
    const order = compareVersionText(post.targetVersion, post.fromVersion);
    if (order === undefined || order < 0) {
      violations.push(`${short(post.deviceId)}: ${post.softwareType ?? '?'} ${post.fromVersion} -> ${post.targetVersion} at ${iso(post.atMs)}${order === undefined ? ' (not comparable)' : ''}`);
    }
  }
  return { name: 'no downgrade', ok: violations.length === 0, evidence: `${checked} updates carried out`, violations };
}

/** Updates that asked for the version already installed (harmless, the device refuses them, but wasted). */
export function sameVersionUpdates(posts: readonly PostEvidence[]): string[] {
  return posts
    .filter((p) => p.status === 202 && p.fromVersion !== null && p.targetVersion !== null && compareVersionText(p.targetVersion, p.fromVersion) === 0)
    .map((p) => `${short(p.deviceId)}: ${p.softwareType ?? '?'} ${p.targetVersion} asked again at ${iso(p.atMs)}`);
}

export interface GitEvidence {
  /** The people's commits as pushed, oldest first: the file each changed and the spec it wrote. */
  readonly edits: readonly { readonly commit: string; readonly file: string; readonly spec: unknown }[];
  /** Commits of `edits` that are ancestors of the remote's final head. */
  readonly reachable: ReadonlySet<string>;
  /** The spec of each edited file at the final head (undefined: gone). */
  readonly finalSpecs: ReadonlyMap<string, unknown>;
  /** The controller's commits and the files in which each changed more than status (or a file outside its own .firmwarden folder). */
  readonly controllerCommits: readonly { readonly commit: string; readonly beyondStatus: readonly string[] }[];
}

/** No lost edit: every person's commit is in the final history, its spec is there, and the controller only ever changed status. */
export function checkNoLostEdit(git: GitEvidence): InvariantResult {
  const violations: string[] = [];
  for (const edit of git.edits) if (!git.reachable.has(edit.commit)) violations.push(`commit ${edit.commit.slice(0, 10)} (${edit.file}) is not in the final history`);
  const last = new Map<string, { commit: string; spec: unknown }>();
  for (const edit of git.edits) last.set(edit.file, edit);
  for (const [file, edit] of last) {
    if (!isDeepStrictEqual(git.finalSpecs.get(file), edit.spec)) violations.push(`${file}: the final spec differs from the one written in ${edit.commit.slice(0, 10)}`);
  }
  for (const c of git.controllerCommits) {
    for (const file of c.beyondStatus) violations.push(`controller commit ${c.commit.slice(0, 10)} changed more than status in ${file}`);
  }
  return {
    name: 'no lost edit',
    ok: violations.length === 0,
    evidence: `${git.edits.length} person commits, ${git.controllerCommits.length} controller commits`,
    violations,
  };
}

/**
 * No false success: every ledger entry the controller ever recorded as succeeded names an
 * operation the emulator ran on that device, for that software type and version, and that
 * succeeded; and the statuses count no more successes than the emulator had.
 */
export function checkNoFalseSuccess(
  succeeded: readonly LedgerEvidence[],
  operations: readonly OperationEvidence[],
  status: { readonly counted: number; readonly files: number },
): InvariantResult {
  const byId = new Map(operations.map((op) => [op.id, op]));
  const violations: string[] = [];
  for (const entry of succeeded) {
    const what = `ledger: ${short(entry.deviceId)} ${entry.softwareType} ${entry.version} succeeded`;
    const op = entry.operationId === undefined ? undefined : byId.get(entry.operationId);
    if (!op || op.deviceId !== entry.deviceId) violations.push(`${what}, but the emulator ran no operation ${short(entry.operationId)} on that device`);
    else if (op.softwareType !== entry.softwareType) violations.push(`${what} with operation ${short(op.id)}, which updated ${op.softwareType ?? '?'} (${op.fromVersion} -> ${op.toVersion})`);
    else if (op.toVersion === null || compareVersionText(op.toVersion, entry.version) !== 0) violations.push(`${what} with operation ${short(op.id)}, which installed ${op.toVersion}`);
    else if (op.status !== 'succeeded') violations.push(`${what} with operation ${short(op.id)}, which ${op.status}`);
  }
  const pairs = new Set(operations.filter((op) => op.status === 'succeeded').map((op) => `${op.deviceId}|${op.softwareType}`));
  if (status.counted > pairs.size) violations.push(`statuses count ${status.counted} succeeded updates; the emulator ran ${pairs.size} successful device × software pairs`);
  return {
    name: 'no false success',
    ok: violations.length === 0,
    evidence: `${succeeded.length} ledger successes; statuses count ${status.counted} in ${status.files} files`,
    violations,
  };
}

export interface RestartEvidence {
  readonly kill: number;
  /** Real ms from the restart to the first successful reconcile; undefined when it never came. */
  readonly readyAfterMs: number | undefined;
}

/** The controller came back after every kill, exited only when killed, finished what was in flight and stopped cleanly. */
export function checkRecovery(input: {
  readonly restarts: readonly RestartEvidence[];
  readonly unexpectedExits: readonly string[];
  /** Ledger entries still starting or in flight at the end whose operation is not stuck. */
  readonly unsettled: readonly string[];
  readonly finalExit: number | null | 'timeout';
}): InvariantResult {
  const violations: string[] = [];
  for (const r of input.restarts) if (r.readyAfterMs === undefined) violations.push(`after kill ${r.kill} the controller never reconciled again`);
  violations.push(...input.unexpectedExits);
  violations.push(...input.unsettled.map((u) => `still in flight at the end: ${u}`));
  if (input.finalExit !== 0) violations.push(`SIGTERM at the end: ${input.finalExit === 'timeout' ? 'no exit' : `exit ${String(input.finalExit)}`}`);
  const times = input.restarts.map((r) => r.readyAfterMs).filter((t): t is number => t !== undefined);
  const range = times.length === 0 ? '' : `, ready ${(Math.min(...times) / 1000).toFixed(1)}–${(Math.max(...times) / 1000).toFixed(1)} s after each`;
  return { name: 'recovery after every kill', ok: violations.length === 0, evidence: `${input.restarts.length} restarts${range}`, violations };
}

/** Operations the emulator ran for the controller that no ledger ever named (the controller lost track of them). */
export function untrackedOperations(operations: readonly OperationEvidence[], trackedIds: ReadonlySet<string>): string[] {
  return operations
    .filter((op) => !trackedIds.has(op.id))
    .map((op) => `${short(op.deviceId)}: ${op.softwareType ?? '?'} ${op.fromVersion} -> ${op.toVersion} (operation ${short(op.id)}, ${op.status})`);
}
