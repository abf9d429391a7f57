// `firmwarden demo`: the whole loop on this machine, with nothing to configure. Starts the
// Graph emulator with an example fleet on an accelerated clock, makes a Git config repo from
// examples/, runs the controller on it and shows the rollout in the terminal until it is
// complete (or Ctrl-C), then prints a summary and where the repo is (`git log -p` shows the
// status commits).
import { cp, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command, CommandIO } from './command.ts';
import { UsageError } from './command.ts';
import { parseFlags } from './parse-flags.ts';
import { AcceleratedClock } from '../model/clock.ts';
import { createLogger } from '../log/logger.ts';
import { parseFleetOptions } from '../config/fleet-options.ts';
import { createFleet } from '../fleet/index.ts';
import { startController } from '../run/controller.ts';
import type { ReconcileResult } from '../reconcile/reconcile.ts';
import type { DeviceGroupStatus, ScheduledUpdateStatus } from '../model/manifests.generated.ts';
import { renderDemoFrame } from './demo-view.ts';
import { FileStateStore } from '../state/file-state-store.ts';
import { emptyState } from '../state/state.ts';
import { parseManifestTexts, replaceStatus } from './manifest-access.ts';

const run = promisify(execFile);
const examplesDir = new URL('../../examples/', import.meta.url).pathname;

/** The demo's simulated start: a Friday, so the weekend windows open soon. */
export const demoStart = Date.parse('2027-01-08T12:00:00Z');

const help = `Usage: firmwarden demo [options]

Runs the emulator, an example fleet and the controller on a local Git repo, on an accelerated clock.

Options:
  --workdir DIR     where the config repo and state go (default: a new temporary folder)
  --speed N         clock acceleration (default: 30000, one day in about 3 s)
  --devices N       size of the emulated fleet (default: 500)
  --seed S          seed of the emulated fleet (default: 42)
  --max-days N      stop after N simulated days even if the rollout is not complete (default: 45)
  --quiet           no progress screen, only the summary
`;

interface Tally {
  started: number;
  succeeded: number;
  failed: number;
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  return stdout;
}

/** Creates the demo's config repo from examples/ (without the deployment manifests). */
export async function createDemoRepo(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(examplesDir, { withFileTypes: true })) {
    if (entry.name === 'deploy') continue;
    await cp(join(examplesDir, entry.name), join(dir, entry.name), { recursive: true });
  }
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'config', 'user.name', 'Fleet Admin');
  await git(dir, 'config', 'user.email', 'fleet-admin@example.com');
  // The controller pushes its status commits here; update the checked-out files with them.
  await git(dir, 'config', 'receive.denyCurrentBranch', 'updateInstead');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'Fleet configuration from the firmwarden examples');
}

