import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceHealth, DeviceSoftware } from '../../controller/model/fleet.ts';
import type { OperationRecord } from '../../controller/model/plan.ts';
import { EvidenceIndex, evidenceRuleOf, gatherEvidence, mergeEvidence, type EvidenceRule } from '../../controller/policy/evidence.ts';
import { fineAspects } from '../../controller/policy/health-soak.ts';
import type { EvidenceRecord } from '../../controller/model/state.ts';
import { day, hour, op, policy } from '../plan/fixtures.ts';

const fine: DeviceHealth = { online: 'ok', teamsSignIn: 'ok', roomCamera: 'ok' };
const before = fineAspects(fine)!;
const t0 = Date.parse('2027-03-01T02:00:00Z');
const rule: EvidenceRule = { group: 'default/lab', devices: 5, healthyForMs: 7 * day, healthyForText: '7d' };

const Rule = suite('evidenceRuleOf');
Rule('reads requireEvidence of a software type, the group in the policy namespace', () => {
  const p = policy('general', { software: { firmware: { versions: { requireEvidence: { group: 'lab', devices: 5, healthyFor: '7d' } } } } }, { metadata: { name: 'general', namespace: 'rooms' } });
  assert.equal(evidenceRuleOf(p, 'firmware'), { group: 'rooms/lab', devices: 5, healthyForMs: 7 * day, healthyForText: '7d' });
  assert.is(evidenceRuleOf(p, 'teamsClient'), undefined);
});

// n lab devices updated to 1.2.3 `ago` before now, each healthy since (or not).
const labUpdates = (n: number, endedAt: number): OperationRecord[] =>
  Array.from({ length: n }, (_, i) => ({ ...op(`lab${i}`, 'firmware', '1.2.3', { owner: 'default/UpdatePolicy/lab', startedAt: endedAt - hour, endedAt }), healthBefore: before }));
const onVersion = (ids: string[], version: string, health: DeviceHealth = fine): Map<string, DeviceSoftware> =>
  new Map(ids.map((id) => [id, { deviceId: id, software: { firmware: { softwareType: 'firmware', currentVersion: version, availableVersion: null, freshness: 'latest' } }, health }]));
const gather = (records: OperationRecord[], software: Map<string, DeviceSoftware>, now: number, memory: EvidenceRecord[] = []) =>
  gatherEvidence({ memory, groups: new Set(['default/lab']), records, groupOf: (id) => (id.startsWith('lab') ? 'default/lab' : 'default/rooms'), software, readAt: undefined, regressed: () => undefined, now });

