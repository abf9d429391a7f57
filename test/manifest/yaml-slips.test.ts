// A slip of the hand in a manifest gives one finding, at the line where it was made, in plain
// words: not the parser's cascade of errors lines later. Each case changes one line (or two) of
// a valid manifest; parseYamlFile must answer with exactly the expected finding.
import fc from 'fast-check';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseYamlFile } from '../../controller/manifest/parse-yaml-file.ts';
import { findYamlSlips, repairYamlSlips } from '../../controller/manifest/yaml-slips.ts';

// Line numbers of the lines the cases change.
const group = [
  'apiVersion: firmwarden.dev/v1alpha1', //  1
  'kind: DeviceGroup', //                    2
  'metadata:', //                            3
  '  name: lab', //                          4
  '  namespace: rooms', //                   5
  'spec:', //                                6
  '  description: Pilot devices', //         7
  '  policyRef:', //                         8
  '    name: lab', //                        9
  '  selector:', //                         10
  '    tags: [lab]', //                     11
  '  priority: 100', //                     12
  '  timeZone: Europe/Paris', //            13
];

const policy = [
  'apiVersion: firmwarden.dev/v1alpha1', //  1
  'kind: UpdatePolicy', //                   2
  'metadata:', //                            3
  '  name: lab', //                          4
  'spec:', //                                5
  '  software:', //                          6
  '    firmware:', //                        7
  '      mode: automatic', //                8
  '      phase: Test', //                    9
  '  maintenanceWindows:', //               10
  '    - name: lab-hours', //               11
  '      days: [Mon, Tue, Wed, Thu, Fri]', // 12
  '      start: "09:00"', //                13
  '      end: "17:00"', //                  14
  '  rollout:', //                          15
  '    waves:', //                          16
  '      - percent: 100', //                17
];

/** `lines` with line `n` (1-based) replaced by `text` (or by several lines). */
function edit(lines: readonly string[], changes: Readonly<Record<number, string>>): string {
  return `${lines.map((l, i) => changes[i + 1] ?? l).join('\n')}\n`;
}

interface Case {
  readonly name: string;
  readonly text: string;
  /** line:column rule message, one per finding. */
  readonly expect: readonly string[];
}

const cases: Case[] = [
  {
    name: 'a line indented more than its siblings',
    text: edit(group, { 7: '    description: Pilot devices' }),
    expect: ['7:5 yaml-syntax line 7 is indented more than the lines around it: it starts at column 5, line 8 at column 3'],
  },
  {
    name: 'a line indented more, under a line that already has its value',
    text: edit(group, { 9: '    name: lab\n      kind: UpdatePolicy' }),
    expect: ['10:7 yaml-syntax line 10 is indented more than the lines around it: it starts at column 7, line 9 at column 5'],
  },
  {
    name: 'the last line indented more',
    text: edit(group, { 13: '    timeZone: Europe/Paris' }),
    expect: ['13:5 yaml-syntax line 13 is indented more than the lines around it: it starts at column 5, line 12 at column 3'],
  },
  {
    name: 'a line indented less than its siblings',
    text: edit(group, { 10: ' selector:' }),
    expect: ['10:2 yaml-syntax line 10 is indented less than the lines around it: it starts at column 2, line 8 at column 3'],
  },
  {
    name: 'two sibling lines indented alike, but more than the others: one slip',
    text: edit(group, { 12: '      priority: 100', 13: '      timeZone: Europe/Paris' }),
    expect: ['12:7 yaml-syntax lines 12-13 are indented more than the lines around them: they start at column 7, line 11 at column 5'],
  },
  {
    name: 'a key of a list item indented more than the item\'s first key',
    text: edit(policy, { 13: '       start: "09:00"' }),
    expect: ['13:8 yaml-syntax line 13 is indented more than the lines around it: it starts at column 8, line 12 at column 7'],
  },
  {
    name: 'a tab in the indentation',
    text: edit(group, { 9: '\tname: lab' }),
    expect: ['9:1 yaml-syntax a tab is used for indentation at line 9: use spaces'],
  },
  {
    name: 'a tab after spaces',
    text: edit(group, { 12: '  \tpriority: 100' }),
    expect: ['12:3 yaml-syntax a tab is used for indentation at line 12: use spaces'],
  },
  {
    name: 'an unclosed double quote',
    text: edit(group, { 7: '  description: "Pilot devices' }),
    expect: ['7:16 yaml-syntax an unclosed quote starting at line 7: end the value with "'],
  },
  {
    name: 'an unclosed single quote',
    text: edit(group, { 7: "  description: 'Pilot devices" }),
    expect: ["7:16 yaml-syntax an unclosed quote starting at line 7: end the value with '"],
  },
  {
    name: 'an unclosed quote that a later quote seems to close',
    text: edit(policy, { 13: '      start: "09:00' }),
    expect: ['13:14 yaml-syntax an unclosed quote starting at line 13: end the value with "'],
  },
  {
    name: 'an unclosed bracket',
    text: edit(group, { 11: '    tags: [lab' }),
    expect: ["11:11 yaml-syntax an unclosed '[' starting at line 11: end the list with ']'"],
  },
  {
    name: 'an unclosed brace',
    text: edit(group, { 11: '    matchLabels: {site: paris' }),
    expect: ["11:18 yaml-syntax an unclosed '{' starting at line 11: end the mapping with '}'"],
  },
  {
    name: 'a missing colon between key and value',
    text: edit(group, { 7: '  description Pilot devices' }),
    expect: ["7:3 yaml-syntax a key with no value or a missing ':' at line 7"],
  },
  {
    name: 'a key without its colon, its block below',
    text: edit(group, { 8: '  policyRef' }),
    expect: ["8:3 yaml-syntax a key with no value or a missing ':' at line 8"],
  },
  {
    name: 'a colon inside a plain value',
    text: edit(group, { 7: '  description: Note: pilot devices' }),
    expect: ["7:20 yaml-syntax a ':' inside the value at line 7: put the value in quotes"],
  },
  {
    name: 'the same key twice in one mapping',
    text: edit(group, { 5: '  name: lab2' }),
    expect: ["5:3 yaml-duplicate-key the same key 'name' twice in one mapping at lines 4 and 5: keep only one"],
  },
  {
    name: 'a slip in the second document of a file is found there, once',
    text: `${edit(group, {})}---\n${edit(group, { 7: '    description: Pilot devices' })}`,
    expect: ['21:5 yaml-syntax line 21 is indented more than the lines around it: it starts at column 5, line 22 at column 3'],
  },
  {
    name: 'two slips in one file: two findings',
    text: edit(group, { 7: '    description: Pilot devices', 11: '    tags: [lab' }),
    expect: [
      '7:5 yaml-syntax line 7 is indented more than the lines around it: it starts at column 5, line 8 at column 3',
      "11:11 yaml-syntax an unclosed '[' starting at line 11: end the list with ']'",
    ],
  },
  {
    name: 'a byte order mark does not shift the lines, and counts on the first line',
    text: `\uFEFF${edit(group, { 1: 'apiVersion firmwarden.dev/v1alpha1' })}`,
    expect: ["1:2 yaml-syntax a key with no value or a missing ':' at line 1"],
  },
  {
    name: 'the manifests as written: nothing',
    text: edit(group, {}) + '---\n' + edit(policy, {}),
    expect: [],
  },
];

