// The option tables of `firmwarden lint`, apart from cli/command-flags.ts: that file gathers
// every command's tables for completion and so loads the run command's options (config/, and
// through them the fleet connection: 40 modules, ~40 ms of a 200 ms lint of 1,000 files),
// none of which lint needs (issue 17: lint at most 1.5x kubeconform, start-up included).

/** `-o` is the usual short name for an output format (parseArgs allows one short name per flag). */
export const formatAliases = { '-o': '--format' } as const;

/** Output formats of `lint --format`. */
export const lintFormats = ['text', 'json', 'github', 'sarif', 'junit'] as const;

/** Flags of `firmwarden lint`. */
export const lintFlags = {
  format: { type: 'string', short: 'f' },
  strict: { type: 'boolean' },
  'max-file-size': { type: 'string' },
  now: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
