// Runs `plan` and `why` in-process against an in-process emulator, capturing their output.
import { Writable } from 'node:stream';
import type { CommandIO } from '../../controller/cli/command.ts';
import type { ParseManifests, PlanCommandDeps } from '../../controller/cli/plan.ts';

export const root = new URL('../../', import.meta.url).pathname;

/** The manifest loader's parser (the commands' default). */
export async function parser(): Promise<ParseManifests> {
  const { parseManifests } = await import('../../controller/manifest/parse-manifests.ts');
  return (files, now) => parseManifests(files, { now });
}

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(into: string[]): Writable {
  return new Writable({
    write(chunk, _enc, done) {
      into.push(String(chunk));
      done();
    },
  });
}

/**
 * Runs a command with captured streams. The environment asks for the emulator by default (plan
 * and why never fall back to it on their own); pass `env` to test without it.
 */
export async function runCommand(
  command: (args: string[], io: CommandIO) => Promise<number>,
  args: string[],
  cwd = root,
  env: Record<string, string> = { FIRMWARDEN_EMULATOR: '1' },
): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: sink(out), stderr: sink(err), stdin: process.stdin, env, cwd, signal: new AbortController().signal };
  const code = await command(args, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** Dependencies for the commands: a small emulated fleet. */
export async function deps(extra: Partial<PlanCommandDeps> = {}): Promise<PlanCommandDeps> {
  return { parse: await parser(), emulator: { devices: 120 }, ...extra };
}
