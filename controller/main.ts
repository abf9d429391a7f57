// Wiring only: picks the command and hands it the process's streams. Commands are imported
// lazily so that `firmwarden lint` does not pay for the controller's dependencies at start-up.
import type { Command, CommandIO } from './cli/command.ts';
import { ExitCode, UsageError } from './cli/command.ts';

const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  lint: { summary: 'check manifests (files, directories, globs, - for stdin)', load: async () => (await import('./cli/lint.ts')).lint },
  plan: { summary: 'show which devices the manifests update, to which version, when and why', load: async () => (await import('./cli/plan.ts')).planCommand },
  why: { summary: 'explain one device: its group, policy, versions, timing and what holds it', load: async () => (await import('./cli/why.ts')).whyCommand },
  demo: { summary: 'watch the whole loop on an emulated fleet and a local Git repo, on an accelerated clock', load: async () => (await import('./cli/demo.ts')).demo },
  run: { summary: 'run the controller on a Git repository, a folder or Kubernetes custom resources', load: async () => (await import('./cli/run.ts')).runCommand },
  emulator: { summary: 'run the Graph device API emulator on loopback (fleet, tokens, faults)', load: async () => (await import('./cli/emulator.ts')).emulator },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
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
  if (name === '--version') {
    full.stdout.write('firmwarden 0.1.0\n');
    return ExitCode.ok;
  }
  const entry = commands[name];
  if (!entry) {
    full.stderr.write(`firmwarden: unknown command '${name}'\n\n${usage()}`);
    return ExitCode.usage;
  }
  try {
    return await (await entry.load())(rest, full);
  } catch (error) {
    if (error instanceof UsageError) {
      full.stderr.write(`firmwarden ${name}: ${error.message}\n`);
      return ExitCode.usage;
    }
    throw error;
  }
}
