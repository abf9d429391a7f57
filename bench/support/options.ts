// A benchmark's command-line options: `--name N` and `--name=N` both reach it (npm run bench
// passes either through), a value that is not what the option takes is an error with a
// sentence, and so is an option the benchmark does not know — a misspelt `--file 100` must not
// silently run the default size and report it as the size asked for.
import { parseArgs } from 'node:util';
import { BenchError } from './report.ts';

/** One option: a whole number (at least `min`, default 1), a number, a word from a list, or a flag. */
export type OptionSpec =
  | { readonly kind: 'count'; readonly default: number; readonly min?: number; readonly help: string }
  | { readonly kind: 'number'; readonly default: number; readonly min: number; readonly help: string }
  | { readonly kind: 'choice'; readonly default: string; readonly choices: readonly string[]; readonly help: string }
  | { readonly kind: 'text'; readonly default: string; readonly help: string }
  | { readonly kind: 'flag'; readonly help: string };

type Value<S extends OptionSpec> = S extends { kind: 'flag' } ? boolean : S extends { kind: 'choice' | 'text' } ? string : number;
export type Options<T extends Record<string, OptionSpec>> = { readonly [K in keyof T]: Value<T[K]> };

/** The usage text of a benchmark: one line per option with its default. */
export function usage(script: string, spec: Record<string, OptionSpec>): string {
  const lines = Object.entries(spec).map(([name, s]) => {
    const shown = s.kind === 'flag' ? `--${name}` : `--${name} ${s.kind === 'choice' ? s.choices.join('|') : s.kind === 'text' ? 'TEXT' : 'N'}`;
    const fallback = s.kind === 'flag' ? '' : ` (default ${s.default})`;
    return `  ${shown.padEnd(28)} ${s.help}${fallback}`;
  });
  return `Usage: node bench/${script} [options]\n${lines.join('\n')}\n`;
}

/** Parses `argv` against `spec`; a bad or unknown option throws a BenchError naming it. */
export function parseOptions<T extends Record<string, OptionSpec>>(script: string, spec: T, argv: readonly string[] = process.argv.slice(2)): Options<T> {
  const config: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [name, s] of Object.entries(spec)) config[name] = { type: s.kind === 'flag' ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: true }) as { values: Record<string, string | boolean | undefined>; positionals: string[] });
  } catch (error) {
    // Node's message goes on about positionals after '--', which does not apply here.
    throw new BenchError(`${(error as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '.')}\n${usage(script, spec)}`);
  }
  if (values.help) {
    process.stdout.write(usage(script, spec));
    process.exit(0);
  }
  if (positionals.length > 0) throw new BenchError(`unexpected argument ${JSON.stringify(positionals[0])}: options are --name N or --name=N\n${usage(script, spec)}`);
  const out: Record<string, number | string | boolean> = {};
  for (const [name, s] of Object.entries(spec)) {
    const given = values[name];
    if (s.kind === 'flag') {
      out[name] = given === true;
      continue;
    }
    if (given === undefined) {
      out[name] = s.default;
      continue;
    }
    const text = String(given);
    if (s.kind === 'text') {
      out[name] = text;
      continue;
    }
    if (s.kind === 'choice') {
      if (!s.choices.includes(text)) throw new BenchError(`--${name} is one of ${s.choices.join(', ')}, got ${JSON.stringify(text)}`);
      out[name] = text;
      continue;
    }
    const n = Number(text);
    const min = s.kind === 'count' ? (s.min ?? 1) : s.min;
    if (text.trim() === '' || !Number.isFinite(n) || n < min || (s.kind === 'count' && !Number.isInteger(n))) {
      throw new BenchError(`--${name} needs ${s.kind === 'count' ? 'a whole number' : 'a number'} of at least ${min}, got ${JSON.stringify(text)}`);
    }
    out[name] = n;
  }
  return out as Options<T>;
}
