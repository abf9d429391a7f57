// What shell completion offers for each command: its flags, the flags that take a value, and the values of those with a few, from the commands' own tables.
import { flagNames } from './parse-flags.ts';
import {
  demoFlags, emulatorFlags, formatAliases, kubernetesFlags, lintFlags, lintFormats, planFlags, planFormats, runFlags, schemasFlags, whyFlags, whyFormats,
} from './command-flags.ts';
import { fleetFlagNames, fleetValueFlagNames, FleetAuthKinds } from '../config/fleet-options.ts';
import { CloudNames } from '../fleet/graph/clouds.ts';
import { logFormats, logLevels } from '../config/log-options.ts';

/** The shells a script can be made for. */
export const shells = ['bash', 'zsh', 'powershell'] as const;
export type Shell = (typeof shells)[number];

/** What a shell needs to know about one command. */
export interface CommandCompletion {
  readonly name: string;
  readonly summary: string;
  /** Every flag the command accepts (long and short names, aliases). */
  readonly flags: readonly string[];
  /** The flags that take a value: the word after one is that value, not a flag or an argument. */
  readonly valueFlags: readonly string[];
  /** The values of the flags that take one of a few. */
  readonly choices: Readonly<Record<string, readonly string[]>>;
  /** Words offered as arguments (completion's shells); otherwise file names. */
  readonly arguments?: readonly string[];
}

type Table = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

interface Known {
  readonly tables: readonly Table[];
  readonly aliases?: Readonly<Record<string, string>>;
  /** Flags taken out of the arguments before parsing (the fleet's), and those of them that take a value. */
  readonly extra?: { readonly flags: readonly string[]; readonly valueFlags: readonly string[] };
  readonly choices?: Readonly<Record<string, readonly string[]>>;
  readonly arguments?: readonly string[];
}

/** The --help flag, in parseArgs' format. */
export const helpFlag = { help: { type: 'boolean', short: 'h' } } as const;
const fleetChoices = { '--cloud': CloudNames, '--auth': FleetAuthKinds };
const logChoices = { '--log-format': logFormats, '--log-level': logLevels };

// Per command: its tables, flags taken out before parsing (the fleet's), and value lists.
const known: Readonly<Record<string, Known>> = {
  lint: { tables: [lintFlags], aliases: formatAliases, choices: { '--format': lintFormats } },
  plan: { tables: [planFlags, helpFlag], aliases: formatAliases, extra: { flags: fleetFlagNames, valueFlags: fleetValueFlagNames }, choices: { '--format': planFormats, ...fleetChoices } },
  why: { tables: [whyFlags, helpFlag], aliases: formatAliases, extra: { flags: fleetFlagNames, valueFlags: fleetValueFlagNames }, choices: { '--format': whyFormats, ...fleetChoices } },
  demo: { tables: [demoFlags], choices: logChoices },
  run: {
    tables: [runFlags, kubernetesFlags, helpFlag],
    extra: { flags: [...fleetFlagNames, '--kubernetes'], valueFlags: fleetValueFlagNames },
    choices: { ...logChoices, ...fleetChoices },
  },
  emulator: { tables: [emulatorFlags], choices: logChoices },
  schemas: { tables: [schemasFlags] },
  completion: { tables: [helpFlag], arguments: shells },
};

/** What to complete for each command of `commands` (main.ts's table), in its order. */
export function completionSpec(commands: Readonly<Record<string, { readonly summary: string }>>): CommandCompletion[] {
  return Object.entries(commands).map(([name, { summary }]) => {
    const spec: Known = known[name] ?? { tables: [helpFlag] };
    const flags = new Set<string>();
    const valueFlags = new Set<string>();
    for (const table of spec.tables) {
      for (const [long, option] of Object.entries(table)) {
        const names = flagNames({ [long]: option });
        for (const n of names) flags.add(n);
        if (option.type === 'string') for (const n of names) valueFlags.add(n);
      }
    }
    for (const [alias, target] of Object.entries(spec.aliases ?? {})) {
      flags.add(alias);
      if (valueFlags.has(target)) valueFlags.add(alias);
    }
    for (const f of spec.extra?.flags ?? []) flags.add(f);
    for (const f of spec.extra?.valueFlags ?? []) valueFlags.add(f);
    // A flag's choices also under its short name and aliases.
    const choices: Record<string, readonly string[]> = {};
    for (const [flag, values] of Object.entries(spec.choices ?? {})) {
      if (!flags.has(flag)) continue;
      choices[flag] = values;
      const short = spec.tables.map((t) => t[flag.slice(2)]?.short).find(Boolean);
      if (short) choices[`-${short}`] = values;
      for (const [alias, target] of Object.entries(spec.aliases ?? {})) if (target === flag) choices[alias] = values;
    }
    return { name, summary, flags: [...flags], valueFlags: [...valueFlags], choices, ...(spec.arguments ? { arguments: spec.arguments } : {}) };
  });
}
