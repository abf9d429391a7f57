// The SARIF output validates against the official SARIF 2.1.0 schema (a copy in
// ../shared/testdata) and carries what code-scanning tools need: rules with descriptions,
// regions with start and end, URIs relative to the working directory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import ajvModule from 'ajv';
import ajvFormats from 'ajv-formats';
import { run } from './lint-support.ts';

const schemaPath = new URL('../../../shared/testdata/sarif-schema-2.1.0.json', import.meta.url).pathname;

// The official file says draft-04 but uses nothing draft-07 reads differently except the root
// `id`, which draft-07 spells `$id`; Ajv 8 validates it as draft-07 once that is renamed.
function sarifValidator() {
  const { id, $schema: _draft, ...rest } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  const Ajv = ajvModule.default;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  return ajv.compile({ ...rest, $id: String(id) });
}

interface Sarif {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; shortDescription: { text: string } }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }[];
    }[];
  }[];
}

test('lint --format sarif validates against the official schema, for every fixture', async () => {
  const validate = sarifValidator();
  const r = await run(['lint', 'test/fixtures/lint', 'examples', '--format', 'sarif', '--now', '2026-11-22T08:00:00Z']);
  assert.is(r.code, 1);
  const log = JSON.parse(r.stdout) as Sarif;
  const ok = validate(log);
  assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  assert.is(log.version, '2.1.0');
  const [runLog] = log.runs;
  assert.ok(runLog && runLog.results.length > 20);
  const rules = runLog.tool.driver.rules;
  for (const result of runLog.results) {
    assert.is(rules[result.ruleIndex]?.id, result.ruleId);
    assert.ok(rules[result.ruleIndex]!.shortDescription.text.length > 10);
    const { artifactLocation, region } = result.locations[0]!.physicalLocation;
    assert.ok(artifactLocation.uri.startsWith('test/fixtures/lint/'), artifactLocation.uri);
    assert.ok(region.startLine >= 1 && region.startColumn >= 1 && region.endLine >= region.startLine && region.endColumn >= 1);
  }
  const phse = runLog.results.find((res) => res.ruleId === 'schema-unknown-field');
  assert.equal(phse?.locations[0]?.physicalLocation.region, { startLine: 10, startColumn: 7, endLine: 10, endColumn: 11 });
});

test('the validator does reject a broken log', () => {
  const validate = sarifValidator();
  assert.not.ok(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }));
  assert.not.ok(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { region: { startLine: 0 } } }] }] }] }));
});

test('a clean run is a valid SARIF log with no results', async () => {
  const validate = sarifValidator();
  const r = await run(['lint', 'examples', '--format', 'sarif', '--now', '2026-11-22T08:00:00Z']);
  assert.is(r.code, 0);
  const log = JSON.parse(r.stdout) as Sarif;
  assert.ok(validate(log), JSON.stringify(validate.errors));
  assert.equal(log.runs[0]!.results, []);
});

test('file names with spaces or odd characters become valid relative URIs', async () => {
  const validate = sarifValidator();
  const r = await run(['lint', '-', '--format', 'sarif'], { stdin: 'kind: [' });
  const log = JSON.parse(r.stdout) as Sarif;
  assert.ok(validate(log), JSON.stringify(validate.errors));
  assert.is(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, '%3Cstdin%3E');
});

test.run();
