// The chaos suite's checks and plan, on made-up evidence: each invariant passes on a clean
// history and names the violation on a broken one (a checker that cannot fail proves nothing).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  checkNoDowngrade, checkNoDuplicate, checkNoFalseSuccess, checkNoLostEdit, checkRecovery, compareVersionText, sameVersionUpdates, untrackedOperations,
  type GitEvidence, type OperationEvidence, type PostEvidence,
} from '../../scripts/chaos/invariants.ts';
import { KillKinds, planChaos } from '../../scripts/chaos/plan.ts';
import { ChaosUsageError, parseChaosOptions } from '../../scripts/chaos/options.ts';
import { killCategory, type KillRecord } from '../../scripts/chaos/report.ts';

const t0 = Date.parse('2027-01-01T00:00:00Z');
const min = 60_000;

function op(id: string, over: Partial<OperationEvidence> = {}): OperationEvidence {
  return { id, deviceId: 'dev-a', status: 'succeeded', softwareType: 'firmware', fromVersion: '1.0.0', toVersion: '1.1.0', createdMs: t0, completesMs: t0 + 5 * min, ...over };
}
function post(seq: number, over: Partial<PostEvidence> = {}): PostEvidence {
  return { seq, atMs: t0, deviceId: 'dev-a', softwareType: 'firmware', targetVersion: '1.1.0', fromVersion: '1.0.0', status: 202, operationId: `op-${seq}`, ...over };
}

const versions = suite('compareVersionText');
for (const [a, b, expected] of [
  ['1.10.0', '1.9.9', 1],
  ['1449/1.0.96.2026112907', '1449/1.0.94.2026092208', 1],
  ['4.14.0', '4.14.0', 0],
  ['4.14', '4.14.0', 0],
  ['2.0.0', '10.0.0', -1],
  ['abc', '1.0', undefined],
] as const) {
  versions(`${a} against ${b} is ${String(expected)}`, () => assert.is(compareVersionText(a, b), expected));
}

const duplicate = suite('checkNoDuplicate');
duplicate('sequential updates of one device pass; injected faults that never reached it are not counted', () => {
  const ops = [op('op-1'), op('op-2', { softwareType: 'teamsClient', createdMs: t0 + 5 * min, completesMs: t0 + 10 * min })];
  const posts = [post(1), post(2, { atMs: t0 + 5 * min, softwareType: 'teamsClient' }), post(3, { atMs: t0 + 2 * min, status: 429, operationId: null }), post(4, { atMs: t0 + 2 * min, status: 0, operationId: null })];
  const r = checkNoDuplicate(posts, ops);
  assert.ok(r.ok, r.violations.join('\n'));
  assert.match(r.evidence, /^2 POSTs/);
});
for (const [name, posts, ops, pattern] of [
  ['a POST while another software type is running', [post(1), post(2, { atMs: t0 + 2 * min, softwareType: 'teamsClient' })], [op('op-1'), op('op-2', { createdMs: t0 + 2 * min, softwareType: 'teamsClient' })], /teamsClient .* while firmware operation op-1/],
  ['a POST refused 409', [post(1), post(2, { atMs: t0 + min, status: 409, operationId: 'op-1' })], [op('op-1')], /refused 409/],
  ['a POST while a stuck operation still blocks the device', [post(1), post(2, { atMs: t0 + 90 * min })], [op('op-1', { completesMs: null, status: 'inProgress' }), op('op-2', { createdMs: t0 + 90 * min })], /while firmware operation op-1/],
] as const) {
  duplicate(`${name} is a violation`, () => {
    const r = checkNoDuplicate(posts, ops);
    assert.not.ok(r.ok);
    assert.is(r.violations.length, 1);
    assert.match(r.violations[0]!, pattern);
  });
}
duplicate('a POST the moment the previous operation ended is not a duplicate', () => {
  assert.ok(checkNoDuplicate([post(1), post(2, { atMs: t0 + 5 * min })], [op('op-1'), op('op-2', { createdMs: t0 + 5 * min })]).ok);
});

