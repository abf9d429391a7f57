// findRewriteDifference: the status writer's self-check accepts a text that reads like the old
// one outside the rewritten status, and names what differs otherwise.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { findRewriteDifference, readYaml } from '../../controller/manifest/status-rewrite-check.ts';

const before = `# group a
kind: DeviceGroup
metadata: {name: a}   # the name
spec:
  priority: 10
status:
  devices: 1   # old count
---
kind: DeviceGroup
metadata: {name: b}
`;

const two = { devices: 2 };
const withTwo = (text: string) => text.replace('devices: 1', 'devices: 2');

const cases: [name: string, after: string, status: Record<string, unknown> | undefined, expected: RegExp | undefined][] = [
  ['the status changed, its comment gone: accepted', before.replace('devices: 1   # old count', 'devices: 2'), two, undefined],
  ['the status removed when asked: accepted', before.replace('status:\n  devices: 1   # old count\n', ''), undefined, undefined],
  ['a spec value changed', withTwo(before.replace('priority: 10', 'priority: 11')), two, /document 0 would read differently outside status/],
  ['the other document changed', withTwo(before.replace('{name: b}', '{name: c}')), two, /document 1, which it was not asked to change, would read differently/],
  ['a document gone', withTwo(before.replace(/---[\s\S]*$/, '')), two, /it would hold 1 YAML document\(s\) instead of 2/],
  ['a syntax error', before.replace('devices: 1   # old count', 'devices: [2'), two, /document 0 would no longer parse/],
  ['the status is not the one written', before, two, /document 0's status would not read back as the status written/],
  ['a comment outside status gone', withTwo(before.replace('   # the name', '')), two, /a comment outside status would change/],
  ['a comment outside status changed', withTwo(before.replace('# group a', '# group A')), two, /a comment outside status would change/],
  ['a comment moved into the status', before.replace('# group a\n', '').replace('devices: 1   # old count', 'devices: 2 # group a'), two, /a comment outside status would change/],
];

for (const [name, after, status, expected] of cases) {
  test(name, () => {
    const found = findRewriteDifference(readYaml(before), readYaml(after), 0, status);
    if (expected === undefined) assert.is(found, undefined);
    else assert.match(found ?? '(accepted)', expected);
  });
}

test('a document whose aliases cannot be resolved is compared by its error, and accepted when unchanged', () => {
  const text = 'a: *missing\n---\nkind: DeviceGroup\n';
  assert.is(findRewriteDifference(readYaml(text), readYaml(`${text}status:\n  devices: 1\n`), 1, { devices: 1 }), undefined);
});

test.run();
