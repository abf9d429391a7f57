// `firmwarden completion bash|zsh|powershell`: prints a script that teaches the shell the
// commands, each command's flags and the values of the flags that take one of a few (--format,
// -o, --log-format, --cloud, …). The flags come from the tables the commands parse
// (command-flags.ts) and the commands from main.ts's table, so the scripts cannot drift from
// what the commands accept. Only light modules are loaded: `source <(firmwarden completion
// bash)` runs at every shell start. A flag that takes a free value (a path, a number) is left to
// the shell, which offers file names.
import type { Command } from './command.ts';
import { ExitCode } from './command.ts';
import { UsageError } from '../config/usage-error.ts';
import { flagNames, parseFlags } from './parse-flags.ts';
import {
  demoFlags, emulatorFlags, formatAliases, kubernetesFlags, lintFlags, lintFormats, planFlags, planFormats, runFlags, schemasFlags, whyFlags, whyFormats,
} from './command-flags.ts';
import { fleetFlagNames, fleetValueFlagNames, FleetAuthKinds } from '../config/fleet-options.ts';
import { CloudNames } from '../fleet/graph/clouds.ts';
import { logFormats, logLevels } from '../config/log-options.ts';
import { suggest } from '../manifest/suggest.ts';

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

const help = { help: { type: 'boolean', short: 'h' } } as const;
const fleetChoices = { '--cloud': CloudNames, '--auth': FleetAuthKinds };
const logChoices = { '--log-format': logFormats, '--log-level': logLevels };

// Per command: its tables, flags taken out before parsing (the fleet's), and value lists.
const known: Readonly<Record<string, Known>> = {
  lint: { tables: [lintFlags], aliases: formatAliases, choices: { '--format': lintFormats } },
  plan: { tables: [planFlags, help], aliases: formatAliases, extra: { flags: fleetFlagNames, valueFlags: fleetValueFlagNames }, choices: { '--format': planFormats, ...fleetChoices } },
  why: { tables: [whyFlags, help], aliases: formatAliases, extra: { flags: fleetFlagNames, valueFlags: fleetValueFlagNames }, choices: { '--format': whyFormats, ...fleetChoices } },
  demo: { tables: [demoFlags], choices: logChoices },
  run: {
    tables: [runFlags, kubernetesFlags, help],
    extra: { flags: [...fleetFlagNames, '--kubernetes'], valueFlags: fleetValueFlagNames },
    choices: { ...logChoices, ...fleetChoices },
  },
  emulator: { tables: [emulatorFlags], choices: logChoices },
  schemas: { tables: [schemasFlags] },
  completion: { tables: [help], arguments: shells },
};

