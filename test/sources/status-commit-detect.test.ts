// Pure comparisons behind "status-only change" and "timestamp-only status".
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  canonicalJson,
  describeDocuments,
  isSameStatus,
  isStatusOnlyFilesChange,
  isStatusOnlyTextChange,
} from '../../controller/sources/status-commit-detect.ts';

const base = 'kind: DeviceGroup\nmetadata:\n  name: lab\nspec:\n  paused: false\n';

const textChange = suite('isStatusOnlyTextChange');

const cases: [string, string, string, boolean][] = [
  ['identical texts', base, base, true],
  ['a status added', base, `${base}status:\n  ready: true\n`, true],
  ['a status changed', `${base}status:\n  ready: false\n`, `${base}status:\n  ready: true\n`, true],
  ['a comment added', base, `# hello\n${base}`, true],
  ['keys reordered', base, 'kind: DeviceGroup\nspec:\n  paused: false\nmetadata:\n  name: lab\n', true],
  ['a spec value changed', base, base.replace('false', 'true'), false],
  ['the name changed', base, base.replace('lab', 'lab2'), false],
  ['a document added', base, `${base}---\n${base}`, false],
  ['the new text is malformed', base, `${base}spec: [\n`, false],
  ['the old text was malformed and is fixed', 'spec: [\n', base, false],
];
for (const [name, before, after, expected] of cases) {
  textChange(`${name} → ${expected}`, () => {
    assert.is(isStatusOnlyTextChange(before, after), expected);
  });
}

const filesChange = suite('isStatusOnlyFilesChange');

filesChange('a file added or removed is a spec change; status edits across files are not', () => {
  const a = [{ path: 'a.yaml', text: base }, { path: 'b.yaml', text: base }];
  assert.ok(isStatusOnlyFilesChange(a, [{ path: 'a.yaml', text: `${base}status: {}\n` }, { path: 'b.yaml', text: base }]));
  assert.not.ok(isStatusOnlyFilesChange(a, [a[0]!]));
  assert.not.ok(isStatusOnlyFilesChange(a, [a[0]!, { path: 'c.yaml', text: base }]));
});

const statusEquality = suite('isSameStatus');

statusEquality('ignores volatile keys at any depth and key order, nothing else', () => {
  const volatile = new Set(['lastTransitionTime']);
  const a = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }], observedGeneration: 1 };
  const b = { observedGeneration: 1, conditions: [{ lastTransitionTime: '2026-02-02T00:00:00Z', status: 'True', type: 'Ready' }] };
  assert.ok(isSameStatus(a, b, volatile));
  assert.not.ok(isSameStatus(a, { ...b, observedGeneration: 2 }, volatile));
  assert.not.ok(isSameStatus(a, b, new Set()));
  assert.not.ok(isSameStatus(undefined, a, volatile));
});

const canonical = suite('canonicalJson');

canonical('sorts keys at every level but keeps array order', () => {
  assert.is(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
});

const facts = suite('describeDocuments');

facts('names each document and reads its status; broken documents are undefined', () => {
  const text = `${base}status:\n  ready: true\n---\nkind: UpdatePolicy\nmetadata:\n  name: p\n  namespace: ops\n---\nkind: [\n`;
  const docs = describeDocuments(text);
  assert.is(docs.length, 3);
  assert.equal(docs[0], { key: { kind: 'DeviceGroup', name: 'lab' }, status: { ready: true } });
  assert.equal(docs[1]?.key, { kind: 'UpdatePolicy', name: 'p', namespace: 'ops' });
  assert.is(docs[2], undefined);
});

textChange.run();
filesChange.run();
statusEquality.run();
canonical.run();
facts.run();