function parseNumber(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${flag} must be a number of at least ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * True when the rollout is complete for now: nothing pending or in flight, every
 * ScheduledUpdate finished, and nothing due to start within `horizonMs` (the next phase
 * deferral is further away). Failed devices count as finished: they wait for a person.
 */
export function isRolloutComplete(result: ReconcileResult, now: number, horizonMs: number): boolean {
  if (result.statuses.length === 0) return false;
  for (const u of result.statuses) {
    const s = u.status as DeviceGroupStatus & ScheduledUpdateStatus;
    if ((s.updates?.pending ?? 0) > 0 || (s.updates?.inProgress ?? 0) > 0) return false;
    if (u.key?.kind === 'ScheduledUpdate' && !s.completionTime) return false;
    if (s.nextActionTime && Date.parse(s.nextActionTime) < now + horizonMs) return false;
  }
  return result.ledger.every((e) => e.endedAt !== undefined || e.state === 'succeeded' || e.state === 'failed' || e.state === 'cancelled');
}

/** Next version after `version`: its last number plus one. */
function bump(version: string): string {
  return version.replace(/(\d+)(\D*)$/, (_, n: string, tail: string) => `${Number(n) + 1}${tail}`);
}

export const demo: Command = async (args: string[], io: CommandIO): Promise<number> => {
  const { values } = parseFlags(args, {
    options: {
      workdir: { type: 'string' },
      speed: { type: 'string' },
      devices: { type: 'string' },
      seed: { type: 'string' },
      'max-days': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(help);
    return 0;
  }
  const speed = parseNumber('speed', values.speed, 30_000, 1);
  const devices = parseNumber('devices', values.devices, 500, 1);
  const maxDays = parseNumber('max-days', values['max-days'], 45, 0.01);
  const workdir = values.workdir ? resolve(io.cwd, values.workdir) : await mkdtemp(join(tmpdir(), 'firmwarden-demo-'));
  const repoDir = join(workdir, 'config');
  const logFile = join(workdir, 'controller.log');
  await mkdir(workdir, { recursive: true });
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const logger = createLogger({ level: io.env.FIRMWARDEN_LOG_LEVEL ?? 'info', destination: logStream });

  const clock = new AcceleratedClock(demoStart, speed);
  const { options: fleetOptions } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const connection = await createFleet(fleetOptions, {
    logger,
    clock,
    emulator: { devices, seed: values.seed ?? 42, rateLimit: 0, epoch: demoStart, logger },
  });
  const control = connection.emulator!.control;
  // A firmware release on the first morning: the lab (Test phase) takes it at once, the rest
  // of the fleet only after its phase's delay.
  const model = control.devices({ limit: 200 }).find((d) => d.software.firmware && !d.unknownFirmware)?.model;
  const lastFirmware = model ? control.releases({ model, softwareType: 'firmware' }).at(-1) : undefined;
  if (model && lastFirmware) {
    control.releaseVersion({ model, softwareType: 'firmware', version: bump(lastFirmware.version), releasedAt: demoStart + 18 * 3_600_000 });
  }
  // A new Teams app two days in: the lab takes it at once, New York gets it from the
  // ScheduledUpdate of 16 January, everyone else 15 days after its release (General).
  const teamsModels = new Set(control.releases({ softwareType: 'teamsClient' }).map((r) => r.model));
  for (const m of teamsModels) {
    const last = control.releases({ model: m, softwareType: 'teamsClient' }).at(-1);
    if (last) control.releaseVersion({ model: m, softwareType: 'teamsClient', version: bump(last.version), releasedAt: demoStart + 2 * 86_400_000 });
  }

  // The demo's controller plays one that has watched this fleet for months: it knows when each
  // version it would have seen came out (a real one learns that only by watching, from its
  // first day; see the release calendar in the README).
  const history = control
    .releases()
    .filter((r) => r.verified && r.releasedAt <= demoStart)
    .map((r) => ({ model: r.model, softwareType: r.softwareType, version: r.version, firstSeen: r.releasedAt }));
  await new FileStateStore(join(workdir, 'state.json')).save({ ...emptyState, releases: history });

  await createDemoRepo(repoDir);
  const screen = io.stdout as NodeJS.WriteStream;
  const interactive = Boolean(screen.isTTY) && !values.quiet;
  io.stdout.write(`firmwarden demo: ${devices} emulated devices, clock ×${speed} from ${new Date(demoStart).toISOString()}\n`);
  io.stdout.write(`config repo: ${repoDir}\ncontroller log: ${logFile}\n\n`);

  const tally: Tally = { started: 0, succeeded: 0, failed: 0 };
  const seen = new Set<string>();
  let last: ReconcileResult | undefined;
  let lastPrinted = 0;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  let complete = false;

  const print = (result: ReconcileResult, force: boolean) => {
    const now = clock.now();
    if (values.quiet) return;
    if (!force && (interactive ? performance.now() - lastPrinted < 250 : now - lastPrinted < 86_400_000)) return;
    lastPrinted = interactive ? performance.now() : now;
    const statusOf = (kind: string) =>
      result.statuses.filter((u) => u.key?.kind === kind).map((u) => ({ name: u.key!.name, status: u.status }));
    const frame = renderDemoFrame({
      now,
      groups: statusOf('DeviceGroup').map((g) => ({ name: g.name, policy: undefined, status: g.status as DeviceGroupStatus })),
      schedules: statusOf('ScheduledUpdate').map((s) => ({ name: s.name, status: s.status as ScheduledUpdateStatus })),
      operations: tally,
    });
    io.stdout.write(interactive ? `\x1b[H\x1b[2J${frame}` : `${frame}\n`);
  };

  const controller = await startController(
    {
      source: { kind: 'git', repo: repoDir, branch: 'main', path: '.', intervalMs: 0, auth: { kind: 'none' } },
      http: undefined,
      statePath: join(workdir, 'state.json'),
      requeue: { intervalMs: 3_600_000 },
      pollIntervalMs: 5 * 60_000,
      fleetView: { maxAgeMs: 6 * 3_600_000, listIntervalMs: 24 * 3_600_000, chunk: 1000 },
    },
    {
      fleet: connection.fleet,
      clock,
      logger,
      parse: (files, now) => parseManifestTexts(files, now),
      replaceStatus,
      onResult: (result) => {
        last = result;
        // Count each operation once as started and once as ended (the ledger keeps them a while).
        const countOnce = (key: string): boolean => !seen.has(key) && Boolean(seen.add(key));
        for (const e of result.ledger) {
          const id = `${e.deviceId}|${e.operationId ?? e.requestedAt}`;
          if (countOnce(`started|${id}`)) tally.started++;
          if (e.state === 'succeeded' && countOnce(`ended|${id}`)) tally.succeeded++;
          if (e.state === 'failed' && countOnce(`ended|${id}`)) tally.failed++;
        }
        print(result, false);
        const now = clock.now();
        if (!complete && (isRolloutComplete(result, now, 7 * 86_400_000) || now - demoStart > maxDays * 86_400_000)) {
          complete = true;
          stop.abort();
        }
      },
    },
    stop.signal,
  );
  try {
    await controller.done;
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    await connection.close();
    logStream.end();
  }
  if (last) print(last, true);
  const commits = Number((await git(repoDir, 'rev-list', '--count', '--grep=Firmwarden-Status: true', 'HEAD')).trim() || 0);
  const days = ((clock.now() - demoStart) / 86_400_000).toFixed(1);
  const ended = io.signal.aborted ? 'stopped (Ctrl-C)' : complete && clock.now() - demoStart <= maxDays * 86_400_000 ? 'rollout complete' : `stopped after ${maxDays} simulated days`;
  io.stdout.write(
    `\n${ended} after ${days} simulated days: ${tally.started} updates started, ${tally.succeeded} succeeded, ${tally.failed} failed; ${commits} status commits.\n` +
      `Read what the controller wrote:  cd ${repoDir} && git log -p\n`,
  );
  return 0;
};
