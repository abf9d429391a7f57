// DeviceIndex.facts builds each device's tag list from the tag postings instead of parsing the
// notes a second time (issue 17: 27 MB of garbage on a first plan of 100,000 devices). The lists
// must be exactly what factsOf/parseTags give: same tags, same order (by code unit), one each,
// devices without tags an empty list. Table of notes, each case a device among the others so the
// postings are shared.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DeviceIndex } from '../../controller/policy/device-index.ts';
import { factsOf, parseTags } from '../../controller/policy/selector.ts';
import { device } from '../plan/fixtures.ts';

const notes: (string | null)[] = [
  null,
  '',
  'no tags at all',
  'Boardroom 4 #VIP #site-paris',
  '#vip #Vip #VIP',
  '#zeta #alpha #Beta #alpha.',
  'moved from C#lab rack; #floor:3 #floor-3 #floor_3',
  '#b #B2 #a-1 #a_1 #a.1 #a:1 #a/1',
  '#Ärger #zebra #éclair', // code-unit order puts non-ASCII after z: no locale sorting
  'issue#12 &#39; #ok',
  '#x',
];

const devices = notes.map((n, i) => device(`d${i}`, { notes: n, manufacturer: i % 2 ? 'Lenovo' : 'Poly', model: `M${i % 3}` }));
const index = new DeviceIndex(devices);

notes.forEach((n, i) => {
  test(`tags of ${JSON.stringify(n)} are parseTags's`, () => {
    const facts = index.facts[i]!;
    assert.equal([...facts.tags], parseTags(n));
    assert.equal({ ...facts, tags: [...facts.tags] }, { ...factsOf(devices[i]!), tags: parseTags(n) });
  });
});

test('a device listed twice keeps its own position and tags', () => {
  const twice = new DeviceIndex([devices[3]!, devices[5]!, devices[3]!]);
  assert.equal(twice.facts.map((f) => [...f.tags]), [parseTags(notes[3]!), parseTags(notes[5]!), parseTags(notes[3]!)]);
});

// offlineAt answers from an array filled once (the plan's walk reads no Device object for it):
// true exactly for the devices reporting healthStatus offline, at their own positions.
const healthTable = [['healthy', false], ['offline', true], ['critical', false], ['nonUrgent', false], ['unknown', false], ['offline', true]] as const;
test('offlineAt is true exactly where healthStatus is offline', () => {
  const listed = healthTable.map(([healthStatus], i) => device(`h${i}`, { healthStatus }));
  const health = new DeviceIndex(listed);
  assert.equal(listed.map((_, i) => health.offlineAt(i)), healthTable.map(([, offline]) => offline));
});

test.run();
