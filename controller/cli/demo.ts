// `firmwarden demo`: the whole loop on this machine, with nothing to configure. Starts the
// Graph emulator with an example fleet on an accelerated clock, makes a Git config repo from
// examples/, runs the controller on it and shows the rollout in the terminal until it is
// complete (or Ctrl-C), then prints a summary and where the repo is (`git log -p` shows the
// status commits).
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command, CommandIO } from './command.ts';
import { UsageError } from '../config/usage-error.ts';
import { parseFlags } from './parse-flags.ts';
import { AcceleratedClock } from '../model/clock.ts';
import { createLogger } from '../log/logger.ts';
import { resolveLogOptions } from '../config/log-options.ts';
import { demoFlags } from './command-flags.ts';
import { startController } from '../run/controller.ts';
import type { ReconcileResult } from '../model/reconcile.ts';
import { createEngine } from '../reconcile/engine.ts';
import type { DeviceGroupStatus, ScheduledUpdateStatus } from '../model/manifests.generated.ts';
import { renderDemoFrame } from './demo-view.ts';
import { formatZoned } from './demo-time.ts';
import { renderDemoEnding, type DemoEndingInput } from './demo-ending.ts';
import { OperationMemory, emptyTally } from './demo-tally.ts';
import { DemoPasses, endingFacts, frameInputOf, type DemoSnapshot } from './demo-snapshot.ts';
import { createDemoRepo, demoStart, git, startDemoFleet } from './demo-setup.ts';
import { shouldColour } from '../output/colour.ts';
import { safeLine } from '../output/escape.ts';
import { parseManifestTexts } from '../manifest/parse-manifests.ts';
import { replaceStatus } from '../manifest/status-writer.ts';

const help = `Usage: firmwarden demo [options]

Runs the emulator, an example fleet and the controller on a local Git repo, on an accelerated clock.

Options:
  --workdir DIR     where the config repo and state go (default: a new temporary folder)
  --speed N         clock acceleration (default: 30000, one day in about 3 s)
  --devices N       size of the emulated fleet (default: 500)
  --seed S          seed of the emulated fleet (default: 42)
  --max-days N      stop after N simulated days even if the rollout is not complete (default: 45)
  --failure-rate R  share of updates that fail, 0 to 1 (default: per device model, 1 to 8 %)
  --quiet           no progress screen, only the summary
  --log-format F    text | json, of the controller log file (default: json; FIRMWARDEN_LOG_FORMAT)

Colour only on a terminal; NO_COLOR=1 turns it off, FORCE_COLOR=1 turns it on in a pipe.
`;

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

