// The fast YAML reader (fast-yaml.ts) must never disagree with the `yaml` library: on any text
// it either gives up or gives exactly what parseAllDocuments gives (same documents, values,
// document ranges, no errors or warnings), and every span it reports places a finding exactly
// where yaml's nodes would. Generated manifest-like texts, with the constructs it must leave
// to yaml (anchors, tags, escapes, tabs, odd indentation…) mixed in.
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments, type Document } from 'yaml';
import { readPlainYaml } from '../../controller/manifest/fast-yaml.ts';
import { spanAt } from '../../controller/manifest/fast-yaml-spans.ts';
import { LineIndex } from '../../controller/manifest/line-index.ts';
import { parseOptions } from '../../controller/manifest/yaml-syntax-problems.ts';
import { locate, sourceAt, type PathSegment, type YamlDocument } from '../../controller/manifest/yaml-document.ts';

const test = suite('fast-yaml');

// What the fast path must read, then what it must read right or leave to yaml.
const common = [
  'a', 'Europe/Paris', 'policy-1', '1', '-1', '+3', '007', '-0', '0o17', '0x1F', '1.5', '1.50', '.5', '1e3', '-2.5E-3', '.inf', '-.Inf', '.nan', '.NaN',
  'true', 'False', 'TRUE', 'tRUE', 'null', '~', 'Null', 'NULL', 'yes', 'no', '1_000', '2026-12-18', '2026-12-18T21:00', '22:00', '48h', 'a b', 'a#b',
  'a # comment', '-x', 'a,b', 'x y   ', '[a, b]', '[a, [b, c]]', '{a: 1, b: [x]}', '[]', '{}', '[ ]', '[a, "b c", \'d\']', '[1, true, ~, .inf]',
  '"q"', "'q'", "'it''s'", '""', "''", '"x" # c', 'http://x.y/z', 'a:b', 'é ü 漢字', '|', '>-',
];
const odd = [
  'a: b', 'x:', '-', '- a', '?x', '? x', ':x', '@x', '`x', '%x', '&a x', '*a', '!tag x', '!!str 1', '[a, b, ]', '[a: b]', '{a}', '{a: 1, a: 2}', '[a #b]',
  '"a\\nb"', '"\\u00e9"', '"unterminated', "'x' y", '"x"#c', '"tab\there"', '|-', '>', '|+', '|2', '> # c',
];
const scalar = fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...common) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
const key = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('a', 'b', 'c', 'name', 'spec', 'dup', '"quoted key"', "'k'", '"a: b"', 'a b', 'k#x', '-k', 'x ') },
  { weight: 1, arbitrary: fc.constantFrom('1', 'true', '~', '<<', '__proto__', 'k #x', '"__proto__"', 'dup') },
);

type Node = { scalar: string } | { map: [string, Node][] } | { seq: Node[] } | { block: string; lines: string[] };

const node: fc.Memo<Node> = fc.memo((depth): fc.Arbitrary<Node> =>
  depth <= 1
    ? fc.oneof(
        fc.record({ scalar }),
        fc.record({ block: fc.constantFrom('|', '|-', '>', '>-'), lines: fc.array(fc.constantFrom('text', 'more text', 'text', '', '  indented', '# not a comment', 'a: b'), { minLength: 1, maxLength: 3 }) }),
      )
    : fc.oneof(
        { weight: 2, arbitrary: fc.record({ scalar }) },
        { weight: 3, arbitrary: fc.record({ map: fc.uniqueArray(fc.tuple(key, node(depth - 1)), { minLength: 1, maxLength: 3, selector: ([k]) => k }) }) },
        { weight: 1, arbitrary: fc.record({ map: fc.array(fc.tuple(key, node(depth - 1)), { minLength: 1, maxLength: 4 }) }) }, // duplicate keys too
        { weight: 2, arbitrary: fc.record({ seq: fc.array(node(depth - 1), { minLength: 1, maxLength: 3 }) }) },
      ),
);

/** Block YAML for `n` at `indent`, as the value after `key:` or `-` (`inline` when it may share the line). */
function render(n: Node, indent: number, step: number, compactSeq: boolean): { inline: string; lines: string[] } {
  const pad = ' '.repeat(indent);
  if ('scalar' in n) return { inline: n.scalar.startsWith('|') || n.scalar.startsWith('>') ? `${n.scalar}\n${pad}${' '.repeat(step)}x` : n.scalar, lines: [] };
  if ('block' in n) return { inline: n.block, lines: n.lines.map((l) => (l === '' ? '' : `${pad}${' '.repeat(step)}${l}`)) };
  const lines: string[] = [];
  if ('map' in n) {
    for (const [k, v] of n.map) {
      const r = render(v, indent + step, step, compactSeq);
      const seqHere = 'seq' in v && compactSeq;
      if (r.lines.length === 0) lines.push(`${pad}${k}: ${r.inline}`);
      else if (r.inline !== '') lines.push(`${pad}${k}: ${r.inline}`, ...r.lines);
      else lines.push(`${pad}${k}:`, ...(seqHere ? render(v, indent, step, compactSeq).lines : r.lines));
    }
  } else {
    for (const item of n.seq) {
      const r = render(item, indent + 2, step, compactSeq);
      if (r.lines.length === 0) lines.push(`${pad}- ${r.inline}`);
      else if (r.inline !== '') lines.push(`${pad}- ${r.inline}`, ...r.lines);
      else if ('map' in item) lines.push(`${pad}- ${r.lines[0]!.trimStart()}`, ...r.lines.slice(1));
      else lines.push(`${pad}-`, ...r.lines);
    }
  }
  return { inline: '', lines };
}

