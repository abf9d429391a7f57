import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { CachedTokenSource, computeRenewAt } from '../../../controller/fleet/graph/token-source.ts';
import { createClientCredentialsFetcher, tokenEndpointFor } from '../../../controller/fleet/graph/client-credentials.ts';
import { createTokenSource } from '../../../controller/fleet/graph/credentials.ts';
import { Secret } from '../../../controller/config/secret.ts';
import { FleetError } from '../../../controller/model/fleet.ts';
import { startFakeGraph } from './fake-graph.ts';
import { inspect } from 'node:util';

const cache = suite('CachedTokenSource');

cache('fetches once, serves from cache, renews five minutes before expiry', async () => {
  const clock = new ManualClock(0);
  let n = 0;
  const source = new CachedTokenSource(async () => ({ token: `t${++n}`, expiresInMs: 3_600_000 }), clock);
  assert.is(await source.getToken(), 't1');
  clock.advance(3_000_000);
  assert.is(await source.getToken(), 't1');
  clock.advance(300_000);
  assert.is(await source.getToken(), 't2');
  assert.is(source.fetches, 2);
});

cache('concurrent callers share one fetch; invalidate forces a fresh one', async () => {
  const clock = new ManualClock(0);
  const fresh: boolean[] = [];
  let n = 0;
  const source = new CachedTokenSource(async ({ fresh: f }) => {
    fresh.push(f);
    await new Promise((r) => setTimeout(r, 5));
    return { token: `t${++n}`, expiresInMs: 3_600_000 };
  }, clock);
  const tokens = await Promise.all([source.getToken(), source.getToken(), source.getToken()]);
  assert.equal(tokens, ['t1', 't1', 't1']);
  source.invalidate();
  assert.is(await source.getToken(), 't2');
  assert.equal(fresh, [false, true]);
});

cache('short-lived tokens renew at half their life', () => {
  assert.is(computeRenewAt(1000, 120_000), 61_000);
  assert.is(computeRenewAt(0, 3_600_000), 3_300_000);
});

const credentials = suite('client credentials over loopback http');

credentials('gets a token from {login}/{tenant}/oauth2/v2.0/token', async () => {
  const clock = new ManualClock(0);
  const fake = await startFakeGraph({ clock, handle: () => ({ status: 200, body: {} }) });
  try {
    const fetcher = createClientCredentialsFetcher({
      loginBaseUrl: fake.loginUrl, tenant: fake.tenant, clientId: fake.clientId, clientSecret: new Secret(fake.secret), scope: 'http://x/.default', timeoutMs: 2000,
    });
    const token = await fetcher({ signal: undefined, fresh: false });
    assert.is(token.token, 'tok-1');
    assert.is(token.expiresInMs, 3_599_000);
    assert.is(tokenEndpointFor('http://h:1/', 'a b'), 'http://h:1/a%20b/oauth2/v2.0/token');
  } finally {
    await fake.close();
  }
});

credentials('a refused secret is a terminal error that does not contain the secret, even when the server echoes it', async () => {
  const clock = new ManualClock(0);
  const fake = await startFakeGraph({ clock, handle: () => ({ status: 200, body: {} }) });
  try {
    const wrong = 'Wrong-Secret-123';
    const source = createTokenSource({
      auth: { kind: 'secret', tenant: fake.tenant, clientId: fake.clientId, clientSecret: new Secret(wrong) },
      scope: 'http://x/.default', loginBaseUrl: fake.loginUrl, clock, timeoutMs: 2000,
    });
    const error = await source.getToken().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof FleetError);
    if (!(error instanceof FleetError)) return;
    assert.is(error.retryable, false);
    assert.is(error.code, 'authenticationFailed');
    assert.ok(error.message.includes('AADSTS7000215'));
    assert.not.ok(error.message.includes(wrong));
    assert.not.ok(JSON.stringify({ ...error, message: error.message }).includes(wrong));
  } finally {
    await fake.close();
  }
});

credentials('certificate authentication against a plain-http authority is refused up front', () => {
  const clock = new ManualClock(0);
  assert.throws(
    () => createTokenSource({ auth: { kind: 'certificate', tenant: 't', clientId: 'c', certificatePath: '/x.pem' }, scope: 's', loginBaseUrl: 'http://127.0.0.1:9', clock, timeoutMs: 1 }),
    /https login URL/,
  );
  assert.throws(
    () => createTokenSource({ auth: { kind: 'secret', tenant: 't', clientId: 'c', clientSecret: new Secret('x') }, scope: 's', loginBaseUrl: 'http://login.example.com', clock, timeoutMs: 1 }),
    /https/,
  );
});

credentials('Secret never prints its value', () => {
  const secret = new Secret('hunter2-hunter2');
  assert.is(String(secret), '[redacted]');
  assert.is(JSON.stringify({ secret }), '{"secret":"[redacted]"}');
  assert.not.ok(inspect({ secret }).includes('hunter2'));
});

cache.run();
credentials.run();
