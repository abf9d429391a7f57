// Replayed webhook deliveries: the memory of delivery ids (pure, with an injected clock), then
// the endpoint over loopback HTTP with real signatures.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Registry } from 'prom-client';
import { silentLogger } from '../../controller/log/logger.ts';
import { startHttpServer, type RunningHttpServer, type WebhookOptions } from '../../controller/server/http-server.ts';
import { createMetrics, type Metrics } from '../../controller/server/metrics.ts';
import { ReadinessGate } from '../../controller/server/readiness.ts';
import { signWebhookBody } from '../../controller/server/webhook-auth.ts';
import { readDeliveryId, RecentDeliveries } from '../../controller/server/webhook-replay.ts';

const memory = suite('RecentDeliveries');

memory('an id is new once, then remembered', () => {
  const recent = new RecentDeliveries({ now: () => 0 });
  assert.is(recent.remember('a'), true);
  assert.is(recent.remember('a'), false);
  assert.is(recent.remember('b'), true);
  assert.is(recent.size, 2);
});

memory('beyond maxEntries the oldest id is forgotten first, and only it', () => {
  const recent = new RecentDeliveries({ maxEntries: 3, now: () => 0 });
  for (const id of ['a', 'b', 'c', 'd']) assert.is(recent.remember(id), true);
  assert.is(recent.size, 3);
  assert.is(recent.remember('b'), false);
  assert.is(recent.remember('d'), false);
  assert.is(recent.remember('a'), true, 'the oldest was forgotten');
  assert.is(recent.size, 3);
});

memory('an id is forgotten maxAgeMs after it was first accepted; a refused replay does not extend it', () => {
  let now = 0;
  const recent = new RecentDeliveries({ maxAgeMs: 1000, now: () => now });
  recent.remember('a');
  now = 600;
  recent.remember('b');
  assert.is(recent.remember('a'), false);
  now = 999;
  assert.is(recent.remember('a'), false);
  now = 1000;
  assert.is(recent.remember('a'), true, 'a expired at 1000 although replayed at 600 and 999');
  assert.is(recent.remember('b'), false, 'b lives until 1600');
});

