// The production sign-in path (@azure/identity, https authority, instance discovery off for an
// authority that is no known cloud) against the emulator served over https on loopback.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('ClientSecretCredential signs in against an https authority and the adapter lists devices', () => {
  const probe = fileURLToPath(new URL('./identity-https-probe.ts', import.meta.url));
  const cert = fileURLToPath(new URL('./fixtures/loopback-cert.pem', import.meta.url));
  const run = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', probe], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: cert, AZURE_LOG_LEVEL: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
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
