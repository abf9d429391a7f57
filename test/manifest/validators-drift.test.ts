// The precompiled validators must be what the schemas generate (scripts/gen/validators.ts), in
// ASCII: V8 keeps a module's source as long as it lives, at two bytes a character if one is not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { asciiOnly, generateValidators, validatorsFile } from '../../scripts/gen/validators.ts';

test('controller/manifest/schema-validators.generated.js is what the schemas generate', () => {
  assert.is(readFileSync(validatorsFile, 'utf8'), generateValidators(), 'schema-validators.generated.js is stale: run `npm run generate` and commit the result');
});

test('the generated validators are ASCII only', () => {
  const text = readFileSync(validatorsFile, 'utf8');
  const at = text.search(/[^\x00-\x7f]/);
  assert.is(at, -1, `a character outside ASCII at offset ${at}: ${JSON.stringify(text.slice(at - 20, at + 20))}`);
});

const cases: [string, string][] = [
  ['plain ASCII stays as it is', 'const a = "x";'],
  ['a Latin-1 sign in a string', 'const s = "device × software type";'],
  ['an ellipsis in a string', 'const s = "ends…";'],
  ['a character outside the BMP (two UTF-16 units)', 'const s = "rocket 🚀";'],
  ['inside a regular expression', 'const r = /a×b/;'],
];
for (const [name, source] of cases) {
  test(`asciiOnly: ${name}`, () => {
    const out = asciiOnly(source);
    assert.ok(/^[\x00-\x7f]*$/.test(out), out);
    // The escaped source means the same: evaluate both and compare what they define.
    const run = (code: string) => new Function(`${code.replace(/^const (\w+) =/, 'return')}`)();
    const before = run(source);
    const after = run(out);
    if (before instanceof RegExp) {
      // A regular expression's source keeps the escape; what it matches is the same.
      for (const sample of ['a×b', 'axb', 'a\\u00d7b']) assert.is(after.test(sample), before.test(sample), sample);
    } else {
      assert.is(after, before);
    }
  });
}

test.run();