const headerCases: [string, Record<string, string>, ReturnType<typeof readDeliveryId>][] = [
  ['GitHub', { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, { header: 'x-github-delivery', id: '72d3162e-cc78-11e3-81ab-4c9367dc0958' }],
  ['Gitea (sends both; the same value)', { 'x-gitea-delivery': 'g-1', 'x-github-delivery': 'g-1' }, { header: 'x-github-delivery', id: 'g-1' }],
  ['Gitea alone', { 'x-gitea-delivery': 'g-2' }, { header: 'x-gitea-delivery', id: 'g-2' }],
  ['GitLab retries share the Idempotency-Key', { 'idempotency-key': 'k-1', 'x-gitlab-event-uuid': 'e-1' }, { header: 'idempotency-key', id: 'k-1' }],
  ['older GitLab: the event UUID', { 'x-gitlab-event-uuid': 'e-2' }, { header: 'x-gitlab-event-uuid', id: 'e-2' }],
  ['the hook UUID is not a delivery id', { 'x-gitlab-webhook-uuid': 'hook-1' }, undefined],
  ['no id', {}, undefined],
  ['an empty id', { 'x-github-delivery': ' ' }, 'invalid'],
  ['an id over 128 characters', { 'x-github-delivery': 'x'.repeat(129) }, 'invalid'],
];
for (const [name, headers, expected] of headerCases) {
  memory(`delivery id header: ${name}`, () => assert.equal(readDeliveryId(headers), expected));
}

const endpoint = suite('POST /hooks/git refuses replays');
const secret = 'replay-test-secret';
const push = JSON.stringify({ ref: 'refs/heads/main' });

async function withServer(
  extra: Partial<WebhookOptions>,
  fn: (server: RunningHttpServer, triggers: unknown[], metrics: Metrics) => Promise<void>,
): Promise<void> {
  const triggers: unknown[] = [];
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  const server = await startHttpServer({
    port: 0,
    metrics,
    readiness: new ReadinessGate(),
    webhook: { secret, branch: 'main', onTrigger: (info) => void triggers.push(info), ...extra },
    logger: silentLogger(),
  });
  try {
    await fn(server, triggers, metrics);
  } finally {
    await server.close();
  }
}

async function deliver(server: RunningHttpServer, headers: Record<string, string>, body = push): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/hooks/git`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text };
}

const signed = (id: string, body = push) => ({ 'x-github-delivery': id, 'x-hub-signature-256': signWebhookBody(secret, body) });

endpoint('the same signed delivery twice: the second is acknowledged without a second sync', () =>
  withServer({}, async (server, triggers, metrics) => {
    const first = await deliver(server, signed('d-1'));
    assert.equal(first, { status: 202, body: { sync: true } });
    const again = await deliver(server, signed('d-1'));
    assert.equal(again, { status: 200, body: { sync: false, reason: 'delivery d-1 already received' } });
    assert.is(triggers.length, 1);
    const text = await metrics.registry.metrics();
    assert.match(text, 'firmwarden_webhook_requests_total{result="accepted"} 1');
    assert.match(text, 'firmwarden_webhook_requests_total{result="duplicate"} 1');
  }));

endpoint('the same body under another delivery id is a new delivery', () =>
  withServer({}, async (server, triggers) => {
    assert.is((await deliver(server, signed('d-1'))).status, 202);
    assert.is((await deliver(server, signed('d-2'))).status, 202);
    assert.is(triggers.length, 2);
  }));

endpoint('a forged signature with a fresh id is refused and does not use the id up', () =>
  withServer({}, async (server, triggers) => {
    const forged = await deliver(server, { 'x-github-delivery': 'd-3', 'x-hub-signature-256': signWebhookBody('not-the-secret', push) });
    assert.is(forged.status, 401);
    assert.is(triggers.length, 0);
    const genuine = await deliver(server, signed('d-3'));
    assert.equal(genuine, { status: 202, body: { sync: true } });
    assert.is(triggers.length, 1);
  }));

endpoint('token senders (GitLab) are deduplicated by their idempotency key too', () =>
  withServer({}, async (server, triggers) => {
    const headers = { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': secret, 'idempotency-key': 'k-9' };
    assert.is((await deliver(server, headers)).status, 202);
    assert.is((await deliver(server, headers)).status, 200);
    assert.is(triggers.length, 1);
  }));

endpoint('pings and other branches use up their id as well; requests without an id are not deduplicated', () =>
  withServer({}, async (server, triggers) => {
    const ping = { 'x-github-event': 'ping', 'x-github-delivery': 'p-1', 'x-hub-signature-256': signWebhookBody(secret, '{}') };
    assert.is((await deliver(server, ping, '{}')).status, 200);
    const replayedPing = await deliver(server, ping, '{}');
    assert.equal(replayedPing.body, { sync: false, reason: 'delivery p-1 already received' });
    const noId = { 'x-hub-signature-256': signWebhookBody(secret, push) };
    assert.is((await deliver(server, noId)).status, 202);
    assert.is((await deliver(server, noId)).status, 202);
    assert.is(triggers.length, 2);
  }));

endpoint('an authenticated request with an oversized delivery id is refused with 400', () =>
  withServer({}, async (server, triggers) => {
    const res = await deliver(server, signed('x'.repeat(200)));
    assert.is(res.status, 400);
    assert.match(String(res.body), 'delivery id header must be 1 to 128 characters');
    assert.is(triggers.length, 0);
  }));

endpoint('the memory is bounded: past maxEntries and past maxAgeMs an old id is accepted again', async () => {
  let now = 0;
  await withServer({ deliveries: { maxEntries: 2, maxAgeMs: 60_000, now: () => now } }, async (server, triggers) => {
    for (const id of ['a', 'b', 'c']) assert.is((await deliver(server, signed(id))).status, 202);
    assert.is((await deliver(server, signed('c'))).status, 200);
    assert.is((await deliver(server, signed('a'))).status, 202, 'a was the oldest of three with room for two');
    now = 60_000;
    assert.is((await deliver(server, signed('c'))).status, 202, 'c aged out');
    assert.is(triggers.length, 5);
  });
});

memory.run();
endpoint.run();
