// `firmwarden plan PATH…`: what the manifests will do to the fleet — per group, then every
// device that changes, to which version, at what local time, under which rule — as text,
// Markdown (a pull-request comment) or JSON; `--forecast DAYS` previews the coming days.
// Reads manifests through the manifest loader and acts only on valid ones; the fleet through
// the fleet connection options (an in-process emulator when none is given).
import { basename, dirname, relative, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Command, CommandIO } from './command.ts';
import { ExitCode } from './command.ts';
import { UsageError } from '../config/usage-error.ts';
import { parseFlags } from './parse-flags.ts';
import { formatAliases, planFlags, planFormats } from './command-flags.ts';
import type { Device, FleetIdentity } from '../model/fleet.ts';
import type { Plan } from '../model/plan.ts';
import type { GraphFleet } from '../fleet/graph/graph-fleet.ts';
import { emptyState, type ControllerState } from '../model/state.ts';
import { mergeEvidence } from '../policy/evidence.ts';
import { ManualClock } from '../model/clock.ts';
import { silentLogger } from '../log/logger.ts';
import { fleetFlagNames, fleetOptionsHelp, parseFleetOptions, withoutFleetFlags, type FleetOptions } from '../config/fleet-options.ts';
import type { SourceFile } from '../model/source.ts';
import { readManifestFiles } from '../sources/dir-manifest-files.ts';
import type { Finding } from '../manifest/finding.ts';
import type { ManifestEntry, ParsedDesired } from '../model/desired.ts';
import type { FleetSnapshot } from '../model/fleet.ts';
import { planInputFrom } from '../reconcile/engine.ts';
import type { PreviewInput } from './fleet-operations.ts';
import { createProgressLine } from './progress.ts';
import { planWithAllChecks } from './room-checks.ts';
import { forecast } from '../plan/forecast.ts';
import { planToJson, renderPlanMarkdown, renderPlanText, type PlanView } from '../plan/render-plan.ts';
import { stringifyJson } from '../output/escape.ts';
import { mergeCalendars } from '../policy/release-calendar.ts';
import { parseCalendarFile } from '../state/calendar-file.ts';
import type { RememberedCalendar } from '../model/state.ts';
import { findCalendarTexts } from '../sources/calendar-file-io.ts';

const help = `Usage: firmwarden plan PATH… [options]

Shows what the manifests under PATH (files or folders) will do to the fleet: per group, then
every device that changes, to which version, at what local time and under which rule.

Options:
  --format FORMAT   text | markdown | json (default: text; markdown is ready for a PR comment)
  --at TIME         evaluate at this instant, RFC 3339 with an offset (default: now)
  --forecast DAYS   also list what each device will get and when over the coming DAYS
  --state FILE      the controller's state file: release dates seen so far, operations in flight
  --limit N         rows per section in text and markdown (default: 50)

Release dates come from the state file and from .firmwarden/releases.json, the calendar the
controller commits beside the manifests (found in PATH's folder or a parent, up to the
repository's root); versions never seen before count as released now.

${fleetOptionsHelp}`;

/** Parses manifest files (the manifest loader's job; injectable for tests), in the shape the engine takes. */
export type ParseManifests = (files: readonly SourceFile[], now: number) => ParsedDesired<ManifestEntry, Finding>;

/** Settings the tests inject. */
export interface PlanCommandDeps {
  readonly parse?: ParseManifests;
  /** The clock reading used when --at is not given. Default: Date.now. */
  readonly now?: () => number;
  /** Options for an in-process emulator (tests make it small). */
  readonly emulator?: Record<string, unknown>;
}

async function defaultParse(): Promise<ParseManifests> {
  // Loaded lazily so that --help and usage errors do not pay for the YAML parser and validators.
  const { parseManifests } = await import('../manifest/parse-manifests.ts');
  return (files, now) => parseManifests(files, { now });
}

/** Reads the manifest files under each path (files or folders), paths shown relative to the working directory. */
export async function readPaths(paths: readonly string[], cwd: string): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const info = await stat(abs).catch(() => undefined);
    if (!info) throw new UsageError(`${p}: no such file or folder`);
    const root = info.isDirectory() ? abs : dirname(abs);
    const { files, omitted } = await readManifestFiles(root, info.isDirectory() ? '.' : basename(abs));
    if (omitted.length) for (const o of omitted) out.push({ path: relative(cwd, resolve(root, o.path)), text: '' });
    for (const f of files) out.push({ path: relative(cwd, resolve(root, f.path)) || f.path, text: f.text });
  }
  const seen = new Set<string>();
  return out.filter((f) => f.text !== '' && !seen.has(f.path) && seen.add(f.path));
}

