// The V8 heap settings `firmwarden run` starts with (issue 17.3: a 10k-device controller under
// 150 MB). V8 sizes its young generation when the process starts, so these cannot be set from
// inside (v8.setFlagsFromString leaves the young generation as it was) and NODE_OPTIONS refuses
// --heap-growing-percent: bin/firmwarden.mjs replaces its own process (process.execve, same
// pid) with one started with them. The Dockerfile and examples/deploy/40-deployment.yaml set
// FIRMWARDEN_NODE_FLAGS to the same words (test/run/run-node-flags.test.ts holds them equal).
// Plain JavaScript: an installed package runs bin/ without type stripping.

/**
 * A 2 MB young generation instead of V8's default 32 MB (the controller's allocations are
 * mostly per-reconcile arrays that die young either way), and old-space growth capped at 50 %
 * above the live heap instead of V8's up to 4×, so garbage from one reconcile is collected
 * before the next instead of being kept as resident slack. --expose-gc gives the controller
 * `gc`, which it calls once 3 s after a pass when no other pass has started
 * (controller/run/idle-gc.ts): the heap a pass grew is given back then, not ~10 s later when
 * V8's memory reducer notices the quiet (at 10k devices ~230 -> ~140 MB resident).
 */
export const defaultRunNodeFlags = ['--max-semi-space-size=2', '--heap-growing-percent=50', '--expose-gc'];

/**
 * The environment the controller starts again with: glibc's malloc gets at most two arenas
 * (MALLOC_ARENA_MAX; its default is 8 per core, one filled per thread that allocates, and V8's
 * compiler and GC threads each leave one partly used: ~13 MB of resident set at 10k devices).
 * A value the user set is kept. `applied` marks the start as done.
 */
export function runEnvironment(env, applied) {
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2', FIRMWARDEN_NODE_FLAGS_APPLIED: applied.join(' ') };
}

/** The name of a flag word (`--max-semi-space-size=2` -> `max-semi-space-size`); V8 accepts `_` for `-`. */
function flagName(word) {
  return word.replace(/^--?/, '').split('=')[0].replaceAll('_', '-');
}

/** Words of FIRMWARDEN_NODE_FLAGS, or the defaults when it is unset. An empty value means none. */
export function wantedRunNodeFlags(env) {
  const value = env.FIRMWARDEN_NODE_FLAGS;
  if (value === undefined) return defaultRunNodeFlags;
  return value.split(/\s+/).filter((w) => w.length > 0);
}

/**
 * The wanted flags this process was not started with: a flag the user already gave (on node's
 * command line or in NODE_OPTIONS) keeps the user's value. Throws, naming the variable, on a
 * word that is not a `--flag`.
 */
export function missingRunNodeFlags(env, execArgv) {
  const wanted = wantedRunNodeFlags(env);
  for (const word of wanted) {
    if (!/^--[a-z0-9][a-z0-9_-]*(=\S+)?$/i.test(word)) {
      throw new Error(`FIRMWARDEN_NODE_FLAGS: "${word}" is not a Node.js or V8 flag (write --name or --name=value, separated by spaces)`);
    }
  }
  const given = new Set([...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].filter((w) => w.startsWith('-')).map(flagName));
  return wanted.filter((word) => !given.has(flagName(word)));
}
