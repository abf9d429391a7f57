// Runs `plan` and `why` in-process against an in-process emulator, capturing their output (or,
// for the tests that only gather, dropping it).
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A CommandIO in the repository root that drops whatever is written to it. */
export const quietIO: CommandIO = {
  stdout: new Writable({ write: (_c, _e, done) => done() }),
  stderr: new Writable({ write: (_c, _e, done) => done() }),
  stdin: process.stdin,
  env: {},
  cwd: root,
  signal: new AbortController().signal,
};

/** Dependencies for the commands: a small emulated fleet. */
export async function deps(extra: Partial<PlanCommandDeps> = {}): Promise<PlanCommandDeps> {
  return { parse: await parser(), emulator: { devices: 120 }, ...extra };
}

/**
 * A copy of examples/ (without deploy/) in a new temporary folder, plus `extra` files (path
 * relative to the folder → YAML text). The caller removes the folder.
 */
export async function examplesWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fw-examples-'));
  for (const sub of ['groups', 'policies', 'schedules']) await cp(join(root, 'examples', sub), join(dir, sub), { recursive: true });
  for (const [path, text] of Object.entries(extra)) await writeFile(join(dir, path), text);
  return dir;
}

/** A ScheduledUpdate manifest asking `version` of one software type for the devices named. */
export function scheduledUpdateYaml(name: string, deviceIds: readonly string[], softwareType: string, version: string): string {
  return [
    'apiVersion: firmwarden.dev/v1alpha1',
    'kind: ScheduledUpdate',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  targets:',
    `    deviceIds: [${deviceIds.map((d) => JSON.stringify(d)).join(', ')}]`,
    '  software:',
    `    - type: ${softwareType}`,
    `      version: ${JSON.stringify(version)}`,
    '',
  ].join('\n');
}
