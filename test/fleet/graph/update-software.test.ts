import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../controller/model/clock.ts';
import { FleetError, type UpdateStarted } from '../../../controller/model/fleet.ts';
import { waitForOperation } from '../../../controller/fleet/wait-for-operation.ts';
import { startFakeGraph, type FakeGraph, type FakeReply, type FakeRequest } from './fake-graph.ts';
import { createTestClient } from './client.ts';
import { drive } from './drive.ts';
import { errors, operations } from './spec-examples.ts';

type Op = { id: string; operationType: string; status: string; createdDateTime: string };

/** A scripted device fleet: operations per device, and a hook deciding each updateSoftware answer. */
class Devices {
  readonly ops = new Map<string, Op[]>();
  seq = 0;
  /** Decides the answer to a POST before (or instead of) creating an operation. */
  onPost: (deviceId: string, n: number) => 'create' | 'create-then-hang' | 'create-then-500' | FakeReply = () => 'create';
  posts = new Map<string, number>();
  location: (deviceId: string, opId: string, fake: FakeGraph) => string = (d, o) => `/teamwork/devices/${d}/operations/${o}`;
  pageSize = 50;
  fake!: FakeGraph;

  handle = (r: FakeRequest): FakeReply => {
    const parts = r.path.split('/'); // ['', 'teamwork', 'devices', id, ...]
    const deviceId = parts[3] as string;
    const list = this.ops.get(deviceId) ?? [];
    if (r.method === 'POST' && parts[4] === 'updateSoftware') {
      const n = (this.posts.get(deviceId) ?? 0) + 1;
      this.posts.set(deviceId, n);
      const decision = this.onPost(deviceId, n);
      if (typeof decision !== 'string' || decision === 'hang' || decision === 'drop') return decision;
      if (list.some((o) => o.operationType.toLowerCase() === 'softwareupdate' && ['queued', 'inprogress'].includes(o.status.toLowerCase()))) return { status: 409, body: errors.conflict };
      const op = { id: `op-${++this.seq}`, operationType: 'softwareUpdate', status: 'queued', createdDateTime: `2025-05-21T16:0${this.seq % 10}:00Z` };
      this.ops.set(deviceId, [...list, op]);
      if (decision === 'create-then-hang') return 'hang';
      if (decision === 'create-then-500') return { status: 500, body: errors.server };
      return { status: 202, headers: { location: this.location(deviceId, op.id, this.fake) } };
    }
    if (r.method === 'GET' && parts[4] === 'operations' && parts[5] === undefined) {
      const skip = Number(r.query.get('$skiptoken') ?? '0');
      const page = list.slice(skip, skip + this.pageSize);
      const next = skip + this.pageSize < list.length ? `/teamwork/devices/${deviceId}/operations?$top=50&$skiptoken=${skip + this.pageSize}` : undefined;
      return { status: 200, body: { value: page, ...(next ? { '@odata.nextLink': next } : {}) } };
    }
    if (r.method === 'GET' && parts[4] === 'operations') {
      const op = list.find((o) => o.id === parts[5]);
      return op ? { status: 200, body: op } : { status: 404, body: errors.notFound };
    }
    return { status: 404, body: errors.notFound };
  };

  postsTo(fake: FakeGraph, deviceId: string): FakeRequest[] {
    return fake.requests.filter((r) => r.method === 'POST' && r.path === `/teamwork/devices/${deviceId}/updateSoftware`);
  }
}

async function withDevices(setup: (d: Devices) => void, run: (fake: FakeGraph, clock: ManualClock, d: Devices) => Promise<void>): Promise<void> {
  const clock = new ManualClock(Date.parse('2025-05-21T16:00:00Z'));
  const devices = new Devices();
  setup(devices);
  const fake = await startFakeGraph({ clock, handle: devices.handle });
  devices.fake = fake;
  try {
    await run(fake, clock, devices);
  } finally {
    await fake.close();
  }
}

const request = { deviceId: 'dev1', softwareType: 'teamsClient', version: '5.3.88.0' } as const;
const update = suite('startUpdate');

update('202 with a relative Location: the operation is named by it, queued, and not read again (one request per update)', async () => {
  await withDevices(() => undefined, async (fake, clock) => {
    const { fleet } = createTestClient(fake, clock);
    const started = await drive(clock, fleet.startUpdate(request));
    assert.is(started.outcome, 'started');
    assert.is(started.operation.id, 'op-1');
    assert.is(started.operation.state, 'queued');
    const posts = fake.requests.filter((r) => r.method === 'POST');
    assert.is(posts.length, 1);
    assert.equal(posts[0]?.body, { softwareType: 'teamsClient', softwareVersion: '5.3.88.0' });
    // Issue 17: reading the operation right after it was accepted cost a request per update.
    assert.is(fake.requests.length, 1, 'the POST alone');
  });
});

