// A bench measures a command in-process only if that process was started as the command starts:
// relaunchAsCommand starts the bench script again through bench/support/as-command.mjs with the
// command's settings — for `run`, the node flags and environment bin/firmwarden.mjs restarts the
// controller with (bin/run-node-flags.mjs); for any command, its own V8 flags and the compile
// cache (bin/command-v8-flags.mjs) — after one start that only loads the script, so the compile
// cache is warm, as for every run of the command but the first after an install or a change.
import { spawnSync } from 'node:child_process';
// @ts-expect-error: plain JavaScript in bin/ (an installed package runs it without type stripping)
import { missingRunNodeFlags, runEnvironment } from '../../bin/run-node-flags.mjs';
import { BenchError } from './report.ts';

const launcher = new URL('./as-command.mjs', import.meta.url).pathname;

/** True in the process as-command.mjs started for `command`; false in the process that should relaunch. */
export function startedAsCommand(command: string): boolean {
  return process.env.FIRMWARDEN_BENCH_AS_COMMAND === command;
}

/** True in the start that only warms the compile cache: the script returns right after its imports. */
export function onlyWarming(): boolean {
  return process.env.FIRMWARDEN_BENCH_WARM_ONLY === '1';
}

/**
 * Runs this bench script again as `command` runs (its output is the bench's), after a start that
 * only loads its modules; returns the exit status of the measured run.
 */
export function relaunchAsCommand(command: string, script: string): number {
  let flags: string[] = [];
  let env: NodeJS.ProcessEnv = { ...process.env };
  if (command === 'run') {
    flags = (missingRunNodeFlags as (env: NodeJS.ProcessEnv, execArgv: string[]) => string[])(process.env, process.execArgv);
    env = (runEnvironment as (env: NodeJS.ProcessEnv, applied: string[]) => NodeJS.ProcessEnv)(process.env, flags);
  }
  const argv = [...process.execArgv, ...flags, launcher, command, script, ...process.argv.slice(2)];
  const warm = spawnSync(process.execPath, argv, { env: { ...env, FIRMWARDEN_BENCH_WARM_ONLY: '1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  if (warm.status !== 0) throw new BenchError(`warming the compile cache for ${command} failed (exit ${warm.status ?? warm.signal})`);
  const r = spawnSync(process.execPath, argv, { env, stdio: 'inherit' });
  return r.status ?? 1;
}
