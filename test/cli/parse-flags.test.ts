// Flag mistakes become one sentence with the closest known flag; aliases are spellings of a flag.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFlags } from '../../controller/cli/parse-flags.ts';
import { UsageError } from '../../controller/config/usage-error.ts';

const options = { format: { type: 'string' }, limit: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } } as const;

const bad: [string, string[], string][] = [
  ['a typo gets the closest flag', ['--fromat', 'json'], 'unknown option --fromat; did you mean --format?'],
  ['a typo of a flag taken out before is suggested too', ['--tennant', 'x'], 'unknown option --tennant; did you mean --tenant?'],
  ['a typo with =value is named without the value', ['--limt=3'], 'unknown option --limt; did you mean --limit?'],
  ['a flag nothing resembles gets no guess', ['--zzzzzzzz'], 'unknown option --zzzzzzzz'],
  ['an unknown short flag explains how to pass a dash value', ['-z'], "unknown option -z (to pass a value that starts with '-', put it after --)"],
  ['a missing value is named', ['--format'], '--format needs a value'],
  ['a value given to a switch is named', ['--quiet=yes'], '--quiet takes no value'],
];
for (const [name, args, message] of bad) {
  test(name, () => {
    try {
      parseFlags(args, { options, alsoKnown: ['--tenant'] });
      assert.unreachable('accepted');
    } catch (error) {
      assert.instance(error, UsageError);
      assert.is((error as Error).message, message);
    }
  });
}

test('an alias is read as its flag, but not after --', () => {
  const parsed = parseFlags(['-o', 'json', '--', '-o'], { options, aliases: { '-o': '--format' }, allowPositionals: true });
  assert.is(parsed.values.format, 'json');
  assert.equal(parsed.positionals, ['-o']);
});

test('a positional where none is allowed is refused', () => {
  assert.throws(() => parseFlags(['extra'], { options }), (e: Error) => e.message === 'unexpected argument "extra": this command takes options only');
});

test.run();
