// The production sign-in path (@azure/identity, https authority, instance discovery off for an
// authority that is no known cloud) against the emulator served over https on loopback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A throwaway self-signed certificate for 127.0.0.1, made for this run (no key is kept in the repository). */
function makeLoopbackCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'loopback-key.pem');
  const cert = join(dir, 'loopback-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key, cert };
}

test('ClientSecretCredential signs in against an https authority and the adapter lists devices', () => {
  const probe = fileURLToPath(new URL('./identity-https-probe.ts', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'fw-tls-'));
  let run;
  try {
    const { key, cert } = makeLoopbackCertificate(dir);
    run = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', probe], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cert, FIRMWARDEN_TEST_TLS_KEY: key, FIRMWARDEN_TEST_TLS_CERT: cert, AZURE_LOG_LEVEL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.is(run.status, 0, run.stderr);
  const line = run.stdout.trim().split('\n').at(-1) ?? '{}';
  const result = JSON.parse(line) as { url: string; devices: number; tokenRequests: number; refused: { message: string; retryable: boolean; code: string } | null; secretLogged: boolean };
  assert.match(result.url, /^https:\/\/127\.0\.0\.1:\d+\/beta$/);
  assert.is(result.devices, 30);
  assert.ok(result.tokenRequests >= 1, 'the token came from the emulator');
  assert.ok(result.refused && !result.refused.retryable && result.refused.code === 'authenticationFailed', JSON.stringify(result.refused));
  assert.not.ok(result.refused?.message.includes('Wrong-Https-Secret-9'));
  assert.is(result.secretLogged, false);
});

test.run();
