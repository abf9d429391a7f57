// `firmwarden lint` end to end: formats, exit codes, inputs (files, directories, globs, stdin),
// hostile files, and one run as a real child process through bin/firmwarden.mjs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, run } from './lint-support.ts';

const now = ['--now', '2026-11-22T08:00:00Z'];
const fixtures = 'test/fixtures/lint';
const stackTrace = /\n\s+at .*:\d+:\d+/;

let tmp = '';
test.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firmwarden-lint-test-'));
});
test.after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

test('the examples lint clean: exit 0 and a summary on stderr', async () => {
  const r = await run(['lint', 'examples', ...now]);
  assert.is(r.code, 0, r.stdout);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^\d+ files, \d+ documents: no problems\n$/);
});

test('text: file:line:col severity rule message, the source line and a caret under the node', async () => {
  const r = await run(['lint', `${fixtures}/bad-values.yaml`, ...now]);
  assert.is(r.code, 1);
  const lines = r.stdout.split('\n');
  assert.is(lines[0], `${fixtures}/bad-values.yaml:9:14 error schema-enum spec.software.firmware.phase: 'Weekly' is not one of Test, General, Final`);
  assert.is(lines[1], '    9 |       phase: Weekly');
  assert.is(lines[2], '      |              ^^^^^^');
  assert.match(r.stderr, /^1 file, 1 document: 6 errors, 0 warnings\n$/);
});

test('json: exactly the finding keys, sorted by file, line, column, rule', async () => {
  const r = await run(['lint', fixtures, '--format', 'json', ...now]);
  assert.is(r.code, 1);
  assert.is(r.stderr, '');
  const report = JSON.parse(r.stdout) as { findings: Record<string, unknown>[]; summary: { files: number } };
  assert.ok(report.findings.length > 20);
  for (const f of report.findings) assert.equal(Object.keys(f), ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'rule', 'message']);
  const keys = report.findings.map((f) => [f.file, f.line, f.column, f.rule] as [string, number, number, string]);
  const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0)));
  assert.equal(keys, sorted);
  assert.is(report.summary.files, 11);
});

test('the output is the same on every run', async () => {
  const a = await run(['lint', fixtures, '--format', 'json', ...now]);
  const b = await run(['lint', `${fixtures}/*.yaml`, '--format', 'json', ...now]);
  assert.is(a.stdout, b.stdout);
});

test('github: workflow commands with the full span, escaped', async () => {
  const r = await run(['lint', `${fixtures}/unknown-fields.yaml`, '--format', 'github', ...now]);
  assert.is(r.code, 1);
  const first = r.stdout.split('\n')[0];
  assert.is(first, `::error file=${fixtures}/unknown-fields.yaml,line=10,col=7,endLine=10,endColumn=11,title=schema-unknown-field::unknown field 'phse' in spec.software.firmware; did you mean 'phase'?`);
  writeFileSync(join(tmp, 'odd,name:1.yaml'), 'apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata: { name: "100%" }\nspec: {}\n');
  const odd = await run(['lint', 'odd,name:1.yaml', '--format', 'github', ...now], { cwd: tmp });
  assert.match(odd.stdout, /^::error file=odd%2Cname%3A1\.yaml,line=3,/);
  assert.match(odd.stdout, /'100%25' is not valid/);
});

test('junit: a testsuite per file, a testcase per document, a failure per error', async () => {
  const r = await run(['lint', `${fixtures}/references.yaml`, `${fixtures}/empty.yaml`, '--format', 'junit', ...now]);
  assert.is(r.code, 1);
  assert.match(r.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="firmwarden lint" tests="5" failures="5" errors="0">/);
  assert.is((r.stdout.match(/<testsuite /g) ?? []).length, 2);
  assert.is((r.stdout.match(/<testcase /g) ?? []).length, 5);
  assert.is((r.stdout.match(/<failure /g) ?? []).length, 5);
  assert.match(r.stdout, /<testcase classname="test\/fixtures\/lint\/references.yaml" name="DeviceGroup rooms \(document 2\)">/);
  assert.match(r.stdout, /<system-out>warning: .*file-empty/);
});

test('--strict makes warnings fail', async () => {
  const lenient = await run(['lint', `${fixtures}/empty.yaml`, ...now]);
  const strict = await run(['lint', `${fixtures}/empty.yaml`, '--strict', ...now]);
  assert.is(lenient.code, 0);
  assert.is(strict.code, 1);
});

test('stdin: - reads a manifest from standard input', async () => {
  const text = 'apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata:\n  name: p\nspec:\n  rollout: { maxConcurent: 2 }\n';
  const r = await run(['lint', '-', ...now], { stdin: text });
  assert.is(r.code, 1);
  assert.match(r.stdout, /^<stdin>:6:14 error schema-unknown-field unknown field 'maxConcurent'/);
  const clean = await run(['lint', '-', '--format', 'json', ...now], { stdin: text.replace('maxConcurent', 'maxConcurrent') });
  assert.is(clean.code, 0);
  assert.equal(JSON.parse(clean.stdout).findings, []);
});

