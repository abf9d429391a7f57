// Dangling references and their "did you mean" (issue 18): the work grows linearly with the
// number of manifests and of dangling references, never with their product, and a near-miss
// is still named. Work is counted (entries read, edit distances computed), never timed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Finding } from '../../controller/manifest/finding.ts';
import type { Kind } from '../../controller/manifest/kinds.ts';
import { checkReferences } from '../../controller/manifest/semantic/check-references.ts';
import type { CheckContext, Entry } from '../../controller/manifest/semantic/context.ts';
import type { SuggestBudget } from '../../controller/manifest/suggest.ts';
import { createSuggestBudget, editDistance, indexNames, suggestName } from '../../controller/manifest/suggest.ts';
import { file, group, lintText, policy, schedule } from './manifest-texts.ts';

/** An entry as the checks see it; checkReferences reads no YAML, only the manifest. */
function entry(kind: Kind, name: string, spec: Record<string, unknown>): Entry {
  const manifest = { apiVersion: 'firmwarden.dev/v1alpha1', kind, metadata: { name }, spec };
  return { kind, name, namespace: 'default', key: `default/${kind}/${name}`, manifest, schemaValid: true, doc: undefined as never } as Entry;
}

const typo = (i: number) => `grup-${String(i).padStart(4, '0')}`;
const unlike = (i: number) => `zzzz-${String(i).padStart(4, '0')}`;

/**
 * `n` groups (group-0000…) and `n` schedules whose groupRef is `refOf(n - 1 - i)`: a typo of a
 * group's name, or a name like none of them. Every reference dangles, and every group name is a
 * candidate of a length within reach.
 */
function danglingRepo(n: number, refOf = typo): Entry[] {
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) entries.push(entry('DeviceGroup', `group-${String(i).padStart(4, '0')}`, {}));
  for (let i = 0; i < n; i++) {
    const ref = refOf(n - 1 - i);
    entries.push(entry('ScheduledUpdate', `schedule-${i}`, { targets: { groupRef: { name: ref } }, software: [{ type: 'teamsClient' }] }));
  }
  return entries;
}

