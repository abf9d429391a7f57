// A client secret file rotated while the adapter runs is used at the next sign-in, without a
// restart: over plain http to the emulator (the small client-credentials fetcher) and over https
// (@azure/identity, whose credential object keeps the secret it was built with).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeLoopbackCertificate, runRotationScenario, type RotationResult } from './secret-rotation-scenario.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';

const rotation = suite('--client-secret-file rotation');

function check(result: RotationResult): void {
  assert.is(result.error, undefined);
  assert.equal(result.devices, [5, 5, 5, 5]);
  // A, then the token in hand after rotating (no sign-in), then B at renewal, then C.
  assert.equal(result.tokenRequests, [1, 1, 2, 3]);
  assert.is(result.logMessages.filter((m) => m === 'client secret file changed; the next sign-in uses the new secret').length, 2);
  assert.is(result.secretLogged, false, 'no secret in logs or errors');
}

rotation('over http (client-credentials fetcher): the next token request carries the rotated secret', async () => {
  check(await runRotationScenario());
});

rotation('over https (@azure/identity): the next sign-in carries the rotated secret', () => {
  const probe = fileURLToPath(new URL('./secret-rotation-https-probe.ts', import.meta.url));
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
  check(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as RotationResult);
});

rotation("the emulator's rotation endpoint refuses an unknown app or an empty secret", async () => {
  const emulator = await startEmulator({ devices: 1, rateLimit: 0 });
  try {
    const post = (id: string, body: unknown) =>
      fetch(`${new URL(emulator.graphBaseUrl).origin}/_emulator/apps/${id}/secret`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const unknown = await post('00000000-0000-4000-8000-000000000000', { secret: 'x' });
    assert.is(unknown.status, 400);
    assert.match(await unknown.text(), 'no app has client id');
    assert.is((await post(emulator.clientId, { secret: ' ' })).status, 400);
    assert.is((await post(emulator.clientId, {})).status, 400);
  } finally {
    await emulator.close();
  }
});

rotation.run();
