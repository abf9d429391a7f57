#!/usr/bin/env node
// Entry point of the `firmwarden` command. The controller is written in TypeScript and runs
// on Node.js 24, which strips the types itself: no build step between a clone and a run.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `firmwarden needs Node.js 24 or later (this is ${process.version}).\n` +
      'Run it through npm (npm run firmwarden -- ARGS), which uses the Node.js 24 pinned in devDependencies,\n' +
      'or install Node.js 24.\n',
  );
  process.exit(2);
}
// Cache compiled code (and Node's TypeScript type stripping) between runs: it halves start-up,
// which dominates short commands like `firmwarden lint` in CI. Silently off when unavailable.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { main } = await import('../controller/main.ts');
process.exitCode = await main(process.argv.slice(2));
