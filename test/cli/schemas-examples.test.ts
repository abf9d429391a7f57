// The examples survive being copied: copied into another repository (without
// examples/.firmwarden) where `firmwarden schemas --write .firmwarden/schemas` has run, every
// manifest names a schema that exists there and is valid against it, resolved the way an editor
// resolves a modeline (relative to the file, never through the network). And the schemas
// examples/ carries for that are the ones the command writes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { editorSchemaFiles, readShippedSchemas } from '../../controller/cli/schemas.ts';
import { compileFile, expectedFiles, firmwarden, root, scratch } from './schemas-support.ts';

test('examples copied into another repository, with schemas --write .firmwarden/schemas there: every manifest is valid against the schema its modeline names', () =>
  scratch(async (dir) => {
    const repo = join(dir, 'config');
    await cp(join(root, 'examples'), repo, { recursive: true, filter: (src) => !src.includes(`${join(root, 'examples')}/.firmwarden`) });
    assert.not.ok(existsSync(join(repo, '.firmwarden')), 'the schemas come from the command, not the copy');
    const r = await firmwarden(['schemas', '--write', '.firmwarden/schemas'], repo);
    assert.is(r.code, 0, r.stderr);
    const files = (await readdir(repo, { recursive: true })).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('.') && !f.startsWith('deploy'));
    const compiled = new Map<string, Awaited<ReturnType<typeof compileFile>>>();
    let checked = 0;
    const problems: string[] = [];
    for (const file of files) {
      // One document per chunk between '---' lines; the editor reads each one's own comment lines.
      for (const [i, chunk] of (await readFile(join(repo, file), 'utf8')).split(/^---[ \t]*$/m).entries()) {
        const body = parseAllDocuments(chunk)[0]?.toJSON() as { apiVersion?: string } | null | undefined;
        if (!body?.apiVersion?.startsWith('firmwarden.dev/')) continue;
        const modeline = /^#\s*yaml-language-server:\s*\$schema=(\S+)/m.exec(chunk)?.[1];
        if (modeline === undefined) {
          problems.push(`${file} document ${i + 1}: no modeline`);
          continue;
        }
        const schemaPath = resolve(dirname(join(repo, file)), modeline);
        if (!existsSync(schemaPath)) {
          problems.push(`${file} document ${i + 1}: ${modeline} does not exist in the copy`);
          continue;
        }
        if (!compiled.has(schemaPath)) compiled.set(schemaPath, await compileFile(schemaPath));
        const validate = compiled.get(schemaPath)!;
        if (!validate(body)) problems.push(`${file} document ${i + 1}: ${JSON.stringify(validate.errors?.slice(0, 2))}`);
        checked++;
      }
    }
    assert.equal(problems, []);
    assert.ok(checked >= 10, `${checked} documents checked`);
  }));

test('examples/.firmwarden/schemas is what schemas --write .firmwarden/schemas writes from examples/', async () => {
  const stale = 'is stale: run `npm run generate` and commit the result';
  for (const { file, text } of editorSchemaFiles(await readShippedSchemas(), '.firmwarden/schemas')) {
    const path = join(root, 'examples/.firmwarden/schemas', file);
    assert.is(existsSync(path) ? await readFile(path, 'utf8') : '', text, `examples/.firmwarden/schemas/${file} ${stale}`);
  }
  assert.equal((await readdir(join(root, 'examples/.firmwarden/schemas'))).sort(), await expectedFiles());
});

test.run();
