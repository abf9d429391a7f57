// `firmwarden run --dir` on a folder declaring three Tenants, against `firmwarden emulator
// --tenants 3` over loopback, both real processes: each tenant converges on its own devices
// (the emulator's request log says whose token made each updateSoftware: only its own), no
// update is posted twice, and the tenant whose secret file holds a wrong secret stalls alone
// with SignInFailed and the sign-in sentence while the others converge. The emulator's clock runs
// 120 times faster, so an update takes a few seconds; --resync 2s follows them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { start, stopAll, tail, type Proc } from '../kube/controller-process.ts';
import { eventually } from '../kube/clients.ts';
import { HeadlessPage } from '../support/chromium.ts';
import { roomsYaml, tenantYaml } from '../support/tenant-manifests.ts';
import { readTenantList, type ListedTenant } from '../support/tenant-list.ts';

type TenantInfo = ListedTenant;
interface Post { tenant: string; deviceId: string; softwareType: string | null; targetVersion: string | null; status: number }

const namespaces = ['alpha', 'bravo', 'charlie'] as const;

async function policyStatus(repo: string, ns: string): Promise<{ updates?: Record<string, number>; conditions?: { type: string; status: string; reason: string; message: string }[] }> {
  const docs = parseAllDocuments(await readFile(join(repo, ns, 'rooms.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; status?: object });
  return (docs.find((d) => d.kind === 'UpdatePolicy')?.status ?? {}) as never;
}

test('run --dir with three Tenants: each converges on its own devices with its own token; a wrong secret stalls that tenant alone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fw-run-tenants-'));
  const procs: Proc[] = [];
  let page: HeadlessPage | undefined;
  try {
    const listFile = join(dir, 'tenants.json');
    const emulator = start(['emulator', '--port', '0', '--rate-limit', '0', '--tenants', '3', '--devices', '4', '--seed', '11', '--speed', '120', '--tenants-out', listFile]);
    procs.push(emulator);
    const list = await readTenantList(emulator, listFile);
    const repo = join(dir, 'repo');
    for (const [i, ns] of namespaces.entries()) {
      const t = list.tenants[i]!;
      await mkdir(join(repo, ns), { recursive: true });
      await writeFile(join(dir, `${ns}.secret`), ns === 'bravo' ? 'a-wrong-secret' : t.clientSecret, { mode: 0o600 });
      await writeFile(join(repo, ns, 'tenant.yaml'), tenantYaml(ns, t, { file: join(dir, `${ns}.secret`) }, ns === 'charlie' ? 'Charlie & Co' : undefined));
      await writeFile(join(repo, ns, 'rooms.yaml'), roomsYaml(ns));
    }
    // No single-tenant flags: each Tenant brings its own credentials; --graph-url only points them all at the emulator.
    const controller = start(['run', '--dir', repo, '--state', join(dir, 'state.json'), '--resync', '2s', '--listen', '127.0.0.1:0',
      '--graph-url', list.graphBaseUrl, '--global-rate', '500', '--tenant-concurrency', '2']);
    procs.push(controller);
    const origin = list.graphBaseUrl.replace(/\/beta\/?$/, '');
    const posts = async (t: TenantInfo) => (await (await fetch(`${origin}/_emulator/tenants/${t.tenantId}/requests?action=updateSoftware`)).json()) as Post[];
    const done = async (ns: string) => {
      const u = (await policyStatus(repo, ns)).updates;
      return u !== undefined && u.pending === 0 && u.scheduled === 0 && u.inProgress === 0 && (u.succeeded ?? 0) > 0;
    };
    await eventually(`alpha and charlie to converge\n${tail(controller)}`, async () => ((await done('alpha')) && (await done('charlie')) ? true : undefined), 90_000);
    const stalled = await eventually(`bravo to stall\n${tail(controller)}`, async () => (await policyStatus(repo, 'bravo')).conditions?.find((c) => c.type === 'Stalled' && c.status === 'True'));
    assert.is(stalled.reason, 'SignInFailed');
    assert.match(stalled.message, /sign-in to 127\.0\.0\.1:\d+ failed \(secret\)/);

    for (const [i, ns] of namespaces.entries()) {
      const t = list.tenants[i]!;
      const own = new Set(((await (await fetch(`${origin}/_emulator/tenants/${t.tenantId}/devices`)).json()) as { id: string }[]).map((d) => d.id));
      const log = await posts(t);
      if (ns === 'bravo') {
        assert.is(log.length, 0, 'bravo posted nothing');
        continue;
      }
      assert.ok(log.length > 0, `${ns} posted updates`);
      for (const p of log) {
        assert.is(p.tenant, t.tenantId, `${ns}: every request with its own token`);
        assert.ok(own.has(p.deviceId), `${ns}: only its own devices`);
      }
      const accepted = log.filter((p) => p.status === 202).map((p) => `${p.deviceId}|${p.softwareType}|${p.targetVersion}`);
      assert.is(new Set(accepted).size, accepted.length, `${ns}: nothing posted twice`);
    }
    // Bravo never read its fleet, so it had nothing to save.
    assert.equal((await readdir(join(dir, 'state.json.d'))).sort(), ['alpha.json', 'charlie.json']);
    const base = /health, metrics and webhook on (http:\/\/\S+)/.exec(controller.err.join('\n'))![1];
    const metrics = await (await fetch(`${base}/metrics`)).text();
    // The live view shows one tenant at a time: by default the first by namespace, its groups named with it.
    const view = await (await fetch(`${base}/api/view`)).text();
    assert.match(view, 'alpha/rooms');
    assert.not.match(view, 'charlie/rooms');
    // ?tenant= picks another; its view is kept from its next reconcile on (waiting until then).
    const charlie = await eventually(`charlie's live view\n${tail(controller)}`, async () => {
      const r = await fetch(`${base}/api/view?tenant=charlie`);
      return r.status === 200 ? r.text() : (await r.body?.cancel(), undefined);
    }, 30_000);
    assert.match(charlie, 'charlie/rooms');
    assert.not.match(charlie, 'alpha/rooms');
    assert.not.match(charlie, 'bravo/rooms');
    // The page's picker lists every tenant this replica serves, with its displayName.
    assert.equal(await (await fetch(`${base}/api/tenants`)).json(), {
      tenants: [{ namespace: 'alpha' }, { namespace: 'bravo' }, { namespace: 'charlie', displayName: 'Charlie & Co' }],
    });
    for (const path of ['/api/view', '/api/events']) {
      const unknown = await fetch(`${base}${path}?tenant=delta`);
      assert.is(unknown.status, 404, path);
      assert.is(await unknown.text(), 'no tenant "delta" is served by this replica; the tenants it serves: alpha, bravo, charlie (ask for one with ?tenant=<namespace>)\n');
    }
    // The page in a real browser: the picker links every tenant, marks the one shown, and the view is charlie's.
    page = await HeadlessPage.launch();
    await page.goto(`${base}/?tenant=charlie`);
    const shown = await page.waitFor<{ links: string[]; current: string; text: string }>(`document.querySelectorAll('#tenants a').length === 3 && document.body.dataset.renderedAt && {
      links: Array.from(document.querySelectorAll('#tenants a'), (a) => a.getAttribute('href') + ' ' + a.textContent),
      current: document.querySelector('#tenants a[aria-current]').textContent,
      text: document.getElementById('app').textContent }`, 'the tenant picker and charlie\'s view');
    assert.equal(shown.links, ['/?tenant=alpha alpha', '/?tenant=bravo bravo', '/?tenant=charlie charlie (Charlie & Co)']);
    assert.is(shown.current, 'charlie (Charlie & Co)');
    assert.match(shown.text, 'charlie/rooms');
    assert.not.match(shown.text, 'alpha/rooms');
    assert.equal(page.problems, [], 'no console error or CSP violation');
    assert.match(metrics, /controller_runtime_reconcile_total\{controller="firmwarden",result="\w+",tenant="alpha"\} [1-9]/);
    assert.match(metrics, /firmwarden_fleet_requests_total\{code="200",tenant="charlie"\} [1-9]/);
  } finally {
    await page?.close();
    await stopAll(procs);
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
