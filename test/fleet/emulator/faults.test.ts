import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { startEmulator } from '../../../controller/fleet/emulator/server.ts';
import type { EmulatorHandle } from '../../../controller/fleet/emulator/emulator-options.ts';
import { getToken, graph, updateSoftware } from './emulator-client.ts';

let handle: EmulatorHandle;
let token: string;
let realNow = 0;
const clock = new ManualClock(Date.parse('2026-03-01T09:00:00Z'));

const throttling = suite('rate limit');
throttling.before.each(async () => {
  realNow = 0;
  handle = await startEmulator({ devices: 50, clock, realTime: () => realNow });
  token = await getToken(handle);
});
throttling.after.each(() => handle.close());

throttling('30 requests per second per app by default; then 429 TooManyRequests with a whole-second Retry-After', async () => {
  const statuses: number[] = [];
  let last;
  for (let i = 0; i < 32; i++) {
    last = await graph(handle, token, '/teamwork/devices?$top=1');
    statuses.push(last.status);
  }
  assert.is(statuses.filter((s) => s === 200).length, 30);
  assert.equal(statuses.slice(30), [429, 429]);
  assert.is(last!.headers.get('retry-after'), '1');
  assert.is(last!.body.error.code, 'TooManyRequests');
  assert.is(last!.body.error.innerError.status, '429');
  realNow += 100;
  assert.equal([(await graph(handle, token, '/teamwork/devices?$top=1')).status, (await graph(handle, token, '/teamwork/devices?$top=1')).status], [200, 200], '100 ms refill 3 tokens');
  assert.is(handle.control.stats().throttled, 2);
});

throttling('each app has its own bucket', async () => {
  handle.control.setRateLimit(2);
  const ro = await getToken(handle, true);
  assert.equal([await graph(handle, token, '/teamwork/devices'), await graph(handle, token, '/teamwork/devices'), await graph(handle, token, '/teamwork/devices')].map((a) => a.status), [200, 200, 429]);
  assert.is((await graph(handle, ro, '/teamwork/devices')).status, 200);
});

throttling('a throttled updateSoftware starts nothing and is logged with its 429', async () => {
  handle.control.setRateLimit(1);
  const id = handle.control.devices({ deviceType: 'ipPhone', limit: 1 })[0]!.id;
  await graph(handle, token, '/teamwork/devices');
  const answer = await updateSoftware(handle, token, id, { softwareType: 'teamsClient' });
  assert.is(answer.status, 429);
  assert.is(handle.control.operations(id).length, 0);
  assert.equal(handle.control.actionLog({ deviceId: id }).map((e) => e.status), [429]);
});

const faults = suite('faults on demand');
faults.before.each(async () => {
  handle = await startEmulator({ devices: 50, clock, rateLimit: 0 });
  token = await getToken(handle);
});
faults.after.each(() => handle.close());

faults('a 429 storm: every request throttled with the configured Retry-After until cleared', async () => {
  handle.control.setFaults({ throttleRate: 1, retryAfterSeconds: 12 });
  for (let i = 0; i < 5; i++) {
    const answer = await graph(handle, token, '/teamwork/devices');
    assert.is(answer.status, 429);
    assert.is(answer.headers.get('retry-after'), '12');
  }
  handle.control.clearFaults();
  assert.is((await graph(handle, token, '/teamwork/devices')).status, 200);
});

faults('throttleNext throttles exactly the next N requests', async () => {
  handle.control.setFaults({ throttleNext: 2 });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await graph(handle, token, '/teamwork/devices')).status);
  assert.equal(statuses, [429, 429, 200, 200]);
  assert.is(handle.control.faults().throttleNext, 0);
});

faults('a 5xx burst cycles 500, 503 (with Retry-After) and 504 in Graph error bodies', async () => {
  handle.control.setFaults({ serverErrorNext: 3, retryAfterSeconds: 3 });
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await graph(handle, token, '/teamwork/devices'));
  assert.equal(answers.map((a) => a.status), [500, 503, 504, 200]);
  assert.equal(answers.slice(0, 3).map((a) => a.headers.get('retry-after')), [null, '3', null]);
  for (const a of answers.slice(0, 3)) assert.type(a.body.error.code, 'string');
});

faults('a 5xx rate strikes about that share of requests, reproducibly', async () => {
  handle.control.setFaults({ serverErrorRate: 0.5, serverErrorStatuses: [503] });
  let failed = 0;
  for (let i = 0; i < 60; i++) if ((await graph(handle, token, '/teamwork/devices?$top=1')).status === 503) failed++;
  assert.ok(failed > 15 && failed < 45, `${failed} of 60`);
});

/** Resolves once `check` holds (polling; fails after 5 s). */
async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), 'condition reached');
}

/** 'answered' or the name of the error the call failed with. */
function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(() => 'answered', (error: Error) => error.name);
}

faults('latency delays answers (a client giving up after 100 ms gets nothing)', async () => {
  handle.control.setFaults({ latencyMs: 30_000 });
  assert.is(await outcome(graph(handle, token, '/teamwork/devices', { signal: AbortSignal.timeout(100) })), 'TimeoutError');
  handle.control.setFaults({ latencyMs: 0 });
  assert.is((await graph(handle, token, '/teamwork/devices')).status, 200);
});

