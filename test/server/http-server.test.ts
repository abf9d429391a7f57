// The HTTP endpoints over loopback: health, readiness, metrics, the webhook and its bounds.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:http';
import { Registry } from 'prom-client';
import { silentLogger } from '../../controller/log/logger.ts';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../../controller/server/http-server.ts';
import { createMetrics } from '../../controller/server/metrics.ts';
import { ReadinessGate } from '../../controller/server/readiness.ts';
import { signWebhookBody } from '../../controller/server/webhook-auth.ts';

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

async function withServer(
  extra: Partial<HttpServerOptions>,
  fn: (server: RunningHttpServer, ctx: { gate: ReadinessGate; triggers: unknown[] }) => Promise<void>,
  withWebhook = true,
): Promise<void> {
  const gate = new ReadinessGate();
  const triggers: unknown[] = [];
  const server = await startHttpServer({
    port: 0,
    metrics: createMetrics(new Registry(), { processMetrics: false }),
    readiness: gate,
    ...(withWebhook ? { webhook: { secret: 's3cret', branch: 'main', maxBodyBytes: 1024, onTrigger: (info) => void triggers.push(info) } } : {}),
    logger: silentLogger(),
    ...extra,
  });
  try {
    await fn(server, { gate, triggers });
  } finally {
    await server.close();
  }
}

const endpoints = suite('HTTP endpoints');

endpoints('healthz is 200; readyz is 503 with a reason until marked ready, and again after', () =>
  withServer({}, async (server, { gate }) => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.is((await call(`${server.url}/healthz`)).status, 200);
    const starting = await call(`${server.url}/readyz`);
    assert.is(starting.status, 503);
    assert.is(starting.text, 'not ready: waiting for the first sync and reconcile\n');
    gate.markReady();
    assert.is((await call(`${server.url}/readyz`)).status, 200);
    gate.markNotReady('source unavailable');
    assert.is((await call(`${server.url}/readyz`)).text, 'not ready: source unavailable\n');
    assert.is((await call(`${server.url}/nope`)).status, 404);
    assert.is((await call(`${server.url}/healthz`, { method: 'POST' })).status, 405);
  }));

endpoints('liveness can report a wedged controller', () =>
  withServer({ liveness: () => ({ alive: false, reason: 'loop stuck' }) }, async (server) => {
    const res = await call(`${server.url}/healthz`);
    assert.is(res.status, 503);
    assert.is(res.text, 'loop stuck\n');
  }));

endpoints('metrics are Prometheus text from the registry passed in', async () => {
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  metrics.observeReconcile('firmwarden', 'success', 0.2);
  await withServer({ metrics }, async (server) => {
    const res = await call(`${server.url}/metrics`);
    assert.is(res.status, 200);
    assert.match(res.type ?? '', 'text/plain');
    assert.match(res.text, 'controller_runtime_reconcile_total{controller="firmwarden",result="success"} 1');
  });
});

const webhook = suite('POST /hooks/git');

const push = JSON.stringify({ ref: 'refs/heads/main' });

webhook('a correct signature or token triggers a sync; anything else is 401 and triggers nothing', () =>
  withServer({}, async (server, { triggers }) => {
    const signed = await call(`${server.url}/hooks/git`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': signWebhookBody('s3cret', push) },
      body: push,
    });
    assert.is(signed.status, 202);
    assert.equal(JSON.parse(signed.text), { sync: true });
    const token = await call(`${server.url}/hooks/git`, { method: 'POST', headers: { 'x-firmwarden-token': 's3cret' } });
    assert.is(token.status, 202);
    assert.equal(triggers, [{ event: 'push', branch: 'main' }, { event: undefined, branch: undefined }]);
    for (const headers of [{}, { 'x-firmwarden-token': 'wrong' }, { 'x-hub-signature-256': signWebhookBody('wrong', push) }]) {
      const denied = await call(`${server.url}/hooks/git`, { method: 'POST', headers, body: push });
      assert.is(denied.status, 401);
      assert.not.match(denied.text, 's3cret');
    }
    assert.is(triggers.length, 2);
    assert.is((await call(`${server.url}/hooks/git`)).status, 405);
  }));

webhook('pings and pushes to other branches are acknowledged without a sync', () =>
  withServer({}, async (server, { triggers }) => {
    const other = JSON.stringify({ ref: 'refs/heads/feature' });
    const res = await call(`${server.url}/hooks/git`, { method: 'POST', headers: { 'x-hub-signature-256': signWebhookBody('s3cret', other) }, body: other });
    assert.is(res.status, 202);
    assert.equal(JSON.parse(res.text), { sync: false, reason: 'push to feature, not main' });
    const ping = await call(`${server.url}/hooks/git`, { method: 'POST', headers: { 'x-github-event': 'ping', 'x-firmwarden-token': 's3cret' } });
    assert.is(ping.status, 200);
    assert.equal(triggers, []);
  }));

webhook('a body over the limit is refused with 413, declared or streamed', () =>
  withServer({}, async (server, { triggers }) => {
    const big = 'x'.repeat(2048);
    const declared = await call(`${server.url}/hooks/git`, { method: 'POST', headers: { 'x-firmwarden-token': 's3cret' }, body: big });
    assert.is(declared.status, 413);
    // Chunked, without a Content-Length: the server counts as it reads.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/hooks/git`, { method: 'POST', headers: { 'x-firmwarden-token': 's3cret' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(big);
      req.end(big);
    });
    assert.is(streamed, 413);
    assert.equal(triggers, []);
  }));

webhook('without a configured secret the webhook does not exist', () =>
  withServer({}, async (server) => {
    assert.is((await call(`${server.url}/hooks/git`, { method: 'POST', headers: { 'x-firmwarden-token': '' } })).status, 404);
  }, false));

endpoints.run();
webhook.run();
