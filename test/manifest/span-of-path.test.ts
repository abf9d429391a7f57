// spanOfPath reads a file only up to the one node a finding names (issue 17: lint read every
// finding file again with all its spans, and again for a file a later check pointed back
// into), and places each node exactly where a read with all spans places it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readPlainYaml, spanOfPath } from '../../controller/manifest/fast-yaml.ts';
import { spanAt, spanPath } from '../../controller/manifest/fast-yaml-spans.ts';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';

const a = 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: a\nspec:\n  tags: [x]\n';
const b = 'apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata:\n  name: b\nspec:\n  phase: Test\n';

const texts: [string, string][] = [
  ['one document', a],
  ['two documents, the same paths in each', `${a}---\n${b}`],
  ['a leading marker and an empty document', `---\n---\n${b}`],
  ['lists of scalars and of mappings', 'spec:\n  items:\n  - x\n  - name: y\n    n: 2\n  -\n    deep: [1, {k: v}]\n'],
  ['flow collections, nested', 'm: {a: 1, b: [2, {c: 3}], d: {}}\nl: [[1, 2], [], {e: f}]\n'],
  ['empty values, block scalars and quotes', 'e:\nq: "quoted: yes"\ns: \'single\'\nlit: |\n  text\nfold: >-\n  more\nafter: 1\n'],
  ['a list at its key\'s indentation', 'spec:\n  software:\n  - type: os\n    version: "1.2"\n  - type: app\n'],
];

/** Every path to a node of `value`, and one step past each (to no node). */
function pathsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  const out = [path, [...path, 'absent'], [...path, 7]];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...path, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...path, k]));
  return out;
}

for (const [name, text] of texts) {
  test(`${name}: each path's span is the one a read with all spans gives`, () => {
    const docs = readPlainYaml(text, { spans: true });
    assert.ok(docs, 'the fixture is plain YAML');
    let placed = 0;
    docs.forEach((doc, index) => {
      for (const path of pathsOf(doc.value)) {
        const parts = spanPath(doc.value, path);
        const want = spanAt(doc, path);
        if (want) placed++;
        assert.equal(parts && spanOfPath(text, index, parts), want, `document ${index} ${JSON.stringify(path)}`);
      }
    });
    assert.ok(placed > 0, 'some node placed');
  });
}

test('a path to a node in another document, or past the last, has no span', () => {
  assert.is(spanOfPath(a, 1, ['kind']), undefined);
  assert.equal(spanOfPath(`${a}---\n${b}`, 1, ['kind']), { key: [a.length + 4 + b.indexOf('kind'), a.length + 4 + b.indexOf('kind') + 4], value: [a.length + 4 + b.indexOf('Update'), a.length + 4 + b.indexOf('Update') + 12] });
  assert.is(spanOfPath(a, 0, ['spec', 'tags', { index: 1 }]), undefined);
  assert.is(spanOfPath(a, 0, ['spec', { index: 0 }]), undefined, 'a key is not an index');
});

test('a text the fast reader leaves to yaml has no spans', () => {
  assert.is(spanOfPath('a: &x 1\nb: *x\n', 0, ['a']), undefined);
});

test('parseManifests: findings the same with the fast path as with yaml alone', () => {
  const files = [
    { path: 'g.yaml', text: a.replace('tags: [x]', 'tags: [x]\n  policyRef: { name: missing }\n  colour: red') },
    { path: 'p.yaml', text: b.replace('phase: Test', 'phase: Weekly') },
  ];
  const now = Date.parse('2026-11-22T08:00:00Z');
  const fast = parseManifests(files, { now });
  assert.ok(fast.findings.length >= 2);
  assert.equal(fast.findings, parseManifests(files, { now, fastYaml: false }).findings);
});

test.run();
