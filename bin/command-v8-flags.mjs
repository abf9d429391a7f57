// V8 settings a short command sets on itself (issue 17: lint 5,000 files in under 100 MB), with
// v8.setFlagsFromString before any of its code loads: no second process start, which would
// cost about as much as node's own start-up. Only flags V8 reads while running work this way
// (`run` needs start-up flags and restarts itself instead: run-node-flags.mjs). They must be set
// before the compile cache is enabled: Node.js names the cache by the flags, so each command
// keeps one that matches (set after, every module's cached code would be refused).
// Plain JavaScript: an installed package runs bin/ without type stripping.

/** Flags by command. */
export const commandV8Flags = {
  // V8 grows the young generation up to 32 MB × 2 when much survives a scavenge; lint's data
  // lives to the end anyway, so growth only adds resident memory (5,000 files: 172 -> 116 MB).
  // Without TurboFan (Maglev still compiles hot code) a run also saves the optimizing compiler's
  // memory and its background work, which a few-second run never earns back (116 -> 106 MB,
  // CPU the same or lower at 1,000 and 5,000 files).
  lint: ['--semi-space-growth-factor=1', '--no-opt'],
  // The same for `plan`, whose fleet and plan live to the end of the process: 100,000 devices ×
  // 1,000 groups, first plan, peak RSS 366 -> 312 MB and CPU lower (no TurboFan compiles for
  // one pass; the walks are hot enough for Maglev). bench/plan.bench.ts sets them the same way.
  plan: ['--semi-space-growth-factor=1', '--no-opt'],
};

/** The name of a flag (`--max-semi-space-size=2` -> `max-semi-space-size`, `--no-opt` -> `opt`); V8 accepts `_` for `-`. */
function flagName(word) {
  return word.replace(/^--?/, '').split('=')[0].replaceAll('_', '-').replace(/^no-/, '');
}

/** The setting a flag is about: young-generation sizes are one (a user's --max-semi-space-size=16 must not be held at 1 MB). */
function topic(name) {
  return name.includes('semi-space') ? 'semi-space' : name;
}

/**
 * The flags `command` sets on itself: its own, less any whose setting the user chose (on node's
 * command line or in NODE_OPTIONS; `--opt` and `--no-opt` alike), so the user's choice wins.
 */
export function commandFlagsToSet(command, execArgv, nodeOptions = '') {
  const wanted = Object.hasOwn(commandV8Flags, command) ? commandV8Flags[command] : [];
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].filter((w) => w.startsWith('-')).map((w) => topic(flagName(w))));
  return wanted.filter((word) => !given.has(topic(flagName(word))));
}

/**
 * What bin/firmwarden.mjs does for every command before its code loads: sets the command's own
 * flags (commandFlagsToSet), then enables the compile cache (after: Node.js names the cache by
 * the flags). Benches that measure a command as it runs call it the same way
 * (bench/support/as-command.mjs). Returns the flags set.
 */
export async function prepareCommand(command, execArgv, nodeOptions = '') {
  const own = commandFlagsToSet(command, execArgv, nodeOptions);
  if (own.length > 0) {
    const { setFlagsFromString } = await import('node:v8');
    for (const flag of own) setFlagsFromString(flag);
  }
  // Cache compiled code (and Node's TypeScript type stripping) between runs: it halves start-up,
  // which dominates short commands like `firmwarden lint` in CI. Silently off when unavailable.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  return own;
}
