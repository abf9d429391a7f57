import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { ManualClock } from '../../../controller/model/clock.ts';
import { FleetError, type DeviceSoftware } from '../../../controller/model/fleet.ts';
import { createLogger } from '../../../controller/log/logger.ts';
import { startFakeGraph, type FakeGraph, type FakeHandler, type FakeRequest } from './fake-graph.ts';
import { createTestClient } from './client.ts';
import { drive } from './drive.ts';
import { devicePage, errors, healthDocument, operations } from './spec-examples.ts';

async function withFake(handle: FakeHandler, run: (fake: FakeGraph, clock: ManualClock) => Promise<void>, options: { reverseBatch?: boolean } = {}): Promise<void> {
  const clock = new ManualClock(Date.parse('2025-05-21T16:00:00Z'));
  const fake = await startFakeGraph({ clock, handle, ...options });
  try {
    await run(fake, clock);
  } finally {
    await fake.close();
  }
}

function device(id: string, deviceType = 'teamsRoom'): Record<string, unknown> {
  return { id, deviceType, hardwareDetail: { manufacturer: 'yealink', model: 'MVC', serialNumber: `SN-${id}`, uniqueId: `u-${id}` }, healthStatus: 'healthy' };
}

const list = suite('listDevices');

list('follows relative, absolute and /beta-prefixed nextLinks at $top=50 to the last page', async () => {
  let base = '';
  await withFake(
    (r) => {
      const token = r.query.get('$skiptoken');
      if (token === null) return { status: 200, body: { value: devicePage.value, '@odata.nextLink': '/teamwork/devices?$top=50&$skiptoken=p2' } };
      if (token === 'p2') return { status: 200, body: { value: [device('d3')], '@odata.nextLink': `${base}/teamwork/devices?$top=50&$skiptoken=p3` } };
      if (token === 'p3') return { status: 200, body: { value: [device('d4')], '@odata.nextLink': '/beta/teamwork/devices?$top=50&$skiptoken=p4' } };
      return { status: 200, body: { value: [device('d5')] } };
    },
    async (fake, clock) => {
      base = fake.baseUrl;
      const { fleet } = createTestClient(fake, clock);
      const devices = await drive(clock, fleet.listDevices());
      assert.equal(devices.map((d) => d.id), [devicePage.value[0]?.id, devicePage.value[1]?.id, 'd3', 'd4', 'd5']);
      assert.equal(fake.requests.map((r) => r.query.get('$skiptoken')), [null, 'p2', 'p3', 'p4']);
      assert.ok(fake.requests.every((r) => r.path === '/teamwork/devices' && r.query.get('$top') === '50'));
    },
  );
});

list('one device type becomes a $filter; several are listed unfiltered and filtered here', async () => {
  const all = [device('a', 'teamsRoom'), device('b', 'IpPhone'), device('c', 'teamsPanel')];
  await withFake(
    (r) => ({ status: 200, body: { value: r.query.get('$filter') === "deviceType eq 'teamsRoom'" ? [all[0]] : all } }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      const rooms = await drive(clock, fleet.listDevices({ deviceTypes: ['teamsRoom'] }));
      assert.equal(rooms.map((d) => d.id), ['a']);
      assert.is(fake.requests[0]?.query.get('$filter'), "deviceType eq 'teamsRoom'");
      const two = await drive(clock, fleet.listDevices({ deviceTypes: ['ipPhone', 'teamsPanel'] }));
      assert.equal(two.map((d) => d.id), ['b', 'c']);
      assert.is(fake.requests[1]?.query.get('$filter'), null);
    },
  );
});

list('a refused $filter falls back to listing everything and filtering here', async () => {
  await withFake(
    (r) => (r.query.has('$filter') ? { status: 400, body: { error: { code: 'BadRequest', message: 'Invalid filter clause' } } } : { status: 200, body: { value: [device('a', 'sip'), device('b')] } }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      const sip = await drive(clock, fleet.listDevices({ deviceTypes: ['sip'] }));
      assert.equal(sip.map((d) => d.id), ['a']);
      assert.is(fake.requests.length, 2);
    },
  );
});

list('skips entries without an id and keeps PascalCase and sipAnalog devices', async () => {
  await withFake(
    () => ({ status: 200, body: { value: [{ deviceType: 'TeamsRoom' }, device('x', 'SipAnalog'), { ...device('y'), deviceType: 'CollaborationBar', healthStatus: 'Critical' }] } }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      const devices = await drive(clock, fleet.listDevices());
      assert.equal(devices.map((d) => [d.id, d.deviceType, d.healthStatus]), [['x', 'sipAnalog', 'healthy'], ['y', 'collaborationBar', 'critical']]);
    },
  );
});

list('a link to another host is refused rather than sent the token', async () => {
  await withFake(
    () => ({ status: 200, body: { value: [], '@odata.nextLink': 'https://graph.microsoft.com/beta/teamwork/devices?$skiptoken=x' } }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      const error = await drive(clock, fleet.listDevices()).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof FleetError && error.code === 'foreignLink');
      assert.is(fake.requests.length, 1);
    },
  );
});

