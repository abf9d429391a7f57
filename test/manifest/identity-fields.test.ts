// apiVersion and kind that are not text (issue 18): a mapping — even one whose keys are
// toString, valueOf, __proto__ or constructor —, a list, a number, nothing, true or false is an
// ordinary schema-type finding at the value, naming the field and what it should be; never an
// internal error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lintText, positionOf } from './manifest-texts.ts';

const values: [what: string, yaml: string, described: string][] = [
  ['a mapping with toString', '{ toString: x }', 'a mapping'],
  ['a mapping with valueOf', '{ valueOf: x }', 'a mapping'],
  ['a mapping with __proto__', '{ __proto__: x }', 'a mapping'],
  ['a mapping with constructor', '{ constructor: x }', 'a mapping'],
  ['a block mapping with toString and valueOf', '\n    toString: x\n    valueOf: y', 'a mapping'],
  ['a list', '[DeviceGroup]', 'a list'],
  ['an empty list', '[]', 'a list'],
  ['a number', '12', 'the number 12'],
  ['null', 'null', 'nothing (the value is empty)'],
  ['an empty value', '', 'nothing (the value is empty)'],
  ['true', 'true', 'true'],
  ['false', 'false', 'false'],
];

const expected = {
  apiVersion: 'expected text (firmwarden.dev/v1alpha1)',
  kind: 'expected text (DeviceGroup, UpdatePolicy, ScheduledUpdate, NotificationChannel, NotificationRule or Tenant)',
};

for (const field of ['apiVersion', 'kind'] as const) {
  for (const [what, yaml, described] of values) {
    test(`${field} given as ${what} is a schema-type finding at the value`, () => {
      const apiVersion = field === 'apiVersion' ? yaml : 'firmwarden.dev/v1alpha1';
      const kind = field === 'kind' ? yaml : 'DeviceGroup';
      const text = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: rooms\nspec:\n  selector: { tags: [a] }\n`;
      const findings = lintText(text);
      assert.equal(findings.map((f) => f.rule), ['schema-type'], JSON.stringify(findings));
      const f = findings[0]!;
      assert.is(f.message, `${field}: ${expected[field]}, got ${described}`);
      assert.is(f.path, `/${field}`);
      assert.is(f.file, 'm.yaml');
      assert.is(f.severity, 'error');
      // At the value; an empty value is reported where the field is.
      const at = yaml.trim() === '' ? positionOf(text, `${field}:`) : positionOf(text, yaml.trim().split('\n')[0]!);
      assert.equal([f.line, f.column], [at.line, at.column]);
    });
  }
}

test('both given as mappings: one finding for each', () => {
  const findings = lintText('apiVersion: { toString: x }\nkind: { valueOf: y }\n');
  assert.equal(
    findings.map((f) => `${f.rule}@${f.line}:${f.column} ${f.path}`),
    ['schema-type@1:13 /apiVersion', 'schema-type@2:7 /kind'],
  );
});

test('another group with a kind that is not text is still left alone', () => {
  assert.equal(lintText('apiVersion: v1\nkind: { toString: x }\n'), []);
});

test.run();
