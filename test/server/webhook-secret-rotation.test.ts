// --webhook-secret-file rotated while the endpoint runs: the next request is checked against the
// new secret, over loopback HTTP, with the options object `run` builds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { resolveRunSourceOptions } from '../../controller/config/run-options.ts';
import { silentLogger } from '../../controller/log/logger.ts';
import { startHttpServer } from '../../controller/server/http-server.ts';
import { createMetrics } from '../../controller/server/metrics.ts';
import { ReadinessGate } from '../../controller/server/readiness.ts';
import { signWebhookBody } from '../../controller/server/webhook-auth.ts';

test('a rotated webhook secret file applies to the next request; a too-short new secret keeps the old one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-hook-'));
  const file = join(dir, 'webhook-secret');
  writeFileSync(file, 'old-webhook-secret-0123\n');
  const options = await resolveRunSourceOptions({ dir: '.', 'webhook-secret-file': file }, {}, dir);
  const secret = options.http.webhookSecret;
  assert.ok(secret);
  if (!secret) return;
  const triggers: unknown[] = [];
  const server = await startHttpServer({
    port: 0,
    metrics: createMetrics(new Registry(), { processMetrics: false }),
    readiness: new ReadinessGate(),
    webhook: { secret, onTrigger: (info) => void triggers.push(info) },
    logger: silentLogger(),
  });
  const body = JSON.stringify({ ref: 'refs/heads/main' });
  const post = async (key: string) =>
    (await fetch(`${server.url}/hooks/git`, { method: 'POST', headers: { 'x-hub-signature-256': signWebhookBody(key, body) }, body })).status;
  try {
    assert.is(await post('old-webhook-secret-0123'), 202);
    writeFileSync(file, 'new-webhook-secret-4567\n');
    assert.is(await post('old-webhook-secret-0123'), 401, 'the old secret is refused at once');
    assert.is(await post('new-webhook-secret-4567'), 202);
    writeFileSync(file, 'short\n');
    assert.is(await post('short'), 401);
    assert.is(await post('new-webhook-secret-4567'), 202, 'a refused rotation keeps the previous secret');
    assert.is(triggers.length, 3);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