const health = suite('readSoftware');

health('reads health through $batch of at most 20, correlating answers given in reverse order', async () => {
  const ids = Array.from({ length: 45 }, (_, i) => `dev-${i}`);
  await withFake(
    (r) => {
      const id = r.path.split('/')[3] as string;
      if (id === 'dev-7') return { status: 404, body: errors.notFound };
      const version = `5.2.${id.slice(4)}.0`;
      return { status: 200, body: { ...healthDocument, id, softwareUpdateHealth: { teamsClientSoftwareUpdateStatus: { softwareFreshness: 'latest', currentVersion: version, availableVersion: null } } } };
    },
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      const result = await drive(clock, fleet.readSoftware(ids));
      assert.is(result.size, 45);
      for (const id of ids) {
        const value = result.get(id);
        if (id === 'dev-7') {
          assert.ok(value instanceof FleetError && value.status === 404 && !value.retryable && value.code === 'itemNotFound');
        } else {
          assert.is((value as DeviceSoftware).software.teamsClient?.currentVersion, `5.2.${id.slice(4)}.0`, id);
        }
      }
      assert.ok(fake.batches.every((b) => b.size <= 20));
      assert.is(fake.batches.reduce((s, b) => s + b.size, 0), 45);
      assert.ok(fake.requests.every((r) => r.via === 'batch' && r.method === 'GET'));
    },
    { reverseBatch: true },
  );
});

health('an inner 429 is retried for that item alone, no earlier than its own Retry-After', async () => {
  const seen = new Map<string, number>();
  await withFake(
    (r) => {
      const id = r.path.split('/')[3] as string;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      if ((id === 'd2' || id === 'd5') && n === 1) return { status: 429, headers: { 'Retry-After': '7' }, body: errors.throttled };
      return { status: 200, body: healthDocument };
    },
    async (fake, clock) => {
      const { fleet, http } = createTestClient(fake, clock);
      const ids = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6'];
      const result = await drive(clock, fleet.readSoftware(ids));
      assert.ok(ids.every((id) => !(result.get(id) instanceof FleetError)));
      assert.equal([...seen.entries()].filter(([, n]) => n > 1).map(([id]) => id).sort(), ['d2', 'd5']);
      const first = fake.requests.find((r) => r.path.includes('/d2/'))?.at as number;
      const retry = fake.requests.filter((r) => r.path.includes('/d2/'))[1]?.at as number;
      assert.ok(retry - first >= 7_000, `retried after ${retry - first} ms`);
      assert.is(http.stats.throttled, 2);
    },
  );
});

health('an item throttled on every attempt ends as a retryable 429 error; the others succeed', async () => {
  await withFake(
    (r) => (r.path.includes('/bad/') ? { status: 429, headers: { 'retry-after': '1' }, body: errors.throttled } : { status: 200, body: healthDocument }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock, { maxAttempts: 3 });
      const result = await drive(clock, fleet.readSoftware(['ok', 'bad']));
      const bad = result.get('bad');
      assert.ok(bad instanceof FleetError && bad.retryable && bad.status === 429);
      assert.not.ok(result.get('ok') instanceof FleetError);
      assert.is(fake.requests.filter((r) => r.path.includes('/bad/')).length, 3);
    },
  );
});

const faults = suite('throttling, server errors, timeouts, auth');

faults('a 429 storm: every retry waits out the Retry-After of the answer before it', async () => {
  let n = 0;
  await withFake(
    () => (++n <= 4 ? { status: 429, headers: { 'Retry-After': String(n * 3) }, body: errors.throttled } : { status: 200, body: { value: [device('a')] } }),
    async (fake, clock) => {
      const { fleet, http } = createTestClient(fake, clock);
      const devices = await drive(clock, fleet.listDevices());
      assert.is(devices.length, 1);
      const times = fake.requests.map((r) => r.at);
      for (let i = 1; i < times.length; i++) {
        assert.ok((times[i] as number) - (times[i - 1] as number) >= i * 3_000, `retry ${i} came ${(times[i] as number) - (times[i - 1] as number)} ms later`);
      }
      assert.is(http.stats.throttled, 4);
      assert.ok(http.pacer.stats().rate < 1000, 'the pacer slowed down');
    },
  );
});