update('202 with an absolute Location works the same', async () => {
  await withDevices(
    (d) => (d.location = (dev, op, fake) => `${fake.baseUrl}/teamwork/devices/${dev}/operations/${op}`),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      const started = await drive(clock, fleet.startUpdate(request));
      assert.is(started.operation.id, 'op-1');
    },
  );
});

update('409: the queued softwareUpdate is found on a later page and adopted; exactly one POST reached the server', async () => {
  await withDevices(
    (d) => {
      d.pageSize = 2;
      d.ops.set('dev1', [
        { id: 'old-1', operationType: 'softwareUpdate', status: 'Successful', createdDateTime: '2025-05-01T10:00:00Z' },
        { id: 'restart', operationType: 'deviceRestart', status: 'Succeeded', createdDateTime: '2025-05-02T10:00:00Z' },
        { id: 'active', operationType: 'SoftwareUpdate', status: 'InProgress', createdDateTime: '2025-05-21T15:00:00Z' },
      ]);
    },
    async (fake, clock, d) => {
      const { fleet } = createTestClient(fake, clock);
      const started = await drive(clock, fleet.startUpdate(request));
      assert.is(started.outcome, 'adopted');
      assert.is(started.operation.id, 'active');
      assert.is(started.operation.state, 'inProgress');
      assert.is(d.postsTo(fake, 'dev1').length, 1);
    },
  );
});

update('409 with no active softwareUpdate: a retryable error, and no second POST', async () => {
  await withDevices(
    (d) => {
      d.ops.set('dev1', [{ id: 'r', operationType: 'deviceRestart', status: 'queued', createdDateTime: '2025-05-21T15:00:00Z' }]);
      d.onPost = () => ({ status: 409, body: errors.conflict });
    },
    async (fake, clock, d) => {
      const { fleet } = createTestClient(fake, clock);
      const error = await drive(clock, fleet.startUpdate(request)).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof FleetError && error.retryable && error.status === 409 && error.code === 'deviceBusy');
      assert.is(d.postsTo(fake, 'dev1').length, 1);
    },
  );
});

update('a POST whose answer is lost (timeout) is not re-sent: the operation it created is adopted', async () => {
  await withDevices(
    (d) => (d.onPost = () => 'create-then-hang'),
    async (fake, clock, d) => {
      const { fleet } = createTestClient(fake, clock, { timeoutMs: 150 });
      const started = await drive(clock, fleet.startUpdate(request));
      assert.is(started.outcome, 'adopted');
      assert.is(started.operation.id, 'op-1');
      assert.is(d.postsTo(fake, 'dev1').length, 1);
    },
  );
});

update('a POST answered 500 after acting is not re-sent either', async () => {
  await withDevices(
    (d) => (d.onPost = () => 'create-then-500'),
    async (fake, clock, d) => {
      const { fleet } = createTestClient(fake, clock);
      const started = await drive(clock, fleet.startUpdate(request));
      assert.is(started.operation.id, 'op-1');
      assert.is(d.postsTo(fake, 'dev1').length, 1);
    },
  );
});

update('a lost POST that created nothing is sent again only after the operations were checked', async () => {
  await withDevices(
    (d) => (d.onPost = (_dev, n) => (n === 1 ? 'drop' : 'create')),
    async (fake, clock, d) => {
      const { fleet } = createTestClient(fake, clock);
      const started = await drive(clock, fleet.startUpdate(request));
      assert.is(started.outcome, 'started');
      assert.is(d.postsTo(fake, 'dev1').length, 2);
      const sequence = fake.requests.map((r) => `${r.method} ${r.path.split('/').slice(4).join('/') || 'device'}`);
      assert.equal(sequence.slice(0, 3), ['POST updateSoftware', 'GET operations', 'POST updateSoftware']);
    },
  );
});

