// Test helpers: `firmwarden` commands as real child processes (the controller, the emulator),
// their output collected line by line, started with a clean environment so nothing of the
// developer's own FIRMWARDEN_*, AZURE_* or KUBECONFIG settings leaks in.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './clients.ts';

/** The repository root (the child processes' working directory). */
export const root = fileURLToPath(new URL('../..', import.meta.url));
const node = join(root, 'node_modules/.bin/node');
const bin = join(root, 'bin/firmwarden.mjs');

/** A running `firmwarden` process and the lines it wrote so far. */
export interface Proc {
  child: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | null>;
}

/** Starts `firmwarden <args>` from the repository root. */
export function start(args: string[]): Proc {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('FIRMWARDEN_') || k.startsWith('AZURE_') || k === 'KUBECONFIG' || k.startsWith('POD_')) delete env[k];
  const child = spawn(node, ['--disable-warning=ExperimentalWarning', bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (into: string[]) => {
    let pending = '';
    return (d: Buffer) => {
      pending += d.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      into.push(...parts);
    };
  };
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', collect(out));
  child.stderr!.on('data', collect(err));
  // 'close' comes after the output streams ended: every line has been collected by then.
  const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  return { child, out, err, exited };
}

/** Kills (SIGKILL) whichever of `procs` still run and waits until all have exited. */
export async function stopAll(procs: Proc[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
}

/** The last 30 lines of a process's stderr, for failure messages. */
export function tail(p: Proc): string {
  return p.err.slice(-30).join('\n');
}

/** The health and metrics URL the controller logged on start. */
export async function httpUrl(p: Proc): Promise<string> {
  return eventually(`the HTTP URL\n${tail(p)}`, () => {
    for (const line of p.err) {
      const m = /health and metrics on (http:\/\/\S+)/.exec(line);
      if (m) return m[1];
    }
    if (p.child.exitCode !== null) throw new Error(`controller exited ${p.child.exitCode}:\n${tail(p)}`);
    return undefined;
  });
}