faults('every response is counted by status for the metrics, and every answer asking to slow down, outer or inside a $batch', async () => {
  const counted = () => {
    const codes: Record<string, number> = {};
    let throttled = 0;
    return { codes, get throttled() { return throttled; }, countFleetRequest: (c: number | 'error') => void (codes[c] = (codes[c] ?? 0) + 1), countFleetThrottled: () => void throttled++ };
  };
  let n = 0;
  const outer = counted();
  await withFake(
    () => (++n <= 2 ? { status: 429, headers: { 'Retry-After': '1' }, body: errors.throttled } : n === 3 ? { status: 503, headers: { 'Retry-After': '1' }, body: {} } : { status: 200, body: { value: [device('a')] } }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock, { metrics: outer });
      await drive(clock, fleet.listDevices());
    },
  );
  assert.equal(outer.codes, { 200: 1, 429: 2, 503: 1 });
  assert.is(outer.throttled, 3);

  const inner = counted();
  const seen = new Set<string>();
  await withFake(
    (r) => {
      const id = r.path.split('/')[3] as string;
      if (id === 'd2' && !seen.has(id)) {
        seen.add(id);
        return { status: 429, headers: { 'Retry-After': '1' }, body: errors.throttled };
      }
      return { status: 200, body: healthDocument };
    },
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock, { metrics: inner });
      await drive(clock, fleet.readSoftware(['d1', 'd2', 'd3']));
    },
  );
  // One $batch, then one for d2 again: two HTTP responses, one throttle inside the first.
  assert.equal(inner.codes, { 200: 2 });
  assert.is(inner.throttled, 1);
});

faults('a 5xx burst without Retry-After is retried with backoff; a longer one ends as a retryable error', async () => {
  const statuses = [500, 502, 503, 504];
  let n = 0;
  await withFake(
    () => (n < statuses.length ? { status: statuses[n++] as number, body: errors.server } : { status: 200, body: operations.queued }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      const op = await drive(clock, fleet.getOperation('dev', operations.queued.id));
      assert.is(op.state, 'queued');
      assert.is(fake.requests.length, 5);
      const gaps = fake.requests.slice(1).map((r, i) => r.at - (fake.requests[i] as FakeRequest).at);
      assert.ok(gaps.every((g) => g > 0), `gaps ${gaps.join(',')}`);
    },
  );
  await withFake(
    () => ({ status: 503, body: errors.server }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock, { maxAttempts: 3 });
      const error = await drive(clock, fleet.getOperation('dev', 'op')).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof FleetError && error.retryable && error.status === 503);
      assert.is(fake.requests.length, 3);
    },
  );
});

faults('terminal statuses are not retried: 400, 403, 404', async () => {
  for (const [status, code] of [[400, 'BadRequest'], [403, 'Authorization_RequestDenied'], [404, 'itemNotFound']] as const) {
    await withFake(
      () => ({ status, body: { error: { code, message: 'no' } } }),
      async (fake, clock) => {
        const { fleet } = createTestClient(fake, clock);
        const error = await drive(clock, fleet.getOperation('dev', 'op')).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof FleetError && !error.retryable && error.status === status && error.code === code, `${status}`);
        assert.is(fake.requests.length, 1);
      },
    );
  }
});

faults('a hung server times out every request; reads are retried, then fail retryably', async () => {
  await withFake(
    () => 'hang',
    async (fake, clock) => {
      const { fleet, http } = createTestClient(fake, clock, { timeoutMs: 100, maxAttempts: 3 });
      const error = await drive(clock, fleet.listOperations('dev')).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof FleetError && error.retryable && error.code === 'timeout');
      assert.is(fake.requests.length, 3);
      assert.is(http.stats.timeouts, 3);
    },
  );
});

faults('a 401 gets one fresh token; a second 401 is terminal', async () => {
  await withFake(
    () => ({ status: 200, body: { value: [device('a')] } }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      await drive(clock, fleet.listDevices());
      fake.validTokens.clear(); // revoked: the cached token is now refused
      const devices = await drive(clock, fleet.listDevices());
      assert.is(devices.length, 1);
      assert.is(fake.tokenRequests, 2);
    },
  );
  await withFake(
    () => ({ status: 200, body: { value: [] } }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      fake.validTokens.add = () => fake.validTokens; // tokens issued but never accepted
      const error = await drive(clock, fleet.listDevices()).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof FleetError && error.status === 401 && !error.retryable);
      assert.is(fake.tokenRequests, 2);
    },
  );
});

faults('the client secret never reaches a log line, even at trace level with failures', async () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const logger = createLogger({ level: 'trace', destination: sink });
  let n = 0;
  await withFake(
    () => (++n % 3 === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: errors.throttled } : { status: 200, body: { value: [device('a')] } }),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock, { logger });
      await drive(clock, fleet.listDevices());
      await drive(clock, fleet.readSoftware(['a', 'b']));
      fake.validTokens.clear();
      await drive(clock, fleet.listDevices());
      const wrong = createTestClient(fake, clock, { logger, secret: 'Not-The-Right-One-42' });
      await drive(clock, wrong.fleet.listDevices()).catch((e: unknown) => logger.error({ err: e }, 'fleet read failed'));
      const text = lines.join('');
      assert.ok(lines.length > 0, 'something was logged');
      assert.not.ok(text.includes(fake.secret));
      assert.not.ok(text.includes('Not-The-Right-One-42'));
      assert.not.ok(/tok-\d/.test(text), 'no bearer token either');
    },
  );
});

list.run();
health.run();
faults.run();