/** Runs checkReferences over `entries`, counting every read of an entry. */
function measure(entries: Entry[], budget: SuggestBudget): { reads: number; findings: string[] } {
  let reads = 0;
  const counted = new Proxy(entries, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  const findings: string[] = [];
  const ctx: CheckContext = {
    now: 0,
    entries: counted,
    report: (_entry, _path, _target, rule, message) => findings.push(`${rule}: ${message}`),
    suggestBudget: budget,
  };
  checkReferences(ctx);
  return { reads, findings };
}

const sizes = [200, 400, 800];

test('checking n dangling references reads each manifest a few times, not n times', () => {
  const reads = sizes.map((n) => {
    const { reads, findings } = measure(danglingRepo(n), createSuggestBudget());
    assert.is(findings.length, n, `every reference dangles (n=${n})`);
    assert.ok(reads <= 4 * 2 * n, `n=${n}: ${reads} reads of ${2 * n} entries`);
    return reads;
  });
  for (let i = 1; i < sizes.length; i++) assert.ok(reads[i]! <= 2.2 * reads[i - 1]!, `doubling the repository multiplied the reads by ${(reads[i]! / reads[i - 1]!).toFixed(2)}: ${reads.join(', ')}`);
});

test('edit distances grow linearly with the dangling references, within the per-lookup cap', () => {
  const perLookup = 16;
  const spent = sizes.map((n) => {
    const budget = createSuggestBudget({ perLookup, cells: Infinity });
    measure(danglingRepo(n, unlike), budget);
    assert.ok(budget.spent > 0, 'suggestions were looked for');
    assert.ok(budget.spent <= perLookup * n, `n=${n}: ${budget.spent} edit distances for ${n} references`);
    return budget.spent;
  });
  for (let i = 1; i < sizes.length; i++) assert.ok(spent[i]! <= 2.2 * spent[i - 1]!, `doubling the repository multiplied the edit distances by ${(spent[i]! / spent[i - 1]!).toFixed(2)}: ${spent.join(', ')}`);
});

test('the default budget bounds the whole run, and the messages stay whole once it is spent', () => {
  const budget = createSuggestBudget();
  const { findings } = measure(danglingRepo(4000, unlike), budget);
  assert.is(findings.length, 4000);
  // 9 letters: (9 + 1) × 5 cells a comparison, 5,000,000 cells in all.
  assert.ok(budget.spent <= 100_000, `${budget.spent} edit distances`);
  assert.ok(budget.spent >= 99_000, `${budget.spent} edit distances: the budget was not used`);
  assert.ok(budget.remaining >= 0);
  assert.ok(findings.every((f) => f === `dangling-reference: no DeviceGroup named '${/'(zzzz-\d{4})'/.exec(f)?.[1]}' in the default namespace`), findings[0]);
});

test('every typo among 4,000 names of one shape gets its own name, a few comparisons each', () => {
  const budget = createSuggestBudget();
  const { findings } = measure(danglingRepo(4000), budget);
  const wrong = findings.filter((f) => {
    const n = /'grup-(\d{4})'/.exec(f)?.[1];
    return !f.endsWith(`did you mean 'group-${n}'?`);
  });
  assert.equal(wrong, []);
  assert.ok(budget.spent <= 4000 * 5, `${budget.spent} edit distances for 4,000 references`);
});

test('a near-miss reference is still named, in the finding lint reports', () => {
  const text = file(policy('weekly-rooms'), group('rooms', 'policyRef: { name: weekly-room }\nselector: { tags: [a] }\ntimeZone: UTC'), schedule('s', 'targets: { groupRef: { name: room } }\nsoftware: [{ type: teamsClient }]'));
  const messages = lintText(text)
    .filter((f: Finding) => f.rule === 'dangling-reference')
    .map((f) => f.message);
  assert.equal(messages, ["no UpdatePolicy named 'weekly-room' in the default namespace; did you mean 'weekly-rooms'?", "no DeviceGroup named 'room' in the default namespace; did you mean 'rooms'?"]);
});

const fillers = Array.from({ length: 20 }, (_, i) => `q${String.fromCharCode(97 + i).repeat(3)}q`);
const lookups: [name: string, names: string[], word: string, budget: { perLookup?: number; cells?: number }, expected: string | undefined][] = [
  ['a swapped letter', ['phase', 'mode'], 'pahse', {}, 'phase'],
  ['a missing letter', ['maxConcurrent', 'waves'], 'maxConcurent', {}, 'maxConcurrent'],
  ['one edit away beats two edits away, whatever the order', ['group-a', 'group-b', 'group-c'], 'grop-c', {}, 'group-c'],
  ['two edits away when nothing is closer', ['maintenanceWindows', 'freezes'], 'maintenanceWindos', {}, 'maintenanceWindows'],
  ['a case-only difference, even with no budget left', ['Europe-Rooms'], 'europe-rooms', { cells: 0 }, 'Europe-Rooms'],
  ['no suggestion once the budget is spent', ['phase'], 'phse', { cells: 0 }, undefined],
  // 'xhasx' is 2 edits from 'phase'; the fillers sort between them both forwards and backwards.
  ['a name past the per-lookup cap', [...fillers, 'phase'], 'xhasx', { perLookup: 16 }, undefined],
  ['the same name within the cap', [...fillers, 'phase'], 'xhasx', { perLookup: 21 }, 'phase'],
  ['too far to be a typo', ['phase'], 'xyz', {}, undefined],
  ['a word is not its own suggestion', ['phase'], 'phase', {}, undefined],
];
for (const [name, names, word, limits, expected] of lookups) {
  test(`suggestName: ${name}`, () => assert.is(suggestName(indexNames(names), word, createSuggestBudget(limits)), expected));
}

test('editDistance with a bound agrees with the unbounded distance, capped at bound + 1', () => {
  const words = ['', 'a', 'ab', 'ba', 'abc', 'acb', 'group-0001', 'grup-0001', 'group-1000', 'kitten', 'sitting', 'x'.repeat(253), `y${'x'.repeat(252)}`];
  for (const a of words) {
    for (const b of words) {
      const full = editDistance(a, b);
      for (const max of [0, 1, 2, 3]) assert.is(editDistance(a, b, max), Math.min(full, max + 1), `${a.slice(0, 12)} / ${b.slice(0, 12)} / ${max}`);
    }
  }
});

test.run();
