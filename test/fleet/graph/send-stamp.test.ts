// GraphHttp stamps a request's pacer grant when the request is sent, not when it was granted
// (issue 16): at undici's sendHeaders for its client-request-id, or, with a fetch that
// publishes nothing (injected here), when fetch settles or the attempt fails before it.
// Pacer at 1 request a second without margin, so the window is exactly 1000 ms.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../../../controller/model/clock.ts';
import { silentLogger } from '../../../controller/log/logger.ts';
import { GraphHttp } from '../../../controller/fleet/graph/graph-http.ts';
import { Pacer } from '../../../controller/fleet/graph/pacer.ts';
import { runBatch } from '../../../controller/fleet/graph/batch.ts';
import { clientRequestIdOf, watchedSends } from '../../../controller/fleet/graph/transport.ts';
import type { TokenSource } from '../../../controller/fleet/graph/token-source.ts';
import { drive } from './drive.ts';

const test = suite('GraphHttp: pacer grants stamped at the send');

const staticTokens: TokenSource = { getToken: async () => 'token', invalidate: () => undefined };

/** GraphHttp on `clock` at 1 request a second, with `fetch` (the real one when absent). */
function httpWith(clock: ManualClock, options: { fetch?: typeof fetch; tokens?: TokenSource; baseUrl?: string } = {}): GraphHttp {
  return new GraphHttp({
    baseUrl: options.baseUrl ?? 'http://graph.invalid/beta',
    tokens: options.tokens ?? staticTokens,
    clock,
    logger: silentLogger(),
    pacer: new Pacer(clock, { ratePerSecond: 1, marginMs: 0 }),
    maxAttempts: 1,
    random: () => 0.5,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

const ok = () => new Response(JSON.stringify({ value: [] }), { status: 200, headers: { 'content-type': 'application/json' } });
const get = { method: 'GET' as const, url: '/teamwork/devices', idempotent: true, what: 'list devices' };

interface Row {
  readonly name: string;
  /** The first attempt: what its fetch or token does, on the manual clock. */
  readonly first: 'answers after 600 ms' | 'fails after 500 ms' | 'token fails after 700 ms' | 'answers at once';
  /** Clock time at which the second request's fetch is called. */
  readonly secondAt: number;
}

const rows: Row[] = [
  { name: 'answered at once: the next request one window after', first: 'answers at once', secondAt: 1000 },
  { name: 'fetch settles 600 ms after the grant (no send event): the next request one window after that', first: 'answers after 600 ms', secondAt: 1600 },
  { name: 'fetch fails 500 ms after the grant: stamped at the failure', first: 'fails after 500 ms', secondAt: 1500 },
  { name: 'the token fails 700 ms after the grant, nothing sent: stamped at the failure', first: 'token fails after 700 ms', secondAt: 1700 },
];

for (const row of rows) {
  test(row.name, async () => {
    const clock = new ManualClock(0);
    const fetchedAt: number[] = [];
    let tokenCalls = 0;
    const tokens: TokenSource = {
      getToken: async () => {
        if (tokenCalls++ === 0 && row.first === 'token fails after 700 ms') {
          await clock.sleep(700);
          throw new Error('sign-in failed');
        }
        return 'token';
      },
      invalidate: () => undefined,
    };
    const fakeFetch = (async () => {
      fetchedAt.push(clock.now());
      if (fetchedAt.length === 1 && row.first === 'answers after 600 ms') await clock.sleep(600);
      if (fetchedAt.length === 1 && row.first === 'fails after 500 ms') {
        await clock.sleep(500);
        throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
      }
      return ok();
    }) as typeof fetch;
    const http = httpWith(clock, { fetch: fakeFetch, tokens });
    const work = Promise.allSettled([http.send(get), http.send(get)]);
    const [first, second] = await drive(clock, work);
    assert.is(first.status, row.first === 'answers at once' || row.first === 'answers after 600 ms' ? 'fulfilled' : 'rejected');
    assert.is(second.status, 'fulfilled');
    assert.is(fetchedAt.at(-1), row.secondAt);
    assert.is(watchedSends(), 0, 'a watch was left behind');
  });
}

test('a $batch is stamped when it settles too: the next chunk waits a window from then', async () => {
  const clock = new ManualClock(0);
  const fetchedAt: number[] = [];
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    fetchedAt.push(clock.now());
    if (fetchedAt.length === 1) await clock.sleep(600);
    const requests = (JSON.parse(String(init.body)) as { requests: { id: string }[] }).requests;
    return new Response(JSON.stringify({ responses: requests.map((r) => ({ id: r.id, status: 200, body: {} })) }), { status: 200 });
  }) as unknown as typeof fetch;
  const http = httpWith(clock, { fetch: fakeFetch });
  const items = ['a', 'b'].map((key) => ({ key, method: 'GET' as const, path: `/teamwork/devices/${key}` }));
  const results = await drive(clock, runBatch(http, items, { what: 'read', batchSize: 1 }));
  assert.is(results.size, 2);
  assert.equal(fetchedAt, [0, 1600]);
});

test('every attempt carries its own client-request-id (a UUID)', async () => {
  const clock = new ManualClock(0);
  const ids: string[] = [];
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    ids.push((init.headers as Record<string, string>)['client-request-id']!);
    return ok();
  }) as unknown as typeof fetch;
  const http = httpWith(clock, { fetch: fakeFetch });
  await drive(clock, Promise.all([http.send(get), http.send(get)]));
  assert.is(ids.length, 2);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.is.not(ids[0], ids[1]);
});

test('sendHeaders messages: the id is read from the flat header array, case-insensitive', () => {
  const cases: [unknown, string | undefined][] = [
    [{ request: { headers: ['accept', '*/*', 'client-request-id', 'ABC-1'] } }, 'abc-1'],
    [{ request: { headers: ['Client-Request-Id', 'x'] } }, 'x'],
    [{ request: { headers: ['accept', '*/*'] } }, undefined],
    [{ request: { headers: 'client-request-id: x\r\n' } }, undefined],
    [undefined, undefined],
  ];
  for (const [message, id] of cases) assert.is(clientRequestIdOf(message), id);
});

test('over real HTTP: a request sent but not answered frees its units one window after it was SENT', async () => {
  // The server holds the first answer; the pacer's clock is moved a window on. The second
  // request must reach the server then: its grant was stamped by undici's sendHeaders, not
  // held until the (held) answer.
  const held: ServerResponse[] = [];
  let arrived = 0;
  let onArrival: () => void = () => undefined;
  const server = createServer((req, res) => {
    req.resume();
    arrived++;
    onArrival();
    if (arrived === 1) held.push(res);
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const clock = new ManualClock(0);
    const http = httpWith(clock, { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/beta` });
    // The 5-s guard only turns a deadlock (the second held behind the unanswered first) into a failure.
    const waitFor = (n: number) => new Promise<void>((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`request ${n} never reached the server`)), 5_000);
      onArrival = () => {
        if (arrived < n) return;
        clearTimeout(guard);
        resolve();
      };
      onArrival();
    });
    const first = http.send(get);
    await waitFor(1);
    const second = http.send(get);
    clock.advance(1000);
    await waitFor(2);
    await second;
    held[0]!.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}');
    await first;
    assert.is(arrived, 2);
    assert.is(watchedSends(), 0, 'a watch was left behind');
  } finally {
    for (const res of held) if (!res.writableEnded) res.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test.run();
