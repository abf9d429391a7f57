// `firmwarden emulator --tenants / --tenants-file / --tenants-out`: the command serves the
// tenants and writes the list tests and benches configure controllers from.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulator } from '../../../controller/cli/emulator.ts';
import { UsageError } from '../../../controller/config/usage-error.ts';
import { makeIO, waitFor } from './emulator-cli-io.ts';

let dir = '';
const cli = suite('firmwarden emulator with several tenants');
cli.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fw-emu-tenants-'));
});
cli.after(async () => rm(dir, { recursive: true, force: true }));

cli('--tenants N --tenants-out FILE: serves N tenants and writes their credentials (owner-only), which sign in', async () => {
  const stop = new AbortController();
  const { io, out } = makeIO(stop.signal);
  const file = join(dir, 'tenants.json');
  const running = emulator(['--tenants', '4', '--devices', '12', '--rate-limit', '7', '--global-rate-limit', '50', '--tenants-out', file], io);
  await waitFor(() => out().includes('Stop with Ctrl+C'));
  for (const expected of ['4, 48 devices in all', '/_emulator/tenants', `written to ${file}`, '50 requests/s across all tenants', '7 requests/s per app per tenant']) {
    assert.ok(out().includes(expected), `prints ${expected}:\n${out()}`);
  }
  assert.is((await stat(file)).mode & 0o777, 0o600);
  const list = JSON.parse(await readFile(file, 'utf8'));
  assert.is(list.tenants.length, 4);
  assert.is(list.globalRateLimit, 50);
  const last = list.tenants[3];
  assert.equal([last.devices, last.rateLimit], [12, 7]);
  const res = await fetch(last.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: last.clientId, client_secret: last.clientSecret, scope: 'https://graph.microsoft.com/.default' }),
  });
  assert.is(res.status, 200);
  await res.body?.cancel();
  stop.abort();
  assert.is(await running, 0);
});

cli('--tenants-file FILE: serves the tenants it lists; the list written by --tenants-out reads back', async () => {
  const file = join(dir, 'spec.json');
  await writeFile(file, JSON.stringify({ tenants: [{ name: 'contoso', devices: 2 }, { tenantId: 'fabrikam.example', devices: 5, seed: 'fab' }] }));
  const stop = new AbortController();
  const { io, out } = makeIO(stop.signal);
  const written = join(dir, 'out.json');
  const running = emulator(['--tenants-file', file, '--tenants-out', written], io);
  await waitFor(() => out().includes('Stop with Ctrl+C'));
  stop.abort();
  assert.is(await running, 0);
  const list = JSON.parse(await readFile(written, 'utf8'));
  assert.equal(list.tenants.map((t: { name: string; tenantId: string; devices: number }) => [t.name, t.devices]), [['contoso', 2], ['tenant-001', 5]]);
  assert.is(list.tenants[1].tenantId, 'fabrikam.example');

  // Its own output as input: the same tenants with the same credentials.
  const again = new AbortController();
  const second = makeIO(again.signal);
  const rewritten = join(dir, 'again.json');
  const rerun = emulator(['--tenants-file', written, '--tenants-out', rewritten], second.io);
  await waitFor(() => second.out().includes('Stop with Ctrl+C'));
  again.abort();
  assert.is(await rerun, 0);
  const strip = (l: { tenants: { tokenUrl: string }[] }) => l.tenants.map(({ tokenUrl: _u, ...rest }) => rest);
  assert.equal(strip(JSON.parse(await readFile(rewritten, 'utf8'))), strip(list));
});

cli('bad tenant flags and files are errors that name the flag, file, entry and field', async () => {
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify([{ devices: 3 }, { devices: 'many' }]));
  const unknownField = join(dir, 'unknown.json');
  await writeFile(unknownField, JSON.stringify([{ tenant: 'x' }]));
  const notJson = join(dir, 'not.json');
  await writeFile(notJson, '{ tenants: ');
  const usage: [string[], RegExp][] = [
    [['--tenants', '0'], /--tenants must be a whole number from 1 to 10000/],
    [['--tenants', '2', '--tenants-file', bad], /--tenants and --tenants-file do not go together/],
    [['--tenants-file', join(dir, 'missing.json')], /--tenants-file .*missing\.json cannot be read: ENOENT/],
    [['--tenants-file', unknownField], /unknown\.json: tenants\[0\] has an unknown field "tenant"; known: tenantId/],
    [['--tenants-file', notJson], /not\.json is not JSON/],
    [['--global-rate-limit=-1'], /--global-rate-limit must be a number >= 0/],
  ];
  for (const [args, message] of usage) {
    let error: unknown;
    try {
      await emulator(args, makeIO(new AbortController().signal).io);
    } catch (e) {
      error = e;
    }
    assert.instance(error, UsageError, args.join(' '));
    assert.match((error as Error).message, message);
  }
  const { io, err } = makeIO(new AbortController().signal);
  assert.is(await emulator(['--tenants-file', bad], io), 1);
  assert.match(err(), new RegExp(`--tenants-file ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: tenants\\[1\\]\\.devices must be a whole number`));
  const state = makeIO(new AbortController().signal);
  assert.is(await emulator(['--tenants', '3', '--state', join(dir, 'state.json')], state.io), 1);
  assert.match(state.err(), /a state file keeps one tenant/);
});

cli.run();