test('usage and I/O problems exit 2 with one line, never a stack', async () => {
  const cases: [string[], RegExp][] = [
    [['lint', 'no/such/dir'], /firmwarden lint: 'no\/such\/dir': no such file or directory/],
    [['lint', 'nothing-matches-*.yaml'], /no file matches 'nothing-matches-\*\.yaml'/],
    [['lint', '--format', 'xml'], /unknown format 'xml'/],
    [['lint', '--bogus'], /unknown option --bogus\nRun 'firmwarden lint --help' for its options\./],
    [['lint', '--fromat', 'json'], /unknown option --fromat; did you mean --format\?/],
    [['lint', '--now', 'yesterday'], /--now 'yesterday' is not an RFC 3339 time/],
    [['lint', '--max-file-size', 'big'], /--max-file-size 'big' is not a size/],
  ];
  for (const [argv, message] of cases) {
    const r = await run(argv);
    assert.is(r.code, 2, argv.join(' '));
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, stackTrace);
  }
});

test('a missing path still lets the other paths be linted', async () => {
  const r = await run(['lint', 'missing.yaml', `${fixtures}/unknown-fields.yaml`, ...now]);
  assert.is(r.code, 2);
  assert.match(r.stdout, /schema-unknown-field/);
});

test('--help prints the options', async () => {
  const r = await run(['lint', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, /--max-file-size/);
});

test('hostile: a 30 MB file is refused by its size, with a finding', async () => {
  const big = join(tmp, 'big.yaml');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 30 * 1024 * 1024);
  closeSync(fd);
  const r = await run(['lint', 'big.yaml', '--format', 'json', ...now], { cwd: tmp });
  assert.is(r.code, 1);
  const findings = JSON.parse(r.stdout).findings as { rule: string; message: string }[];
  assert.equal(findings.map((f) => f.rule), ['file-too-large']);
  assert.match(findings[0]!.message, /30 MiB, over the 1 MiB limit/);
});

test('hostile: alias bomb, binary junk and an empty file each end with one clear finding', async () => {
  const r = await run(['lint', `${fixtures}/alias-bomb.yaml`, `${fixtures}/binary.yaml`, `${fixtures}/empty.yaml`, '--format', 'json', ...now]);
  assert.is(r.code, 1);
  const findings = JSON.parse(r.stdout).findings as { file: string; rule: string; severity: string }[];
  assert.equal(
    findings.map((f) => [f.file.replace(`${fixtures}/`, ''), f.rule, f.severity]),
    [
      ['alias-bomb.yaml', 'yaml-aliases', 'error'],
      ['binary.yaml', 'file-binary', 'error'],
      ['empty.yaml', 'file-empty', 'warning'],
    ],
  );
});

test('hostile: two hundred files of random YAML-ish junk never crash lint', async () => {
  let seed = 1;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const alphabet = 'ab:- \n\t[]{},&*!|>\'"#%@`?\u00e9\u0000';
  const dir = join(tmp, 'fuzz');
  mkdirSync(dir);
  for (let i = 0; i < 200; i++) {
    const length = Math.floor(random() * 200);
    let text = '';
    for (let k = 0; k < length; k++) text += alphabet[Math.floor(random() * alphabet.length)];
    writeFileSync(join(dir, `f${i}.yaml`), text);
  }
  const r = await run(['lint', 'fuzz', '--format', 'json', ...now], { cwd: tmp });
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  assert.not.match(r.stderr, stackTrace);
  assert.ok(Array.isArray(JSON.parse(r.stdout).findings));
});

test('--max-file-size lowers the limit', async () => {
  const r = await run(['lint', `${fixtures}/references.yaml`, '--max-file-size', '100', '--format', 'json', ...now]);
  assert.equal((JSON.parse(r.stdout).findings as { rule: string }[]).map((f) => f.rule), ['file-too-large']);
});

test('a real process: bin/firmwarden.mjs lint prints JSON and exits 1 on errors', () => {
  copyFileSync(join(root, fixtures, 'unknown-fields.yaml'), join(tmp, 'child.yaml'));
  const r = spawnSync(join(root, 'node_modules/.bin/node'), [join(root, 'bin/firmwarden.mjs'), 'lint', 'child.yaml', '--format', 'json', ...now], { cwd: tmp, encoding: 'utf8' });
  assert.is(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as { findings: { file: string; line: number; rule: string }[] };
  assert.equal(report.findings.map((f) => `${f.file}:${f.line} ${f.rule}`), ['child.yaml:10 schema-unknown-field', 'child.yaml:11 schema-unknown-field', 'child.yaml:15 schema-unknown-field']);
  assert.is(r.stderr, '');
});

test.run();