const downgrade = suite('checkNoDowngrade');
for (const [name, from, to, ok] of [
  ['an upgrade', '1.0.0', '1.1.0', true],
  ['the same version (wasted, not a downgrade)', '1.1.0', '1.1.0', true],
  ['an older version', '1.1.0', '1.0.9', false],
  ['versions that cannot be compared', '1.1.0', 'beta', false],
] as const) {
  downgrade(`${name}: ${ok ? 'passes' : 'fails'}`, () => assert.is(checkNoDowngrade([post(1, { fromVersion: from, targetVersion: to })]).ok, ok));
}
downgrade('only updates carried out count; same-version ones are listed apart', () => {
  assert.ok(checkNoDowngrade([post(1, { status: 429, fromVersion: '2.0', targetVersion: '1.0' })]).ok);
  assert.is(sameVersionUpdates([post(1, { fromVersion: '1.1.0', targetVersion: '1.1.0' }), post(2)]).length, 1);
});

const edits = suite('checkNoLostEdit');
function gitEvidence(over: Partial<GitEvidence> = {}): GitEvidence {
  return {
    edits: [{ commit: 'aaaa', file: 'groups/a.yaml', spec: { description: 'one' } }, { commit: 'bbbb', file: 'groups/a.yaml', spec: { description: 'two' } }],
    reachable: new Set(['aaaa', 'bbbb']),
    finalSpecs: new Map([['groups/a.yaml', { description: 'two' }]]),
    controllerCommits: [{ commit: 'cccc', beyondStatus: [] }],
    ...over,
  };
}
edits('every edit reachable, the last spec of each file intact, the controller changed only status: passes', () => assert.ok(checkNoLostEdit(gitEvidence()).ok));
for (const [name, over, pattern] of [
  ['a person commit missing from the final history', { reachable: new Set(['bbbb']) }, /aaaa .* not in the final history/],
  ['the spec reverted to an earlier edit', { finalSpecs: new Map([['groups/a.yaml', { description: 'one' }]]) }, /groups\/a.yaml: the final spec differs/],
  ['a controller commit that changed a spec', { controllerCommits: [{ commit: 'cccc', beyondStatus: ['groups/a.yaml'] }] }, /controller commit cccc changed more than status/],
] as const) {
  edits(`${name} is a violation`, () => {
    const r = checkNoLostEdit(gitEvidence(over));
    assert.not.ok(r.ok);
    assert.match(r.violations.join('\n'), pattern);
  });
}

const success = suite('checkNoFalseSuccess');
const entry = { deviceId: 'dev-a', softwareType: 'firmware', version: '1.1.0', operationId: 'op-1', state: 'succeeded' };
success('a success the emulator ran for that device, type and version passes', () => {
  assert.ok(checkNoFalseSuccess([entry], [op('op-1')], { counted: 1, files: 1 }).ok);
});
for (const [name, e, ops, counted, pattern] of [
  // The bug the suite was written to catch: an intent left by a crash took the Teams app's operation.
  ['another software type\'s operation', { ...entry, softwareType: 'teamsClient' }, [op('op-1')], 1, /which updated firmware/],
  ['an operation that installed another version', { ...entry, version: '1.2.0' }, [op('op-1')], 1, /which installed 1.1.0/],
  ['an operation that failed', entry, [op('op-1', { status: 'failed' })], 1, /which failed/],
  ['no operation id', { ...entry, operationId: undefined }, [op('op-1')], 1, /ran no operation/],
  ['an operation of another device', entry, [op('op-1', { deviceId: 'dev-b' })], 0, /ran no operation/],
  ['statuses counting more successes than the emulator had', entry, [op('op-1')], 3, /statuses count 3/],
] as const) {
  success(`${name} is a false success`, () => {
    const r = checkNoFalseSuccess([e], ops, { counted, files: 1 });
    assert.not.ok(r.ok);
    assert.match(r.violations.join('\n'), pattern);
  });
}
success('operations no ledger named are listed', () => {
  assert.equal(untrackedOperations([op('op-1'), op('op-2')], new Set(['op-1'])).length, 1);
});

