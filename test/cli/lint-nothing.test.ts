// `firmwarden lint` on a folder holding no manifests says so instead of "no problems": a CI job
// pointed at the wrong folder must not pass silently under --strict.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './lint-support.ts';

let tmp = '';
test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firmwarden-lint-nothing-'));
  mkdirSync(join(tmp, 'empty', 'docs'), { recursive: true });
  writeFileSync(join(tmp, 'empty', 'docs', 'README.md'), '# not a manifest\n');
  mkdirSync(join(tmp, 'other'));
});
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const cases: ReadonlyArray<{ name: string; args: string[]; cwd?: string; code: number; stderr: string; stdout?: RegExp }> = [
  {
    name: 'a folder without manifests: the sentence on stderr, exit 0',
    args: ['lint', 'empty'],
    code: 0,
    stderr: 'no manifests found under empty: nothing to check\n',
  },
  {
    name: 'under --strict it exits 2: nothing checked is not a pass',
    args: ['lint', '--strict', 'empty'],
    code: 2,
    stderr: 'no manifests found under empty: nothing to check\n',
  },
  {
    name: 'the current folder when no path is given',
    args: ['lint', '--strict'],
    cwd: 'empty',
    code: 2,
    stderr: 'no manifests found under .: nothing to check\n',
  },
  {
    name: 'every folder given is named',
    args: ['lint', 'empty', 'other'],
    code: 0,
    stderr: 'no manifests found under empty, other: nothing to check\n',
  },
  {
    name: 'a machine format still gets its (empty) report on stdout',
    args: ['lint', '--strict', '--format', 'json', 'empty'],
    code: 2,
    stderr: 'no manifests found under empty: nothing to check\n',
    stdout: /"findings":\s*\[\]/,
  },
];

for (const c of cases) {
  test(c.name, async () => {
    const r = await run(c.args, { cwd: join(tmp, c.cwd ?? '') });
    assert.is(r.stderr, c.stderr);
    assert.is(r.code, c.code);
    if (c.stdout) assert.match(r.stdout, c.stdout);
  });
}

test('a folder with a manifest is checked as before', async () => {
  writeFileSync(join(tmp, 'other', 'group.yaml'), 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: x\nspec:\n  policyRef:\n    name: x\n');
  const r = await run(['lint', '--strict', 'other'], { cwd: tmp });
  assert.not.match(r.stderr, /nothing to check/);
  rmSync(join(tmp, 'other', 'group.yaml'));
});

test.run();