/** What to complete for each command of `commands` (main.ts's table), in its order. */
export function completionSpec(commands: Readonly<Record<string, { readonly summary: string }>>): CommandCompletion[] {
  return Object.entries(commands).map(([name, { summary }]) => {
    const spec: Known = known[name] ?? { tables: [help] };
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

// Everything put into a script is a flag, a value or a command name from the tables above, or
// a summary; names are checked so that none can break out of the script's quoting.
function word(text: string): string {
  if (!/^[A-Za-z0-9][\w.:/-]*$|^--?[A-Za-z0-9][\w-]*$/.test(text)) throw new Error(`completion: ${JSON.stringify(text)} is not a plain word`);
  return text;
}

// Flags with the same values in one case branch: --format|-f|-o.
function groupChoices(c: CommandCompletion): Array<[string[], readonly string[]]> {
  const groups = new Map<readonly string[], string[]>();
  for (const [flag, values] of Object.entries(c.choices)) groups.set(values, [...(groups.get(values) ?? []), flag]);
  return [...groups].map(([values, flags]) => [flags, values]);
}

/** A script for bash: `source <(firmwarden completion bash)`. */
export function renderBash(spec: readonly CommandCompletion[]): string {
  const cases = spec.map((c) => {
    const lines = [`    ${word(c.name)})`, `      flags='${c.flags.map(word).join(' ')}'`];
    const valueCases = groupChoices(c).map(([flags, values]) => `        ${flags.map(word).join('|')}) values='${values.map(word).join(' ')}' ;;`);
    const free = c.valueFlags.filter((f) => !(f in c.choices));
    if (free.length > 0) valueCases.push(`        ${free.map(word).join('|')}) return 0 ;;`);
    if (valueCases.length > 0) lines.push('      case $prev in', ...valueCases, '      esac');
    if (c.arguments) lines.push(`      arguments='${c.arguments.map(word).join(' ')}'`);
    lines.push('      ;;');
    return lines.join('\n');
  });
  return `# bash completion for firmwarden, made by 'firmwarden completion bash'.
# Load it from ~/.bashrc:  source <(firmwarden completion bash)
# or save it once:         firmwarden completion bash > ~/.local/share/bash-completion/completions/firmwarden
_firmwarden() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev='' cmd=\${COMP_WORDS[1]:-} flags='' values='' arguments=''
  (( COMP_CWORD > 0 )) && prev=\${COMP_WORDS[COMP_CWORD-1]}
  # --flag=value: bash cuts the line at '=' (COMP_WORDBREAKS), so '=' is a word of its own.
  if [[ $cur == '=' ]]; then
    cur=''
  elif [[ $prev == '=' ]] && (( COMP_CWORD > 1 )); then
    prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  COMPREPLY=()
  if (( COMP_CWORD == 1 )); then
    COMPREPLY=( $(compgen -W '${spec.map((c) => word(c.name)).join(' ')} version' -- "$cur") )
    return 0
  fi
  case $cmd in
${cases.join('\n')}
    *) return 0 ;;
  esac
  if [[ -n $values ]]; then
    COMPREPLY=( $(compgen -W "$values" -- "$cur") )
  elif [[ $cur == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  elif [[ -n $arguments ]] && (( COMP_CWORD == 2 )); then
    COMPREPLY=( $(compgen -W "$arguments" -- "$cur") )
  fi
  # Nothing offered: -o default lets bash offer file names (paths, folders, globs).
  return 0
}
complete -o default -F _firmwarden firmwarden
`;
}

function zshQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** A script for zsh: `source <(firmwarden completion zsh)` after compinit, or saved as _firmwarden in $fpath. */
export function renderZsh(spec: readonly CommandCompletion[]): string {
  const described = [...spec.map((c) => zshQuote(`${word(c.name)}:${c.summary.replaceAll(':', '\\:')}`)), zshQuote('version:print the version')];
  const cases = spec.map((c) => {
    const lines = [`    ${word(c.name)})`, `      flags=(${c.flags.map(word).join(' ')})`];
    const valueCases = groupChoices(c).map(([flags, values]) => `        ${flags.map(word).join('|')}) values=(${values.map(word).join(' ')}) ;;`);
    const free = c.valueFlags.filter((f) => !(f in c.choices));
    if (free.length > 0) valueCases.push(`        ${free.map(word).join('|')}) _files; return ;;`);
    if (valueCases.length > 0) lines.push('      case $prev in', ...valueCases, '      esac');
    if (c.arguments) lines.push(`      arguments=(${c.arguments.map(word).join(' ')})`);
    lines.push('      ;;');
    return lines.join('\n');
  });
  return `#compdef firmwarden
# zsh completion for firmwarden, made by 'firmwarden completion zsh'.
# Load it from ~/.zshrc, after compinit:  source <(firmwarden completion zsh)
# or save it once as _firmwarden in a folder of $fpath.
_firmwarden() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd=\${words[2]}
  local -a flags values arguments
  if (( CURRENT == 2 )); then
    local -a commands=(
      ${described.join('\n      ')}
    )
    _describe -t commands 'firmwarden command' commands
    return
  fi
  # --flag=value is one word in zsh: complete the value after the '='.
  if [[ $cur == -*=* ]]; then
    prev=\${cur%%=*}
    compset -P '*='
  fi
  case $cmd in
${cases.join('\n')}
    *) return 1 ;;
  esac
  if (( $#values )); then
    compadd -a values
  elif [[ $cur == -* ]]; then
    compadd -a flags
  elif (( $#arguments && CURRENT == 3 )); then
    compadd -a arguments
  else
    _files
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _firmwarden "$@"
else
  compdef _firmwarden firmwarden
fi
`;
}

function psQuote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A script for PowerShell: `firmwarden completion powershell | Out-String | Invoke-Expression` in $PROFILE. */
export function renderPowerShell(spec: readonly CommandCompletion[]): string {
  const list = (items: readonly string[]) => `@(${items.map((i) => psQuote(word(i))).join(', ')})`;
  const commands = [...spec.map((c) => `    ${psQuote(word(c.name))} = ${psQuote(c.summary)}`), `    'version' = 'print the version'`];
  const flags = spec.map((c) => `    ${psQuote(c.name)} = ${list(c.flags)}`);
  const valueFlags = spec.map((c) => `    ${psQuote(c.name)} = ${list(c.valueFlags)}`);
  const choices = spec.map((c) => `    ${psQuote(c.name)} = @{ ${Object.entries(c.choices).map(([f, v]) => `${psQuote(word(f))} = ${list(v)}`).join('; ')} }`);
  const args = spec.filter((c) => c.arguments).map((c) => `    ${psQuote(c.name)} = ${list(c.arguments!)}`);
  return `# PowerShell completion for firmwarden, made by 'firmwarden completion powershell'.
# Load it from your profile ($PROFILE):  firmwarden completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName firmwarden -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $commands = [ordered]@{
${commands.join('\n')}
  }
  $flags = @{
${flags.join('\n')}
  }
  $valueFlags = @{
${valueFlags.join('\n')}
  }
  $choices = @{
${choices.join('\n')}
  }
  $arguments = @{
${args.join('\n')}
  }
  $prefix = ''
  # The words before the one being completed.
  $before = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -lt $cursorPosition } | ForEach-Object { $_.ToString() })
  if ($before.Count -le 1) {
    $candidates = @($commands.Keys)
  } else {
    $cmd = $before[1]
    $prev = $before[-1]
    $word = $wordToComplete
    if ($word -match '^(-[^=]+)=(.*)$') { $prev = $Matches[1]; $word = $Matches[2] }
    if (-not $flags.ContainsKey($cmd)) { return }
    if ($choices[$cmd].ContainsKey($prev)) {
      $candidates = @($choices[$cmd][$prev])
    } elseif ($valueFlags[$cmd] -ccontains $prev) {
      return  # a free value: PowerShell offers paths
    } elseif ($word.StartsWith('-')) {
      $candidates = @($flags[$cmd])
    } elseif ($arguments.ContainsKey($cmd) -and $before.Count -eq 2) {
      $candidates = @($arguments[$cmd])
    } else {
      return
    }
    $prefix = $wordToComplete.Substring(0, $wordToComplete.Length - $word.Length)
    $wordToComplete = $word
  }
  foreach ($candidate in $candidates) {
    if ($candidate.StartsWith($wordToComplete, [StringComparison]::Ordinal)) {
      $tip = if ($commands.Contains($candidate) -and $before.Count -le 1) { $commands[$candidate] } else { $candidate }
      [System.Management.Automation.CompletionResult]::new("$prefix$candidate", $candidate, 'ParameterValue', $tip)
    }
  }
}
`;
}

const usage = `Usage: firmwarden completion bash|zsh|powershell

Prints a shell completion script: commands, their flags, and the values of --format (-o),
--log-format, --log-level, --cloud and --auth.

  bash        source <(firmwarden completion bash)                    in ~/.bashrc
  zsh         source <(firmwarden completion zsh)                     in ~/.zshrc, after compinit
  powershell  firmwarden completion powershell | Out-String | Invoke-Expression   in $PROFILE
`;

/** Builds the completion command over main.ts's command table. */
export function createCompletionCommand(commands: () => Readonly<Record<string, { readonly summary: string }>>): Command {
  return async (args, io) => {
    const { values, positionals } = parseFlags(args, { options: help, allowPositionals: true });
    if (values.help) {
      io.stdout.write(usage);
      return ExitCode.ok;
    }
    const [shell, ...rest] = positionals;
    if (shell === undefined) throw new UsageError('name a shell: bash, zsh or powershell');
    if (rest.length > 0) throw new UsageError(`one shell at a time; got ${positionals.join(', ')}`);
    const name = shell === 'pwsh' ? 'powershell' : shell;
    if (!(shells as readonly string[]).includes(name)) {
      const close = suggest(name, shells);
      throw new UsageError(`no completion for '${shell}'${close ? `; did you mean ${close}?` : ''} (bash, zsh or powershell)`);
    }
    const spec = completionSpec(commands());
    const render = { bash: renderBash, zsh: renderZsh, powershell: renderPowerShell }[name as Shell];
    io.stdout.write(render(spec));
    return ExitCode.ok;
  };
}
