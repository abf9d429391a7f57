// `firmwarden lint FILE…` on a few files of a config repository, as pre-commit runs it: the
// references those files make resolve against the rest of the repository (its Git work tree,
// else the given files' common folder), and nothing is reported about files it was not given.
// Real git repositories in a temporary folder.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from './lint-support.ts';

const now = ['--now', '2026-11-22T08:00:00Z'];
const head = 'apiVersion: firmwarden.dev/v1alpha1';
const policy = (name: string) => `${head}\nkind: UpdatePolicy\nmetadata:\n  name: ${name}\nspec:\n  description: Everyone.\n`;
const group = (name: string, policyName: string) =>
  `${head}\nkind: DeviceGroup\nmetadata:\n  name: ${name}\nspec:\n  policyRef:\n    name: ${policyName}\n  include: [${name}-1]\n  timeZone: Europe/Paris\n`;
const schedule = (name: string, groupName: string) =>
  `${head}\nkind: ScheduledUpdate\nmetadata:\n  name: ${name}\nspec:\n  targets:\n    groupRef:\n      name: ${groupName}\n  software:\n    - type: teamsClient\n`;
const broken = `${head}\nkind: UpdatePolicy\nmetadata:\n  name: broken\nspec:\n  software:\n    firmware:\n      phase: Weekly\n`;

let tmp = '';
test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firmwarden-lint-subset-'));
});
test.after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A folder with these files; a Git work tree when `git` is true. */
function repo(name: string, files: Record<string, string>, git = true): string {
  const dir = join(tmp, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  if (git) execFileSync('git', ['init', '--quiet', dir]);
  return dir;
}

interface JsonReport {
  findings: { file: string; rule: string; severity: string; message: string }[];
  summary: { files: number };
}

async function lintJson(args: string[], cwd: string): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const r = await run(['lint', '--format', 'json', ...now, ...args], { cwd });
  return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr };
}

test('a group given alone finds its policy in another file of the repository', async () => {
  const dir = repo('alone', { 'policies/general.yaml': policy('general'), 'groups/rooms.yaml': group('rooms', 'general') });
  const r = await run(['lint', 'groups/rooms.yaml', ...now], { cwd: dir });
  assert.is(r.stdout, '');
  assert.is(r.stderr, '1 file, 1 document: no problems\n');
  assert.is(r.code, 0);
});

test('pre-commit style: several changed files from the root, references resolved across the repository', async () => {
  const dir = repo('precommit', {
    'policies/general.yaml': policy('general'),
    'groups/rooms.yaml': group('rooms', 'general'),
    'groups/lab.yaml': group('lab', 'general'),
    'schedules/client.yaml': schedule('client', 'rooms'),
  });
  const { code, report } = await lintJson(['groups/lab.yaml', 'schedules/client.yaml'], dir);
  assert.equal(report.findings, []);
  assert.is(report.summary.files, 2);
  assert.is(code, 0);
});

test('a reference that exists nowhere in the repository is still an error, with a suggestion from the other files', async () => {
  const dir = repo('typo', { 'policies/general.yaml': policy('general'), 'groups/rooms.yaml': group('rooms', 'genral') });
  const { code, report } = await lintJson(['groups/rooms.yaml'], dir);
  assert.is(code, 1);
  assert.equal(
    report.findings.map((f) => [f.file, f.rule, f.severity, f.message]),
    [['groups/rooms.yaml', 'dangling-reference', 'error', "no UpdatePolicy named 'genral' in the default namespace; did you mean 'general'?"]],
  );
});

test('problems in files that were not given are not reported, and do not fail the run', async () => {
  const dir = repo('others', {
    'policies/general.yaml': policy('general'),
    'policies/broken.yaml': broken,
    'notes/not-a-manifest.yaml': 'just: some yaml\nfirmwarden.dev: mentioned\n',
    'groups/rooms.yaml': group('rooms', 'general'),
  });
  const { code, report } = await lintJson(['groups/rooms.yaml'], dir);
  assert.equal(report.findings, []);
  assert.is(code, 0);
});

test('a manifest defined outside the Git work tree does not satisfy a reference', async () => {
  const outside = repo('outer', { 'policies/general.yaml': policy('general') }, false);
  const dir = repo('outer/inner', { 'groups/rooms.yaml': group('rooms', 'general') });
  assert.ok(dir.startsWith(outside));
  const { code, report } = await lintJson(['groups/rooms.yaml'], dir);
  assert.equal(report.findings.map((f) => f.rule), ['dangling-reference']);
  assert.is(code, 1);
});

test('outside Git, the given files\' common folder is read', async () => {
  const dir = repo('plain', { 'fleet/policies/general.yaml': policy('general'), 'fleet/groups/rooms.yaml': group('rooms', 'general'), 'fleet/schedules/s.yaml': schedule('s', 'rooms') }, false);
  const { code, report } = await lintJson(['fleet/groups/rooms.yaml', 'fleet/schedules/s.yaml'], dir);
  assert.equal(report.findings, []);
  assert.is(code, 0);
});

test('the references of standard input resolve against the working directory\'s repository', async () => {
  const dir = repo('stdin', { 'policies/general.yaml': policy('general') });
  const r = await run(['lint', '-', '--format', 'json', ...now], { cwd: dir, stdin: group('rooms', 'general') });
  assert.equal((JSON.parse(r.stdout) as JsonReport).findings, []);
  assert.is(r.code, 0);
});

test('a folder given is the whole scope: references out of it are errors, as before', async () => {
  const dir = repo('folder', { 'policies/general.yaml': policy('general'), 'groups/rooms.yaml': group('rooms', 'general') });
  const { code, report } = await lintJson(['groups'], dir);
  assert.equal(report.findings.map((f) => f.rule), ['dangling-reference']);
  assert.is(code, 1);
});

test('a name given twice among the given files is still a duplicate; the rest of the repository only resolves references', async () => {
  const dir = repo('dupes', {
    'policies/general.yaml': policy('general'),
    'policies/copy.yaml': policy('general'),
    'groups/a.yaml': group('rooms', 'general'),
    'groups/b.yaml': group('rooms', 'general'),
  });
  const { report } = await lintJson(['groups/a.yaml', 'groups/b.yaml'], dir);
  const duplicates = report.findings.filter((f) => f.rule === 'duplicate-name').map((f) => f.file);
  assert.equal(duplicates, ['groups/b.yaml'], 'the two policies named general, in files not given, are not reported');
});

test.run();
