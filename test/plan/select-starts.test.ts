// What starts now among the works that may (select-starts.ts): one update per device, at most
// maxConcurrent in flight per policy (operations already running count), ScheduledUpdates
// first and never held by the limit, and an update nobody here started shown on the device.
// Table: candidate works and running operations → each work's state and reason, and the actions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SoftwareType } from '../../controller/model/fleet.ts';
import type { OperationRecord } from '../../controller/model/plan.ts';
import { DeviceIndex } from '../../controller/policy/device-index.ts';
import { OperationBook } from '../../controller/plan/operation-book.ts';
import { selectStarts } from '../../controller/plan/select-starts.ts';
import { stableHash } from '../../controller/policy/waves.ts';
import type { Work } from '../../controller/plan/work.ts';
import { at, device, hour, op } from './fixtures.ts';
import { contextUnder, scheduledCtx, work } from './phase-fixtures.ts';

const now = at('2026-11-21T12:00:00Z');
const ids = ['d1', 'd2', 'd3', 'd4', 'd5'];
const devices = ids.map((id) => device(id));

/** A candidate: device, type, and whether a ScheduledUpdate asks for it (else the policy's rule, in `wave`). */
type Candidate = readonly [id: string, type: SoftwareType, from: 'auto' | 'scheduled', wave?: number];

interface Row {
  readonly name: string;
  readonly maxConcurrent: number;
  readonly candidates: readonly Candidate[];
  readonly running?: readonly OperationRecord[];
  /** Per candidate, its reason code after selection. */
  readonly want: readonly string[];
  /** Within a wave the order is a stable hash of device and policy: compare the codes as a multiset. */
  readonly anyOrder?: boolean;
  readonly message?: [candidate: number, RegExp];
}

const running = (id: string, type: SoftwareType | undefined) => op(id, type, type ? '2.0' : undefined, { active: true, startedAt: now - hour, owner: type ? 'default/UpdatePolicy/p' : undefined as unknown as string });

const rows: Row[] = [
  { name: 'room under the limit: all start', maxConcurrent: 3, candidates: [['d1', 'firmware', 'auto'], ['d2', 'firmware', 'auto']], want: ['Starting', 'Starting'] },
  { name: 'the limit holds the rest', maxConcurrent: 2, candidates: [['d1', 'firmware', 'auto'], ['d2', 'firmware', 'auto'], ['d3', 'firmware', 'auto']], anyOrder: true, want: ['Starting', 'Starting', 'ConcurrencyLimit'], message: [-1, /^2 updates under p are in flight or starting, the most it allows \(maxConcurrent 2\)$/] },
  { name: 'operations in flight on other devices count toward the limit', maxConcurrent: 2, running: [running('d4', 'firmware')], candidates: [['d1', 'firmware', 'auto'], ['d2', 'firmware', 'auto']], anyOrder: true, want: ['ConcurrencyLimit', 'Starting'] },
  { name: 'earlier waves go first', maxConcurrent: 1, candidates: [['d1', 'firmware', 'auto', 3], ['d2', 'firmware', 'auto', 1]], want: ['ConcurrencyLimit', 'Starting'] },
  { name: 'one update per device: the first in type order starts', maxConcurrent: 5, candidates: [['d1', 'firmware', 'auto'], ['d1', 'teamsClient', 'auto']], want: ['DeviceBusy', 'Starting'], message: [0, /^the Teams app update of this device starts first/] },
  { name: 'a device with an operation running starts nothing', maxConcurrent: 5, running: [running('d1', 'teamsClient')], candidates: [['d1', 'firmware', 'auto']], want: ['DeviceBusy'], message: [0, /another update is running on this device \(Teams app to 2\.0\)/] },
  { name: 'an update firmwarden did not start shows on the first entry, the others wait', maxConcurrent: 5, running: [running('d1', undefined)], candidates: [['d1', 'firmware', 'auto'], ['d1', 'teamsClient', 'auto']], want: ['DeviceBusy', 'InProgress'], message: [1, /an update firmwarden did not start is running on the device/] },
  { name: 'a ScheduledUpdate goes first and the limit does not hold it, but it counts', maxConcurrent: 1, candidates: [['d1', 'firmware', 'auto'], ['d2', 'firmware', 'scheduled']], want: ['ConcurrencyLimit', 'Starting'] },
  { name: 'ScheduledUpdates beyond the limit still start', maxConcurrent: 1, candidates: [['d1', 'firmware', 'scheduled'], ['d2', 'firmware', 'scheduled']], want: ['Starting', 'Starting'] },
];

