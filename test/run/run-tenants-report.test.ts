// `firmwarden run --dir --report FLEET.md` with no single-tenant fleet flags, against
// `firmwarden emulator --tenants 2`, both real processes: both Tenants converge with their own
// credentials, and FLEET.md is one report with a section per tenant naming the tenants it covers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { start, stopAll, tail, type Proc } from '../kube/controller-process.ts';
import { eventually } from '../kube/clients.ts';
import { roomsYaml, tenantYaml } from '../support/tenant-manifests.ts';
import { readTenantList, type ListedTenant } from '../support/tenant-list.ts';

type TenantInfo = ListedTenant;

test('run --dir with two Tenants and no fleet flags: both converge; FLEET.md has a section per tenant', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-run-tenants-report-'));
  const procs: Proc[] = [];
  try {
    const listFile = join(dir, 'tenants.json');
    const emulator = start(['emulator', '--port', '0', '--rate-limit', '0', '--tenants', '2', '--devices', '3', '--seed', '5', '--speed', '120', '--tenants-out', listFile]);
    procs.push(emulator);
    const list = await readTenantList(emulator, listFile);
    const repo = join(dir, 'repo');
    for (const [i, ns] of ['alpha', 'bravo'].entries()) {
      await mkdir(join(repo, ns), { recursive: true });
      await writeFile(join(dir, `${ns}.secret`), list.tenants[i]!.clientSecret, { mode: 0o600 });
      await writeFile(join(repo, ns, 'rooms.yaml'), `${tenantYaml(ns, list.tenants[i]!, { file: join(dir, `${ns}.secret`) })}---\n${roomsYaml(ns)}`);
    }
    const controller = start(['run', '--dir', repo, '--state', join(dir, 'state.json'), '--resync', '2s', '--listen', '127.0.0.1:0',
      '--graph-url', list.graphBaseUrl, '--report', 'FLEET.md']);
    procs.push(controller);
    const done = async (ns: string) => {
      const docs = parseAllDocuments(await readFile(join(repo, ns, 'rooms.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; status?: { updates?: Record<string, number> } });
      const u = docs.find((d) => d.kind === 'UpdatePolicy')?.status?.updates;
      return u !== undefined && u.pending === 0 && u.scheduled === 0 && u.inProgress === 0 && (u.succeeded ?? 0) > 0;
    };
    await eventually(`alpha and bravo to converge\n${tail(controller)}`, async () => ((await done('alpha')) && (await done('bravo')) ? true : undefined), 90_000);
    const report = await eventually(`FLEET.md\n${tail(controller)}`, async () => {
      try {
        const text = await readFile(join(repo, 'FLEET.md'), 'utf8');
        return text.includes('## Tenant bravo') && text.includes('## Tenant alpha') ? text : undefined;
      } catch {
        return undefined;
      }
    });
    assert.match(report, /^# Fleet report\n\nCovers 2 tenants \(by namespace\): alpha, bravo\./);
    assert.ok(report.indexOf('## Tenant alpha') > 0 && report.indexOf('## Tenant bravo') > report.indexOf('## Tenant alpha'), report);
    assert.match(report, 'alpha/rooms');
    assert.match(report, 'bravo/rooms');
    assert.not.match(controller.err.join('\n'), 'no fleet credentials');
  } finally {
    await stopAll(procs);
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
