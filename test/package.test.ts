// The npm package as users get it: `npm pack` (its prepack builds dist/), the tarball installed
// with npm into a scratch config repository (a Git repository holding a copy of examples/), and
// run from there through npx. Also what the tarball holds: the built JavaScript, the generated
// validators, schemas, CRDs and examples; no tests, no TypeScript, no secrets. The npm cache is
// warm from `npm ci`, so npm asks the registry only for what the cache lacks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; devDependencies: Record<string, string> };

let tmp = '';
let repo = '';
let files: string[] = [];
let unpacked = '';
let install = { status: -1 as number | null, output: '' };

/**
 * The environment of a user's shell: this Node.js first on PATH, nothing of this repository's
 * node_modules, no npm lifecycle variables (npm test sets them) and no fleet credentials.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|INIT_CWD$|AZURE_|FIRMWARDEN_)/i.test(key)) continue;
    env[key] = value;
  }
  const inRepo = (dir: string) => !relative(root, resolve(dir)).startsWith('..');
  const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '' && !inRepo(dir));
  env.PATH = [dirname(process.execPath), ...path].join(delimiter);
  env.NO_COLOR = '1';
  return env;
}

function sh(command: string, args: string[], cwd: string, input?: string) {
  const r = spawnSync(command, args, { cwd, env: userEnv(), encoding: 'utf8', input: input ?? '', timeout: 180_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `npx --no firmwarden …` in the scratch repository: --no so that npx never fetches a package of that name. */
const firmwarden = (args: string[], input?: string) => sh('npx', ['--no', 'firmwarden', ...args], repo, input);

test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firmwarden-package-'));
  const packed = sh('npm', ['pack', '--json', '--pack-destination', tmp], root);
  assert.is(packed.status, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  files = info!.files.map((f) => f.path).sort();
  const tarball = join(tmp, info!.filename);

  unpacked = join(tmp, 'unpacked');
  mkdirSync(unpacked);
  const tar = sh('tar', ['-xzf', tarball, '-C', unpacked], tmp);
  assert.is(tar.status, 0, tar.stderr);

  repo = join(tmp, 'config');
  cpSync(join(root, 'examples'), repo, { recursive: true });
  // A package.json of its own, so npm installs here and never looks for one further up. It
  // denies firmwarden's `prepare` (the build, kept for Git installs such as pre-commit's): npm
  // never runs prepare for a tarball, but lists it as an install script to approve for any
  // source other than the registry (npm's install-scripts.js), and that notice is the one
  // warning a registry install cannot print. Every other warning still fails the test.
  // (`npm install-scripts deny` names a tarball by its absolute file: spec.)
  const scratch = { name: 'scratch-config', private: true, allowScripts: { [`file:${tarball}`]: false } };
  writeFileSync(join(repo, 'package.json'), `${JSON.stringify(scratch, null, 2)}\n`);
  assert.is(sh('git', ['init', '--quiet', repo], tmp).status, 0);
  const r = sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], repo);
  install = { status: r.status, output: `${r.stdout}${r.stderr}` };
  assert.is(r.status, 0, install.output);
});

test.after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('npm pack leaves no dist/ behind in the repository', () => {
  assert.not.ok(existsSync(join(root, 'dist')), 'postpack removes dist/');
});

test('npm install prints no warning', () => {
  assert.not.match(install.output, /npm warn/i, install.output);
});

test('the package holds the built code, the validators, schemas, CRDs and examples', () => {
  for (const path of [
    'package.json',
    'README.md',
    'bin/firmwarden.mjs',
    'bin/run-node-flags.mjs',
    'bin/command-v8-flags.mjs',
    'dist/main.js',
    'dist/cli/lint.js',
    'dist/cli/plan.js',
    'dist/manifest/schema-validators.generated.js',
    'dist/run/forecast-worker.js',
    'dist/server/live-view/index.html',
    'schemas/devicegroup.schema.json',
    'crds/devicegroups.firmwarden.dev.yaml',
    'examples/groups/lab.yaml',
  ]) {
    assert.ok(files.includes(path), `${path} is in the package`);
  }
});

