// The precompiled validators must be what the schemas generate (scripts/gen/validators.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { generateValidators, validatorsFile } from '../../scripts/gen/validators.ts';

test('controller/manifest/schema-validators.generated.js is what the schemas generate', () => {
  assert.is(readFileSync(validatorsFile, 'utf8'), generateValidators(), 'schema-validators.generated.js is stale: run `npm run generate` and commit the result');
});

test.run();
