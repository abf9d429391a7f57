// Schema errors, table-driven: each points at the offending node (unknown field at its key,
// wrong value at the value, missing field at the mapping that should hold it) with a message
// that says what to do.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { file, group, lintText, policy, positionOf, schedule } from './manifest-texts.ts';

interface Case {
  name: string;
  text: string;
  rule: string;
  /** Where the finding starts and, when given as the whole node, ends. */
  at: [snippet: string, nth?: number];
  message: RegExp;
}

const cases: Case[] = [
  {
    name: 'an unknown field points at its key, with a suggestion',
    text: policy('p', 'software:\n  firmware:\n    phse: Test'),
    rule: 'schema-unknown-field',
    at: ['phse'],
    message: /^unknown field 'phse' in spec\.software\.firmware; did you mean 'phase'\?$/,
  },
  {
    name: 'an unknown field without a close match lists the allowed ones',
    text: policy('p', 'rollout:\n  speed: fast'),
    rule: 'schema-unknown-field',
    at: ['speed'],
    message: /unknown field 'speed' in spec\.rollout; allowed: waves, soak, bakeTime, maxConcurrent, operationTimeout, skipDevicesInUse, meetings, failureThreshold/,
  },
  {
    name: 'an unknown top-level field',
    text: policy('p').replace('spec:', 'specs: {}\nspec:'),
    rule: 'schema-unknown-field',
    at: ['specs'],
    message: /unknown field 'specs' in the top level of the UpdatePolicy; did you mean 'spec'\?/,
  },
  {
    name: 'a value outside an enum points at the value',
    text: policy('p', 'software:\n  firmware:\n    phase: Weekly'),
    rule: 'schema-enum',
    at: ['Weekly'],
    message: /'Weekly' is not one of Test, General, Final/,
  },
  {
    name: 'an enum typo gets a suggestion',
    text: policy('p', 'maintenanceWindows:\n  - { start: "22:00", end: "05:00", days: [Mon, Tues] }'),
    rule: 'schema-enum',
    at: ['Tues'],
    message: /spec\.maintenanceWindows\[0\]\.days\[1\]: 'Tues' is not one of Mon, .*; did you mean 'Tue'\?/,
  },
  {
    name: 'a time in the wrong form explains the form',
    text: policy('p', 'maintenanceWindows:\n  - start: "9:00"\n    end: "17:00"'),
    rule: 'schema-pattern',
    at: ['"9:00"'],
    message: /'9:00' is not valid: expected a wall-clock time, HH:MM on a 24-hour clock/,
  },
  {
    name: 'a timestamp format error explains the form',
    text: policy('p', 'suspend: { reason: x, by: y, until: "next week" }'),
    rule: 'schema-pattern',
    at: ['"next week"'],
    message: /expected an instant, RFC 3339 with offset/,
  },
  {
    name: 'a number where text is expected suggests quotes',
    text: schedule('s', 'targets: { deviceIds: [d1] }\nsoftware:\n  - type: firmware\n    version: 1.10'),
    rule: 'schema-type',
    at: ['1.10'],
    message: /expected text, got the number 1\.1; write it in quotes \("1\.10"\)/,
  },
  {
    name: 'text where a whole number is expected',
    text: group('g', 'priority: high\ntimeZone: UTC'),
    rule: 'schema-type',
    at: ['high'],
    message: /spec\.priority: expected a whole number, got the text 'high'/,
  },
  {
    name: 'an empty value where a mapping is expected',
    text: policy('p', 'rollout:'),
    rule: 'schema-type',
    at: ['rollout'],
    message: /spec\.rollout: expected a mapping .*got nothing/,
  },
  {
    name: 'a missing required field points at the mapping that lacks it',
    text: schedule('s', 'software: [{ type: teamsClient }]'),
    rule: 'schema-required',
    at: ['spec'],
    message: /missing required field 'targets' in spec/,
  },
  {
    name: 'a missing field in a list item points at the item',
    text: policy('p', 'maintenanceWindows:\n  - end: "05:00"'),
    rule: 'schema-required',
    at: ['end: "05:00"'],
    message: /missing required field 'start' in spec\.maintenanceWindows\[0\]/,
  },
  {
    name: 'a missing spec points at the start of the document',
    text: 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: g\n',
    rule: 'schema-required',
    at: ['apiVersion'],
    message: /missing required field 'spec' in the top level of the DeviceGroup/,
  },
  {
    name: 'a number out of range',
    text: group('g', 'priority: 5000\ntimeZone: UTC'),
    rule: 'schema-range',
    at: ['5000'],
    message: /spec\.priority: 5000 is out of range; it must be at most 1000/,
  },
  {
    name: 'an empty list where one entry is needed',
    text: schedule('s', 'targets: { deviceIds: [d1] }\nsoftware: []'),
    rule: 'schema-size',
    at: ['[]'],
    message: /spec\.software: needs at least 1 entry/,
  },
  {
    name: 'empty targets ask for one of the fields',
    text: schedule('s', 'targets: {}\nsoftware: [{ type: teamsClient }]'),
    rule: 'schema-size',
    at: ['{}'],
    message: /spec\.targets: must not be empty; give at least one of groupRef, selector, deviceIds/,
  },
  {
    name: 'a bad object name',
    text: policy('Bad_Name'),
    rule: 'schema-pattern',
    at: ['Bad_Name'],
    message: /metadata\.name: 'Bad_Name' is not valid: expected a Kubernetes object name/,
  },
];

for (const c of cases) {
  test(c.name, () => {
    const findings = lintText(c.text).filter((f) => f.rule.startsWith('schema-'));
    assert.is(findings.length, 1, findings.map((f) => `${f.rule} ${f.message}`).join('\n'));
    const f = findings[0]!;
    const p = positionOf(c.text, c.at[0], c.at[1]);
    assert.is(f.rule, c.rule);
    assert.is(`${f.line}:${f.column}`, `${p.line}:${p.column}`, f.message);
    assert.match(f.message, c.message);
    assert.is(f.severity, 'error');
  });
}

test('a wrong value spans exactly its node', () => {
  const text = policy('p', 'software:\n  firmware:\n    phase: Weekly');
  const [f] = lintText(text);
  const p = positionOf(text, 'Weekly');
  assert.equal([f?.line, f?.column, f?.endLine, f?.endColumn], [p.line, p.column, p.line, p.endColumn]);
  assert.is(f?.path, '/spec/software/firmware/phase');
});

test('an unknown key spans exactly the key', () => {
  const text = policy('p', 'software:\n  firmware:\n    phse: Test');
  const [f] = lintText(text);
  const p = positionOf(text, 'phse');
  assert.equal([f?.column, f?.endColumn], [p.column, p.endColumn]);
  assert.is(f?.path, '/spec/software/firmware/phse');
});

test('a wrong type is reported once, not also as enum or pattern', () => {
  const findings = lintText(policy('p', 'software:\n  firmware:\n    phase: 3'));
  assert.equal(findings.map((f) => f.rule), ['schema-type']);
});

test('every schema finding of a broken manifest has a position inside the file', () => {
  const text = file(policy('p', 'software:\n  firmware: { phse: x, phase: y, mode: z }\nrollout: { waves: [{ percent: 500 }] }'), group('g', 'include: 5'));
  const lines = text.split('\n').length;
  const findings = lintText(text);
  assert.ok(findings.length >= 5);
  for (const f of findings) {
    assert.ok(f.line >= 1 && f.line <= lines && f.column >= 1 && f.endLine >= f.line, JSON.stringify(f));
    if (f.endLine === f.line) assert.ok(f.endColumn > f.column, JSON.stringify(f));
  }
});

test.run();
