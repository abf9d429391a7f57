// What a chaos run prints and writes (pure formatting): one line per kill, the summary table of
// invariants, the violations and notes, and the JSON report the CI test reads.
import type { InvariantResult } from './invariants.ts';
import type { KillKind } from './plan.ts';

/** What became of an intent that was saved but not answered when the controller died, read from the emulator's log. */
export type IntentFate = 'POST not sent' | 'POST never carried out' | 'POST carried out, answer lost' | 'POST refused 409' | 'in doubt since before';

export interface KillRecord {
  readonly index: number;
  readonly of: number;
  readonly kind: KillKind;
  /** False when the trigger did not come before the deadline and the kill fell back to that moment. */
  readonly triggered: boolean;
  /** What fired it (the intent, the lock file, or "random"). */
  readonly trigger: string;
  /** Real ms since the chaos phase began. */
  readonly atMs: number;
  readonly emulatorTime: string;
  /** Intents in the state file at the kill (saved, not yet answered). */
  readonly intents: readonly { readonly deviceId: string; readonly softwareType: string; readonly version: string; readonly fate: IntentFate }[];
  /** Updates the ledger had queued or running. */
  readonly inFlight: number;
  /** Lock files left in the clone's .git. */
  readonly locks: readonly string[];
  /** The message of the controller's last log line. */
  readonly lastMessage: string;
  readonly downtimeMs: number;
  readonly editWhileDown: boolean;
  readonly readyAfterMs: number | undefined;
}

export interface ChaosReport {
  readonly seed: number;
  readonly devices: number;
  readonly kills: readonly KillRecord[];
  readonly invariants: readonly InvariantResult[];
  /** Things worth knowing that are not violations. */
  readonly notes: readonly string[];
  readonly counts: Readonly<Record<string, number>>;
  /** Real ms of the whole run, set-up and settling included. */
  readonly realMs: number;
  readonly workdir: string;
  readonly ok: boolean;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line for one kill: when, what was in flight, and how the controller came back. */
export function formatKill(k: KillRecord): string {
  const intents = k.intents.length === 0
    ? 'no intent unanswered'
    : `${k.intents.length} intent${k.intents.length === 1 ? '' : 's'} saved, unanswered [${k.intents.map((i) => `${i.deviceId.slice(0, 8)} ${i.softwareType} ${i.version}: ${i.fate}`).join('; ')}]`;
  const trigger = k.kind === 'random' ? 'random moment' : k.triggered ? `${k.kind} trigger (${k.trigger})` : `${k.kind} trigger not seen, killed at the deadline`;
  return (
    `kill ${k.index}/${k.of} at +${seconds(k.atMs)} (emulator ${k.emulatorTime.slice(0, 16)}Z), ${trigger}: ${intents}; ` +
    `${k.inFlight} update${k.inFlight === 1 ? '' : 's'} in flight; git locks: ${k.locks.length === 0 ? 'none' : k.locks.join(', ')}; ` +
    `last log: "${k.lastMessage}"; down ${seconds(k.downtimeMs)}${k.editWhileDown ? ' + a person\'s push' : ''}; ` +
    (k.readyAfterMs === undefined ? 'NOT ready again' : `ready again after ${seconds(k.readyAfterMs)}`)
  );
}

/** What a kill interrupted, the most telling first: a fresh intent's fate, a git command, updates in flight, nothing. */
export function killCategory(k: KillRecord): string {
  const fresh = k.intents.find((i) => i.fate !== 'in doubt since before');
  if (fresh) return `intent saved, ${fresh.fate}`;
  if (k.locks.length > 0) return 'a git command holding locks';
  return k.inFlight > 0 ? 'only updates in flight' : 'nothing in flight';
}

/** Where the kills landed: counts per category, the triggers seen, and the times. */
export function killDistribution(kills: readonly KillRecord[]): string {
  if (kills.length === 0) return 'kills: none';
  const counts = new Map<string, number>();
  for (const k of kills) counts.set(killCategory(k), (counts.get(killCategory(k)) ?? 0) + 1);
  const armed = kills.filter((k) => k.kind !== 'random');
  return (
    `kills: ${kills.length} — ${[...counts].map(([c, n]) => `${c}: ${n}`).join('; ')}; ` +
    `triggers seen ${armed.filter((k) => k.triggered).length} of ${armed.length}; at ${kills.map((k) => `+${(k.atMs / 1000).toFixed(1)}`).join(', ')} s`
  );
}

/** The summary table, then up to `limit` violations per failed invariant. */
export function formatInvariants(results: readonly InvariantResult[], limit = 10): string {
  const nameWidth = Math.max('invariant'.length, ...results.map((r) => r.name.length));
  const lines = [`${'invariant'.padEnd(nameWidth)}  result  evidence`];
  for (const r of results) lines.push(`${r.name.padEnd(nameWidth)}  ${(r.ok ? 'PASS' : 'FAIL').padEnd(6)}  ${r.evidence}`);
  for (const r of results.filter((x) => !x.ok)) {
    lines.push('', `${r.name}: ${r.violations.length} violation${r.violations.length === 1 ? '' : 's'}`);
    for (const v of r.violations.slice(0, limit)) lines.push(`  - ${v}`);
    if (r.violations.length > limit) lines.push(`  … and ${r.violations.length - limit} more (see the JSON report)`);
  }
  return lines.join('\n');
}
