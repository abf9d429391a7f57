// A completed ScheduledUpdate keeps its outcome: the ledger forgets an operation 14 days after it
// ended (pruneLedger), so its status, recomputed from the ledger, used to turn "2 succeeded,
// 1 failed, Stalled" into "3 upToDate, Ready" two weeks later. Its status read back is now its
// memory: the tally, the devices named and the conditions stay as they were, nothing starts, and
// an edited spec still runs it again. Through the real engine: manifests (with the status the
// previous pass wrote), fleet picture and ledger in, starts and statuses out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ScheduledUpdate, ScheduledUpdateStatus } from '../../controller/model/manifests.generated.ts';
import type { LedgerEntry } from '../../controller/model/state.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { pruneLedger } from '../../controller/reconcile/ledger-entries.ts';
import { specDigest } from '../../controller/policy/spec-digest.ts';
import type { StatusDetail } from '../../controller/status/people-fields.ts';
import { device, software } from '../plan/fixtures.ts';

const day = 86_400_000;
const ended = Date.parse('2027-03-01T11:00:00Z');
const completedAt = Date.parse('2027-03-01T12:00:00Z');
const owner = 'default/ScheduledUpdate/teams-now';
const ids = ['d1', 'd2', 'd3'];
const original: ScheduledUpdate['spec'] = { targets: { deviceIds: ['d1', 'd2', 'd3'] }, software: [{ type: 'teamsClient', version: '1.1' }] };
const edited: ScheduledUpdate['spec'] = { ...original, description: 'again, now that d1 has its new network' };

type Fleet = Record<string, string>;
/** d1's update failed (it still runs 1.0), d2 and d3 were updated. */
const afterRun: Fleet = { d1: '1.0', d2: '1.1', d3: '1.1' };

function entry(deviceId: string, state: 'failed' | 'succeeded', digest: string): LedgerEntry {
  return {
    deviceId, softwareType: 'teamsClient', version: '1.1', operationId: `op-${deviceId}`, owner, ownerSpecDigest: digest,
    requestedAt: ended - 3_600_000, state, endedAt: ended, error: state === 'failed' ? { code: 'DeviceBusy', message: 'in a meeting' } : undefined, fromVersion: '1.0',
  };
}
const ledger = (outcomes: Record<string, 'failed' | 'succeeded'>, digest = specDigest(original)) => Object.entries(outcomes).map(([id, s]) => entry(id, s, digest));

interface Pass {
  readonly spec?: ScheduledUpdate['spec'];
  readonly status: ScheduledUpdateStatus | undefined;
  readonly ledger: readonly LedgerEntry[];
  readonly now: number;
  readonly fleet?: Fleet;
  readonly detail?: StatusDetail;
  readonly generation?: number;
  readonly valid?: boolean;
}

/** One evaluation; `status` is what the previous pass wrote, read back with the manifest. */
function evaluate(p: Pass) {
  const engine = createEngine({ statusDetail: p.detail ?? 'summary' });
  const fleet = p.fleet ?? afterRun;
  const manifest: ScheduledUpdate = {
    apiVersion: 'firmwarden.dev/v1alpha1', kind: 'ScheduledUpdate',
    metadata: { name: 'teams-now', ...(p.generation === undefined ? {} : { generation: p.generation }) },
    spec: p.spec ?? original, ...(p.status ? { status: p.status } : {}),
  };
  const out = engine({
    desired: { manifests: [{ key: owner, kind: 'ScheduledUpdate', file: 'schedules/teams-now.yaml', docIndex: 0, valid: p.valid ?? true, manifest }], findings: [] },
    fleet: {
      devices: ids.map((id) => device(id, { deviceType: 'teamsRoom' })),
      software: new Map(ids.map((id) => [id, software(id, { teamsClient: [fleet[id]!, '1.1'] })])),
      readAt: new Map(ids.map((id) => [id, p.now])), unreadable: new Map(), listedAt: p.now,
    },
    state: { version: 1, releases: [], ledger: p.ledger, rollouts: {} },
    now: p.now,
    outcomes: [],
  });
  return { starts: out.starts, status: out.statuses[0]!.status as ScheduledUpdateStatus, keep: out.keepLedgerOf };
}

/** The status a completed run rests with: the pass that completes it, then one more that reads it back. */
function completed(outcomes: Record<string, 'failed' | 'succeeded'>, detail: StatusDetail, generation?: number) {
  const l = ledger(outcomes);
  const first = evaluate({ status: undefined, ledger: l, now: completedAt, detail, ...(generation === undefined ? {} : { generation }) });
  assert.is(first.status.completionTime, '2027-03-01T12:00:00Z', 'completes');
  const second = evaluate({ status: first.status, ledger: l, now: completedAt + 600_000, detail, ...(generation === undefined ? {} : { generation }) });
  return { ledger: l, status: second.status };
}