const slips = suite('a YAML slip gives one finding at its line');

for (const c of cases) {
  slips(c.name, () => {
    const { findings } = parseYamlFile('m.yaml', c.text);
    assert.equal(findings.map((f) => `${f.line}:${f.column} ${f.rule} ${f.message}`), c.expect);
  });
}

slips('a slip the patterns do not know still gives one finding, at the parser\'s place', () => {
  const { findings } = parseYamlFile('m.yaml', edit(group, { 11: '    tags: [lab]]' }));
  assert.is(findings.length, 1, JSON.stringify(findings));
  assert.is(findings[0]!.rule, 'yaml-syntax');
  assert.is(findings[0]!.line, 11);
});

slips('the finding spans the slip on its line', () => {
  const { findings } = parseYamlFile('m.yaml', edit(group, { 9: '  \tname: lab' }));
  assert.equal({ line: findings[0]!.line, column: findings[0]!.column, endLine: findings[0]!.endLine, endColumn: findings[0]!.endColumn }, { line: 9, column: 3, endLine: 9, endColumn: 4 });
});

const valid = suite('findYamlSlips on YAML that is valid');

const validTexts: ReadonlyArray<[string, string]> = [
  ['a list at its key\'s own indentation', 'a:\n- x\n- y\nb: 1\n'],
  ['a plain value continued on the next line', 'a: one\n  two\nb: 1\n'],
  ['a block scalar with anything in it', 'a: |\n  x:\n      y: "\n\tz\nb: 1\n'],
  ['a flow list over lines', 'a: [x,\n  y]\nb: 1\n'],
  ['a flow mapping alone under its key', 'a:\n  {\n    "x": 1\n  }\nb: 1\n'],
  ['a quoted value over lines', 'a: "one\n  two"\nb: 1\n'],
  ['an anchor alone on its line', 'a:\n  &x\n  b: 1\nc: *x\n'],
  ['an anchor before a block', 'a: &x\n  b: 1\nc: *x\n'],
  ['a list in a list', 'a:\n  - - x\n    - y\n  - z\n'],
  ['list items with mappings', 'a:\n  - name: x\n    value: 1\n  - name: y\n'],
  ['comments anywhere', '# c\na:   # c\n  # c\n  b: 1 # c\n'],
  ['times and URLs in values', 'a: 09:00\nb: https://x.example/y\n'],
];
for (const [name, text] of validTexts) valid(name, () => assert.equal(findYamlSlips(text), []));

const any = suite('findYamlSlips on any text');

// Lines made of YAML's pieces (keys, dashes, quotes, brackets, tabs, anchors, block scalars).
const piece = fc.constantFrom('a:', 'b: 1', '- ', '-', '"', "'", '[', ']', '{', '}', ': ', '\t', '  ', ' ', '#', '&x', '*x', '|', '>-', 'c: "x', '---', '\r', '\uFEFF', 'd: [1,', 'e: {f: 1');
const yamlish = fc.array(fc.array(piece, { maxLength: 6 }).map((p) => p.join('')), { maxLength: 30 }).map((l) => l.join('\n'));

any('never throws; each slip on a line of the text; repairs keep the lines where they are', () => {
  fc.assert(
    fc.property(yamlish, (text) => {
      const found = findYamlSlips(text);
      const count = text.split('\n').length;
      for (const slip of found) {
        assert.ok(slip.line >= 1 && slip.line <= count && slip.column >= 1 && slip.endColumn >= slip.column, JSON.stringify(slip));
        for (const no of slip.repair.keys()) assert.ok(no >= 1 && no <= count);
      }
      assert.is(repairYamlSlips(text, found).split('\n').length, count);
      // The whole file: never a throw.
      parseYamlFile('any.yaml', text);
    }),
    { seed: 2424, numRuns: 400 },
  );
});

slips.run();
valid.run();
any.run();
