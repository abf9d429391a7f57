// Wiring only: picks the command and hands it the process's streams. Commands are imported
// lazily so that `firmwarden lint` does not pay for the controller's dependencies at start-up.
import type { Command, CommandIO } from './cli/command.ts';
import { readFileSync } from 'node:fs';
import { ExitCode } from './cli/command.ts';
import { describeFailure } from './cli/describe-failure.ts';
import { suggest } from './manifest/suggest.ts';

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  lint: { summary: 'check manifests (files, directories, globs, - for stdin)', load: async () => (await import('./cli/lint.ts')).lint },
  plan: { summary: 'show which devices the manifests update, to which version, when and why', load: async () => (await import('./cli/plan.ts')).planCommand },
  why: { summary: 'explain one device: its group, policy, versions, timing and what holds it', load: async () => (await import('./cli/why.ts')).whyCommand },
  demo: { summary: 'watch the whole loop on an emulated fleet and a local Git repo, on an accelerated clock', load: async () => (await import('./cli/demo.ts')).demo },
  run: { summary: 'run the controller on a Git repository, a folder or Kubernetes custom resources', load: async () => (await import('./cli/run.ts')).runCommand },
  emulator: { summary: 'run the Graph device API emulator on loopback (fleet, tokens, faults)', load: async () => (await import('./cli/emulator.ts')).emulator },
  schemas: { summary: 'write the JSON Schemas (and VS Code settings) into a folder, for editors', load: async () => (await import('./cli/schemas.ts')).schemasCommand },
  completion: { summary: 'print a shell completion script: bash, zsh or powershell', load: async () => (await import('./cli/completion.ts')).createCompletionCommand(() => commands) },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  lines.push(`  ${'version'.padEnd(10)} print the version`);
  return `Usage: firmwarden <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'firmwarden <command> --help' for a command's options.\n`;
}

/** Runs one command line; resolves to the process exit code. */
export async function main(argv: string[], io?: Partial<CommandIO>): Promise<number> {
  const controller = new AbortController();
  const full: CommandIO = {
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    stdin: io?.stdin ?? process.stdin,
    env: io?.env ?? process.env,
    cwd: io?.cwd ?? process.cwd(),
    signal: io?.signal ?? controller.signal,
  };
  if (!io?.signal) {
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? full.stderr : full.stdout).write(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    full.stdout.write(`firmwarden ${version()} (Node.js ${process.versions.node})\n`);
    return ExitCode.ok;
  }
  const entry = commands[name];
  if (!entry) {
    const close = suggest(name, Object.keys(commands));
    full.stderr.write(close
      ? `firmwarden: unknown command '${name}'; did you mean '${close}'? Run 'firmwarden --help' for the commands.\n`
      : `firmwarden: unknown command '${name}'\n\n${usage()}`);
    return ExitCode.usage;
  }
  if (full.stdout === process.stdout) endQuietlyOnClosedPipe(process.stdout);
  try {
    return await (await entry.load())(rest, full);
  } catch (error) {
    const report = describeFailure(error, { command: name, debug: isTruthy(full.env['FIRMWARDEN_DEBUG']) });
    full.stderr.write(report.text);
    return report.exitCode;
  }
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** The package version, read once from package.json beside the code. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/**
 * `firmwarden plan -o json | head` closes the pipe early: the next write fails with EPIPE,
 * which Node raises as an uncaught error. Nobody is left to read, so end without a word.
 */
function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
