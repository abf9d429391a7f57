// Each invalid manifest in test/fixtures/lint/NAME.yaml is linted on its own, through the real
// file reader; its findings must equal NAME.expected.json (rule, severity, exact span, message).
// After a deliberate change of wording or position, review the diff and regenerate with
// UPDATE_FIXTURES=1 node --disable-warning=ExperimentalWarning test/manifest/fixtures.test.ts
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import { readManifestInputs } from '../../controller/sources/read-manifest-files.ts';
import { now } from './manifest-texts.ts';

const dir = new URL('../fixtures/lint/', import.meta.url).pathname;
const update = process.env.UPDATE_FIXTURES === '1';
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

test('there are fixtures for every kind of problem', () => {
  assert.ok(fixtures.length >= 10, `${fixtures.length} fixtures`);
});

for (const name of fixtures) {
  test(`${name} gives exactly its expected findings`, async () => {
    const read = await readManifestInputs([name], { cwd: dir, maxFileBytes: 1024 * 1024, stdin: Readable.from([]) });
    assert.equal(read.problems, []);
    const { findings } = parseManifests(read.files, { now });
    const actual = [...read.findings, ...findings].map((f) => ({
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      severity: f.severity,
      rule: f.rule,
      message: f.message,
    }));
    const expectedFile = join(dir, name.replace(/\.yaml$/, '.expected.json'));
    if (update) writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as unknown[];
    assert.ok(expected.length > 0, 'a fixture of an invalid manifest expects at least one finding');
    assert.equal(actual, expected);
  });
}

test.run();
