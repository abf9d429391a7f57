// The answer table over the real emulator on loopback: each row is provoked once for a single
// request (GraphHttp.send) and once for an item of a $batch (runBatch), and both must end the
// same way — same table rows seen, same result, same waits. Where the emulator can make the
// answer only for a whole $batch (injected 5xx), the item meets it through its $batch (`outer`).
// Rows the emulator cannot produce (424, HTTP-date Retry-After, 408, a second 401) are covered
// by classify-answer.test.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { silentLogger } from '../../../controller/log/logger.ts';
import { Secret } from '../../../controller/config/secret.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { createTokenSource } from '../../../controller/fleet/graph/credentials.ts';
import { Pacer } from '../../../controller/fleet/graph/pacer.ts';
import { getToken, updateSoftware } from '../emulator/emulator-client.ts';
import { drive } from './drive.ts';
import { callVia, RecordingHttp, type Call, type Observed, type Via } from './answer-rows.ts';

interface Row {
  readonly name: string;
  /** The read-only app (TeamworkDevice.Read.All) instead of the read-write one. */
  readonly readOnly?: boolean;
  readonly maxAttempts?: number;
  /** Makes the emulator give the answer under test, to a direct request or to an inner one. */
  readonly provoke?: (emulator: EmulatorHandle, via: Via, emulatorClock: ManualClock) => void | Promise<void>;
  readonly call: (emulator: EmulatorHandle) => Call;
  /** Table rows classified, in order. */
  readonly rows: readonly string[];
  readonly result: Observed;
  /** Least client-clock time the call must take (a Retry-After honoured). */
  readonly waitsAtLeastMs?: number;
  /** Operations on the POST's device afterwards: a POST is never carried out twice. */
  readonly operations?: number;
}

const unknownDevice = '00000000-0000-4000-8000-000000000000';
const firstDevice = (e: EmulatorHandle) => e.control.devices({ limit: 1 })[0]!.id;
const getDevice = (e: EmulatorHandle): Call => ({ method: 'GET', path: `/teamwork/devices/${firstDevice(e)}` });

/** A device with a teamsClient update, and the POST that starts it. */
function startUpdate(e: EmulatorHandle): Call {
  for (const d of e.control.devices({ limit: 1000 })) {
    const to = d.software.teamsClient?.availableVersion;
    if (to) return { method: 'POST', path: `/teamwork/devices/${d.id}/updateSoftware`, body: { softwareType: 'teamsClient', softwareVersion: to } };
  }
  throw new Error('no device with a teamsClient update');
}

/** 429s: on the direct request, or on the inner request of the $batch (its outer answer stays 200). */
const throttle = (next: number, retryAfterSeconds: number) => (e: EmulatorHandle, via: Via) =>
  void e.control.setFaults(via === 'single' ? { throttleNext: next, retryAfterSeconds } : { batchThrottleNext: next, retryAfterSeconds });
/** 5xx: the emulator injects them per HTTP request only, so an item meets them through its $batch. */
const serverError = (status: number, next: number) => (e: EmulatorHandle) =>
  void e.control.setFaults({ serverErrorNext: next, serverErrorStatuses: [status], retryAfterSeconds: 2 });

