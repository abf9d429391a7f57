// `firmwarden why DEVICE PATH…`: one device's story — its group and policy (and the other
// groups that wanted it), what each software type should get and when, and what holds it now.
import type { Command, CommandIO } from './command.ts';
import { ExitCode, UsageError } from './command.ts';
import { parseFlags } from './parse-flags.ts';
import { fleetFlagNames, fleetOptionsHelp, parseFleetOptions, withoutFleetFlags } from '../config/fleet-options.ts';
import { buildPlan } from '../plan/build-plan.ts';
import { explainDevice, findDevice } from '../plan/explain-device.ts';
import { escapeText, joinLines, stringifyJson } from '../output/escape.ts';
import { describeFleet } from '../plan/render-plan.ts';
import { gather, parseAt, type PlanCommandDeps } from './plan.ts';

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
export function createWhyCommand(deps: PlanCommandDeps = {}): Command {
  return async (args: string[], io: CommandIO): Promise<number> => {
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout.write(help);
      return ExitCode.ok;
    }
    // The command's own flags first: a mistyped flag is the thing to report, even without credentials.
    const parsed = parseFlags(withoutFleetFlags(args), {
      options: { format: { type: 'string' }, at: { type: 'string' }, state: { type: 'string' } },
      allowPositionals: true,
      aliases: { '-o': '--format' },
      alsoKnown: fleetFlagNames,
    });
    const { values, positionals } = parsed;
    const [ref, ...paths] = positionals;
    if (ref === undefined || paths.length === 0) throw new UsageError('give a DEVICE (id, unique id or serial) and at least one PATH');
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError(`--format: ${JSON.stringify(format)} is not one of text, json`);
    const now = values.at !== undefined ? parseAt(values.at) : (deps.now ?? Date.now)();
    // Credentials last: a mistake on the command line is what to report first.
    const { options: fleetOptions } = parseFleetOptions(args, io.env);
    const gathered = await gather(paths, { now, fleetOptions, statePath: values.state, io, deps });
    const device = findDevice(gathered.input.devices, ref);
    if (!device) {
      io.stderr.write(`firmwarden why: no device has the id, unique id or serial ${stringifyJson(ref)} (${gathered.input.devices.length} devices read)\n`);
      return ExitCode.findings;
    }
    const plan = buildPlan(gathered.input);
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
