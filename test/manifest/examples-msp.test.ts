// examples-msp/ (a partner's repository: one namespace per customer tenant) lints clean, and
// each Tenant's partition holds exactly its own namespace's group and policy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { parseManifests } from '../../controller/manifest/parse-manifests.ts';
import { readManifestInputs } from '../../controller/sources/read-manifest-files.ts';
import { partitionByTenant } from '../../controller/policy/tenant-partition.ts';

const root = new URL('../../', import.meta.url).pathname;

test('examples-msp lints clean, and each tenant gets its own group and policy', async () => {
  const read = await readManifestInputs(['examples-msp'], { cwd: root, maxFileBytes: 1024 * 1024, stdin: Readable.from([]) });
  assert.equal(read.problems, []);
  const { findings, manifests } = parseManifests(read.files, { now: Date.parse('2026-11-22T08:00:00Z') });
  assert.equal([...read.findings, ...findings].map((f) => `${f.file}:${f.line}:${f.column} ${f.rule} ${f.message}`), []);
  const tenants = manifests.filter((m) => m.kind === 'Tenant');
  assert.is(tenants.length, 2);
  const partition = partitionByTenant(manifests, tenants);
  assert.equal(
    partition.tenants.map((t) => [t.namespace, t.manifests.map((m) => m.key).sort()]),
    [
      ['contoso', ['contoso/DeviceGroup/rooms', 'contoso/UpdatePolicy/general']],
      ['fabrikam', ['fabrikam/DeviceGroup/lab', 'fabrikam/UpdatePolicy/early']],
    ],
  );
  assert.equal(partition.unbound, []);
});

test.run();
