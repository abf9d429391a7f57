// The answer-table rows the emulator cannot produce (an HTTP-date Retry-After, 424 in both its
// readings, 408, a 5xx inside a $batch, a 401 that stays), through the scripted loopback Graph:
// it answers an item of a $batch exactly as it answers the same request sent alone, so a single
// request and a $batch item meet the very same answers and must end the same way.
// (An emulator fault that injects these would let answer-table-emulator.test.ts cover them.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { silentLogger } from '../../../controller/log/logger.ts';
import { Secret } from '../../../controller/config/secret.ts';
import { createTokenSource } from '../../../controller/fleet/graph/credentials.ts';
import { Pacer } from '../../../controller/fleet/graph/pacer.ts';
import { startFakeGraph, type FakeReply } from './fake-graph.ts';
import { callVia, RecordingHttp, type Call, type Observed, type Via } from './answer-rows.ts';

const start = Date.parse('2026-03-02T10:00:00Z');
/** An HTTP date `seconds` after the start (whole seconds, as the header has no finer grain). */
const httpDate = (seconds: number) => new Date(start + seconds * 1000).toUTCString();
const err = (code: string, innerCode?: string) => ({ error: { code, message: 'm', innerError: innerCode ? { code: innerCode } : {} } });

interface Row {
  readonly name: string;
  readonly call: Call;
  /** The answers given to the request, in turn; then 200 (202 for a POST). */
  readonly script: readonly Exclude<FakeReply, 'hang' | 'drop'>[];
  readonly rows: readonly string[] | Readonly<Record<Via, readonly string[]>>;
  readonly result: Observed;
  readonly waitsAtLeastMs?: number;
  /** Times the request reached the server. */
  readonly sent?: number;
  readonly throttled?: number;
}

const get: Call = { method: 'GET', path: '/teamwork/devices/dev1' };
const post: Call = { method: 'POST', path: '/teamwork/devices/dev1/updateSoftware', body: { softwareType: 'teamsClient', softwareVersion: '1.0' } };
const ok: Observed = { delivered: 200, code: undefined };

const rows: Row[] = [
  { name: '429 with an HTTP-date Retry-After: waited until then', call: get, script: [{ status: 429, headers: { 'retry-after': httpDate(5) }, body: err('TooManyRequests', '429') }], rows: ['429'], result: ok, waitsAtLeastMs: 5_000, sent: 2, throttled: 1 },
  { name: '503 with an HTTP-date Retry-After: waited until then', call: get, script: [{ status: 503, headers: { 'retry-after': httpDate(4) }, body: err('serviceNotAvailable') }], rows: ['503'], result: ok, waitsAtLeastMs: 4_000, sent: 2 },
  {
    name: '429 with an HTTP date too far ahead: a throttled error with the wait', call: get,
    script: [{ status: 429, headers: { 'retry-after': httpDate(3_600) }, body: err('TooManyRequests', '429') }], rows: ['429'],
    result: { failed: 'throttled', status: 429, retryable: true, retryAfterMs: 3_600_000 }, sent: 1, throttled: 1,
  },
  { name: '424 FailedDependency on a POST: not run, so sent again', call: post, script: [{ status: 424, body: err('FailedDependency') }], rows: ['424'], result: { delivered: 202, code: undefined }, sent: 2 },
  {
    name: '424 naming throttling (the older batch answer): throttled, Retry-After honoured', call: post,
    script: [{ status: 424, headers: { 'retry-after': '3' }, body: err('TooManyRequests', '429') }], rows: ['424 naming throttling'],
    result: { delivered: 202, code: undefined }, waitsAtLeastMs: 3_000, sent: 2, throttled: 1,
  },
  { name: '408 on a GET: backoff, then the answer', call: get, script: [{ status: 408 }], rows: ['408 or 5xx'], result: ok, sent: 2 },
  {
    name: '500 on a POST: outcomeUnknown, never sent twice', call: post, script: [{ status: 500, body: err('generalException') }], rows: ['408 or 5xx'],
    result: { failed: 'outcomeUnknown', status: 500, retryable: true, retryAfterMs: undefined }, sent: 1,
  },
  {
    name: '502 on every attempt: the last answer as a retryable error', call: get, script: [{ status: 502 }, { status: 502 }, { status: 502 }], rows: ['408 or 5xx', '408 or 5xx', '408 or 5xx'],
    result: { failed: undefined, status: 502, retryable: true, retryAfterMs: undefined }, sent: 3,
  },
  {
    // Alone, a 401 gets one fresh token; inside a $batch the token is the batch's, so it is delivered at once.
    name: '401 that stays: delivered to the caller', call: get, script: [{ status: 401, body: err('InvalidAuthenticationToken') }, { status: 401, body: err('InvalidAuthenticationToken') }],
    rows: { single: ['401', '401'], item: ['401'] }, result: { delivered: 401, code: 'InvalidAuthenticationToken' },
  },
];

const table = suite('answer table, scripted answers: a single request and a $batch item alike');
for (const row of rows) {
  for (const via of ['single', 'item'] as const) {
    table(`${row.name} — ${via}`, async () => {
      const clock = new ManualClock(start);
      const script = [...row.script];
      const fake = await startFakeGraph({
        clock,
        handle: (request) => script.shift() ?? { status: request.method === 'POST' ? 202 : 200, body: request.method === 'POST' ? undefined : { id: 'dev1' } },
      });
      try {
        const http = new RecordingHttp({
          baseUrl: fake.baseUrl,
          tokens: createTokenSource({ auth: { kind: 'secret', tenant: fake.tenant, clientId: fake.clientId, clientSecret: new Secret(fake.secret) }, scope: `${new URL(fake.baseUrl).origin}/.default`, loginBaseUrl: fake.loginUrl, clock, timeoutMs: 2_000 }),
          clock, logger: silentLogger(), pacer: new Pacer(clock, { ratePerSecond: 1000 }), timeoutMs: 2_000, maxAttempts: 3, random: () => 0.5,
        });
        const observed = await callVia(http, clock, row.call, via);
        const expectedRows = Array.isArray(row.rows) ? row.rows : (row.rows as Record<Via, readonly string[]>)[via];
        assert.equal(http.rows.filter((r) => r !== 'success'), expectedRows, 'table rows classified');
        assert.equal(observed, row.result);
        if (row.sent !== undefined) assert.is(fake.requests.length, row.sent, 'times the request reached the server');
        if (row.waitsAtLeastMs !== undefined) assert.ok(clock.now() - start >= row.waitsAtLeastMs, `waited ${clock.now() - start} ms, asked for ${row.waitsAtLeastMs}`);
        assert.is(http.stats.throttled, row.throttled ?? 0, 'counted as throttled');
      } finally {
        await fake.close();
      }
    });
  }
}

table.run();
