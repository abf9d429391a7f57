// .pre-commit-hooks.yaml: the hook pre-commit installs from this repository, run the way
// pre-commit runs it: the files a commit changed, filtered by the hook's `files` and `exclude`
// patterns (Python regular expressions, searched anywhere in the path; these few are the same in
// JavaScript), appended to `entry`, from the repository's root. `firmwarden` is this
// repository's bin, as the package pre-commit installs would provide it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

const root = new URL('..', import.meta.url).pathname;

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files: string;
  exclude: string;
  pass_filenames: boolean;
  require_serial: boolean;
}

const hooks = parse(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const hook = hooks.find((h) => h.id === 'firmwarden-lint')!;

let tmp = '';
test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firmwarden-pre-commit-'));
});
test.after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** The files pre-commit hands the hook, of those a commit changed. */
function selected(changed: string[]): string[] {
  const files = new RegExp(hook.files);
  const exclude = new RegExp(hook.exclude);
  return changed.filter((f) => files.test(f) && !exclude.test(f));
}

/** Runs the hook on `changed` in a config repository holding examples/ plus `extra`. */
function runHook(changed: string[], extra: Record<string, string> = {}) {
  const repo = mkdtempSync(join(tmp, 'repo-'));
  cpSync(join(root, 'examples'), repo, { recursive: true });
  for (const [path, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  assert.is(spawnSync('git', ['init', '--quiet', repo]).status, 0);
  const [command, ...args] = hook.entry.split(' ');
  assert.is(command, 'firmwarden');
  const r = spawnSync(process.execPath, [join(root, 'bin/firmwarden.mjs'), ...args, ...selected(changed)], { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('one hook, firmwarden lint, installed with npm, given the changed files in one run', () => {
  assert.equal(hooks.map((h) => h.id), ['firmwarden-lint']);
  assert.is(hook.entry, 'firmwarden lint');
  assert.is(hook.language, 'node');
  assert.is(hook.pass_filenames, true);
  assert.is(hook.require_serial, true);
});

test('files: YAML only, and no hidden file or folder (pre-commit\'s own config, CI workflows)', () => {
  const changed = ['groups/lab.yaml', 'policies/vip.yml', 'README.md', 'schemas/x.json', '.pre-commit-config.yaml', '.github/workflows/ci.yml', 'fleet/.drafts/a.yaml', 'fleet/yaml.txt'];
  assert.equal(selected(changed), ['groups/lab.yaml', 'policies/vip.yml']);
});

test('a commit changing a group and a schedule passes: their references resolve in the files that did not change', () => {
  const r = runHook(['groups/lab.yaml', 'schedules/teams-client-nyc.yaml', '.pre-commit-config.yaml', 'README.md'], { '.pre-commit-config.yaml': 'repos: []\n' });
  assert.is(r.stderr, '2 files, 2 documents: no problems\n');
  assert.is(r.status, 0, r.stdout);
});

test('a commit with a broken manifest fails, naming the file and line', () => {
  const broken = 'apiVersion: firmwarden.dev/v1alpha1\nkind: DeviceGroup\nmetadata:\n  name: annex\nspec:\n  policyRef:\n    name: generl\n  include: [annex-1]\n  timeZone: Europe/Paris\n';
  const r = runHook(['groups/annex.yaml', 'groups/lab.yaml'], { 'groups/annex.yaml': broken });
  assert.match(r.stdout, /^groups\/annex\.yaml:7:11 error dangling-reference no UpdatePolicy named 'generl' in the default namespace; did you mean 'general'\?/);
  assert.is(r.status, 1);
});

test.run();
