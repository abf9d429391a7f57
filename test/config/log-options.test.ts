import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveLogOptions } from '../../controller/config/log-options.ts';
import { UsageError } from '../../controller/config/usage-error.ts';

const resolve = suite('resolveLogOptions');
const tty = { isTTY: true };
const pipe = {};

const cases: ReadonlyArray<{ name: string; flags?: Record<string, string>; env?: Record<string, string>; stream: { isTTY?: boolean }; format: string; level?: string; colour?: boolean }> = [
  { name: 'text on a terminal', stream: tty, format: 'text', colour: true },
  { name: 'json in a pipe, a file, a pod or CI', stream: pipe, format: 'json', colour: false },
  { name: 'FIRMWARDEN_LOG_FORMAT over the default', env: { FIRMWARDEN_LOG_FORMAT: 'json' }, stream: tty, format: 'json' },
  { name: 'the flag over FIRMWARDEN_LOG_FORMAT', flags: { 'log-format': 'text' }, env: { FIRMWARDEN_LOG_FORMAT: 'json' }, stream: pipe, format: 'text' },
  { name: 'an empty FIRMWARDEN_LOG_FORMAT is not set', env: { FIRMWARDEN_LOG_FORMAT: '' }, stream: pipe, format: 'json' },
  { name: 'any case', flags: { 'log-format': 'TEXT' }, stream: pipe, format: 'text' },
  { name: 'level: the flag, else FIRMWARDEN_LOG_LEVEL, else info', env: { FIRMWARDEN_LOG_LEVEL: 'debug' }, stream: pipe, format: 'json', level: 'debug' },
  { name: 'level from the flag', flags: { 'log-level': 'warn' }, env: { FIRMWARDEN_LOG_LEVEL: 'debug' }, stream: pipe, format: 'json', level: 'warn' },
  { name: 'NO_COLOR keeps the terminal text plain', env: { NO_COLOR: '1' }, stream: tty, format: 'text', colour: false },
];
for (const c of cases) {
  resolve(c.name, () => {
    const options = resolveLogOptions(c.flags ?? {}, c.env ?? {}, c.stream);
    assert.is(options.format, c.format);
    assert.is(options.level, c.level ?? 'info');
    if (c.colour !== undefined) assert.is(options.text.colour, c.colour);
  });
}

const refused: ReadonlyArray<[string, Record<string, string>, Record<string, string>, string]> = [
  ['an unknown flag value names the flag and the choices', { 'log-format': 'yaml' }, {}, "--log-format must be one of text, json; got 'yaml'"],
  ['an unknown variable value names the variable', {}, { FIRMWARDEN_LOG_FORMAT: 'pretty' }, "FIRMWARDEN_LOG_FORMAT must be one of text, json; got 'pretty'"],
  ['an unknown level is a usage error, not a crash in pino', { 'log-level': 'verbose' }, {}, "--log-level must be one of trace, debug, info, warn, error, fatal, silent; got 'verbose'"],
];
for (const [name, flags, env, message] of refused) {
  resolve(name, () => {
    try {
      resolveLogOptions(flags, env, pipe);
      assert.unreachable('accepted');
    } catch (error) {
      assert.instance(error, UsageError);
      assert.is((error as Error).message, message);
    }
  });
}

resolve.run();
