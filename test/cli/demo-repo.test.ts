// The demo's config repository is the fleet configuration of examples/ only: the deployment of
// the controller (examples/deploy/ and its overlays) stays out of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createDemoRepo } from '../../controller/cli/demo-setup.ts';

test('every YAML document in the demo repository is a firmwarden.dev kind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-demo-repo-'));
  try {
    await createDemoRepo(join(dir, 'repo'));
    const files = (await readdir(join(dir, 'repo'), { recursive: true }))
      .filter((f) => !f.startsWith('.git/') && /\.ya?ml$/.test(f));
    assert.ok(files.length >= 5, files.join(', '));
    const others: string[] = [];
    for (const file of files) {
      for (const doc of parseAllDocuments(await readFile(join(dir, 'repo', file), 'utf8'))) {
        const apiVersion = String((doc.toJSON() as { apiVersion?: unknown } | null)?.apiVersion ?? '');
        if (!apiVersion.startsWith('firmwarden.dev/')) others.push(`${file}: ${apiVersion || 'no apiVersion'}`);
      }
    }
    assert.equal(others, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
