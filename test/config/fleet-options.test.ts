import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseFleetOptions } from '../../controller/config/fleet-options.ts';
import { UsageError } from '../../controller/config/usage-error.ts';

const files: Record<string, string> = { '/run/secret': 'from-file-secret\n', '/run/empty': '  \n' };
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return text;
};
const parse = (args: string[], env: Record<string, string> = {}, fallback: 'emulator' | 'none' = 'none') => parseFleetOptions(args, env, { fallback, readFile });

const options = suite('parseFleetOptions');

options('defaults: the emulator when the command falls back to it and nothing names a fleet', () => {
  const { options: o, rest } = parse(['plan', '--out', 'x'], {}, 'emulator');
  assert.is(o.target, 'emulator');
  assert.is(o.rate, 30);
  assert.is(o.timeoutMs, 30_000);
  assert.equal(rest, ['plan', '--out', 'x']);
  assert.ok(Object.isFrozen(o));
});

options('global cloud with a secret from the environment', () => {
  const { options: o } = parse([], { AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_CLIENT_ID: 'app', AZURE_CLIENT_SECRET: 'env-secret' });
  assert.is(o.target, 'graph');
  assert.is(o.graphUrl, 'https://graph.microsoft.com/beta');
  assert.is(o.loginUrl, 'https://login.microsoftonline.com');
  assert.is(o.auth, 'secret');
  assert.is(o.clientSecret?.reveal(), 'env-secret');
  assert.not.ok(JSON.stringify(o).includes('env-secret'));
});

const clouds: [string, string, string][] = [
  ['usgov', 'https://graph.microsoft.us/beta', 'https://login.microsoftonline.us'],
  ['usgov-dod', 'https://dod-graph.microsoft.us/beta', 'https://login.microsoftonline.us'],
  ['china', 'https://microsoftgraph.chinacloudapi.cn/beta', 'https://login.chinacloudapi.cn'],
];
for (const [cloud, graph, login] of clouds) {
  options(`--cloud ${cloud} picks its Graph and login hosts`, () => {
    const { options: o } = parse(['--cloud', cloud, '--tenant', 't', '--client-id', 'c', '--client-secret-file', '/run/secret']);
    assert.is(o.graphUrl, graph);
    assert.is(o.loginUrl, login);
    assert.is(o.clientSecret?.reveal(), 'from-file-secret');
  });
}

options('flags win over the environment, in both --flag value and --flag=value forms', () => {
  const { options: o, rest } = parse(['run', '--tenant=flag-tenant', '--fleet-rate', '12.5', '--cloud=china', '--watch'], {
    AZURE_TENANT_ID: 'env-tenant', AZURE_CLIENT_ID: 'app', AZURE_CLIENT_SECRET: 's', FIRMWARDEN_CLOUD: 'usgov', FIRMWARDEN_FLEET_RATE: '5',
  });
  assert.is(o.tenant, 'flag-tenant');
  assert.is(o.rate, 12.5);
  assert.is(o.cloud, 'china');
  assert.equal(rest, ['run', '--watch']);
});

options('an emulator started apart: http loopback Graph URL, login URL defaults to its origin', () => {
  const { options: o } = parse(['--graph-url', 'http://127.0.0.1:4100', '--tenant', 't', '--client-id', 'c', '--client-secret', 'x']);
  assert.is(o.graphUrl, 'http://127.0.0.1:4100/beta');
  assert.is(o.loginUrl, 'http://127.0.0.1:4100');
});

