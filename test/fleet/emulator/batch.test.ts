import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { getToken, graph } from './emulator-client.ts';

let handle: EmulatorHandle;
let token: string;
let realNow = 0;
const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));

const batch = suite('$batch');
batch.before.each(async () => {
  realNow = 0;
  handle = await startEmulator({ devices: 100, seed: 3, clock, rateLimit: 0, failureRate: 0, realTime: () => realNow });
  token = await getToken(handle);
});
batch.after.each(() => handle.close());

const post = (body: unknown) => graph(handle, token, '/$batch', { method: 'POST', body });
const healthOf = (id: string, requestId: string) => ({ id: requestId, method: 'GET', url: `/teamwork/devices/${id}/health` });

batch('twenty health reads come back 200, one answer per id', async () => {
  const ids = handle.control.devices({ limit: 20 }).map((d) => d.id);
  const answer = await post({ requests: ids.map((id, k) => healthOf(id, String(k + 1))) });
  assert.is(answer.status, 200);
  const responses = answer.body.responses as { id: string; status: number; body: { id: string } }[];
  assert.is(responses.length, 20);
  for (const r of responses) {
    assert.is(r.status, 200);
    assert.is(r.body.id, ids[Number(r.id) - 1]);
  }
  const stats = handle.control.stats();
  assert.is(stats.httpRequests, 1);
  assert.is(stats.graphRequests, 20, 'inner requests count one by one');
});

batch('more than twenty requests, duplicate ids (any case) or a malformed payload: the whole batch is a 400', async () => {
  const id = handle.control.device(0)!.id;
  const cases: unknown[] = [
    { requests: Array.from({ length: 21 }, (_, k) => healthOf(id, String(k))) },
    { requests: [healthOf(id, 'a'), healthOf(id, 'A')] },
    { requests: [] },
    { nope: true },
    { requests: [{ id: 'x', method: 'GET' }] },
    { requests: [{ id: 1, method: 'GET', url: '/teamwork/devices' }] },
    { requests: [{ ...healthOf(id, 'a'), dependsOn: ['missing'] }] },
    { requests: [{ ...healthOf(id, 'a'), dependsOn: ['b'] }, { ...healthOf(id, 'b'), dependsOn: ['a'] }] },
  ];
  for (const body of cases) {
    const answer = await post(body);
    assert.is(answer.status, 400, JSON.stringify(body).slice(0, 80));
    assert.is(answer.body.error.code, 'BadRequest');
  }
});

batch('inner updateSoftware: 202 with Location in the inner headers, 409 for the repeat, per-item results', async () => {
  const [a, b] = handle.control.devices({ deviceType: 'ipPhone', limit: 2 });
  const body = (id: string, n: string) => ({ id: n, method: 'POST', url: `/teamwork/devices/${id}/updateSoftware`, headers: { 'Content-Type': 'application/json' }, body: { softwareType: 'teamsClient' } });
  const answer = await post({ requests: [body(a!.id, '1'), body(b!.id, '2'), { ...body(a!.id, '3'), dependsOn: ['1'] }, healthOf('00000000-0000-4000-8000-000000000000', '4')] });
  assert.is(answer.status, 200);
  const byId = new Map((answer.body.responses as { id: string; status: number; headers: Record<string, string> }[]).map((r) => [r.id, r]));
  assert.is(byId.get('1')!.status, 202);
  assert.match(byId.get('1')!.headers.Location!, new RegExp(`^/teamwork/devices/${a!.id}/operations/`));
  assert.is(byId.get('2')!.status, 202);
  assert.is(byId.get('3')!.status, 409);
  assert.is(byId.get('4')!.status, 404);
  const log = handle.control.actionLog({ action: 'updateSoftware' });
  assert.equal(log.map((e) => [e.status, e.via]), [[202, 'batch'], [202, 'batch'], [409, 'batch']]);
});

batch('a failed dependency makes its dependants 424; independent requests still run', async () => {
  const id = handle.control.device(1)!.id;
  const answer = await post({ requests: [
    healthOf('00000000-0000-4000-8000-000000000000', 'bad'),
    { ...healthOf(id, 'after-bad'), dependsOn: ['bad'] },
    { ...healthOf(id, 'after-after'), dependsOn: ['after-bad'] },
    healthOf(id, 'alone'),
  ] });
  const status = Object.fromEntries((answer.body.responses as { id: string; status: number }[]).map((r) => [r.id, r.status]));
  assert.equal(status, { bad: 404, 'after-bad': 424, 'after-after': 424, alone: 200 });
});

batch('a body without Content-Type, an absolute url or a nested batch fail alone', async () => {
  const id = handle.control.device(2)!.id;
  const answer = await post({ requests: [
    { id: '1', method: 'POST', url: `/teamwork/devices/${id}/updateSoftware`, body: { softwareType: 'firmware' } },
    { id: '2', method: 'GET', url: `${handle.graphBaseUrl}/teamwork/devices` },
    { id: '3', method: 'POST', url: '/$batch', headers: { 'content-type': 'application/json' }, body: { requests: [] } },
    { id: '4', method: 'GET', url: 'teamwork/devices?$top=2' },
  ] });
  const status = Object.fromEntries((answer.body.responses as { id: string; status: number }[]).map((r) => [r.id, r.status]));
  assert.equal(status, { 1: 400, 2: 400, 3: 400, 4: 200 });
});

batch('inner requests are throttled one by one: 429 with an inner Retry-After inside a 200 batch', async () => {
  handle.control.setRateLimit(5);
  const ids = handle.control.devices({ limit: 8 }).map((d) => d.id);
  const answer = await post({ requests: ids.map((id, k) => healthOf(id, `r${k}`)) });
  assert.is(answer.status, 200);
  const responses = answer.body.responses as { status: number; headers: Record<string, string>; body: { error?: { code: string } } }[];
  assert.is(responses.filter((r) => r.status === 200).length, 5, 'the burst of one second');
  const throttled = responses.filter((r) => r.status === 429);
  assert.is(throttled.length, 3);
  for (const r of throttled) {
    assert.match(r.headers['Retry-After']!, /^[1-9]\d*$/);
    assert.is(r.body.error!.code, 'TooManyRequests');
  }
  realNow += 1000;
  const later = await post({ requests: ids.slice(0, 5).map((id, k) => healthOf(id, `s${k}`)) });
  assert.ok((later.body.responses as { status: number }[]).every((r) => r.status === 200), 'tokens refill with time');
});

batch('the inner-429 fault throttles inner requests while the batch answers 200', async () => {
  handle.control.setFaults({ batchThrottleNext: 2, retryAfterSeconds: 7 });
  const ids = handle.control.devices({ limit: 4 }).map((d) => d.id);
  const answer = await post({ requests: ids.map((id, k) => healthOf(id, `r${k}`)) });
  assert.is(answer.status, 200);
  const statuses = (answer.body.responses as { status: number; headers: Record<string, string> }[]).map((r) => [r.status, r.headers['Retry-After'] ?? null]);
  assert.equal(statuses, [[429, '7'], [429, '7'], [200, null], [200, null]]);
});

batch('answers come in reverse order on demand (clients must match by id)', async () => {
  handle.control.setQuirks({ reverseBatchResponses: true });
  const ids = handle.control.devices({ limit: 3 }).map((d) => d.id);
  const answer = await post({ requests: ids.map((id, k) => healthOf(id, `r${k}`)) });
  assert.equal((answer.body.responses as { id: string }[]).map((r) => r.id), ['r2', 'r1', 'r0']);
});

batch.run();
