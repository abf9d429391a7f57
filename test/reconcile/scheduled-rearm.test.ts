// An edited ScheduledUpdate re-arms, in a Git repository too (no generations there): its status
// records the digest of the spec it was computed from (observedSpecDigest) and each operation
// it starts records the same digest in the ledger; once the spec changes, the completion and
// the operations of the old spec no longer count, so it runs again for its targets. Through the
// real engine: manifests, fleet picture and ledger in, starts and statuses out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ScheduledUpdate, ScheduledUpdateStatus } from '../../controller/model/manifests.generated.ts';
import type { LedgerEntry } from '../../controller/model/state.ts';
import { createEngine } from '../../controller/reconcile/engine.ts';
import { specDigest } from '../../controller/policy/spec-digest.ts';
import { device, software } from '../plan/fixtures.ts';

const now = Date.parse('2027-03-01T12:00:00Z');
const completed = '2027-02-20T10:00:00Z';
const deviceId = 'd1';
const original: ScheduledUpdate['spec'] = { targets: { deviceIds: [deviceId] }, software: [{ type: 'teamsClient', version: '1.1' }] };
const edited: ScheduledUpdate['spec'] = { ...original, description: 'again, now that the room has its new network' };

function su(spec: ScheduledUpdate['spec'], status: ScheduledUpdateStatus | undefined): ScheduledUpdate {
  return { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'ScheduledUpdate', metadata: { name: 'teams-now' }, spec, ...(status ? { status } : {}) };
}

/** The failed update the ScheduledUpdate started before, under the spec with digest `digest` (none: an entry from before digests). */
function failedBefore(digest: string | undefined): LedgerEntry {
  return {
    deviceId, softwareType: 'teamsClient', version: '1.1', operationId: 'op-1', owner: 'default/ScheduledUpdate/teams-now',
    requestedAt: Date.parse('2027-02-20T09:00:00Z'), state: 'failed', endedAt: Date.parse(completed), error: { code: 'DeviceBusy', message: 'in a meeting' },
    fromVersion: '1.0', ...(digest === undefined ? {} : { ownerSpecDigest: digest }),
  };
}

function evaluate(manifest: ScheduledUpdate, ledger: LedgerEntry[]) {
  const engine = createEngine({ statusDetail: 'summary' });
  const d = device(deviceId, { deviceType: 'teamsRoom' });
  return engine({
    desired: { manifests: [{ key: 'default/ScheduledUpdate/teams-now', kind: 'ScheduledUpdate', file: 'schedules/teams-now.yaml', docIndex: 0, valid: true, manifest }], findings: [] },
    fleet: { devices: [d], software: new Map([[deviceId, software(deviceId, { teamsClient: ['1.0', '1.1'] })]]), readAt: new Map([[deviceId, now]]), unreadable: new Map(), listedAt: now },
    state: { version: 1, releases: [], ledger, rollouts: {} },
    now,
    outcomes: [],
  });
}

const statusOf = (digest: string | undefined): ScheduledUpdateStatus => ({ completionTime: completed, ...(digest === undefined ? {} : { observedSpecDigest: digest }) });

const nowText = '2027-03-01T12:00:00Z';
const cases: { name: string; manifest: ScheduledUpdate; ledger: LedgerEntry[]; starts: boolean; completion?: string }[] = [
  { name: 'unchanged since it completed: nothing starts, the failure stays (it never retries by itself)', manifest: su(original, statusOf(specDigest(original))), ledger: [failedBefore(specDigest(original))], starts: false, completion: completed },
  { name: 'edited after it completed: it runs again for its targets', manifest: su(edited, statusOf(specDigest(original))), ledger: [failedBefore(specDigest(original))], starts: true },
  { name: 'edited, and the status is gone too: it runs again', manifest: su(edited, undefined), ledger: [failedBefore(specDigest(original))], starts: true },
  { name: 'edited, already run again and failed under the new spec: nothing starts, complete again', manifest: su(edited, statusOf(specDigest(original))), ledger: [failedBefore(specDigest(edited))], starts: false, completion: nowText },
  { name: 'written before digests (status and ledger without one): the completion and failure still count', manifest: su(edited, statusOf(undefined)), ledger: [failedBefore(undefined)], starts: false, completion: completed },
];

for (const c of cases) {
  test(`ScheduledUpdate ${c.name}`, () => {
    const out = evaluate(c.manifest, c.ledger);
    const starts = out.starts.filter((s) => s.deviceId === deviceId && s.softwareType === 'teamsClient');
    assert.is(starts.length, c.starts ? 1 : 0, JSON.stringify(out.statuses[0]?.status));
    const status = out.statuses[0]!.status as ScheduledUpdateStatus;
    // The status names the spec it was computed from, so the next edit is seen.
    assert.is(status.observedSpecDigest, specDigest(c.manifest.spec));
    if (c.starts) {
      // Started under the new spec, and recorded so: the ledger entry says which spec it belongs to.
      assert.is(starts[0]!.ownerSpecDigest, specDigest(c.manifest.spec));
      assert.is(status.completionTime, undefined, 'no longer complete');
    } else {
      assert.is(status.completionTime, c.completion, 'complete');
    }
  });
}

test('the spec digest ignores key order and formatting, and changes with any value', () => {
  assert.is(specDigest({ a: 1, b: [1, { c: 'x', d: true }] }), specDigest({ b: [1, { d: true, c: 'x' }], a: 1 }));
  assert.is.not(specDigest({ a: 1 }), specDigest({ a: 2 }));
  assert.is.not(specDigest({ a: [1, 2] }), specDigest({ a: [2, 1] }));
  assert.match(specDigest(original), /^sha256:[0-9a-f]{16}$/);
});

test.run();
