// SpanCache keeps the spans of one file at a time (issue 17: lint's peak memory held every
// finding file's spans until the semantic checks ended), and findings placed through it are the
// ones a fresh read gives, whatever order the files' findings come in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readPlainYaml } from '../../controller/manifest/fast-yaml.ts';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import { parseYamlFile, SpanCache } from '../../controller/manifest/parse-yaml-file.ts';
import { locate } from '../../controller/manifest/yaml-document.ts';

const a = 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: a\nspec:\n  tags: [x]\n';
const b = 'apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata:\n  name: b\nspec:\n  phase: Test\n';

test('one file at a time: the same text is read once, another text replaces it', () => {
  const cache = new SpanCache();
  const first = cache.of(a);
  assert.is(cache.of(a), first, 'read again for the same text');
  const other = cache.of(b);
  assert.is.not(other, first);
  const again = cache.of(a);
  assert.is.not(again, first, "a's spans were kept after b's were read");
  assert.equal(again, readPlainYaml(a, { spans: true }));
});

test('a text the fast reader leaves to yaml has no spans', () => {
  assert.equal(new SpanCache().of('a: &x 1\nb: *x\n'), []);
});

test('positions through one shared cache, files asked in turn, equal those of a cache per file', () => {
  const shared = new SpanCache();
  const viaShared = [parseYamlFile('a.yaml', a, undefined, { spans: shared }), parseYamlFile('b.yaml', b, undefined, { spans: shared })];
  const alone = [parseYamlFile('a.yaml', a), parseYamlFile('b.yaml', b)];
  const paths: (string | number)[][] = [['metadata', 'name'], ['spec'], ['kind'], ['spec', 'tags', 0], ['spec', 'phase']];
  // a, b, a, b…: every ask switches files, the worst order for a one-file cache.
  for (const path of paths) {
    for (const i of [0, 1]) {
      for (const target of ['key', 'value', 'start'] as const) {
        assert.equal(locate(viaShared[i]!.documents[0]!, path, target), locate(alone[i]!.documents[0]!, path, target), `${i} ${path.join('.')} ${target}`);
      }
    }
  }
});

test('parseManifests: findings the same with the fast path (one shared cache) as with yaml alone', () => {
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
