// Misspelt time zones share the parse's "did you mean" budget (issue 18): thousands of distinct
// wrong zones cost no more than the budget, and the message stays whole when it is spent.
// Work is counted (edit distances), never timed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkTimeZones } from '../../controller/manifest/semantic/check-time-zones.ts';
import type { CheckContext, Entry } from '../../controller/manifest/semantic/context.ts';
import type { SuggestBudget } from '../../controller/manifest/suggest.ts';
import { createSuggestBudget } from '../../controller/manifest/suggest.ts';
import { suggestTimeZone } from '../../controller/manifest/time-zones.ts';

/** Groups whose time zones are `zones`; checkTimeZones reads no YAML, only the manifest. */
function groups(zones: string[]): Entry[] {
  return zones.map((timeZone, i) => {
    const name = `g${i}`;
    const manifest = { apiVersion: 'firmwarden.dev/v1alpha1', kind: 'DeviceGroup', metadata: { name }, spec: { timeZone } };
    return { kind: 'DeviceGroup', name, namespace: 'default', key: `default/DeviceGroup/${name}`, manifest, schemaValid: true, doc: undefined as never } as Entry;
  });
}

function check(zones: string[], budget: SuggestBudget): string[] {
  const messages: string[] = [];
  const ctx: CheckContext = { now: 0, entries: groups(zones), report: (_e, _p, _t, _rule, message) => messages.push(message), suggestBudget: budget };
  checkTimeZones(ctx);
  return messages;
}

test('distinct misspelt zones spend the budget: at most perLookup edit distances each', () => {
  const spent = [200, 400].map((n) => {
    const budget = createSuggestBudget({ perLookup: 20, cells: Infinity });
    const messages = check(Array.from({ length: n }, (_, i) => `Europe/Pa${i}ris`), budget);
    assert.is(messages.length, n);
    assert.ok(budget.spent > 0, 'the suggestions were paid from the budget');
    assert.ok(budget.spent <= 20 * n, `${budget.spent} edit distances for ${n} zones`);
    return budget.spent;
  });
  assert.ok(spent[1]! <= 2.2 * spent[0]!, `doubling the zones multiplied the work by ${(spent[1]! / spent[0]!).toFixed(2)}`);
});

test('once the budget is spent, a misspelt zone gets the plain advice, a bare city still its zone', () => {
  const messages = check(['Europe/Pariss', 'Paris'], createSuggestBudget({ cells: 0 }));
  assert.equal(messages, [
    "unknown time zone 'Europe/Pariss'; use an IANA name such as Europe/Paris or America/New_York",
    "unknown time zone 'Paris'; did you mean 'Europe/Paris'?",
  ]);
});

test('with budget left, the near zone is named', () => {
  assert.equal(check(['Europe/Pariss'], createSuggestBudget()), ["unknown time zone 'Europe/Pariss'; did you mean 'Europe/Paris'?"]);
});

const cities: [string, string][] = [
  ['Paris', 'Europe/Paris'],
  ['new york', 'America/New_York'],
  ['Argentina/Salta', 'America/Argentina/Salta'],
];
for (const [name, zone] of cities) test(`suggestTimeZone(${name}) finds ${zone} by its city`, () => assert.is(suggestTimeZone(name), zone));

test.run();