/** Parses --at: an RFC 3339 instant with an offset (or Z). */
export function parseAt(text: string): number {
  if (!/(Z|[+-]\d{2}:\d{2})$/i.test(text) || Number.isNaN(Date.parse(text))) {
    throw new UsageError(`--at: ${JSON.stringify(text)} is not an instant with an offset, such as 2026-11-28T20:00:00+01:00 or 2026-11-28T19:00:00Z`);
  }
  return Date.parse(text);
}

/** Everything plan and why need: the plan and its input, the devices by id, and the problems of invalid manifests. */
export interface Gathered {
  /** The engine's input, as the controller would build it from the same manifests, state and fleet. */
  readonly input: PreviewInput;
  /** The plan of `input`, its starts checked against the devices' operations. */
  readonly plan: Plan;
  readonly devices: ReadonlyMap<string, Device>;
  /** The fleet that was read, for the outputs to name. */
  readonly fleet: FleetIdentity;
  readonly invalid: readonly string[];
  readonly invalidCount: number;
  /** For stderr: what could not be read and what that leaves unchecked. */
  readonly warnings: readonly string[];
}

/** The manifests and the controller's memory: the engine's input without the fleet and `now`. */
export interface Desired {
  /** Every manifest (valid or not) and the findings, as the controller's parse gives them. */
  readonly parsed: ParsedDesired<ManifestEntry, Finding>;
  /** The state file's (empty without --state). */
  readonly state: ControllerState;
  /** The release calendar files found beside the manifests, as one (none found: undefined). */
  readonly calendar: RememberedCalendar | undefined;
  readonly invalid: readonly string[];
  readonly invalidCount: number;
}

/** What gather and the commands are given. */
export interface GatherSettings {
  readonly now: number;
  readonly fleetOptions: FleetOptions;
  readonly statePath: string | undefined;
  readonly io: CommandIO;
  readonly deps: PlanCommandDeps;
  /** The command, for progress lines and warnings. Default: "firmwarden plan". */
  readonly label?: string;
}