faults('hung requests are never answered; the next one is; close() does not wait for them', async () => {
  handle.control.setFaults({ hangNext: 1 });
  const id = handle.control.devices({ deviceType: 'ipPhone', limit: 1 })[0]!.id;
  const controller = new AbortController();
  const hung = outcome(graph(handle, token, `/teamwork/devices/${id}/updateSoftware`, { method: 'POST', body: { softwareType: 'teamsClient' }, signal: controller.signal }));
  await waitUntil(() => handle.control.stats().hung === 1);
  controller.abort();
  assert.is(await hung, 'AbortError');
  assert.is(handle.control.operations(id).length, 0);
  assert.is(handle.control.stats().hung, 1);
  assert.equal(handle.control.actionLog({ deviceId: id }).map((e) => e.status), [0], 'a hung POST is logged with status 0');
  assert.is((await graph(handle, token, '/teamwork/devices')).status, 200);
});

faults('a hung request is cut when the emulator closes', async () => {
  handle.control.setFaults({ hangRate: 1 });
  const pending = graph(handle, token, '/teamwork/devices').then(() => 'answered', () => 'cut');
  await waitUntil(() => handle.control.stats().hung === 1);
  await handle.close();
  assert.is(await pending, 'cut');
});

faults('a lost answer: the update is carried out, the connection closes unanswered, the log says so; reads are never dropped', async () => {
  handle.control.setFaults({ dropAnswerNext: 1 });
  const [first, second] = handle.control.devices({ deviceType: 'ipPhone', limit: 2 });
  assert.is((await graph(handle, token, `/teamwork/devices/${first!.id}`)).status, 200, 'a GET does not use up the fault');
  assert.is(await outcome(updateSoftware(handle, token, first!.id, { softwareType: 'teamsClient' })), 'TypeError', 'fetch fails: no answer');
  const ops = handle.control.operations(first!.id);
  assert.is(ops.length, 1, 'the operation exists');
  assert.equal(handle.control.actionLog({ deviceId: first!.id }).map((e) => [e.status, e.operationId, e.answerLost]), [[202, ops[0]!.id, true]]);
  assert.is((await updateSoftware(handle, token, second!.id, { softwareType: 'teamsClient' })).status, 202, 'the next one is answered');
  assert.is(handle.control.actionLog({ deviceId: second!.id })[0]!.answerLost, undefined);
});

faults('a lost answer inside a $batch drops the whole batch answer after carrying it out', async () => {
  handle.control.setFaults({ dropAnswerRate: 1 });
  const [device] = handle.control.devices({ deviceType: 'ipPhone', limit: 1 });
  const batch = graph(handle, token, '/$batch', {
    method: 'POST',
    body: { requests: [{ id: '1', method: 'POST', url: `/teamwork/devices/${device!.id}/updateSoftware`, headers: { 'content-type': 'application/json' }, body: { softwareType: 'teamsClient' } }] },
  });
  assert.is(await outcome(batch), 'TypeError');
  assert.is(handle.control.operations(device!.id).length, 1);
  assert.equal(handle.control.actionLog({ deviceId: device!.id }).map((e) => [e.status, e.via, e.answerLost]), [[202, 'batch', true]]);
});

faults('actionLatencyMs holds POST actions only: reads are answered meanwhile and the action has not run yet', async () => {
  handle.control.setFaults({ actionLatencyMs: 30_000 });
  const [device] = handle.control.devices({ deviceType: 'ipPhone', limit: 1 });
  const controller = new AbortController();
  let settled = false;
  const post = outcome(graph(handle, token, `/teamwork/devices/${device!.id}/updateSoftware`, { method: 'POST', body: { softwareType: 'teamsClient' }, signal: controller.signal }));
  void post.then(() => (settled = true));
  await waitUntil(() => handle.control.stats().httpRequests === 1); // the POST has arrived
  assert.is((await graph(handle, token, `/teamwork/devices/${device!.id}/operations`)).status, 200);
  assert.not.ok(settled, 'the POST is still held');
  assert.is(handle.control.operations(device!.id).length, 0, 'and has not run');
  assert.is(handle.control.stats().graphRequests, 1, 'only the read was evaluated');
  controller.abort();
  assert.is(await post, 'AbortError');
});

faults('a held POST is decided on after its hold: a hang set meanwhile means it never runs', async () => {
  handle.control.setFaults({ actionLatencyMs: 200 });
  const [device] = handle.control.devices({ deviceType: 'ipPhone', limit: 1 });
  const controller = new AbortController();
  const post = outcome(graph(handle, token, `/teamwork/devices/${device!.id}/updateSoftware`, { method: 'POST', body: { softwareType: 'teamsClient' }, signal: controller.signal }));
  await waitUntil(() => handle.control.stats().httpRequests === 1); // received, still held
  handle.control.setFaults({ hangRate: 1 });
  await waitUntil(() => handle.control.stats().hung === 1);
  controller.abort();
  assert.is(await post, 'AbortError');
  assert.is(handle.control.operations(device!.id).length, 0);
  assert.equal(handle.control.actionLog({ deviceId: device!.id }).map((e) => e.status), [0]);
});

faults('bad fault settings are refused with the field named', () => {
  assert.throws(() => handle.control.setFaults({ throttleRate: 2 }), /throttleRate/);
  assert.throws(() => handle.control.setFaults({ serverErrorStatuses: [404] }), /serverErrorStatuses/);
  assert.throws(() => handle.control.setFaults({ bogus: 1 } as never), /unknown fault/);
});

throttling.run();
faults.run();