test('the package holds no tests, no TypeScript, no sources, no development files', () => {
  const unwanted = files.filter((f) => /\.(ts|mts|cts)$/.test(f) || /^(test|bench|scripts|docs|controller|\.ci|\.github)\//.test(f) || /^(tsconfig.*\.json|Dockerfile|package-lock\.json)$/.test(f));
  assert.equal(unwanted, []);
});

test('the package holds no secrets: no key or environment files, no private keys or tokens in any file', () => {
  assert.equal(files.filter((f) => /(^|\/)(\.env(\..*)?|\.npmrc|id_rsa|id_ed25519)$|\.(pem|key|p12|pfx)$/.test(f)), []);
  const secret = /-----BEGIN [A-Z ]*PRIVATE KEY-----|\bgh[pousr]_[A-Za-z0-9]{36}\b|\bxox[abpr]-[A-Za-z0-9-]{10,}/;
  const leaking = files.filter((f) => secret.test(readFileSync(join(unpacked, 'package', f), 'utf8')));
  assert.equal(leaking, []);
});

test('every relative module or file the built code names is in the package, and none names a .ts file', () => {
  const dist = join(unpacked, 'package', 'dist');
  const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*|\bnew URL\(\s*)(['"])(\.{1,2}\/[^'"]*)\1/g;
  const missing: string[] = [];
  const typescript: string[] = [];
  for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(join(dist, file), 'utf8');
    for (const m of text.matchAll(specifier)) {
      const target = resolve(dirname(join(dist, file)), m[2]!);
      if (!existsSync(target)) missing.push(`${file}: ${m[2]}`);
    }
    if (/['"`]\.{1,2}\/[^'"`]*\.ts['"`]/.test(text)) typescript.push(file);
  }
  assert.equal(missing, []);
  assert.equal(typescript, []);
});

test('devDependencies are not installed for users: no node runtime package, no TypeScript', () => {
  assert.ok('node' in pkg.devDependencies, 'the node runtime pin is a devDependency');
  const modules = join(repo, 'node_modules');
  assert.ok(existsSync(join(modules, pkg.name, 'bin', 'firmwarden.mjs')));
  for (const dev of ['node', 'typescript', 'uvu', '.bin/node', '.bin/tsc']) assert.not.ok(existsSync(join(modules, dev)), `${dev} installed`);
});

test('npx firmwarden version: the package version and the Node.js running it', () => {
  const r = firmwarden(['version']);
  assert.is(r.stdout, `firmwarden ${pkg.version} (Node.js ${process.versions.node})\n`);
  assert.is(r.status, 0, r.stderr);
});

test('npx firmwarden lint .: the copy of examples/ is clean', () => {
  const r = firmwarden(['lint', '.']);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^\d+ files, \d+ documents: no problems\n$/);
  assert.is(r.status, 0);
});

test('npx firmwarden lint FILE (as pre-commit runs it) resolves references in the rest of the repository', () => {
  const r = firmwarden(['lint', 'groups/lab.yaml', 'schedules/teams-client-nyc.yaml']);
  assert.is(r.stderr, '2 files, 2 documents: no problems\n');
  assert.is(r.status, 0, r.stdout);
});

test('npx firmwarden lint: the precompiled validators of the package report a schema error', () => {
  const bad = 'apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata:\n  name: weekly\nspec:\n  software:\n    firmware:\n      phase: Weekly\n';
  const r = firmwarden(['lint', '-', '--format', 'json'], bad);
  const report = JSON.parse(r.stdout) as { findings: { rule: string; line: number }[] };
  assert.equal(report.findings.map((f) => [f.rule, f.line]), [['schema-enum', 8]]);
  assert.is(r.status, 1);
});

test('npx firmwarden plan --emulator -o json .: every group of the examples, on the emulated fleet', () => {
  const r = firmwarden(['plan', '--emulator', '-o', 'json', '.']);
  assert.is(r.status, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as { fleet: { kind: string; devices: number }; invalid: unknown[]; groups: { name: string; devices: number }[] };
  assert.is(plan.fleet.kind, 'emulator');
  assert.equal(plan.invalid, []);
  const files = readdirSync(join(repo, 'groups')).filter((f) => f.endsWith('.yaml'));
  assert.equal(plan.groups.map((g) => g.name).sort(), files.map((f) => f.replace(/\.yaml$/, '')).sort());
  assert.is(plan.groups.reduce((n, g) => n + g.devices, 0) > 0, true);
});

test('an installation without dist/ (a Git install whose build did not run) says so and how to install instead', () => {
  const copy = join(tmp, 'unbuilt');
  cpSync(join(unpacked, 'package'), copy, { recursive: true });
  rmSync(join(copy, 'dist'), { recursive: true });
  const r = sh(process.execPath, [join(copy, 'bin', 'firmwarden.mjs'), 'version'], tmp);
  assert.match(r.stderr, /^firmwarden: this installation has no built code \(dist\/ is missing\)/);
  assert.is(r.status, 2);
});

test('the build without devDependencies: npm ci --omit=dev in a clone goes on (the sources run), npm pack refuses', () => {
  // scripts/build.ts alone in a folder: typescript cannot be resolved from there.
  const lone = join(tmp, 'lone', 'scripts');
  mkdirSync(lone, { recursive: true });
  cpSync(join(root, 'scripts', 'build.ts'), join(lone, 'build.ts'));
  const build = (command: string) =>
    spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(lone, 'build.ts')], { env: { ...userEnv(), npm_command: command }, encoding: 'utf8' });
  const install = build('ci');
  assert.is(install.status, 0, install.stderr);
  assert.match(install.stderr, /dist\/ not built, the sources run as they are/);
  const pack = build('pack');
  assert.is(pack.status, 1);
  assert.match(pack.stderr, /cannot build the package; run npm ci first/);
});

test('npx firmwarden plan . without credentials says what to set, exit 2, no fleet invented', () => {
  const r = firmwarden(['plan', '.']);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^firmwarden plan: no fleet credentials: set AZURE_TENANT_ID/);
  assert.is(r.status, 2);
});

test.run();
