import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';

let dir = '';
let cert = '';
let key = '';
let handle: EmulatorHandle;

const tls = suite('HTTPS emulator');
tls.before(async () => {
  // A throwaway self-signed certificate for 127.0.0.1, made for this run only.
  dir = await mkdtemp(join(tmpdir(), 'fw-emulator-tls-'));
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  cert = await readFile(join(dir, 'cert.pem'), 'utf8');
  key = await readFile(join(dir, 'key.pem'), 'utf8');
  handle = await startEmulator({ devices: 10, rateLimit: 0, tls: { key, cert } });
});
tls.after(async () => {
  await handle.close();
  await rm(dir, { recursive: true, force: true });
});

function getJson(url: string, token: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    request(url, { ca: cert, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject).end();
  });
}

tls('@azure/identity gets a token from the emulator (authorityHost = loginBaseUrl) and Graph accepts it', async () => {
  assert.match(handle.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const credential = new ClientSecretCredential(handle.tenant, handle.clientId, handle.clientSecret, {
    authorityHost: handle.loginBaseUrl,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: cert },
  });
  const token = await credential.getToken('https://graph.microsoft.com/.default');
  assert.ok(token.token.length > 20);
  assert.ok(token.expiresOnTimestamp > Date.now());
  const page = await getJson(`${handle.graphBaseUrl}/teamwork/devices?$top=3`, token.token);
  assert.is(page.status, 200);
  assert.is(page.body.value.length, 3);
});

tls('a wrong secret surfaces as an authentication error from @azure/identity', async () => {
  const credential = new ClientSecretCredential(handle.tenant, handle.clientId, 'wrong', {
    authorityHost: handle.loginBaseUrl,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: cert },
  });
  let error: Error | undefined;
  try {
    await credential.getToken('https://graph.microsoft.com/.default');
  } catch (e) {
    error = e as Error;
  }
  assert.ok(error);
  assert.match(error!.message, /AADSTS7000215/);
  assert.not.match(error!.message, /emulator-demo-secret/);
});

tls.run();
