// `firmwarden why DEVICE PATH…`: one device's story — its group and policy (and the other
// groups that wanted it), what each software type should get and when, and what holds it now.
// It reads the one device and what its story depends on (why-read.ts), not every device's
// health, and plans with the same engine as plan and run.
import type { Command, CommandIO } from './command.ts';
import { ExitCode } from './command.ts';
import { UsageError } from '../config/usage-error.ts';
import { parseFlags } from './parse-flags.ts';
import { formatAliases, whyFlags, whyFormats } from './command-flags.ts';
import { fleetFlagNames, fleetOptionsHelp, parseFleetOptions, withoutFleetFlags } from '../config/fleet-options.ts';
import type { Device, FleetIdentity } from '../model/fleet.ts';
import type { Plan } from '../model/plan.ts';
import { explainDevice, findDevice } from '../plan/explain-device.ts';
import { escapeText, joinLines, stringifyJson } from '../output/escape.ts';
import { describeFleet } from '../plan/render-plan.ts';
import { gather, loadDesired, parseAt, withFleet, type PlanCommandDeps } from './plan.ts';
import { createProgressLine } from './progress.ts';
import { readForWhy } from './why-read.ts';

/** Settings the tests inject. */
export interface WhyCommandDeps extends PlanCommandDeps {
  /** Read the whole fleet as plan does instead of the one device (tests compare the two). */
  readonly fullRead?: boolean;
}

const label = 'firmwarden why';

/** The plan, the device and what was read, whichever way it was read. */
interface Explained {
  readonly device: Device | undefined;
  readonly plan: Plan | undefined;
  readonly fleet: FleetIdentity;
  readonly invalid: readonly string[];
  readonly warnings: readonly string[];
  /** For the "not found" message: how many devices were looked at. */
  readonly looked: string;
}

const help = `Usage: firmwarden why DEVICE PATH… [options]

Explains one device (named by its id, hardware unique id or serial number) under the manifests
under PATH: which group and policy apply, which version each software type should get, when,
and what holds it right now.

Options:
  --format FORMAT   text | json (default: text)
  --at TIME         evaluate at this instant, RFC 3339 with an offset (default: now)
  --state FILE      the controller's state file: release dates seen so far, operations in flight

${fleetOptionsHelp}`;

/** `firmwarden why`. */
export function createWhyCommand(deps: WhyCommandDeps = {}): Command {
  return async (args: string[], io: CommandIO): Promise<number> => {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout.write(help);
      return ExitCode.ok;
    }
    // The command's own flags first: a mistyped flag is the thing to report, even without credentials.
    const parsed = parseFlags(withoutFleetFlags(args), {
      options: whyFlags,
      allowPositionals: true,
      aliases: formatAliases,
      alsoKnown: fleetFlagNames,
    });
    const { values, positionals } = parsed;
    const [ref, ...paths] = positionals;
    if (ref === undefined || paths.length === 0) throw new UsageError('give a DEVICE (id, unique id or serial) and at least one PATH');
    const format = values.format ?? 'text';
    if (!(whyFormats as readonly string[]).includes(format)) throw new UsageError(`--format: ${JSON.stringify(format)} is not one of ${whyFormats.join(', ')}`);
    const now = values.at !== undefined ? parseAt(values.at) : (deps.now ?? Date.now)();
    // Credentials last: a mistake on the command line is what to report first.
    const { options: fleetOptions } = parseFleetOptions(args, io.env);
    const settings = { now, fleetOptions, statePath: values.state, io, deps, label };
    let gathered: Explained;
    if (deps.fullRead) {
      const all = await gather(paths, settings);
      gathered = { device: findDevice(all.input.fleet.devices, ref), plan: all.plan, fleet: all.fleet, invalid: all.invalid, warnings: all.warnings, looked: `${all.input.fleet.devices.length} devices read` };
    } else {
      const desired = await loadDesired(paths, settings);
      gathered = await withFleet(fleetOptions, now, deps, async (fleet, identity) => {
        const progress = createProgressLine(io.stderr, { label });
        const read = await readForWhy(fleet, ref, desired, { now, label, progress, signal: io.signal }).finally(() => progress.done());
        return { device: read.device, plan: read.plan, fleet: identity, invalid: desired.invalid, warnings: read.warnings, looked: `${read.listed} devices listed` };
      });
    }
    for (const w of gathered.warnings) io.stderr.write(`${w}\n`);
    const { device, plan } = gathered;
    if (!device || !plan) {
      io.stderr.write(`firmwarden why: no device has the id, unique id or serial ${stringifyJson(ref)} (${gathered.looked})\n`);
      return ExitCode.findings;
    }
    const explanation = explainDevice(plan, device);
    if (format === 'json') {
      const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
      io.stdout.write(`${stringifyJson({
        now: iso(plan.now),
        fleet: gathered.fleet,
        device,
        group: explanation.plan?.group,
        policy: explanation.plan?.policy,
        wave: explanation.plan?.wave,
        conflict: plan.conflicts.find((c) => c.deviceId === device.id),
        software: explanation.plan?.entries.map((e) => ({ ...e, earliestStart: iso(e.earliestStart) })) ?? [],
        blocker: explanation.blocker,
        refusals: explanation.refusals,
        explanation: explanation.lines,
        invalid: gathered.invalid,
      })}\n`);
    } else {
      if (gathered.invalid.length) io.stdout.write(joinLines(['Invalid manifests, left out:', ...gathered.invalid.map((l) => `  ${escapeText(l)}`), '']));
      io.stdout.write(`Fleet: ${describeFleet(gathered.fleet)}\n${explanation.lines.join('\n')}\n`);
    }
    return ExitCode.ok;
  };
}

export const whyCommand: Command = createWhyCommand();
