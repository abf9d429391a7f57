import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceSelector } from '../../controller/model/manifests.generated.ts';
import { DeviceIndex } from '../../controller/policy/device-index.ts';
import { resolveGroups } from '../../controller/policy/groups.ts';
import { compileSelector, factsOf, globToRegExp, matchesSelector, parseTags } from '../../controller/policy/selector.ts';
import { device, group } from '../plan/fixtures.ts';

const Tags = suite('parseTags');
const tagCases: [string | null, string[]][] = [
  [null, []],
  ['Boardroom 4 #VIP #site-paris', ['site-paris', 'vip']],
  ['#lab, #basic.', ['basic', 'lab']],
  ['moved from C#lab rack; #floor:3', ['floor:3']],
  ['issue#12 is not a tag', []],
  ['#vip #vip #Vip', ['vip']],
];
for (const [notes, expected] of tagCases) Tags(`reads ${JSON.stringify(notes)}`, () => assert.equal(parseTags(notes), expected));

const Match = suite('matchesSelector');
const d = device('d1', { deviceType: 'teamsRoom', manufacturer: 'Lenovo', model: 'ThinkSmart Core', companyAssetTag: 'IT-00451', notes: 'Room 12 #site-paris #VIP', healthStatus: 'healthy' });
const matchCases: [DeviceSelector, boolean, string][] = [
  [{}, true, 'an empty selector matches every device'],
  [{ deviceTypes: ['teamsRoom', 'surfaceHub'] }, true, 'any listed device type'],
  [{ deviceTypes: ['ipPhone'] }, false, 'another device type'],
  [{ manufacturers: ['LENOVO'] }, true, 'manufacturer without case'],
  [{ models: ['thinksmart core'] }, true, 'model without case'],
  [{ tags: ['vip', 'site-paris'] }, true, 'every tag, without case'],
  [{ tags: ['vip', 'lab'] }, false, 'a missing tag'],
  [{ anyTags: ['lab', 'vip'] }, true, 'any of anyTags'],
  [{ excludeTags: ['vip'] }, false, 'an excluded tag'],
  [{ assetTags: ['IT-004*'] }, true, 'asset tag glob'],
  [{ assetTags: ['it-00451'] }, true, 'asset tag without case'],
  [{ assetTags: ['IT-005*'] }, false, 'another asset tag'],
  [{ healthStatuses: ['offline'] }, false, 'health'],
  [{ tags: ['vip'], deviceTypes: ['ipPhone'] }, false, 'fields are ANDed'],
];
for (const [selector, expected, what] of matchCases) Match(what, () => assert.is(matchesSelector(compileSelector(selector), factsOf(d)), expected));
Match('globs escape regular-expression characters', () => {
  assert.ok(globToRegExp('A.B*').test('a.b-1'));
  assert.not.ok(globToRegExp('A.B*').test('aXb-1'));
});