const Gate = suite('evidence gate: healthy on N devices of a group for a while');
const ids = (n: number) => Array.from({ length: n }, (_, i) => `lab${i}`);
type GateCase = [string, () => EvidenceRecord[], number, { open: boolean; notBefore?: number; message?: RegExp }];
const gateCases: GateCase[] = [
  ['reached: 5 lab devices healthy for 8 days', () => gather(labUpdates(5, t0), onVersion(ids(5), '1.2.3'), t0 + 8 * day), t0 + 8 * day, { open: true }],
  [
    'not reached: only 3 lab devices run it, nothing says when',
    () => gather(labUpdates(3, t0), onVersion(ids(3), '1.2.3'), t0 + 8 * day), t0 + 8 * day,
    { open: false, message: /^1\.2\.3 waits for evidence: 7 days healthy on 5 devices of lab: 3 so far$/ },
  ],
  [
    'on the way: 5 run it for 2 days, evidence from the day the fifth reaches 7 days if they stay healthy',
    () => gather(labUpdates(5, t0), onVersion(ids(5), '1.2.3'), t0 + 2 * day), t0 + 2 * day,
    { open: true, notBefore: t0 + 7 * day, message: /: 0 so far, 5 more running it would complete it on 2027-03-08 02:00 UTC if they stay healthy/ },
  ],
  [
    'a lab device whose camera went missing never counts',
    () => gather(labUpdates(5, t0), new Map([...onVersion(ids(4), '1.2.3'), ...onVersion(['lab4'], '1.2.3', { online: 'ok', teamsSignIn: 'ok' })]), t0 + 8 * day), t0 + 8 * day,
    { open: false, message: /4 so far$/ },
  ],
  [
    'devices of another group give no evidence',
    () => gatherEvidence({ memory: [], groups: new Set(['default/lab']), records: labUpdates(5, t0), groupOf: () => 'default/rooms', software: onVersion(ids(5), '1.2.3'), readAt: undefined, regressed: () => undefined, now: t0 + 8 * day }), t0 + 8 * day,
    { open: false, message: /0 so far$/ },
  ],
  [
    'the group is missing (no devices, no records): 0 so far, it waits',
    () => [], t0, { open: false, message: /0 so far$/ },
  ],
  [
    'a device that moved on to 1.2.4 after proving 1.2.3 still counts; one that left early does not',
    () => {
      const early = gather(labUpdates(5, t0), new Map([...onVersion(ids(4), '1.2.3'), ...onVersion(['lab4'], '1.2.4')]), t0 + 3 * day);
      const proven = gather([], onVersion(ids(4), '1.2.3'), t0 + 7 * day + hour, early);
      return gather([], onVersion(ids(5), '1.2.4'), t0 + 9 * day, proven);
    }, t0 + 9 * day, { open: false, message: /4 so far$/ },
  ],
];
for (const [name, records, now, expected] of gateCases) {
  Gate(name, () => {
    const g = new EvidenceIndex(records()).gate(rule, 'firmware', '1.2.3', now);
    assert.is(g.open, expected.open);
    if (expected.notBefore !== undefined) assert.is(g.open && g.notBefore, expected.notBefore);
    if (expected.message) assert.match(g.reason?.message ?? '', expected.message);
    if (expected.message) assert.is(g.reason?.code, 'WaitingForEvidence');
  });
}
Gate('evidence survives the ledger: records alone keep counting once the operations are forgotten', () => {
  const early = gather(labUpdates(5, t0), onVersion(ids(5), '1.2.3'), t0 + day);
  const late = gather([], onVersion(ids(5), '1.2.3'), t0 + 15 * day, early);
  assert.is(new EvidenceIndex(late).gate(rule, 'firmware', '1.2.3', t0 + 15 * day).open, true);
  assert.ok(late.every((e) => e.healthyUntil === t0 + 15 * day));
});
Gate('a health read too soon after the update does not count as healthy time', () => {
  const records = gatherEvidence({ memory: [], groups: new Set(['default/lab']), records: labUpdates(1, t0), groupOf: () => 'default/lab', software: onVersion(['lab0'], '1.2.3'), readAt: new Map([['lab0', t0 + 60_000]]), regressed: () => undefined, now: t0 + day });
  assert.is(records[0]!.healthyUntil, t0);
});

Gate('a reading from before the update ended does not mark the device as having left the version (issue 17: plans before the re-read)', () => {
  const stale = gatherEvidence({ memory: [], groups: new Set(['default/lab']), records: labUpdates(1, t0), groupOf: () => 'default/lab', software: onVersion(['lab0'], '1.2.2'), readAt: new Map([['lab0', t0 - 60_000]]), regressed: () => undefined, now: t0 + 60_000 });
  assert.is(stale[0]!.left, undefined);
  const read = gatherEvidence({ memory: stale, groups: new Set(['default/lab']), records: labUpdates(1, t0), groupOf: () => 'default/lab', software: onVersion(['lab0'], '1.2.2'), readAt: new Map([['lab0', t0 + 60_000]]), regressed: () => undefined, now: t0 + 120_000 });
  assert.is(read[0]!.left, true, 'read after the end, still on the old version: it left');
});

const Merge = suite('mergeEvidence: the state and the calendar file');
Merge('one record per device and version: a regression wins, then the longer healthy time', () => {
  const base: EvidenceRecord = { group: 'default/lab', deviceId: 'lab0', softwareType: 'firmware', version: '1.2.3', since: t0, healthyUntil: t0 + day, healthBefore: before };
  assert.equal(mergeEvidence([base], [{ ...base, healthyUntil: t0 + 3 * day }]), [{ ...base, healthyUntil: t0 + 3 * day }]);
  assert.equal(mergeEvidence([{ ...base, healthyUntil: t0 + 9 * day }], [{ ...base, regressedAt: t0 + 2 * day }]), [{ ...base, regressedAt: t0 + 2 * day }]);
  assert.is(mergeEvidence([base], undefined, [{ ...base, deviceId: 'lab1' }]).length, 2);
});

Rule.run();
Gate.run();
Merge.run();
