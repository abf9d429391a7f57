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
import { UsageError } from '../config/usage-error.ts';
import { kindKey } from '../policy/manifest-keys.ts';
import { parseFlags } from './parse-flags.ts';
import { AcceleratedClock } from '../model/clock.ts';
import { createLogger } from '../log/logger.ts';
import { resolveLogOptions } from '../config/log-options.ts';
import { demoFlags } from './command-flags.ts';
import { parseFleetOptions } from '../config/fleet-options.ts';
import { createFleet } from '../config/fleet-connection.ts';
import { startController } from '../run/controller.ts';
import type { EngineInput } from '../model/engine.ts';
import type { ReconcileResult } from '../model/reconcile.ts';
import type { ManifestEntry } from '../model/desired.ts';
import { createEngine, planFrom } from '../reconcile/engine.ts';
import type { Finding } from '../manifest/finding.ts';
import type { Plan } from '../model/plan.ts';
import type { DeviceGroupStatus, ScheduledUpdateStatus } from '../model/manifests.generated.ts';
import { explainDevice } from '../plan/explain-device.ts';
import {
  formatZoned, renderDemoEnding, renderDemoFrame, type DemoConditions, type DemoEndingInput, type DemoFrameInput, type DemoGroup, type DemoSchedule,
} from './demo-view.ts';
import { OperationMemory, emptyTally, planProblems, tallyByGroup, type DeviceTally } from './demo-tally.ts';
import { shouldColour } from '../output/colour.ts';
import { FileStateStore } from '../state/file-state-store.ts';
import { emptyState } from '../model/state.ts';
import { parseManifestTexts } from '../manifest/parse-manifests.ts';
import { replaceStatus } from '../manifest/status-writer.ts';

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
  --failure-rate R  share of updates that fail, 0 to 1 (default: per device model, 1 to 8 %)
  --quiet           no progress screen, only the summary
  --log-format F    text | json, of the controller log file (default: json; FIRMWARDEN_LOG_FORMAT)

