// `run`'s fleet flags are optional (fallback `tenants`): with none naming a tenant, an app or a
// way to sign in, the result serves Tenants only (single: false) and keeps the endpoints a
// --graph-url gives (a loopback emulator serving every Tenant); anything naming one is the
// single-tenant connection as before, with its usual errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { UsageError } from '../../controller/config/usage-error.ts';

const parse = (args: string[], env: Record<string, string> = {}) => parseFleetOptions(args, env, { fallback: 'tenants', readFile: () => 's3cret' });

const cases: { name: string; args: string[]; env?: Record<string, string>; single: boolean; graphUrl: string; loginUrl: string }[] = [
  { name: 'nothing at all', args: ['--dir', 'x'], single: false, graphUrl: 'https://graph.microsoft.com/beta', loginUrl: 'https://login.microsoftonline.com' },
  { name: 'a loopback --graph-url alone', args: ['--graph-url', 'http://127.0.0.1:9/beta/'], single: false, graphUrl: 'http://127.0.0.1:9/beta', loginUrl: 'http://127.0.0.1:9' },
  { name: 'a cloud alone', args: ['--cloud', 'usgov'], single: false, graphUrl: 'https://graph.microsoft.us/beta', loginUrl: 'https://login.microsoftonline.us' },
  { name: 'FIRMWARDEN_GRAPH_URL alone', args: [], env: { FIRMWARDEN_GRAPH_URL: 'http://127.0.0.1:7' }, single: false, graphUrl: 'http://127.0.0.1:7/beta', loginUrl: 'http://127.0.0.1:7' },
  { name: 'the flags of one tenant', args: ['--graph-url', 'http://127.0.0.1:9/beta', '--tenant', 't1', '--client-id', 'c1', '--client-secret-file', '/s'], single: true, graphUrl: 'http://127.0.0.1:9/beta', loginUrl: 'http://127.0.0.1:9' },
  { name: 'the variables of one tenant', args: [], env: { AZURE_TENANT_ID: 't1', AZURE_CLIENT_ID: 'c1', AZURE_CLIENT_SECRET: 'x' }, single: true, graphUrl: 'https://graph.microsoft.com/beta', loginUrl: 'https://login.microsoftonline.com' },
  { name: '--emulator', args: ['--emulator'], single: true, graphUrl: '', loginUrl: '' },
];

for (const c of cases) {
  test(`fallback tenants: ${c.name}`, () => {
    const { options, single, rest } = parse(c.args, c.env);
    assert.is(single, c.single);
    assert.is(options.graphUrl, c.graphUrl);
    assert.is(options.loginUrl, c.loginUrl);
    if (!single) {
      assert.is(options.auth, null);
      assert.is(options.tenant, null);
    }
    assert.equal(rest, c.args.includes('--dir') ? ['--dir', 'x'] : []);
  });
}

test('fallback tenants: a tenant without its credential is still an error naming the flag', () => {
  assert.throws(() => parse(['--tenant', 't1', '--client-id', 'c1']), (e: unknown) => e instanceof UsageError && /--client-secret-file|no credential/.test(e.message));
});

test('the default fallback still refuses to start without a fleet', () => {
  assert.throws(() => parseFleetOptions([], {}), (e: unknown) => e instanceof UsageError && /no fleet credentials/.test(e.message));
});

test.run();
