// `npm run chaos` options: parsed once into a frozen object, each with its default. Bad values
// are ChaosUsageErrors naming the flag.
import { parseArgs } from 'node:util';

export interface ChaosOptions {
  /** Seed of the plan (kill kinds and times, faults, edits, releases) and of the emulated fleet; default random (printed). */
  readonly seed: number;
  /** Controller kills; default 10. */
  readonly kills: number;
  /** Emulated devices; default 200. */
  readonly devices: number;
  /** Length of the chaos phase, real ms; default 3 min. Then the controller gets up to `settleMs` to finish. */
  readonly durationMs: number;
  /** Longest wait for the controller to finish what is in flight after the chaos phase, real ms; default 60 s. */
  readonly settleMs: number;
  /** Emulator clock acceleration; default 60 (an update takes about 5 s). */
  readonly speed: number;
  /** Where the remote, clone, state and logs go; default a new temporary folder (removed after a clean run). */
  readonly workdir: string | undefined;
  /** Keep the workdir even when every invariant holds; default false. */
  readonly keep: boolean;
  /** Also write the report as JSON to this file; default none. */
  readonly reportFile: string | undefined;
  /** Print faults, edits and releases as they happen; default false. */
  readonly verbose: boolean;
}

export class ChaosUsageError extends Error {
  override readonly name = 'ChaosUsageError';
}

export const chaosHelp = `Usage: npm run chaos -- [options]

Kills \`firmwarden run\` at random points against a separate emulator process and a real Git
remote, then checks from the emulator's operation log, the remote's history and the state file:
no second update while one is in flight, no downgrade, no lost edit, no false success.

Options:
  --seed N          seed of the plan and the fleet (default: random; printed to replay a failure)
  --kills N         controller kills (default 10)
  --devices N       emulated devices (default 200)
  --duration D      length of the chaos phase, e.g. 90s, 3m (default 3m)
  --settle D        longest wait for the controller to finish afterwards (default 60s)
  --speed X         emulator clock acceleration (default 60: an update takes about 5 s)
  --workdir DIR     keep everything in DIR (default: a temporary folder, removed after a clean run)
  --keep            keep the workdir after a clean run
  --report FILE     also write the report as JSON
  --verbose         print faults, edits and releases as they happen
  -h, --help        this help

Exit status: 0 every invariant held, 1 a violation, 2 a usage error, 3 the harness failed.
`;

/** Parses a duration such as 90s, 3m, 1m30s or 500ms (a bare number is seconds). */
export function parseChaosDuration(flag: string, text: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = trimmed;
  if (rest === '') throw new ChaosUsageError(`--${flag} needs a duration such as 90s or 3m`);
  while (rest !== '') {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!match) throw new ChaosUsageError(`--${flag}: invalid duration '${text}' (use e.g. 90s, 3m, 1m30s)`);
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}

function wholeNumber(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new ChaosUsageError(`--${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/** Parses the command line; `randomSeed` supplies the seed when --seed is absent. */
export function parseChaosOptions(args: readonly string[], randomSeed: () => number): ChaosOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        seed: { type: 'string' }, kills: { type: 'string' }, devices: { type: 'string' }, duration: { type: 'string' },
        settle: { type: 'string' }, speed: { type: 'string' }, workdir: { type: 'string' }, keep: { type: 'boolean' },
        report: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ChaosUsageError((error as Error).message, { cause: error });
  }
  if (values.help) return 'help';
  const durationMs = values.duration === undefined ? 180_000 : parseChaosDuration('duration', values.duration);
  if (durationMs < 10_000) throw new ChaosUsageError(`--duration must be at least 10s, got '${values.duration}'`);
  const settleMs = values.settle === undefined ? 60_000 : parseChaosDuration('settle', values.settle);
  const kills = wholeNumber('kills', values.kills, 10, 0, 1000);
  // Each kill needs time for a restart and a reconcile before the next one.
  if (kills > 0 && durationMs / kills < 5_000) throw new ChaosUsageError(`--duration ${values.duration ?? '3m'} leaves less than 5 s per kill; give fewer --kills or a longer --duration`);
  let speed = 60;
  if (values.speed !== undefined) {
    speed = Number(values.speed);
    if (!Number.isFinite(speed) || speed < 1 || speed > 10_000) throw new ChaosUsageError(`--speed must be a number from 1 to 10000, got '${values.speed}'`);
  }
  return Object.freeze({
    seed: wholeNumber('seed', values.seed, randomSeed(), 0, 2 ** 31 - 1),
    kills,
    devices: wholeNumber('devices', values.devices, 200, 1, 100_000),
    durationMs,
    settleMs,
    speed,
    workdir: values.workdir,
    keep: values.keep ?? false,
    reportFile: values.report,
    verbose: values.verbose ?? false,
  });
}