const Resolve = suite('resolveGroups');
const devices = [
  device('d1', { tags: ['site-paris'] }),
  device('d2', { tags: ['site-paris', 'lab'] }),
  device('d3', { tags: ['site-paris', 'vip'], serialNumber: 'SER-3' }),
  device('d4', { tags: ['site-nyc'] }),
  device('d5', { tags: [] }),
];
const index = new DeviceIndex(devices);
const groups = [
  group('general-paris', { selector: { tags: ['site-paris'] }, priority: 10 }),
  group('lab', { selector: { tags: ['lab'] }, priority: 100 }),
  group('vip', { selector: { tags: ['vip'] }, priority: 10 }),
  group('pinned', { include: ['SER-3'], exclude: ['d4'], selector: { tags: ['site-nyc'] } }),
];
const m = resolveGroups(groups, index);
const groupOf = (id: string) => {
  const g = m.groupOf[index.indexOfId(id)!]!;
  return g < 0 ? undefined : m.groupKeys[g];
};
const precedence: [string, string | undefined, string][] = [
  ['d1', 'default/general-paris', 'one group only'],
  ['d2', 'default/lab', 'the higher priority wins'],
  ['d3', 'default/pinned', 'an explicit include (by serial) beats any selector'],
  ['d4', undefined, 'exclude beats the selector of the same group'],
  ['d5', undefined, 'no group'],
];
for (const [id, expected, what] of precedence) Resolve(`${id}: ${what}`, () => assert.is(groupOf(id), expected));
Resolve('conflicts are reported with every group and the reason', () => {
  assert.equal(m.conflicts.map((c) => [c.deviceId, c.groups, c.chosen]), [
    ['d2', ['default/general-paris', 'default/lab'], 'default/lab'],
    ['d3', ['default/general-paris', 'default/pinned', 'default/vip'], 'default/pinned'],
  ]);
  assert.match(m.conflicts[0]!.reason, /lab has the highest priority \(100; general-paris 10\)/);
  assert.match(m.conflicts[1]!.reason, /pinned lists the device in include/);
});
Resolve('equal priority: the name that sorts first, whatever the input order', () => {
  const tie = [group('zeta', { selector: { tags: ['site-paris'] } }), group('alpha', { selector: { tags: ['site-paris'] } })];
  for (const order of [tie, [...tie].reverse()]) {
    const r = resolveGroups(order, index);
    assert.is(r.groupKeys[r.groupOf[index.indexOfId('d1')!]!], 'default/alpha');
    assert.match(r.conflicts[0]!.reason, /equal priority 0: alpha sorts before zeta/);
  }
});
Resolve('members are sorted by device id', () => {
  const shuffled = new DeviceIndex([...devices].reverse());
  const r = resolveGroups(groups, shuffled);
  const g = r.groupKeys.indexOf('default/general-paris');
  assert.equal(r.members[g]!.map((i) => shuffled.devices[i]!.id), ['d1']);
});
// include and exclude apply to their own group only, and a group claims a device once, however it names it.
const scoped = [device('e1', { tags: ['x'] }), device('e2', { tags: ['x'] }), device('e3', { tags: ['y'] })];
const scopeCases: [string, ReturnType<typeof group>[], [string, string | undefined][], string[][]][] = [
  ['an exclude in one group leaves the device to the next', [group('a', { exclude: ['e1'], selector: { tags: ['x'] } }), group('b', { selector: { tags: ['x'] } })],
    [['e1', 'default/b'], ['e2', 'default/a']], [['e2', 'default/a', 'default/b']]],
  ['an include and the same group\'s selector are one claim', [group('a', { include: ['e1', 'SN-e1', 'E1'], selector: { tags: ['x'] } })],
    [['e1', 'default/a'], ['e2', 'default/a']], []],
  ['an include in one group is no include in the next', [group('a', { include: ['e3'] }), group('b', { include: ['e1'], selector: { tags: ['y'] } })],
    [['e1', 'default/b'], ['e3', 'default/a']], [['e3', 'default/a', 'default/b']]],
];
for (const [what, gs, expected, conflicts] of scopeCases) {
  Resolve(what, () => {
    for (const fleet of [scoped, [...scoped].reverse()]) {
      const idx = new DeviceIndex(fleet);
      const r = resolveGroups(gs, idx);
      for (const [id, key] of expected) assert.is(r.groupKeys[r.groupOf[idx.indexOfId(id)!]!], key, `${id} in ${fleet[0]!.id}…`);
      assert.equal(r.conflicts.map((c) => [c.deviceId, ...c.groups]), conflicts);
    }
  });
}
Resolve('conflicts are sorted by device id, whatever the device positions', () => {
  const many = Array.from({ length: 30 }, (_, i) => device(`c${String((i * 7) % 30).padStart(2, '0')}`, { tags: ['p', 'q'] }));
  for (const fleet of [many, [...many].reverse()]) {
    const r = resolveGroups([group('p', { selector: { tags: ['p'] } }), group('q', { selector: { tags: ['q'] } })], new DeviceIndex(fleet));
    assert.equal(r.conflicts.map((c) => c.deviceId), many.map((d) => d.id).sort());
    assert.equal(r.members.map((list) => list.map((i) => fleet[i]!.id)), [many.map((d) => d.id).sort(), []]);
  }
});
Resolve('a selector over 1,000 tagged devices uses the index and stays exact', () => {
  const many = Array.from({ length: 1000 }, (_, i) => device(`x${String(i).padStart(4, '0')}`, { tags: [`site-${i % 10}`, i % 2 ? 'odd' : 'even'], deviceType: i % 3 ? 'ipPhone' : 'teamsRoom' }));
  const big = new DeviceIndex(many);
  const selected = big.select(compileSelector({ tags: ['site-3', 'odd'], deviceTypes: ['teamsRoom'] }));
  const expected = many.map((x, i) => [x, i] as const).filter(([, i]) => i % 10 === 3 && i % 2 === 1 && i % 3 === 0).map(([, i]) => i);
  assert.equal(selected, expected);
});

Tags.run();
Match.run();
Resolve.run();
