// The loader's contract: YAML problems with positions, hostile input refused with one clear
// finding, documents classified by kind, one bad document never hiding the good ones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import { brief, file, group, lintText, now, policy, positionOf } from './manifest-texts.ts';

interface YamlCase {
  name: string;
  text: string;
  expect: string[];
  message?: RegExp;
}

const okPolicy = policy('p');

const yamlCases: YamlCase[] = [
  { name: 'an empty file is a warning', text: '', expect: ['file-empty@1:1'] },
  { name: 'a file of blanks is empty', text: '\n  \n\t\n', expect: ['file-empty@1:1'] },
  { name: 'a file of comments holds no manifest', text: '# nothing here\n', expect: ['file-empty@1:1'], message: /only comments/ },
  { name: 'a syntax error has its position: an unclosed bracket at the bracket', text: 'a: [1, 2\nb: 3\n', expect: ['yaml-syntax@1:4'], message: /an unclosed '\[' starting at line 1/ },
  { name: 'tabs as indentation', text: `${okPolicy}\tx: 1\n`, expect: ['yaml-syntax@7:1'] },
  { name: 'a duplicate key is reported at the second key', text: okPolicy.replace('kind: UpdatePolicy', 'kind: UpdatePolicy\nkind: UpdatePolicy'), expect: ['yaml-duplicate-key@3:1'], message: /the same key 'kind' twice in one mapping at lines 2 and 3/ },
  { name: 'a duplicate key deep inside', text: policy('p', 'rollout:\n  bakeTime: 1h\n  bakeTime: 2h'), expect: ['yaml-duplicate-key@8:5'] },
  { name: 'NUL bytes mean binary', text: 'apiVersion: x\n\u0000\u0001\u0002', expect: ['file-binary@2:1'] },
  { name: 'an unknown alias', text: `${okPolicy}description: *nope\n`, expect: ['yaml-syntax@7:14'], message: /alias '\*nope' has no anchor/ },
  { name: 'a list document is not a manifest', text: '- a\n- b\n', expect: ['not-a-mapping@1:1'] },
  { name: 'a text document is not a manifest', text: 'just words\n', expect: ['not-a-mapping@1:1'] },
  { name: 'a document without apiVersion or kind', text: 'name: x\n', expect: ['unknown-kind@1:1'], message: /no apiVersion and no kind; supported kinds: DeviceGroup, UpdatePolicy, ScheduledUpdate/ },
  { name: 'an unknown kind of ours', text: okPolicy.replace('kind: UpdatePolicy', 'kind: UpdatePolcy'), expect: ['unknown-kind@2:7'], message: /unknown kind 'UpdatePolcy'; did you mean 'UpdatePolicy'\?; supported kinds/ },
  { name: 'an unsupported version of ours', text: okPolicy.replace('v1alpha1', 'v1'), expect: ['unknown-kind@1:13'], message: /unsupported apiVersion 'firmwarden.dev\/v1'/ },
  { name: 'one of our kinds with a wrong apiVersion', text: okPolicy.replace('firmwarden.dev/v1alpha1', 'v1'), expect: ['unknown-kind@1:13'], message: /UpdatePolicy needs apiVersion: firmwarden.dev\/v1alpha1/ },
  { name: 'a Kubernetes object of another group is left alone', text: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: firmwarden\n', expect: [] },
  { name: 'a stray document separator at the end is nothing', text: `${okPolicy}---\n`, expect: [] },
  { name: 'a mapping key that is a mapping', text: '? { a: 1 }\n: x\n', expect: ['unknown-kind@1:1', 'yaml-syntax@1:3'] },
];

for (const c of yamlCases) {
  test(c.name, () => {
    const findings = lintText(c.text);
    assert.equal(brief(findings), c.expect, findings.map((f) => f.message).join('\n'));
    if (c.message) assert.match(findings[0]!.message, c.message);
  });
}

test('hostile: an alias bomb ends with one finding', () => {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const findings = lintText(`${levels.join('\n')}\n`);
  assert.equal(findings.map((f) => f.rule), ['yaml-aliases']);
  assert.match(findings[0]!.message, /alias bomb/);
});

test('hostile: thousands of aliases are refused before parsing', () => {
  const findings = lintText(`a: &a x\nb: [${Array(2000).fill('*a').join(', ')}]\n`);
  assert.equal(brief(findings), ['yaml-aliases@2:5']);
});

test('hostile: unclosed brackets nested deep are refused before parsing', () => {
  assert.equal(lintText('{'.repeat(50000)).map((f) => f.rule), ['yaml-too-deep']);
  assert.equal(lintText(`a: ${'{b: ['.repeat(40)}`).map((f) => f.rule), ['yaml-too-deep']);
  // The same brackets inside a quoted string are text.
  assert.equal(lintText(`a: "${'{'.repeat(100)}"\n`).map((f) => f.rule), ['unknown-kind']);
});

test('hostile: compact nesting thousands deep is refused', () => {
  assert.equal(lintText(`${'- '.repeat(5000)}x\n`).map((f) => f.rule), ['yaml-too-deep']);
});

test('hostile: a 30 MB text is refused by size without being parsed', () => {
  const big = `a: "${'x'.repeat(30 * 1024 * 1024)}"\n`;
  const { findings } = parseManifests([{ path: 'big.yaml', text: big }], { now });
  assert.equal(findings.map((f) => f.rule), ['file-too-large']);
  assert.match(findings[0]!.message, /30 MiB, over the 1 MiB limit/);
});

test('maxFileBytes sets the limit', () => {
  const { findings } = parseManifests([{ path: 'p.yaml', text: okPolicy }], { now, maxFileBytes: 20 });
  assert.equal(findings.map((f) => f.rule), ['file-too-large']);
});

test('hostile: a 50,000-key mapping is parsed and checked for duplicates in linear time', () => {
  const text = `${Array.from({ length: 50000 }, (_, i) => `k${i}: v`).join('\n')}\nk7: again\n`;
  const findings = lintText(text);
  assert.equal(brief(findings), ['unknown-kind@1:1', 'yaml-duplicate-key@50001:1']);
});

test('one bad document never hides the good ones', () => {
  const text = file(okPolicy, 'kind: [\n', group('g', 'policyRef: { name: p }\nselector: {}\ntimeZone: UTC'));
  const { manifests, findings } = parseManifests([{ path: 'm.yaml', text }], { now });
  assert.ok(findings.some((f) => f.rule === 'yaml-syntax'));
  assert.equal(
    manifests.map((m) => [m.key, m.valid, m.docIndex]),
    [
      ['default/UpdatePolicy/p', true, 0],
      ['default/DeviceGroup/g', true, 2],
    ],
  );
});

test('a manifest with an error-severity finding is invalid; warnings keep it valid', () => {
  const text = file(okPolicy, group('g', 'policyRef: { name: p }\nselector: {}'), group('h', 'policyRef: { name: missing }\nselector: {}\ntimeZone: UTC'));
  const { manifests } = parseManifests([{ path: 'm.yaml', text }], { now });
  assert.equal(
    manifests.map((m) => [m.key, m.valid]),
    [
      ['default/UpdatePolicy/p', true],
      ['default/DeviceGroup/g', true],
      ['default/DeviceGroup/h', false],
    ],
  );
});

test('LoadedManifest carries kind, typed manifest, file, docIndex, range and key', () => {
  const text = `# leading comment\n${file(okPolicy, group('g', 'policyRef: { name: p }\nselector: {}\ntimeZone: UTC').replace('name: g', 'name: g\n  namespace: lab'))}`;
  const { manifests } = parseManifests([{ path: 'dir/m.yaml', text }], { now });
  const g = manifests[1]!;
  assert.is(g.kind, 'DeviceGroup');
  assert.is(g.file, 'dir/m.yaml');
  assert.is(g.docIndex, 1);
  assert.is(g.key, 'lab/DeviceGroup/g');
  if (g.kind === 'DeviceGroup') assert.is(g.manifest.spec.policyRef?.name, 'p');
  // Defaults are not injected.
  assert.is((g.manifest.spec as { priority?: number }).priority, undefined);
  assert.is(g.range.line, positionOf(text, '---').line);
  // A document's range starts at its content, after the comments that lead the file.
  assert.is(manifests[0]!.range.line, 2);
});

test('findings are sorted by file, line, column and rule, whatever the input order', () => {
  const a = { path: 'b.yaml', text: policy('p', 'software:\n  firmware: { phse: x }') };
  const b = { path: 'a.yaml', text: 'x: [\n' };
  const one = parseManifests([a, b], { now }).findings;
  const two = parseManifests([b, a], { now }).findings;
  assert.equal(one, two);
  assert.equal(one.map((f) => f.file), ['a.yaml', 'b.yaml']);
});

test('documents lists every document, foreign ones marked', () => {
  const text = file(okPolicy, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\n');
  const { documents } = parseManifests([{ path: 'm.yaml', text }], { now });
  assert.equal(
    documents.map((d) => [d.docIndex, d.kind ?? null, d.foreign]),
    [
      [0, 'UpdatePolicy', false],
      [1, null, true],
    ],
  );
});

test('CRLF files get the same positions as LF files', () => {
  const lf = policy('p', 'software:\n  firmware:\n    phse: Test');
  const crlf = lf.replaceAll('\n', '\r\n');
  assert.equal(brief(lintText(crlf)), brief(lintText(lf)));
});

test.run();