/** Loads the manifests under `paths` and the state file for `now`. */
export async function loadDesired(paths: readonly string[], settings: Omit<GatherSettings, 'fleetOptions'>): Promise<Desired> {
  const files = await readPaths(paths, settings.io.cwd);
  const parse = settings.deps.parse ?? (await defaultParse());
  const parsed = parse(files, settings.now);
  const invalidCount = parsed.manifests.filter((m) => !m.valid).length;
  const invalid = parsed.findings
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`);

  const state = settings.statePath ? await loadState(settings.statePath) : emptyState;
  const calendars: RememberedCalendar[] = [];
  for (const { file, text } of await findCalendarTexts(paths, settings.io.cwd)) {
    const read = parseCalendarFile(text, file);
    if (read.ok) calendars.push(read.calendar);
    else settings.io.stderr.write(`${settings.label ?? 'firmwarden plan'}: ${read.problem}\n`);
  }
  return { parsed: { manifests: parsed.manifests, findings: parsed.findings }, state, calendar: oneCalendar(calendars), invalid, invalidCount };
}

/** Several calendar files (PATHs in different repositories) as one; none: undefined. */
function oneCalendar(calendars: readonly RememberedCalendar[]): RememberedCalendar | undefined {
  if (calendars.length <= 1) return calendars[0];
  const evidence = mergeEvidence(...calendars.map((c) => c.evidence));
  return {
    releases: mergeCalendars(...calendars.map((c) => c.releases)),
    rollouts: Object.assign({}, ...calendars.map((c) => c.rollouts)) as RememberedCalendar['rollouts'],
    ...(evidence.length > 0 ? { evidence } : {}),
  };
}

/**
 * The engine's input for `now`: the manifests, the state and calendar, and what was read of the
 * fleet. The engine assembles its plan from it (reconcile/engine.ts planInputFrom) exactly as it
 * does in the controller; nothing here interprets the state.
 */
export function engineInput(desired: Desired, now: number, fleet: FleetSnapshot): PreviewInput {
  return { desired: desired.parsed, fleet, state: desired.state, now, outcomes: [], calendar: desired.calendar };
}

/** One warning line about devices whose operations could not be read. */
export function unreadableWarning(label: string, unreadable: ReadonlyMap<string, string>): string[] {
  if (unreadable.size === 0) return [];
  const [first] = unreadable;
  return [`${label}: could not read the operations of ${unreadable.size} device${unreadable.size === 1 ? '' : 's'} it would start (${first![0]}: ${first![1]}); they show as starting now but may already be updating`];
}

/** Loads manifests, state and the whole fleet for `now`, and plans (starts checked against the devices' operations). */
export async function gather(paths: readonly string[], settings: GatherSettings): Promise<Gathered> {
  const desired = await loadDesired(paths, settings);
  const label = settings.label ?? 'firmwarden plan';
  return withFleet(settings.fleetOptions, settings.now, settings.deps, async (connection, fleet) => {
    const observed = await readWholeFleet(connection, settings.now, settings.io, label);
    const checked = await planWithAllChecks(engineInput(desired, settings.now, observed), connection, label, settings.io.signal);
    return {
      input: checked.input,
      plan: checked.plan,
      devices: new Map(observed.devices.map((d) => [d.id, d])),
      fleet,
      invalid: desired.invalid,
      invalidCount: desired.invalidCount,
      warnings: [...unreadableWarning(label, checked.unreadable), ...checked.roomWarnings],
    };
  });
}

async function loadState(path: string) {
  const { FileStateStore } = await import('../state/file-state-store.ts');
  return new FileStateStore(path).load();
}

/** Connects to the fleet the options name, runs `work` with the adapter and the fleet's identity, and closes. */
export async function withFleet<T>(options: FleetOptions, now: number, deps: PlanCommandDeps, work: (fleet: GraphFleet, identity: FleetIdentity) => Promise<T>): Promise<T> {
  const { createFleet } = await import('../config/fleet-connection.ts');
  const clock = new ManualClock(now);
  // The in-process emulator has no rate limit to respect: read it at full speed.
  const effective: FleetOptions = options.target === 'emulator' ? { ...options, rate: Math.max(options.rate, 10_000) } : options;
  const connection = await createFleet(effective, { logger: silentLogger(), clock, emulator: { rateLimit: 0, ...deps.emulator } });
  try {
    const settings = connection.emulator?.settings;
    const identity: FleetIdentity = settings
      ? { kind: 'emulator', seed: String(settings.seed), devices: settings.devices }
      : { kind: 'graph', tenant: options.tenant, cloud: options.cloud, graphUrl: options.graphUrl };
    return await work(connection.fleet, identity);
  } finally {
    await connection.close();
  }
}

/** Reads every device and its software states, with progress on stderr: the controller's fleet view, read whole. */
async function readWholeFleet(fleet: GraphFleet, now: number, io: CommandIO, label: string): Promise<FleetSnapshot> {
  const { FleetView } = await import('../reconcile/fleet-view.ts');
  const view = new FleetView(fleet, { clock: new ManualClock(now), logger: silentLogger() }, { chunk: 2000 });
  const progress = createProgressLine(io.stderr, { label });
  try {
    await view.refreshAll(io.signal, progress.update);
  } finally {
    progress.done();
  }
  return view.snapshot();
}

/** `firmwarden plan`. */
export function createPlanCommand(deps: PlanCommandDeps = {}): Command {
  return async (args: string[], io: CommandIO): Promise<number> => {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout.write(help);
      return ExitCode.ok;
    }
    // The command's own flags first: a mistyped flag is the thing to report, even without credentials.
    const parsed = parseFlags(withoutFleetFlags(args), {
      options: planFlags,
      allowPositionals: true,
      aliases: formatAliases,
      alsoKnown: fleetFlagNames,
    });
    const { values, positionals } = parsed;
    if (positionals.length === 0) throw new UsageError('give at least one PATH (a manifest file or folder)');
    const format = values.format ?? 'text';
    if (!(planFormats as readonly string[]).includes(format)) throw new UsageError(`--format: ${JSON.stringify(format)} is not one of ${planFormats.join(', ')}`);
    const days = values.forecast === undefined ? undefined : Number(values.forecast);
    if (days !== undefined && (!Number.isFinite(days) || days <= 0 || days > 366)) throw new UsageError('--forecast: a number of days between 1 and 366');
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit: a whole number of at least 1');
    const now = values.at !== undefined ? parseAt(values.at) : (deps.now ?? Date.now)();

    // Credentials last: a mistake on the command line is what to report first.
    const { options: fleetOptions } = parseFleetOptions(args, io.env);
    const gathered = await gather(positionals, { now, fleetOptions, statePath: values.state, io, deps });
    for (const w of gathered.warnings) io.stderr.write(`${w}\n`);
    const plan = gathered.plan;
    const view: PlanView = {
      plan,
      fleet: gathered.fleet,
      devices: gathered.devices,
      invalid: gathered.invalid,
      limit,
      ...(days !== undefined ? { forecast: forecast(planInputFrom(gathered.input), { days }) } : {}),
    };
    if (format === 'json') io.stdout.write(`${stringifyJson(planToJson(view))}\n`);
    else io.stdout.write(format === 'markdown' ? renderPlanMarkdown(view) : renderPlanText(view));
    return gathered.invalidCount > 0 ? ExitCode.findings : ExitCode.ok;
  };
}

export const planCommand: Command = createPlanCommand();
