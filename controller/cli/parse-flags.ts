// Every command's flags go through here: node's parseArgs, with its errors turned into one
// sentence a person can act on — the flag as typed, the closest known flag ("did you mean"),
// and a pointer to the command's --help (main adds the pointer to every usage error).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../config/usage-error.ts';
import { suggest } from '../manifest/suggest.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParseFlagsSettings<O extends Options> {
  readonly options: O;
  /** Default false: a positional argument is a usage error. */
  readonly allowPositionals?: boolean;
  /** Flags taken out of the arguments before (the fleet connection flags), offered as suggestions too. */
  readonly alsoKnown?: readonly string[];
  /** Other spellings of a flag, e.g. `{ '-o': '--format' }` (parseArgs allows one short name). */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** The flag names (`--name`, `-x`) that `options` defines. */
export function flagNames(options: Options): string[] {
  const names: string[] = [];
  for (const [name, option] of Object.entries(options)) {
    names.push(`--${name}`);
    if (option.short) names.push(`-${option.short}`);
  }
  return names;
}

/** Parses `args` strictly; an unknown or malformed flag becomes a UsageError with a suggestion. */
export function parseFlags<O extends Options>(args: readonly string[], settings: ParseFlagsSettings<O>) {
  const aliases = settings.aliases ?? {};
  // Arguments after `--` are values, never flags: leave them as they are.
  const end = args.indexOf('--');
  const spelled = args.map((arg, i) => (end !== -1 && i > end ? arg : (aliases[arg] ?? arg)));
  try {
    return parseArgs({ args: spelled, options: settings.options, allowPositionals: settings.allowPositionals ?? false, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error, [...flagNames(settings.options), ...Object.keys(aliases), ...(settings.alsoKnown ?? [])]), { cause: error });
  }
}

/** One sentence for a parseArgs error (exported for tests). */
export function describeParseError(error: unknown, known: readonly string[]): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']*)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const flag = (quoted ?? '').split('=')[0]!;
      const close = flag.startsWith('-') ? suggest(flag, known) : undefined;
      if (close) return `unknown option ${flag}; did you mean ${close}?`;
      return `unknown option ${flag}${flag.startsWith('--') ? '' : ` (to pass a value that starts with '-', put it after --)`}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // "Option '--format <value>' argument missing" or "Option '--quiet' does not take an argument".
      // The quoted part is '--format <value>', '--quiet' or, for a flag with a short name, '-q, --quiet'.
      const flag = /(--?[\w-]+)(?: <value>)?$/.exec(quoted ?? '')?.[1] ?? quoted ?? '';
      if (/argument missing/.test(message)) return `${flag} needs a value`;
      if (/does not take an argument/.test(message)) return `${flag} takes no value`;
      return `${flag}: ${message}`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted ?? '')}: this command takes options only`;
    default:
      return message.split('\n')[0]!;
  }
}