export const demo: Command = async (args: string[], io: CommandIO): Promise<number> => {
  const { values } = parseFlags(args, { options: demoFlags });
  if (values.help) {
    io.stdout.write(help);
    return 0;
  }
  const speed = parseNumber('speed', values.speed, 30_000, 1);
  const devices = parseNumber('devices', values.devices, 500, 1);
  const maxDays = parseNumber('max-days', values['max-days'], 45, 0.01);
  const failureRate = values['failure-rate'] === undefined ? undefined : parseNumber('failure-rate', values['failure-rate'], 0, 0);
  if (failureRate !== undefined && failureRate > 1) throw new UsageError(`--failure-rate is a share of updates from 0 to 1, got ${JSON.stringify(values['failure-rate'])}`);
  const workdir = values.workdir ? resolve(io.cwd, values.workdir) : await mkdtemp(join(tmpdir(), 'firmwarden-demo-'));
  const repoDir = join(workdir, 'config');
  const logFile = join(workdir, 'controller.log');
  await mkdir(workdir, { recursive: true });
  const logStream = createWriteStream(logFile, { flags: 'a' });
  // The log goes to a file, no terminal: json unless asked otherwise.
  const logger = createLogger({ ...resolveLogOptions(values, io.env, { isTTY: false }), text: { colour: false }, destination: logStream });

  const clock = new AcceleratedClock(demoStart, speed);
  const statePath = join(workdir, 'state.json');
  const connection = await startDemoFleet({ devices, seed: values.seed ?? 42, failureRate, statePath }, { logger, clock });
  await createDemoRepo(repoDir);
  const screen = io.stdout as NodeJS.WriteStream;
  const interactive = Boolean(screen.isTTY) && !values.quiet;
  const colour = shouldColour(screen, io.env);
  // The header's clock is the viewer's; each group's times are in its own zone.
  const viewerZone = io.env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const view = { timeZone: viewerZone, startedAt: demoStart, colour };
  io.stdout.write(`firmwarden demo: ${devices} emulated devices, clock ×${speed} from ${formatZoned(demoStart, viewerZone, true)}\n`);
  io.stdout.write(`config repo: ${repoDir}\ncontroller log: ${logFile}\n\n`);

  const memory = new OperationMemory();
  const passes = new DemoPasses();
  // The repo is a Git one: statuses stay short, as `run --repo` writes them.
  const engine = createEngine({ statusDetail: 'summary' });
  let failing = false;
  let lastPrinted = 0;
  let cleared = false;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  let stopped: 'complete' | 'maxDays' | undefined;
  let end = demoStart;

  let liveViewUrl: string | undefined;
  const print = (snapshot: DemoSnapshot, force: boolean) => {
    const now = snapshot.input.now;
    if (values.quiet) return;
    if (!force && (interactive ? performance.now() - lastPrinted < 250 : now - lastPrinted < 86_400_000)) return;
    lastPrinted = interactive ? performance.now() : now;
    const frame = renderDemoFrame(frameInputOf(snapshot, memory, view)) + (liveViewUrl && interactive ? `\n\nlive view: ${liveViewUrl}` : '');
    if (!interactive) {
      io.stdout.write(`${frame}\n`);
      return;
    }
    // Redraw in place: home, each line cleared to its end, then the rest of the screen cleared.
    // Clearing the whole screen first would flash on every frame.
    io.stdout.write(`${cleared ? '' : '\x1b[2J'}\x1b[H${frame.replaceAll('\n', '\x1b[K\n')}\x1b[J`);
    cleared = true;
  };

  const controller = await startController(
    {
      source: { kind: 'git', repo: repoDir, branch: 'main', path: '.', intervalMs: 0, auth: { kind: 'none' } },
      // The live view, on this machine only, on any free port; its address is under the screen.
      http: { host: '127.0.0.1', port: 0, webhookSecret: undefined, ui: { mode: 'open', loopbackOnly: true } },
      // The demo's clock runs weeks in minutes: forecasts back to back, or the page's lags days.
      liveView: { forecastEveryMs: 2_000, forecastDutyCycle: 1 },
      statePath,
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
      // The last evaluation of a reconcile is the one its statuses come from: keep its input
      // and plan so the screen counts devices on the same picture.
      engine: (input) => {
        const output = engine(input);
        passes.evaluated(input, output.plan);
        return output;
      },
      onResult: (result) => {
        const now = clock.now();
        // A pass that evaluated nothing (the fleet or state unreadable) shows the last evaluation
        // under its failure, never as fresh figures, and cannot complete the rollout.
        const shown = passes.ended(result, now);
        memory.observe(result.ledger);
        // A failure that starts or ends is drawn at once; while it lasts, frames come as usual.
        const failed = (result.failures ?? []).length > 0;
        if (shown) print(shown, failed !== failing);
        else if (failed && !failing && !values.quiet) io.stdout.write(`${safeLine(`reconcile at ${formatZoned(now, viewerZone)} failed: ${result.failures!.map((f) => f.message).join('; ')}`)}\n`);
        failing = failed;
        if (stopped) return;
        if (shown && !shown.failure?.stale && isRolloutComplete(result, now, 7 * 86_400_000)) stopped = 'complete';
        else if (now - demoStart > maxDays * 86_400_000) stopped = 'maxDays';
        if (stopped) stop.abort();
      },
    },
    stop.signal,
  );
  liveViewUrl = controller.liveViewUrl;
  if (liveViewUrl) io.stdout.write(`live view: ${liveViewUrl}\n`);
  try {
    await controller.done;
  } finally {
    end = clock.now();
    io.signal.removeEventListener('abort', onAbort);
    await connection.close();
    logStream.end();
  }
  const last = passes.last;
  if (last) print(last, true);
  const commits = Number((await git(repoDir, 'rev-list', '--count', '--grep=Firmwarden-Status: true', 'HEAD')).trim() || 0);
  const how: DemoEndingInput['how'] = io.signal.aborted ? 'interrupted' : (stopped ?? 'maxDays');
  io.stdout.write(
    `\n${renderDemoEnding({
      how,
      days: (end - demoStart) / 86_400_000,
      ...(last ? endingFacts(last) : { devices: emptyTally(), problems: [] }),
      operations: memory.totals(),
      statusCommits: commits,
      repoDir,
      colour,
    })}`,
  );
  return 0;
};
