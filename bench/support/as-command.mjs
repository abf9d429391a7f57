// Runs a bench script the way bin/firmwarden.mjs runs COMMAND: the command's own V8 flags, then
// the compile cache (prepareCommand), before any of the script's code loads. The entry is plain
// JavaScript, as bin/firmwarden.mjs is: a TypeScript entry would load Node's type stripper
// (~15 MB resident) that a command started from a warm compile cache never loads.
// Usage: node [NODE FLAGS] bench/support/as-command.mjs COMMAND SCRIPT [ARGS…] (see as-command.ts).
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { prepareCommand } from '../../bin/command-v8-flags.mjs';

const [command, script, ...rest] = process.argv.slice(2);
if (!command || !script) {
  process.stderr.write('usage: node bench/support/as-command.mjs COMMAND SCRIPT [ARGS…]\n');
  process.exit(2);
}
await prepareCommand(command, process.execArgv, process.env.NODE_OPTIONS);
// The script reads its own options from process.argv as if it had been started directly.
process.argv = [process.argv[0], resolve(script), ...rest];
process.env.FIRMWARDEN_BENCH_AS_COMMAND = command;
await import(pathToFileURL(resolve(script)).href);