options('certificate, workload identity and managed identity', () => {
  const cert = parse(['--tenant', 't', '--client-id', 'c', '--certificate', '/etc/app.pem'], { AZURE_CLIENT_SECRET: 'ambient', AZURE_CLIENT_CERTIFICATE_PASSWORD: 'pw' }).options;
  assert.is(cert.auth, 'certificate');
  assert.is(cert.certificatePath, '/etc/app.pem');
  assert.is(cert.clientSecret, null);
  assert.is(cert.certificatePassword?.reveal(), 'pw');
  const wi = parse([], { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token' }).options;
  assert.is(wi.auth, 'workload-identity');
  assert.is(wi.federatedTokenFile, '/var/run/secrets/azure/tokens/azure-identity-token');
  const mi = parse(['--auth', 'managed-identity']).options;
  assert.is(mi.auth, 'managed-identity');
  assert.is(mi.tenant, null);
});

options('--emulator wins over ambient credentials in the environment', () => {
  const { options: o } = parse(['--emulator'], { AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' });
  assert.is(o.target, 'emulator');
  assert.is(o.clientSecret, null);
});

const bad: [string, string[], Record<string, string>, RegExp][] = [
  ['an unknown cloud', ['--cloud', 'mars', '--emulator'], {}, /--cloud: unknown cloud "mars"/],
  ['an unknown cloud from the environment', [], { FIRMWARDEN_CLOUD: 'mars', AZURE_TENANT_ID: 't' }, /FIRMWARDEN_CLOUD: unknown cloud/],
  ['a rate of zero', ['--fleet-rate', '0', '--emulator'], {}, /--fleet-rate: must be a number above 0/],
  ['a rate that is not a number', ['--emulator'], { FIRMWARDEN_FLEET_RATE: 'fast' }, /FIRMWARDEN_FLEET_RATE/],
  ['a missing value', ['--tenant'], {}, /--tenant needs a value/],
  ['a flag as value', ['--tenant', '--client-id', 'c'], {}, /--tenant needs a value/],
  ['--emulator with --tenant', ['--emulator', '--tenant', 't'], {}, /--emulator cannot be combined with --tenant/],
  ['plain http to a remote host', ['--graph-url', 'http://graph.example.com/beta', '--tenant', 't', '--client-id', 'c', '--client-secret', 's'], {}, /--graph-url: must be an https URL/],
  ['a Graph URL that is no URL', ['--graph-url', 'graph', '--tenant', 't'], {}, /--graph-url: not a URL/],
  ['no credential', ['--tenant', 't', '--client-id', 'c'], {}, /no credential/],
  ['a secret without tenant', ['--client-id', 'c', '--client-secret', 's'], {}, /--auth secret needs --tenant/],
  ['an unreadable secret file', ['--tenant', 't', '--client-id', 'c', '--client-secret-file', '/nope'], {}, /--client-secret-file: cannot read \/nope \(ENOENT\)/],
  ['an empty secret file', ['--tenant', 't', '--client-id', 'c', '--client-secret-file', '/run/empty'], {}, /is empty/],
  ['an unknown auth kind', ['--tenant', 't', '--client-id', 'c', '--auth', 'password'], {}, /--auth: unknown authentication "password"/],
  ['certificate auth on a plain-http fleet', ['--graph-url', 'http://127.0.0.1:1', '--tenant', 't', '--client-id', 'c', '--certificate', '/c.pem'], {}, /--graph-url: a plain-http fleet/],
  ['a tenant with a slash', ['--tenant', 'a/b', '--client-id', 'c', '--client-secret', 's'], {}, /--tenant: not a valid id/],
  ['nothing at all without a fallback', [], {}, /no fleet credentials: set AZURE_TENANT_ID and AZURE_CLIENT_ID .* add --emulator/],
];
for (const [name, args, env, message] of bad) {
  options(`refuses ${name}, naming the flag or variable`, () => {
    try {
      parse(args, env);
      assert.unreachable('accepted');
    } catch (error) {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, message);
    }
  });
}

options('a refused secret value is never quoted in the error', () => {
  try {
    parse(['--client-secret', 'p@ss-w0rd-xyz', '--client-id', 'c']);
    assert.unreachable();
  } catch (error) {
    assert.not.ok((error as Error).message.includes('p@ss-w0rd-xyz'));
  }
});

options.run();