const recovery = suite('checkRecovery');
recovery('ready after each restart and a clean stop pass; each failure is named', () => {
  assert.ok(checkRecovery({ restarts: [{ kill: 1, readyAfterMs: 1200 }], unexpectedExits: [], unsettled: [], finalExit: 0 }).ok);
  const r = checkRecovery({ restarts: [{ kill: 1, readyAfterMs: undefined }], unexpectedExits: ['exited by itself'], unsettled: ['dev-a firmware'], finalExit: 'timeout' });
  assert.equal(r.violations, ['after kill 1 the controller never reconciled again', 'exited by itself', 'still in flight at the end: dev-a firmware', 'SIGTERM at the end: no exit']);
});

const plan = suite('planChaos');
plan('the same seed gives the same plan, another seed another one', () => {
  assert.equal(planChaos(7, 5, 60_000), planChaos(7, 5, 60_000));
  assert.not.equal(planChaos(7, 5, 60_000).kills, planChaos(8, 5, 60_000).kills);
});
plan('every kind of kill in each round of four; each kill armed inside its own slot, before its deadline', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const p = planChaos(seed, 8, 80_000);
    assert.equal(new Set(p.kills.slice(0, 4).map((k) => k.kind)), new Set(KillKinds));
    assert.equal(new Set(p.kills.slice(4).map((k) => k.kind)), new Set(KillKinds));
    p.kills.forEach((k, i) => {
      assert.ok(k.armAtMs >= i * 10_000 && k.armAtMs < k.deadlineMs && k.deadlineMs < (i + 1) * 10_000, `kill ${k.index}`);
      assert.ok(k.kind === 'git' || k.kind === 'random' ? k.killDelayMs === 0 : k.killDelayMs <= 120);
    });
    assert.ok(p.episodes.every((e) => e.atMs < 80_000) && p.releases.length > 5 && p.edits.length > 3);
  }
});

const options = suite('parseChaosOptions');
options('defaults, and the seed from the generator when none is given', () => {
  const o = parseChaosOptions([], () => 42);
  assert.ok(o !== 'help');
  assert.equal({ ...o }, { seed: 42, kills: 10, devices: 200, durationMs: 180_000, settleMs: 60_000, speed: 60, workdir: undefined, keep: false, reportFile: undefined, verbose: false });
  const small = parseChaosOptions(['--seed', '3', '--devices', '60', '--kills', '5', '--duration', '1m30s'], () => 42);
  assert.ok(small !== 'help' && small.seed === 3 && small.durationMs === 90_000);
});
for (const [args, pattern] of [
  [['--kills', 'x'], /--kills must be a whole number/],
  [['--duration', '5s'], /--duration must be at least 10s/],
  [['--duration', 'soon'], /--duration: invalid duration 'soon'/],
  [['--kills', '20', '--duration', '30s'], /less than 5 s per kill/],
  [['--speed', '0'], /--speed must be a number from 1/],
  [['--bogus'], /bogus/],
] as const) {
  options(`${args.join(' ')} is refused, naming the flag`, () => {
    assert.throws(() => parseChaosOptions(args, () => 1), (e: Error) => e instanceof ChaosUsageError && pattern.test(e.message));
  });
}

const report = suite('killCategory');
const kill = (over: Partial<KillRecord>): KillRecord => ({
  index: 1, of: 1, kind: 'random', triggered: true, trigger: 'random', atMs: 0, emulatorTime: '', intents: [], inFlight: 0, locks: [], lastMessage: '', downtimeMs: 0,
  editWhileDown: false, readyAfterMs: 1, ...over,
});
report('a fresh intent first, then git locks, then updates in flight; an intent from an earlier kill does not count', () => {
  const intent = (fate: KillRecord['intents'][number]['fate']) => ({ deviceId: 'd', softwareType: 'firmware', version: '1', fate });
  assert.is(killCategory(kill({ intents: [intent('in doubt since before'), intent('POST never carried out')], locks: ['index.lock'] })), 'intent saved, POST never carried out');
  assert.is(killCategory(kill({ intents: [intent('in doubt since before')], locks: ['index.lock'] })), 'a git command holding locks');
  assert.is(killCategory(kill({ inFlight: 3 })), 'only updates in flight');
  assert.is(killCategory(kill({})), 'nothing in flight');
});

versions.run();
duplicate.run();
downgrade.run();
edits.run();
success.run();
recovery.run();
plan.run();
options.run();
report.run();