const cases: { name: string; outcomes: Record<string, 'failed' | 'succeeded'>; fleet: Fleet; detail: StatusDetail; generation?: number; ready: string }[] = [
  { name: 'with a failure (Git, summary status): still Stalled, 2 succeeded and 1 failed, the failed device named', outcomes: { d1: 'failed', d2: 'succeeded', d3: 'succeeded' }, fleet: afterRun, detail: 'summary', ready: 'UpdatesFailed' },
  { name: 'with a failure (Kubernetes, full status and generations): the failing list kept too', outcomes: { d1: 'failed', d2: 'succeeded', d3: 'succeeded' }, fleet: afterRun, detail: 'full', generation: 4, ready: 'UpdatesFailed' },
  { name: 'cleanly: still Completed with 3 succeeded', outcomes: { d1: 'succeeded', d2: 'succeeded', d3: 'succeeded' }, fleet: { d1: '1.1', d2: '1.1', d3: '1.1' }, detail: 'summary', ready: 'Completed' },
];

for (const c of cases) {
  test(`completed ${c.name}; the ledger pruned 20 days later changes nothing and starts nothing`, () => {
    const { ledger: l, status } = completed(c.outcomes, c.detail, c.generation);
    const later = completedAt + 20 * day;
    const pruned = pruneLedger(l, later);
    assert.is(pruned.length, 0, 'the operations are forgotten');
    const after = evaluate({ status, ledger: pruned, now: later, fleet: c.fleet, detail: c.detail, ...(c.generation === undefined ? {} : { generation: c.generation }) });
    // Byte for byte: a status written back to Git changes only when something did.
    assert.is(JSON.stringify(after.status), JSON.stringify(status));
    assert.is(after.status.conditions?.find((x) => x.type === 'Ready')?.reason, c.ready);
    assert.equal(after.starts, [], 'a ScheduledUpdate never retries');
  });
}

test('completed with a failure: the counts and the device named survive the pruning', () => {
  const { ledger: l, status } = completed({ d1: 'failed', d2: 'succeeded', d3: 'succeeded' }, 'summary');
  const later = completedAt + 20 * day;
  const after = evaluate({ status, ledger: pruneLedger(l, later), now: later }).status;
  assert.equal([after.updates?.succeeded, after.updates?.failed, after.updates?.upToDate], [2, 1, 0]);
  assert.match(after.needsAttention?.join('\n') ?? '', 'id d1: teamsClient 1.1 failed (DeviceBusy)');
  assert.equal(after.conditions?.find((x) => x.type === 'Stalled')?.status, 'True');
});

test('edited after its operations were pruned: it runs again for its targets, and only where the version is missing', () => {
  const { ledger: l, status } = completed({ d1: 'failed', d2: 'succeeded', d3: 'succeeded' }, 'summary');
  const later = completedAt + 20 * day;
  const after = evaluate({ spec: edited, status, ledger: pruneLedger(l, later), now: later });
  assert.equal(after.starts.map((s) => [s.deviceId, s.ownerSpecDigest]), [['d1', specDigest(edited)]]);
  assert.is(after.status.completionTime, undefined, 'no longer complete');
  assert.is(after.status.observedSpecDigest, specDigest(edited));
});

test('invalid for a while, then the same spec again: the outcome comes back with its own conditions, not InvalidManifest', () => {
  const { ledger: l, status } = completed({ d1: 'failed', d2: 'succeeded', d3: 'succeeded' }, 'summary');
  const later = completedAt + 20 * day;
  const pruned = pruneLedger(l, later);
  const invalid = evaluate({ status, ledger: pruned, now: later, valid: false }).status;
  assert.is(invalid.conditions?.find((x) => x.type === 'Stalled')?.reason, 'InvalidManifest');
  const back = evaluate({ status: invalid, ledger: pruned, now: later + day });
  assert.equal(back.starts, []);
  assert.equal(back.status.updates, status.updates);
  assert.equal(back.status.conditions?.map((x) => [x.type, x.status, x.reason, x.message]), status.conditions?.map((x) => [x.type, x.status, x.reason, x.message]));
});

test('the engine asks to keep the operations of a ScheduledUpdate until its status holds its completion', () => {
  const l = ledger({ d1: 'failed', d2: 'succeeded', d3: 'succeeded' });
  const first = evaluate({ status: undefined, ledger: l, now: completedAt });
  // Completed on this pass, but only the status about to be written says so: still needed.
  assert.equal([...(first.keep ?? [])], [owner]);
  const second = evaluate({ status: first.status, ledger: l, now: completedAt + 600_000 });
  assert.equal([...(second.keep ?? [])], [], 'read back complete: its status is its memory now');
  const edit = evaluate({ spec: edited, status: second.status, ledger: l, now: completedAt + day });
  assert.equal([...(edit.keep ?? [])], [owner], 'edited: running again');
});

test.run();
