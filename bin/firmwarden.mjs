#!/usr/bin/env node
// Entry point of the `firmwarden` command. The controller is written in TypeScript and runs
// on Node.js 26, which strips the types itself and has Temporal (the zone rules of maintenance
// windows, freezes and schedules): no build step between a clone and a run.
// An installed package is different: Node.js does not strip types under node_modules, so the
// package carries plain JavaScript in dist/ (built by `npm pack`) and no sources. The sources
// win whenever they are here, so a stale dist/ in a clone is never what runs.
import { existsSync } from 'node:fs';

const sources = new URL('../controller/main.ts', import.meta.url);
const fromSources = existsSync(sources);
const [major] = process.versions.node.split('.').map(Number);
if (major < 26) {
  process.stderr.write(
    `firmwarden needs Node.js 26 or later (this is ${process.version}).\n` +
      (fromSources
        ? 'Run it through npm (npm run firmwarden -- ARGS), which uses the Node.js 26 pinned in devDependencies,\nor install Node.js 26.\n'
        : 'Install Node.js 26 or later and run it again.\n'),
  );
  process.exit(2);
}
// `run` is the long-lived controller: it runs with the heap settings of bin/run-node-flags.mjs
// (FIRMWARDEN_NODE_FLAGS replaces them; empty turns them off). V8 fixes its heap layout at
// start-up, so the process starts again with them: process.execve replaces this process, so
// the pid, stdio and signals stay the controller's (tini, Kubernetes and benches see one
// process). Where execve does not exist (Windows) the controller runs with V8's defaults.
if (process.argv[2] === 'run' && process.env.FIRMWARDEN_NODE_FLAGS_APPLIED === undefined && typeof process.execve === 'function') {
  const { missingRunNodeFlags, runEnvironment } = await import('./run-node-flags.mjs');
  let missing;
  try {
    missing = missingRunNodeFlags(process.env, process.execArgv);
  } catch (error) {
    process.stderr.write(`firmwarden: ${error.message}\n`);
    process.exit(2);
  }
  if (missing.length > 0) {
    const { fileURLToPath } = await import('node:url');
    const argv = [process.execPath, ...process.execArgv, ...missing, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
    // FIRMWARDEN_NODE_FLAGS_APPLIED stops a second start even if Node.js were to drop a flag.
    process.execve(process.execPath, argv, runEnvironment(process.env, missing));
  }
}
// A short command's own V8 settings, then the compile cache, which Node.js names by the flags
// (bin/command-v8-flags.mjs: prepareCommand, which benches measuring a command call too).
const { prepareCommand } = await import('./command-v8-flags.mjs');
await prepareCommand(process.argv[2], process.execArgv, process.env.NODE_OPTIONS);
const entry = fromSources ? sources : new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'firmwarden: this installation has no built code (dist/ is missing): it was installed from Git\n' +
      'without its build step, which needs the devDependencies. Install it from the npm registry, or\n' +
      'with npm 12 or later, which builds Git dependencies (pre-commit installs hooks that way).\n',
  );
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
