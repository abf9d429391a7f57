// The fleet report of a pass over Tenants: the pass's one write carries one FLEET.md with a
// section per tenant in namespace order, saying which tenants it covers, each tenant's headings
// one level down (not inside the gantt's fence); without any tenant report, no files at all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mergeTenantWrites } from '../../controller/run/tenant-writes.ts';
import type { Snapshot, StatusWriteRequest } from '../../controller/model/source.ts';

const report = (ns: string) => `# Fleet report\n\nfor ${ns}\n\n## Progress\n\n\`\`\`mermaid\n# not a heading\n\`\`\`\n`;
const request = (ns: string, withReport: boolean): StatusWriteRequest => ({
  revision: 'r1', summary: `${ns} ok`, statuses: [],
  ...(withReport ? { files: (s: Snapshot) => [{ path: 'FLEET.md', text: report(`${ns}@${s.revision}`) }] } : {}),
});
const next = { revision: 'r2', files: [] } as unknown as Snapshot;

test('one FLEET.md, a section per tenant by namespace, the tenants it covers named', async () => {
  const merged = mergeTenantWrites('r1', [{ namespace: 'charlie', request: request('charlie', true) }, { namespace: 'alpha', request: request('alpha', true) }], [], undefined);
  assert.type(merged.files, 'function');
  const files = await (merged.files as (s: Snapshot) => Promise<{ path: string; text: string }[]>)(next);
  assert.equal(files.map((f) => f.path), ['FLEET.md']);
  assert.is(files[0]!.text, [
    '# Fleet report', '',
    'Covers 2 tenants (by namespace): alpha, charlie. A tenant not listed was not reconciled in the last pass (see its manifests\' conditions).', '',
    '## Tenant alpha', '', '## Fleet report', '', 'for alpha@r2', '', '### Progress', '', '```mermaid', '# not a heading', '```', '',
    '## Tenant charlie', '', '## Fleet report', '', 'for charlie@r2', '', '### Progress', '', '```mermaid', '# not a heading', '```', '',
  ].join('\n'));
});

test('a pass that reconciled one tenant keeps the others\' last sections; its own replaces its earlier one', async () => {
  const merged = mergeTenantWrites('r1', [{ namespace: 'bravo', request: request('bravo', true) }], [], undefined, [
    { namespace: 'alpha', files: [{ path: 'FLEET.md', text: '# Fleet report\n\nalpha earlier\n' }] },
    { namespace: 'bravo', files: [{ path: 'FLEET.md', text: '# Fleet report\n\nbravo earlier\n' }] },
  ]);
  const [file] = await (merged.files as (s: Snapshot) => Promise<{ path: string; text: string }[]>)(next);
  assert.match(file!.text, /^# Fleet report\n\nCovers 2 tenants \(by namespace\): alpha, bravo\./);
  assert.match(file!.text, '## Tenant alpha\n\n## Fleet report\n\nalpha earlier\n');
  assert.match(file!.text, 'for bravo@r2');
  assert.not.match(file!.text, 'bravo earlier');
});

test('no tenant writes a report: the write has no files', () => {
  const merged = mergeTenantWrites('r1', [{ namespace: 'alpha', request: request('alpha', false) }], [], undefined);
  assert.is(merged.files, undefined);
});

test.run();
