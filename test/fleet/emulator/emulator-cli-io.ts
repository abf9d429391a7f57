// For the tests of the `firmwarden emulator` command: its streams captured as text, and a wait
// until what it printed shows it is serving.
import { PassThrough } from 'node:stream';
import type { CommandIO } from '../../../controller/cli/command.ts';

/** A CommandIO stopped by `signal`, and what was written to its stdout and stderr so far. */
export function makeIO(signal: AbortSignal): { io: CommandIO; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), env: {}, cwd: process.cwd(), signal }, out: () => out, err: () => err };
}

/** Waits until `check` holds, or about five seconds (1000 turns of 5 ms), whichever comes first. */
export async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
}
