// Output injection: hostile manifest names and file names through every lint format. People
// and CI read text, workflow commands and JUnit, so nothing raw may reach them and a value may
// not add a line; JSON and SARIF are for programs, so they must parse back to the very value.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeText, safeLine } from '../../controller/output/escape.ts';
import { toUriReference } from '../../controller/cli/lint-format-sarif.ts';
import { assertNoRawControls, assertNoWorkflowCommand, assertWellFormedXml, hostile } from '../support/hostile.ts';
import { root, run } from './lint-support.ts';

const now = ['--now', '2026-11-22T08:00:00Z'];
const Hostile = suite('lint: hostile names and file names in every format');

// A YAML double-quoted scalar holding exactly `value` (every non-ASCII or control character as \u).
const yamlQuoted = (value: string) => `"${value.replace(/[^\x20-\x7e]|["\\]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}"`;
// The value also raw (but for the characters that would end the line or the file) in an
// annotation before the name, so the source excerpt has it in front of the underlined name.
const raw = (value: string) => `"${value.replace(/[\n\r\0]/g, ' ').replace(/["\\]/g, '\\$&')}"`;
const manifest = (name: string) => `apiVersion: firmwarden.dev/v1alpha1\nkind: UpdatePolicy\nmetadata: { annotations: { note: ${raw(name)} }, name: ${yamlQuoted(name)} }\nspec: {}\n`;
// A file name can hold anything but '/' and NUL.
const fileNameOf = (value: string) => `${value.replaceAll('/', '_').replaceAll('\u0000', '0')}.yaml`;

interface Case {
  readonly what: string;
  readonly value: string;
  readonly dir: string;
  readonly file: string;
}

let tmp = '';
const cases: Case[] = [];
Hostile.before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'firmwarden-lint-hostile-'));
  const all: (readonly [string, string])[] = [['a benign invalid name (the baseline)', 'Not_Valid'], ...hostile];
  all.forEach(([what, value], i) => {
    const dir = `case-${i}`;
    mkdirSync(join(tmp, dir));
    const file = fileNameOf(value);
    writeFileSync(join(tmp, dir, file), manifest(value));
    cases.push({ what, value, dir, file: `${dir}/${file}` });
  });
});
Hostile.after(() => rmSync(tmp, { recursive: true, force: true }));

async function lint(c: Case, format: string) {
  const r = await run(['lint', c.dir, '--format', format, ...now], { cwd: tmp });
  assert.is(r.code, 1, `${c.what}: ${r.stderr}`);
  return r;
}

Hostile('json: the file name and the name parse back exactly; nothing raw is printed', async () => {
  for (const c of cases) {
    const r = await lint(c, 'json');
    const { findings } = JSON.parse(r.stdout) as { findings: { file: string; rule: string; message: string }[] };
    assert.equal(findings.map((f) => [f.file, f.rule]), [[c.file, 'schema-pattern']], c.what);
    assert.ok(findings[0]!.message.includes(c.value), `${c.what}: the message names the value as it is`);
    assertNoRawControls(r.stdout, c.what);
    assertNoWorkflowCommand(r.stdout, c.what);
  }
});