const rows: Row[] = [
  { name: '200 GET is delivered', call: getDevice, rows: [], result: { delivered: 200, code: undefined } },
  { name: '202 POST is delivered', call: startUpdate, rows: [], result: { delivered: 202, code: undefined }, operations: 1 },
  {
    name: '401 on an expired token: one fresh token, then the answer',
    provoke: (_e, _via, emulatorClock) => emulatorClock.advance(2 * 3_600_000),
    call: getDevice, rows: ['401'], result: { delivered: 200, code: undefined },
  },
  { name: '403 accessDenied is delivered', readOnly: true, call: startUpdate, rows: ['403'], result: { delivered: 403, code: 'accessDenied' }, operations: 0 },
  { name: '404 itemNotFound is delivered', call: () => ({ method: 'GET', path: `/teamwork/devices/${unknownDevice}` }), rows: ['404'], result: { delivered: 404, code: 'itemNotFound' } },
  {
    name: '409 Conflict on a POST is delivered, not re-sent',
    provoke: async (e) => {
      const call = startUpdate(e);
      const first = await updateSoftware(e, await getToken(e), call.path.split('/')[3]!, call.body as Record<string, unknown>);
      assert.is(first.status, 202);
    },
    call: startUpdate, rows: ['409'], result: { delivered: 409, code: 'Conflict' }, operations: 1,
  },
  { name: '400 BadRequest is delivered', call: () => ({ method: 'GET', path: '/teamwork/nowhere' }), rows: ['other 4xx'], result: { delivered: 400, code: 'BadRequest' } },
  { name: '405 is delivered', call: () => ({ method: 'POST', path: '/teamwork/devices', body: {} }), rows: ['other 4xx'], result: { delivered: 405, code: 'Request_BadRequest' } },
  { name: '429 with Retry-After seconds on a GET: waited out, then the answer', provoke: throttle(1, 2), call: getDevice, rows: ['429'], result: { delivered: 200, code: undefined }, waitsAtLeastMs: 2_000 },
  { name: '429 on a POST: not acted on, so sent again', provoke: throttle(1, 3), call: startUpdate, rows: ['429'], result: { delivered: 202, code: undefined }, waitsAtLeastMs: 3_000, operations: 1 },
  {
    name: '429 asking for longer than the client sleeps: a retryable throttled error with the wait',
    provoke: throttle(1, 600), call: getDevice, rows: ['429'],
    result: { failed: 'throttled', status: 429, retryable: true, retryAfterMs: 600_000 },
  },
  {
    name: '429 on every attempt: the last answer as a retryable error',
    maxAttempts: 3, provoke: throttle(5, 2), call: getDevice, rows: ['429', '429', '429'],
    result: { failed: 'TooManyRequests', status: 429, retryable: true, retryAfterMs: 2_000 }, waitsAtLeastMs: 4_000,
  },
  { name: '503 with Retry-After on a GET: waited out (outer for the item)', provoke: serverError(503, 1), call: getDevice, rows: ['503'], result: { delivered: 200, code: undefined }, waitsAtLeastMs: 2_000 },
  { name: '500 on a GET: backoff, then the answer (outer for the item)', provoke: serverError(500, 1), call: getDevice, rows: ['408 or 5xx'], result: { delivered: 200, code: undefined } },
  {
    name: '504 on every attempt: a retryable error (outer for the item)',
    maxAttempts: 2, provoke: serverError(504, 5), call: getDevice, rows: ['408 or 5xx', '408 or 5xx'],
    result: { failed: 'gatewayTimeout', status: 504, retryable: true, retryAfterMs: undefined },
  },
  {
    name: '500 on a POST: it may have run, so outcomeUnknown and no second send (outer for the item)',
    provoke: serverError(500, 1), call: startUpdate, rows: ['408 or 5xx'],
    result: { failed: 'outcomeUnknown', status: 500, retryable: true, retryAfterMs: undefined }, operations: 0,
  },
  {
    name: '503 on a POST: outcomeUnknown, carrying the Retry-After (outer for the item)',
    provoke: serverError(503, 1), call: startUpdate, rows: ['503'],
    result: { failed: 'outcomeUnknown', status: 503, retryable: true, retryAfterMs: 2_000 }, operations: 0,
  },
];

async function run(row: Row, via: Via): Promise<{ observed: Observed; rows: string[]; waitedMs: number; operations: number }> {
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const emulatorClock = new ManualClock(clock.now());
  const emulator = await startEmulator({ clock: emulatorClock, devices: 40, seed: 7, rateLimit: 0 });
  try {
    const http = new RecordingHttp({
      baseUrl: emulator.graphBaseUrl,
      tokens: createTokenSource({
        auth: {
          kind: 'secret', tenant: emulator.tenant,
          clientId: row.readOnly ? emulator.readOnlyClientId : emulator.clientId,
          clientSecret: new Secret(row.readOnly ? emulator.readOnlyClientSecret : emulator.clientSecret),
        },
        scope: `${new URL(emulator.graphBaseUrl).origin}/.default`, loginBaseUrl: emulator.loginBaseUrl, clock, timeoutMs: 2_000,
      }),
      clock, logger: silentLogger(), pacer: new Pacer(clock, { ratePerSecond: 1000 }), timeoutMs: 2_000,
      maxAttempts: row.maxAttempts ?? 6, random: () => 0.5,
    });
    // A token first, so that a row can make the cached one go stale.
    await drive(clock, http.send({ method: 'GET', url: '/teamwork', idempotent: true, what: 'warm up' }));
    const call = row.call(emulator);
    await row.provoke?.(emulator, via, emulatorClock);
    http.rows.length = 0;
    const started = clock.now();
    const observed = await callVia(http, clock, call, via);
    const deviceId = call.path.split('/')[3];
    return { observed, rows: [...http.rows], waitedMs: clock.now() - started, operations: row.operations !== undefined && deviceId ? emulator.control.operations(deviceId).length : 0 };
  } finally {
    await emulator.close();
  }
}

const table = suite('answer table over the emulator: a single request and a $batch item alike');
for (const row of rows) {
  for (const via of ['single', 'item'] as const) {
    table(`${row.name} — ${via}`, async () => {
      const { observed, rows: seen, waitedMs, operations } = await run(row, via);
      // The 200 of a $batch carrying the item is not an answer about the item: only a non-200 one is classified.
      assert.equal(seen.filter((r) => r !== 'success'), row.rows, 'table rows classified');
      assert.equal(observed, row.result);
      if (row.waitsAtLeastMs !== undefined) assert.ok(waitedMs >= row.waitsAtLeastMs, `waited ${waitedMs} ms, Retry-After asked for ${row.waitsAtLeastMs}`);
      if (row.operations !== undefined) assert.is(operations, row.operations, 'operations on the device');
    });
  }
}

table.run();