const extras = ['# comment', '  # indented comment', '', '   ', '---', '--- # c', '...', '%YAML 1.2', 'x\ty', '\t', 'k: &a v', 'k: *a', '- x', '  more', 'a: 1 # c', 'key:value'];

export const text = fc
  .record({
    docs: fc.array(fc.record({ root: fc.oneof(node(3), fc.constant({ map: [] as [string, Node][] })), marker: fc.constantFrom('', '---\n', '--- # x\n') }), { minLength: 1, maxLength: 3 }),
    step: fc.constantFrom(2, 2, 4, 1),
    compactSeq: fc.boolean(),
    inserts: fc.oneof(fc.constant([]), fc.constant([]), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...extras)), { maxLength: 2 })),
    crlf: fc.boolean(),
    bom: fc.constantFrom(false, false, false, true),
    finalNewline: fc.boolean(),
    lead: fc.constantFrom('', '# header\n', '\n', '# a\n\n'),
  })
  .map((t) => {
    let lines: string[] = [];
    t.docs.forEach((d, i) => {
      const body = render(d.root, 0, t.step, t.compactSeq);
      const marker = i === 0 ? d.marker : d.marker || '---\n';
      if (marker) lines.push(marker.trimEnd());
      lines.push(...(body.lines.length > 0 ? body.lines : [body.inline]));
    });
    for (const [at, extra] of t.inserts) lines.splice(at % (lines.length + 1), 0, extra);
    lines = lines.join('\n').split('\n');
    const out = t.lead + lines.join(t.crlf ? '\r\n' : '\n') + (t.finalNewline ? (t.crlf ? '\r\n' : '\n') : '');
    return (t.bom ? '\uFEFF' : '') + out;
  });

const trimEnd = (s: string, e: number) => {
  while (e > 0 && ' \t\r\n'.includes(s[e - 1]!)) e--;
  return e;
};

/** Every path of a plain value (below the root). */
function paths(value: unknown, prefix: PathSegment[] = []): PathSegment[][] {
  const out: PathSegment[][] = [];
  if (Array.isArray(value)) value.forEach((v, i) => out.push([...prefix, i], ...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...paths(v, [...prefix, k]));
  return out;
}

test('on any text: gives up, or agrees with yaml on documents, values, ranges and every span', () => {
  let read = 0;
  let runs = 0;
  fc.assert(
    fc.property(text, (t) => {
      runs++;
      const fast = readPlainYaml(t, { spans: true });
      if (fast === undefined) return;
      read++;
      const parsed = parseAllDocuments(t, parseOptions) as Document.Parsed[] | { length: 0 };
      const docs = Array.isArray(parsed) ? parsed : [];
      assert.is(fast.length, docs.length, 'document count');
      const lines = new LineIndex(t);
      docs.forEach((doc, i) => {
        const mine = fast[i]!;
        assert.equal(doc.errors.map((e) => e.code), [], 'yaml errors');
        assert.equal(doc.warnings.map((e) => e.code), [], 'yaml warnings');
        const theirs = doc.toJS({ maxAliasCount: 100 });
        assert.ok(isDeepStrictEqual(mine.value, theirs), `value of document ${i}: ${JSON.stringify(mine.value)} vs ${JSON.stringify(theirs)}`);
        if (mine.value === null) return;
        assert.is(mine.start, doc.range[0], 'document start');
        assert.is(trimEnd(t, mine.end), trimEnd(t, doc.range[1]), 'document end');
        const withYaml: YamlDocument = { file: 'f', index: i, doc, lines, value: theirs, range: [doc.range[0], doc.range[1]], empty: false };
        const withFast: YamlDocument = { ...withYaml, span: (path) => spanAt(mine, path) };
        for (const path of paths(theirs)) {
          for (const target of ['key', 'value', 'start'] as const) {
            assert.equal(locate(withFast, path, target), locate(withYaml, path, target), `${JSON.stringify(path)} ${target}`);
          }
          assert.is(sourceAt(withFast, path), sourceAt(withYaml, path), `source of ${JSON.stringify(path)}`);
        }
      });
    }),
    { numRuns: Number(process.env.RUNS ?? 3000) },
  );
  // The generator must exercise the fast path, not only its refusals.
  assert.ok(read > runs / 5, `the fast path read ${read} of ${runs} texts`);
});

test('without spans, the same documents and values as with them', () => {
  fc.assert(
    fc.property(text, (t) => {
      const a = readPlainYaml(t);
      const b = readPlainYaml(t, { spans: true });
      assert.is(a === undefined, b === undefined);
      if (a && b) assert.ok(isDeepStrictEqual(a.map((d) => [d.value, d.start, d.end]), b.map((d) => [d.value, d.start, d.end])));
    }),
    { numRuns: 300 },
  );
});

test.run();