update('a 429 on the POST is waited out and sent again (the service did not act on it)', async () => {
  await withDevices(
    (d) => (d.onPost = (_dev, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '4' }, body: errors.throttled } : 'create')),
    async (fake, clock, d) => {
      const { fleet } = createTestClient(fake, clock);
      const started = await drive(clock, fleet.startUpdate(request));
      assert.is(started.outcome, 'started');
      const posts = d.postsTo(fake, 'dev1');
      assert.is(posts.length, 2);
      assert.ok((posts[1]?.at as number) - (posts[0]?.at as number) >= 4_000);
    },
  );
});

update('400 and 403 are terminal and not retried', async () => {
  for (const status of [400, 403]) {
    await withDevices(
      (d) => (d.onPost = () => ({ status, body: { error: { code: status === 403 ? 'Forbidden' : 'BadRequest', message: 'no' } } })),
      async (fake, clock, d) => {
        const { fleet } = createTestClient(fake, clock);
        const error = await drive(clock, fleet.startUpdate(request)).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof FleetError && !error.retryable && error.status === status);
        assert.is(d.postsTo(fake, 'dev1').length, 1);
      },
    );
  }
});

const many = suite('startUpdates ($batch)');

many('starts, adopts on 409, retries inner 429s alone, refuses duplicates; one accepted POST per device', async () => {
  const ids = Array.from({ length: 25 }, (_, i) => `d${i}`);
  await withDevices(
    (d) => {
      d.ops.set('d3', [{ id: 'existing', operationType: 'softwareUpdate', status: 'Queued', createdDateTime: '2025-05-21T15:00:00Z' }]);
      d.onPost = (dev, n) => (dev === 'd7' && n === 1 ? { status: 429, headers: { 'retry-after': '2' }, body: errors.throttled } : 'create');
    },
    async (fake, clock, d) => {
      const { fleet } = createTestClient(fake, clock);
      const requests = [...ids.map((deviceId) => ({ deviceId, softwareType: 'firmware' as const, version: '2.0' })), { deviceId: 'd1', softwareType: 'firmware' as const, version: '2.0' }];
      const results = await drive(clock, fleet.startUpdates(requests));
      assert.is(results.length, 26);
      const d3 = results[3] as UpdateStarted;
      assert.is(d3.outcome, 'adopted');
      assert.is(d3.operation.id, 'existing');
      assert.ok(results.slice(0, 25).every((r) => !(r instanceof FleetError)));
      assert.ok(results[25] instanceof FleetError && (results[25] as FleetError).code === 'duplicateDevice');
      for (const id of ids) assert.is(d.postsTo(fake, id).length, id === 'd7' ? 2 : 1, id);
      assert.ok(fake.batches.every((b) => b.size <= 20));
      const started = results.filter((r): r is UpdateStarted => !(r instanceof FleetError) && r.outcome === 'started');
      assert.is(new Set(started.map((s) => s.operation.id)).size, 24);
    },
  );
});

const wait = suite('waitForOperation');

wait('polls with growing delays until the operation ends', async () => {
  await withDevices(
    (d) => d.ops.set('dev1', [{ id: 'op', operationType: 'softwareUpdate', status: 'queued', createdDateTime: '2025-05-21T15:00:00Z' }]),
    async (fake, clock, d) => {
      const { fleet } = createTestClient(fake, clock);
      const states = ['Queued', 'weird', 'InProgress', 'InProgress', 'Succeeded'];
      let polls = 0;
      const op = await drive(
        clock,
        waitForOperation(fleet, 'dev1', 'op', {
          clock,
          random: () => 0.5,
          onPoll: () => {
            polls++;
            const list = d.ops.get('dev1') as Op[];
            (list[0] as Op).status = states[Math.min(polls, states.length - 1)] as string;
          },
        }),
      );
      assert.is(op.state, 'succeeded');
      const times = fake.requests.map((r) => r.at);
      const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
      assert.ok(gaps.every((g, i) => i === 0 || g > (gaps[i - 1] as number)), `gaps ${gaps.join(',')}`);
      assert.is(times.length, 5, 'an unknown status does not end the wait');
    },
  );
});

wait('gives up after its timeout with a retryable error', async () => {
  await withDevices(
    (d) => d.ops.set('dev1', [{ id: 'op', operationType: 'softwareUpdate', status: 'inProgress', createdDateTime: '2025-05-21T15:00:00Z' }]),
    async (fake, clock) => {
      const { fleet } = createTestClient(fake, clock);
      const error = await drive(clock, waitForOperation(fleet, 'dev1', 'op', { clock, timeoutMs: 60_000 })).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof FleetError && error.code === 'operationTimeout');
    },
  );
});

void operations;
update.run();
many.run();
wait.run();