Colour only on a terminal; NO_COLOR=1 turns it off, FORCE_COLOR=1 turns it on in a pipe.
`;

/** One reconcile as the screen shows it: the engine's input (manifests, fleet, ledger, now) and what came out. */
interface Snapshot {
  readonly input: EngineInput<ManifestEntry, Finding>;
  /** The plan the engine built from `input`, when it hands it out. */
  readonly plan: Plan | undefined;
  readonly result: ReconcileResult;
}

type Named = { readonly metadata?: { readonly name?: string; readonly namespace?: string }; readonly spec?: { readonly timeZone?: string } };

/** What one snapshot shows: the plan its statuses came from, and the manifests' files and conditions by key. */
interface SnapshotView {
  readonly plan: Plan;
  /** `Kind/namespace/name` → the manifest's file, spec.timeZone and status conditions. */
  readonly manifests: ReadonlyMap<string, { readonly file: string; readonly timeZone: string | undefined; readonly conditions: DemoConditions | undefined }>;
}

function viewOf(snapshot: Snapshot): SnapshotView {
  const manifests = new Map<string, { file: string; timeZone: string | undefined; conditions: DemoConditions | undefined }>();
  for (const m of snapshot.input.desired.manifests) {
    const named = m.manifest as Named | null;
    if (!named?.metadata?.name) continue;
    manifests.set(`${m.kind}/${named.metadata.namespace ?? 'default'}/${named.metadata.name}`, { file: m.file, timeZone: m.valid ? named.spec?.timeZone : undefined, conditions: undefined });
  }
  for (const u of snapshot.result.statuses) {
    const known = u.key && manifests.get(`${u.key.kind}/${u.key.namespace ?? 'default'}/${u.key.name}`);
    if (known) known.conditions = (u.status as { conditions?: DemoConditions }).conditions;
  }
  return { plan: snapshot.plan ?? planFrom(snapshot.input), manifests };
}

/**
 * The screen's input from one snapshot: groups, device tallies and times from the plan of that
 * same input (the statuses came from it, and give the conditions), operations from the memory
 * (which has seen this snapshot's ledger last). The groups keep the order of their files.
 */
export function frameInputOf(snapshot: Snapshot, memory: OperationMemory, view: Pick<DemoFrameInput, 'timeZone' | 'startedAt' | 'colour'>): DemoFrameInput {
  const { plan, manifests } = viewOf(snapshot);
  const tallies = tallyByGroup(plan.devices);
  const summaries = new Map(plan.groups.map((g) => [g.key, g]));
  const schedules = new Map(plan.scheduledUpdates.map((s) => [s.key, s]));
  const keysOf = (kind: string) =>
    snapshot.result.statuses.filter((u) => u.key?.kind === kind).map((u) => ({ key: `${u.key!.namespace ?? 'default'}/${u.key!.name}`, name: u.key!.name }));
  return {
    ...view,
    now: snapshot.input.now,
    groups: keysOf('DeviceGroup').map(({ key, name }): DemoGroup => {
      const g = summaries.get(key);
      const m = manifests.get(`DeviceGroup/${key}`);
      return {
        name,
        timeZone: g?.timeZone ?? m?.timeZone,
        phase: g?.phase,
        conditions: m?.conditions,
        devices: tallies.get(key),
        members: g?.deviceIds.length,
        rollouts: g?.rollouts,
        nextActionTime: g?.nextActionTime,
        nextWindow: g?.nextWindow,
      };
    }),
    schedules: keysOf('ScheduledUpdate').map(({ key, name }): DemoSchedule => {
      const s = schedules.get(key);
      const [namespace] = key.split('/') as [string];
      return {
        name,
        timeZone: manifests.get(`ScheduledUpdate/${key}`)?.timeZone,
        conditions: manifests.get(`ScheduledUpdate/${key}`)?.conditions,
        targeted: s?.deviceIds.length,
        scheduledTime: s?.scheduledTime,
        completionTime: s?.completionTime,
        reached: memory.devicesOf(kindKey(namespace, 'ScheduledUpdate', name)),
      };
    }),
    operations: memory.totals(),
  };
}

/** The ending's facts from the last snapshot: the fleet's devices by state, every failed or refused update, and `why` for the first failed device. */
function endingFacts(snapshot: Snapshot): Pick<DemoEndingInput, 'devices' | 'problems' | 'why'> {
  const { plan, manifests } = viewOf(snapshot);
  const devices = emptyTally();
  for (const t of tallyByGroup(plan.devices).values()) for (const k of Object.keys(devices) as (keyof DeviceTally)[]) devices[k] += t[k];
  const byId = new Map(snapshot.input.fleet.devices.map((d) => [d.id, d]));
  const nameOf = (id: string) => byId.get(id)?.uniqueId || byId.get(id)?.serialNumber || id;
  // Keys in the plan are namespace/name; the manifests' are Kind/namespace/name.
  const fileOf = (group: string | undefined, scheduledUpdate: string | undefined) =>
    (group && manifests.get(`DeviceGroup/${group}`)?.file) || (scheduledUpdate && manifests.get(`ScheduledUpdate/${scheduledUpdate}`)?.file) || '(no group)';
  const problems = planProblems(plan.devices).map((p) => ({
    state: p.state,
    file: fileOf(p.group, p.scheduledUpdate),
    device: nameOf(p.deviceId),
    softwareType: p.softwareType,
    version: p.version,
    detail: p.detail,
  }));
  const firstFailed = planProblems(plan.devices).find((p) => p.state === 'failed');
  const device = firstFailed && byId.get(firstFailed.deviceId);
  const blocker = device && explainDevice(plan, device).blocker;
  const why = device && blocker ? { device: nameOf(device.id), blocker } : undefined;
  return { devices, problems, why };
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
  return stdout;
}

/** Creates the demo's config repo from examples/ (without the deployment manifests). */
export async function createDemoRepo(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(examplesDir, { withFileTypes: true })) {
    if (entry.name === 'deploy' || entry.name === 'deploy-overlays') continue;
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
  const { options: fleetOptions } = parseFleetOptions(['--emulator', '--fleet-rate', '10000'], {});
  const connection = await createFleet(fleetOptions, {
    logger,
    clock,
    emulator: { devices, seed: values.seed ?? 42, rateLimit: 0, epoch: demoStart, logger, ...(failureRate !== undefined ? { failureRate } : {}) },
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
  const colour = shouldColour(screen, io.env);
  // The header's clock is the viewer's; each group's times are in its own zone.
  const viewerZone = io.env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const view = { timeZone: viewerZone, startedAt: demoStart, colour };
  io.stdout.write(`firmwarden demo: ${devices} emulated devices, clock ×${speed} from ${formatZoned(demoStart, viewerZone, true)}\n`);
  io.stdout.write(`config repo: ${repoDir}\ncontroller log: ${logFile}\n\n`);

  const memory = new OperationMemory();
  let evaluated: { input: EngineInput<ManifestEntry, Finding>; plan: Plan | undefined } | undefined;
  // The repo is a Git one: statuses stay short, as `run --repo` writes them.
  const engine = createEngine({ statusDetail: 'summary' });
  let last: Snapshot | undefined;
  let lastPrinted = 0;
  let cleared = false;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  let stopped: 'complete' | 'maxDays' | undefined;
  let end = demoStart;

  let liveViewUrl: string | undefined;
  const print = (snapshot: Snapshot, force: boolean) => {
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
      // The last evaluation of a reconcile is the one its statuses come from: keep its input
      // and plan so the screen counts devices on the same picture.
      engine: (input) => {
        const output = engine(input);
        evaluated = { input, plan: output.plan };
        return output;
      },
      onResult: (result) => {
        last = { ...evaluated!, result };
        memory.observe(result.ledger);
        print(last, false);
        const now = clock.now();
        if (stopped) return;
        if (isRolloutComplete(result, now, 7 * 86_400_000)) stopped = 'complete';
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
