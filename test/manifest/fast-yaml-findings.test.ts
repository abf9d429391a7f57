// The fast YAML path changes nothing lint says: for each document below, whether the fast
// reader takes it or leaves it to yaml, the findings are the same as with yaml alone, field for
// field, and each is at the exact line and column expected. The table names the path each
// case takes, so a change in what the fast path reads shows up here.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readPlainYaml } from '../../controller/manifest/fast-yaml.ts';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import { brief, now } from './manifest-texts.ts';

const test = suite('fast-yaml findings');

// A group with a finding on a one-line value (line 9) and a warning-free policy it follows.
const groupLines = [
  'apiVersion: firmwarden.dev/v1alpha1', // 1
  'kind: DeviceGroup', //                   2
  'metadata:', //                           3
  '  name: lab', //                         4
  'spec:', //                               5
  '  policyRef:', //                        6
  '    name: lab', //                       7
  '  selector: {tags: [lab]}', //           8
  '  timeZone: Europe/Pariss', //           9
];
const policyLines = ['apiVersion: firmwarden.dev/v1alpha1', 'kind: UpdatePolicy', 'metadata:', '  name: lab', 'spec:', '  description: ok'];
const lines = (...l: string[]) => `${l.join('\n')}\n`;
const groupText = lines(...groupLines);
const zone = 'invalid-time-zone@9:13';

const cases: { name: string; text: string; fast: boolean; expect: string[] }[] = [
  { name: 'plain block YAML', text: groupText, fast: true, expect: [zone] },
  { name: 'comments with # in values and after them', text: lines(...groupLines.slice(0, 7), '  # a comment', '  selector: {tags: [lab]}  # tags', '  timeZone: Europe/Pariss # typo', '  description: "a # in quotes" # end'), fast: true, expect: ['invalid-time-zone@10:13'] },
  { name: 'flow styles', text: lines(...groupLines.slice(0, 5), '  policyRef: {name: lab}', '  selector: {tags: [lab, "x"], deviceTypes: [teamsRoom]}', '  include: [a, b, a]', '  timeZone: Europe/Pariss'), fast: true, expect: ['invalid-time-zone@9:13'] },
  { name: 'a finding inside a flow list', text: lines(...groupLines.slice(0, 7), '  selector: {tags: [lab], deviceTypes: [teamsRoom, toaster]}', '  timeZone: Europe/Paris'), fast: true, expect: ['schema-enum@8:52'] },
  { name: 'multi-document, finding in the second', text: `${lines(...policyLines)}---\n${groupText}`, fast: true, expect: ['invalid-time-zone@16:13'] },
  { name: 'CRLF line ends', text: groupText.replaceAll('\n', '\r\n'), fast: true, expect: [zone] },
  { name: 'a block collection at fault (placed by yaml)', text: lines(...groupLines.slice(0, 7), '  selector:', '    - lab', '  timeZone: Europe/Paris'), fast: true, expect: ['schema-type@9:5'] },
  { name: 'unknown field, at its key', text: lines(...groupLines.slice(0, 8), '  timezone: Europe/Paris'), fast: true, expect: ['schema-unknown-field@9:3'] },
  { name: 'anchors and aliases', text: lines(...groupLines.slice(0, 6), '    name: &p lab', '  selector: {tags: [*p]}', '  timeZone: Europe/Pariss'), fast: false, expect: [zone] },
  { name: 'tags', text: lines(...groupLines.slice(0, 8), '  timeZone: !!str Europe/Pariss'), fast: false, expect: ['invalid-time-zone@9:19'] },
  { name: 'duplicate keys', text: lines(...groupLines, '  timeZone: Europe/Paris'), fast: false, expect: ['yaml-duplicate-key@10:3'] },
  { name: 'merge keys', text: lines(...groupLines.slice(0, 5), '  <<: {priority: 1}', '  policyRef:', '    name: lab', '  selector: {tags: [lab]}'), fast: false, expect: ['schema-unknown-field@6:3'] },
  { name: 'a tab in the indentation', text: lines(...groupLines.slice(0, 8), '\ttimeZone: Europe/Paris'), fast: false, expect: ['yaml-syntax@9:1'] },
  { name: 'a tab inside a value', text: lines(...groupLines.slice(0, 8), '  timeZone: Europe/Pariss\t# typo'), fast: false, expect: [zone] },
  { name: 'byte order mark', text: `\uFEFF${groupText}`, fast: false, expect: [zone] },
  { name: 'a comment after the last line', text: `${groupText}# end\n`, fast: false, expect: [zone] },
  { name: 'escapes in double quotes', text: lines(...groupLines.slice(0, 8), '  timeZone: "Europe/Pari\\u0073s"'), fast: false, expect: [zone] },
  { name: 'a plain value over two lines', text: lines(...groupLines.slice(0, 8), '  timeZone: Europe/', '    Pariss'), fast: false, expect: ['schema-pattern@9:13'] },
];

for (const c of cases) {
  test(`${c.name}: ${c.fast ? 'fast path' : 'yaml'}, same findings either way`, () => {
    const files = [{ path: 'm.yaml', text: c.text }, { path: 'policy.yaml', text: lines(...policyLines) }];
    if (c.text.includes('kind: UpdatePolicy')) files.pop();
    assert.is(readPlainYaml(c.text) !== undefined, c.fast, 'which path');
    const fast = parseManifests(files, { now });
    const slow = parseManifests(files, { now, fastYaml: false });
    assert.equal(brief(fast.findings), c.expect);
    assert.equal(fast.findings, slow.findings);
    assert.equal(fast.documents, slow.documents);
    assert.equal(fast.manifests, slow.manifests);
  });
}

test('the examples read the same either way', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const root = new URL('../../examples/', import.meta.url);
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ path: f, text: readFileSync(new URL(f, root), 'utf8') }));
  assert.ok(files.filter((f) => readPlainYaml(f.text) !== undefined).length > files.length / 2, 'most examples take the fast path');
  const fast = parseManifests(files, { now });
  const slow = parseManifests(files, { now, fastYaml: false });
  assert.equal(fast, slow);
});

test.run();
