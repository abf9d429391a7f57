// How run reads an option: the flag, else FIRMWARDEN_<FLAG> from the environment (flags win); files resolved against the working folder.
import { resolve } from 'node:path';

/** Flag values as parseArgs gives them. */
export type Values = Readonly<Record<string, string | boolean | undefined>>;

/** Reads one option as text, as a switch, or as a file path resolved against `cwd`. */
export interface OptionReader {
  readonly str: (flag: string) => string | undefined;
  readonly bool: (flag: string) => boolean;
  readonly file: (flag: string) => string | undefined;
}

/** FIRMWARDEN_<FLAG>: the environment variable of a flag (FIRMWARDEN_DATA_DIR for --data-dir). */
function envName(flag: string): string {
  return `FIRMWARDEN_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** The reader of `values` and `env`: empty environment values count as absent; a switch is on for 1, true or yes. */
export function optionReader(values: Values, env: Readonly<Record<string, string | undefined>>, cwd: string): OptionReader {
  const str = (flag: string): string | undefined => {
    const v = values[flag];
    if (typeof v === 'string') return v;
    const e = env[envName(flag)];
    return e === undefined || e === '' ? undefined : e;
  };
  const bool = (flag: string): boolean => {
    const v = values[flag];
    if (typeof v === 'boolean') return v;
    const e = env[envName(flag)]?.toLowerCase();
    return e === '1' || e === 'true' || e === 'yes';
  };
  const file = (flag: string): string | undefined => {
    const v = str(flag);
    return v === undefined ? undefined : resolve(cwd, v);
  };
  return { str, bool, file };
}

/** Adds `key` to `target` as a non-enumerable property (JSON, pino and inspect skip it). */
export function hide<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: false });
  return target;
}
