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
import { parseFlags } from './parse-flags.ts';
import { suggest } from '../manifest/suggest.ts';
import { renderBash } from './completion-bash.ts';
import { renderPowerShell } from './completion-powershell.ts';
import { completionSpec, helpFlag, shells, type Shell } from './completion-spec.ts';
import { renderZsh } from './completion-zsh.ts';

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
    const { values, positionals } = parseFlags(args, { options: helpFlag, allowPositionals: true });
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
