// `firmwarden schemas --write DIR` as a real process: the files it writes, each a JSON Schema
// that compiles offline from the folder; the settings snippet pointing at the dispatcher; the
// dispatcher checking each document by its kind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmod, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { editorSchemaFiles, manifestSchemaFile, readShippedSchemas, settingsPathFor, settingsSnippetFile } from '../../controller/cli/schemas.ts';
import { compileFile, expectedFiles, firmwarden, root, scratch } from './schemas-support.ts';

test('schemas --write DIR writes the shipped schemas unchanged, the kind dispatcher and the settings snippet; all compile', () =>
  scratch(async (dir) => {
    const r = await firmwarden(['schemas', '--write', '.firmwarden/schemas'], dir);
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, 'wrote 9 files to .firmwarden/schemas');
    assert.match(r.stdout, '# yaml-language-server: $schema=../.firmwarden/schemas/devicegroup.schema.json');
    const out = join(dir, '.firmwarden/schemas');
    assert.equal((await readdir(out)).sort(), await expectedFiles());
    for (const { file, text } of await readShippedSchemas()) assert.is(await readFile(join(out, file), 'utf8'), text, `${file} as shipped`);
    for (const file of (await readdir(out)).filter((f) => f.endsWith('.schema.json'))) {
      const schema = JSON.parse(await readFile(join(out, file), 'utf8')) as { $id: string };
      assert.is(schema.$id, `https://firmwarden.dev/schemas/v1alpha1/${file}`, `${file}: a published $id`);
      await compileFile(join(out, file));
    }
    const settings = JSON.parse(await readFile(join(out, settingsSnippetFile), 'utf8')) as { 'yaml.schemas': Record<string, string[]> };
    assert.equal(settings, { 'yaml.schemas': { './.firmwarden/schemas/manifest.schema.json': ['**/*.yaml', '**/*.yml'] } });
    assert.ok(existsSync(resolve(dir, Object.keys(settings['yaml.schemas'])[0]!)), 'the snippet names the written file, relative to the workspace');
  }));

test('run again, it replaces its own files and leaves the folder\'s others alone', () =>
  scratch(async (dir) => {
    const out = join(dir, 'schemas');
    assert.is((await firmwarden(['schemas', '--write', 'schemas'], dir)).code, 0);
    await writeFile(join(out, 'devicegroup.schema.json'), '{"stale": true}');
    await writeFile(join(out, 'notes.txt'), 'mine');
    assert.is((await firmwarden(['schemas', '--write', out], dir)).code, 0);
    assert.is(await readFile(join(out, 'devicegroup.schema.json'), 'utf8'), await readFile(join(root, 'schemas/devicegroup.schema.json'), 'utf8'));
    assert.is(await readFile(join(out, 'notes.txt'), 'utf8'), 'mine');
  }));

test('usage: --write is required, unknown flags get a suggestion, an unwritable folder is named', () =>
  scratch(async (dir) => {
    const none = await firmwarden(['schemas'], dir);
    assert.is(none.code, 2);
    assert.match(none.stderr, 'firmwarden schemas: --write DIR is required');
    const typo = await firmwarden(['schemas', '--writ', 'x'], dir);
    assert.is(typo.code, 2);
    assert.match(typo.stderr, 'did you mean --write?');
    await writeFile(join(dir, 'a-file'), '');
    const blocked = await firmwarden(['schemas', '--write', 'a-file/schemas'], dir);
    assert.is(blocked.code, 2);
    assert.match(blocked.stderr, /cannot write .*a-file.* \(ENOTDIR\)/);
    assert.not.match(blocked.stderr, /\n\s+at /, 'no stack trace');
    if (process.getuid?.() !== 0) {
      await chmod(dir, 0o500);
      const denied = await firmwarden(['schemas', '--write', 'x'], dir);
      await chmod(dir, 0o700);
      assert.is(denied.code, 2);
    }
  }));

test('the settings snippet names the folder relative to the workspace, or absolutely when outside it', () => {
  const cases: [cwd: string, dir: string, key: string][] = [
    ['/repo', '.firmwarden/schemas', './.firmwarden/schemas/manifest.schema.json'],
    ['/repo', './.firmwarden/schemas/', './.firmwarden/schemas/manifest.schema.json'],
    ['/repo', 'schemas', './schemas/manifest.schema.json'],
    ['/repo', '.', './manifest.schema.json'],
    ['/repo', '/repo/tools/schemas', './tools/schemas/manifest.schema.json'],
    ['/repo', '/elsewhere/schemas', '/elsewhere/schemas/manifest.schema.json'],
    ['/repo/sub', '../schemas', '/repo/schemas/manifest.schema.json'],
  ];
  return readShippedSchemas().then((shipped) => {
    for (const [cwd, dir, key] of cases) {
      const snippet = editorSchemaFiles(shipped, settingsPathFor(cwd, dir)).find((f) => f.file === settingsSnippetFile)!;
      assert.equal(Object.keys((JSON.parse(snippet.text) as { 'yaml.schemas': object })['yaml.schemas']), [key], `${cwd} ${dir}`);
    }
  });
});

test('manifest.schema.json checks a document by its kind and leaves other API groups alone', () =>
  scratch(async (dir) => {
    assert.is((await firmwarden(['schemas', '--write', '.'], dir)).code, 0);
    const validate = await compileFile(join(dir, manifestSchemaFile));
    const group = { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name: 'lab' }, spec: { policyRef: { name: 'lab' }, selector: { tags: ['lab'] } } };
    const cases: [what: string, doc: unknown, valid: boolean][] = [
      ['a DeviceGroup', group, true],
      ['a DeviceGroup with an unknown field', { ...group, spec: { ...group.spec, polcyRef: { name: 'x' } } }, false],
      ['a DeviceGroup without its spec', { ...group, spec: undefined }, false],
      ['a kind first, no apiVersion yet (a new file)', { kind: 'UpdatePolicy', spec: 'nonsense' }, false],
      ['an unknown kind of firmwarden.dev', { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroupp', metadata: { name: 'x' } }, false],
      ['an unknown version of firmwarden.dev', { ...group, apiVersion: 'firmwarden.dev/v2' }, false],
      ['a Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 2 } }, true],
      ['a kustomization', { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['../base'] }, true],
      ['a GitHub workflow', { on: 'push', jobs: {} }, true],
      ['a list', ['a', 'b'], true],
    ];
    for (const [what, doc, valid] of cases) {
      const body = JSON.parse(JSON.stringify(doc)) as unknown;
      assert.is(validate(body), valid, `${what}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
    }
  }));

test.run();
