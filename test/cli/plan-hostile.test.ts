// Output injection through `plan` and `why`: free-text manifest fields (a maintenance window's
// name, a freeze's name and reason) and invalid manifests with hostile names and file names,
// against the emulator. Every run is compared with the same repository holding benign values:
// a value may change what a line says, never how many lines there are.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlanCommand } from '../../controller/cli/plan.ts';
import { createWhyCommand } from '../../controller/cli/why.ts';
import { assertNoRawControls, assertNoWorkflowCommand, hostile } from '../support/hostile.ts';
import { deps, root, runCommand } from './plan-harness.ts';

// A Saturday: the lab window (Mon–Fri) is closed and the lab freeze below is on.
const at = '2026-11-21T12:00:00Z';
const Hostile = suite('plan and why: hostile manifest values and file names');

const yamlQuoted = (value: string) => `"${value.replace(/[^\x20-\x7e]|["\\]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}"`;
const fileNameOf = (value: string) => `${value.replaceAll('/', '_').replaceAll('\u0000', '0')}.yaml`;

// Window and freeze names hold at most 63 characters: the worst of the list in a few.
const windowName = 'w\n::error::x\x1b[31m\u202e|<b>##[warning]\x9b';
const freezeName = '::warning::f\r\u2028`c`[a](http://x)\x00';
const freezeReason = hostile.map(([, v]) => v).join(' ');

/** A copy of the examples whose lab policy has the given window and freeze, plus one invalid manifest per value. */
function repository(values: { window: string; freeze: string; reason: string; invalid: readonly string[] }): string {
  const dir = mkdtempSync(join(tmpdir(), 'firmwarden-plan-hostile-'));
  for (const sub of ['groups', 'policies', 'schedules']) cpSync(join(root, 'examples', sub), join(dir, sub), { recursive: true });
  const lab = join(dir, 'policies', 'lab.yaml');
  const text = readFileSync(lab, 'utf8').replace('- name: lab-hours', `- name: ${yamlQuoted(values.window)}`);
  assert.ok(text.includes(yamlQuoted(values.window)));
  writeFileSync(lab, `${text}  freezes:\n    - { name: ${yamlQuoted(values.freeze)}, start: "2026-11-20", end: "2026-11-23", reason: ${yamlQuoted(values.reason)} }\n`);
  mkdirSync(join(dir, 'invalid'));
  for (const v of values.invalid) {
    writeFileSync(join(dir, 'invalid', fileNameOf(v)), `apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata:\n  name: ${yamlQuoted(v)}\nspec: {}\n`);
  }
  return dir;
}

let bad = '';
let good = '';
let labDevice = '';
Hostile.before(async () => {
  const invalid = hostile.map(([, v]) => v);
  bad = repository({ window: windowName, freeze: freezeName, reason: freezeReason, invalid });
  good = repository({ window: 'lab-hours', freeze: 'year-end', reason: 'benign', invalid: invalid.map((_, i) => `Benign_${i}`) });
  const r = await runCommand(createPlanCommand(await deps()), [good, '--emulator', '--at', at, '--format', 'json']);
  const json = JSON.parse(r.stdout) as { devices: { name: string; group?: string }[] };
  labDevice = json.devices.find((d) => d.group === 'default/lab')!.name;
});
Hostile.after(() => {
  rmSync(bad, { recursive: true, force: true });
  rmSync(good, { recursive: true, force: true });
});

async function both(command: 'plan' | 'why', args: string[]) {
  const create = command === 'plan' ? createPlanCommand : createWhyCommand;
  const prefix = command === 'why' ? [labDevice] : [];
  const b = await runCommand(create(await deps()), [...prefix, bad, '--emulator', '--at', at, ...args]);
  const g = await runCommand(create(await deps()), [...prefix, good, '--emulator', '--at', at, ...args]);
  assert.is(b.code, g.code, b.stderr);
  return { bad: b.stdout, good: g.stdout };
}

Hostile('plan text: as many lines as with benign values, no raw control, no workflow command', async () => {
  const out = await both('plan', ['--limit', '500']);
  assert.match(out.bad, /waits for the maintenance window|blocks starts/, 'the lab devices show the window or the freeze');
  assert.ok(out.bad.includes('::error::x'), 'the window name is shown (escaped)');
  assert.is(out.bad.split('\n').length, out.good.split('\n').length);
  assertNoRawControls(out.bad, 'plan text');
  assertNoWorkflowCommand(out.bad, 'plan text');
});

// A pipe that ends a cell: not escaped by a backslash.
const cellPipes = (line: string) => line.replace(/\\./g, '').split('|').length - 1;

Hostile('plan --format markdown: no value ends a table cell, opens HTML or a link, or adds a line', async () => {
  const out = await both('plan', ['--format', 'markdown', '--limit', '500']);
  assert.is(out.bad.split('\n').length, out.good.split('\n').length);
  assertNoRawControls(out.bad, 'markdown');
  assertNoWorkflowCommand(out.bad, 'markdown');
  const lines = out.bad.split('\n');
  let columns = 0;
  for (const line of lines) {
    if (!line.startsWith('|')) {
      columns = 0;
      continue;
    }
    if (columns === 0) columns = cellPipes(line);
    else assert.is(cellPipes(line), columns, `a row with more or fewer cells than its header: ${line}`);
  }
  // Code spans (a fence of n backticks to the next run of exactly n) show their content as it is.
  const withoutCode = out.bad.replace(/(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
  assert.not.match(withoutCode.replace(/<\/?(details|summary)>/g, ''), /(?<!\\)</, 'raw HTML');
  assert.not.match(withoutCode.replace(/\[!(WARNING|CAUTION)\]/g, ''), /(?<!\\)\[/, 'a raw link bracket');
  assert.ok(out.bad.includes('\\<script\\>'), 'the value is still shown, escaped');
});

Hostile('plan --format json: the invalid manifests keep every value as it is, and print without raw controls', async () => {
  const out = await both('plan', ['--format', 'json']);
  const json = JSON.parse(out.bad) as { invalid: string[] };
  for (const [what, value] of hostile) assert.ok(json.invalid.some((l) => l.includes(`'${value}'`)), what);
  assertNoRawControls(out.bad, 'json');
  assertNoWorkflowCommand(out.bad, 'json');
});

Hostile('why text: as many lines as with benign values, no raw control, no workflow command', async () => {
  const out = await both('why', []);
  assert.match(out.bad, /Maintenance window: w\\n::error::x\\x1b\[31m\\u202e\|<b>#\\x23\[warning\]\\x9b opens/);
  assert.is(out.bad.split('\n').length, out.good.split('\n').length);
  assertNoRawControls(out.bad, 'why');
  assertNoWorkflowCommand(out.bad, 'why');
});

Hostile('why --format json: parses, and its explanation for people has no raw control', async () => {
  const out = await both('why', ['--format', 'json']);
  const json = JSON.parse(out.bad) as { explanation: string[]; invalid: string[] };
  for (const line of json.explanation) assertNoRawControls(line, 'explanation');
  for (const [what, value] of hostile) assert.ok(json.invalid.some((l) => l.includes(`'${value}'`)), what);
  assertNoRawControls(out.bad, 'why json');
  assertNoWorkflowCommand(out.bad, 'why json');
});

Hostile.run();