Hostile('sarif: the artifact URI and the message parse back exactly; nothing raw is printed', async () => {
  for (const c of cases) {
    const r = await lint(c, 'sarif');
    const result = (JSON.parse(r.stdout) as { runs: { results: { message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] }).runs[0]!.results[0]!;
    assert.is(result.locations[0]!.physicalLocation.artifactLocation.uri, toUriReference(c.file), c.what);
    assert.is(decodeURIComponent(result.locations[0]!.physicalLocation.artifactLocation.uri), c.file, c.what);
    assert.ok(result.message.text.includes(c.value), c.what);
    assertNoRawControls(r.stdout, c.what);
    assertNoWorkflowCommand(r.stdout, c.what);
  }
});

Hostile('text: three lines per finding whatever the value, no raw control, no workflow command', async () => {
  for (const c of cases) {
    const r = await lint(c, 'text');
    const lines = r.stdout.split('\n');
    assert.is(lines.length, 3 + 1, `${c.what}: ${JSON.stringify(r.stdout)}`);
    assert.ok(lines[0]!.startsWith(`${safeLine(c.file)}:3:`), `${c.what}: ${lines[0]}`);
    assert.match(lines[2]!, /^ {6}\| +\^+$/, `${c.what}: the caret line`);
    assertNoRawControls(r.stdout + r.stderr, c.what);
    assertNoWorkflowCommand(r.stdout + r.stderr, c.what);
  }
});

Hostile('text: the caret underlines the escaped value in the source line', async () => {
  const c = cases.find((x) => x.value.includes('\x1b[31m'))!;
  const [, source, carets] = (await lint(c, 'text')).stdout.split('\n');
  const quoted = yamlQuoted(c.value);
  const start = source!.indexOf(quoted);
  assert.ok(start > 0, source);
  assert.is(carets!.indexOf('^'), start);
  assert.is(carets!.length - start, quoted.length);
});

// Splits a workflow command as the Actions runner does and undoes its escapes.
function parseCommand(line: string): { command: string; properties: Record<string, string>; data: string } {
  const m = /^::(\w+) ([^:]*)::(.*)$/.exec(line);
  assert.ok(m, `not a workflow command: ${JSON.stringify(line)}`);
  const unescape = (text: string) => text.replace(/%(25|0D|0A|3A|2C)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const properties = Object.fromEntries(m![2]!.split(',').map((p) => p.split('=', 2) as [string, string]).map(([k, v]) => [k, unescape(v)]));
  return { command: m![1]!, properties, data: unescape(m![3]!) };
}

Hostile('github: one command per finding, the file property names the file, the message stays on one line', async () => {
  for (const c of cases) {
    const r = await lint(c, 'github');
    const lines = r.stdout.split('\n');
    assert.is(lines.length, 1 + 1, `${c.what}: ${JSON.stringify(r.stdout)}`);
    const command = parseCommand(lines[0]!);
    assert.is(command.command, 'error');
    assert.is(command.properties.file, escapeText(c.file), c.what);
    assert.is(command.properties.line, '3');
    assert.ok(command.data.includes(escapeText(`'${c.value}'`)), `${c.what}: ${command.data}`);
    assertNoRawControls(r.stdout, c.what);
    assertNoRawControls(command.data, `${c.what} (decoded)`);
  }
});

Hostile('junit: well-formed XML 1.0, no raw control, no workflow command', async () => {
  for (const c of cases) {
    const r = await lint(c, 'junit');
    assertWellFormedXml(r.stdout);
    assertNoRawControls(r.stdout, c.what);
    assertNoWorkflowCommand(r.stdout, c.what);
    assert.is((r.stdout.match(/<failure /g) ?? []).length, 1, c.what);
  }
});

Hostile('a hostile name of a broken link is escaped in the problem on stderr', async () => {
  const dir = join(tmp, 'links');
  mkdirSync(dir);
  symlinkSync(join(tmp, 'nowhere'), join(dir, 'x\n::error::forged\x1b[31m.yaml'));
  const r = await run(['lint', 'links', ...now], { cwd: tmp });
  assert.is(r.code, 2);
  assert.is(r.stderr.split('\n').length, 2 + 1, JSON.stringify(r.stderr));
  assertNoRawControls(r.stderr, 'stderr');
  assertNoWorkflowCommand(r.stderr, 'stderr');
});

Hostile('a real process: lint --format github on a file with a hostile metadata.name forges no command', () => {
  const dir = join(tmp, 'child');
  mkdirSync(dir);
  writeFileSync(join(dir, 'policy.yaml'), manifest('x\n::error file=README.md,line=1::forged\n##[warning]forged\x1b]8;;http://x\x07'));
  const r = spawnSync(join(root, 'node_modules/.bin/node'), [join(root, 'bin/firmwarden.mjs'), 'lint', 'policy.yaml', '--format', 'github', ...now], { cwd: dir, encoding: 'utf8' });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stderr, '');
  const lines = r.stdout.split('\n');
  assert.is(lines.length, 2, JSON.stringify(r.stdout));
  assert.match(lines[0]!, /^::error file=policy\.yaml,line=3,col=\d+,endLine=3,endColumn=\d+,title=schema-pattern::metadata\.name: 'x\\n::error file=README\.md,line=1::forged\\n#\\x23\[warning\]forged\\x1b\]8;;http:\/\/x\\x07' is not valid/);
  assertNoRawControls(r.stdout, 'stdout');
});

Hostile.run();