for (const r of rows) {
  test(`selectStarts: ${r.name}`, () => {
    const ctx = contextUnder({ rollout: { maxConcurrent: r.maxConcurrent } }, now);
    const index = new DeviceIndex(devices);
    const works: Work[] = r.candidates.map(([id, type, from, wave]) => work(ctx, devices[ids.indexOf(id)]!, {
      type, wave: wave ?? 1, needs: true, status: 'scheduled', earliest: now, deviceIdx: ids.indexOf(id), reason: { code: 'Deferred', message: 'eligible' },
      ...(from === 'scheduled' ? { source: 'scheduled' as const, su: scheduledCtx('asked'), wave: undefined } : {}),
    }));
    const actions = selectStarts(works, () => ctx, index, new OperationBook([...(r.running ?? [])]), now);
    const codes = works.map((w) => w.reason.code);
    assert.equal(r.anyOrder ? codes.sort() : codes, r.anyOrder ? [...r.want].sort() : [...r.want]);
    assert.equal(works.map((w) => w.status).sort(), r.want.map((c) => (c === 'InProgress' ? 'inProgress' : 'pending')).sort());
    const started = works.filter((w) => w.reason.code === 'Starting');
    assert.equal(actions.map((a) => `${a.deviceId} ${a.softwareType}`), started.map((w) => `${w.device.id} ${w.type}`).sort(), 'one action per start, in the plan\u2019s order');
    for (const a of actions) assert.is(a.earliestStart, now);
    if (r.message) {
      // -1: whichever work got the code the row lists last.
      const target = r.message[0] >= 0 ? works[r.message[0]]! : works.find((w) => w.reason.code === r.want.at(-1))!;
      assert.match(target.reason.message, r.message[1]);
    }
  });
}

test('selectStarts: within a wave the lowest stable hashes of device id and policy name start first', () => {
  const ctx = contextUnder({ rollout: { maxConcurrent: 2 } }, now);
  const name = ctx.policy!.policy.metadata.name;
  const works: Work[] = ids.map((id, i) => work(ctx, devices[i]!, { type: 'firmware', wave: 1, needs: true, status: 'scheduled', earliest: now, deviceIdx: i, reason: { code: 'Deferred', message: 'eligible' } }));
  selectStarts(works, () => ctx, new DeviceIndex(devices), new OperationBook([]), now);
  const first = [...ids].sort((a, b) => stableHash(`${a}\u0000${name}`) - stableHash(`${b}\u0000${name}`)).slice(0, 2).sort();
  assert.equal(works.filter((w) => w.reason.code === 'Starting').map((w) => w.device.id).sort(), first);
  // The works the limit holds share its words.
  const held = works.filter((w) => w.reason.code === 'ConcurrencyLimit');
  assert.is(held.length, 3);
  assert.match(held[0]!.reason.message, /^2 updates under p are in flight or starting/);
  for (const w of held) assert.equal(w.reason, held[0]!.reason);
});

test('selectStarts: works that need nothing are left alone', () => {
  const ctx = contextUnder({}, now);
  const w = work(ctx, devices[0]!, { needs: false, status: 'blocked', reason: { code: 'Suspended', message: 'x' } });
  assert.equal(selectStarts([w], () => ctx, new DeviceIndex(devices), new OperationBook([]), now), []);
  assert.is(w.reason.code, 'Suspended');
});

test.run();
