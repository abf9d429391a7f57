// DeviceIndex.select resolves tags on the postings alone (intersections, unions, differences,
// with a bitset for common tags) and checks the other fields on the candidates' devices. Each
// selector of the table must select exactly the devices matchesSelector accepts, ascending,
// over a fleet where one tag is common (bitset path) and others rare (galloping path).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { DeviceSelector } from '../../controller/model/manifests.generated.ts';
import { DeviceIndex } from '../../controller/policy/device-index.ts';
import { compileSelector, matchesSelector, factsOf } from '../../controller/policy/selector.ts';
import { device } from '../plan/fixtures.ts';

const Select = suite('DeviceIndex.select');

const types = ['teamsRoom', 'collaborationBar', 'ipPhone'] as const;
const fleet = Array.from({ length: 2000 }, (_, i) => {
  const tags = [`site-${i % 40}`, `floor-${i % 7}`];
  if (i % 3 === 0) tags.push('common');
  if (i % 97 === 5) tags.push('VIP');
  return device(`dev-${String((i * 7919) % 2000).padStart(5, '0')}`, {
    tags,
    deviceType: types[i % 3]!,
    manufacturer: i % 2 ? 'Poly' : 'NEAT',
    model: `Model-${i % 5}`,
    healthStatus: i % 11 === 0 ? 'offline' : 'healthy',
    companyAssetTag: i % 4 === 0 ? null : `IT-${i}`,
  });
});
const index = new DeviceIndex(fleet);

const selectors: [string, DeviceSelector][] = [
  ['no fields: every device', {}],
  ['one rare tag', { tags: ['vip'] }],
  ['one common tag', { tags: ['common'] }],
  ['two tags (site × floor)', { tags: ['site-3', 'floor-3'] }],
  ['three tags incl. a common one (bitset)', { tags: ['floor-2', 'common', 'site-9'] }],
  ['tags written in capitals', { tags: ['SITE-1', 'Floor-1'] }],
  ['an unknown tag: nothing', { tags: ['site-3', 'nosuch'] }],
  ['disjoint tags: nothing', { tags: ['site-1', 'site-2'] }],
  ['the same tag twice', { tags: ['site-5', 'site-5'] }],
  ['any of two tags', { anyTags: ['site-1', 'site-2'] }],
  ['any of overlapping tags', { anyTags: ['common', 'floor-0', 'nosuch'] }],
  ['all of and any of', { tags: ['floor-4'], anyTags: ['site-4', 'site-11', 'vip'] }],
  ['exclude only', { excludeTags: ['common'] }],
  ['tags minus excluded', { tags: ['floor-1'], excludeTags: ['common', 'vip'] }],
  ['device types only', { deviceTypes: ['teamsRoom', 'ipPhone'] }],
  ['models only (case ignored)', { models: ['MODEL-2'] }],
  ['manufacturers and models: the smaller field is the candidates', { manufacturers: ['neat'], models: ['model-1', 'model-3'] }],
  ['tag and device type', { tags: ['vip'], deviceTypes: ['teamsRoom', 'collaborationBar'] }],
  ['health statuses', { tags: ['common'], healthStatuses: ['offline'] }],
  ['asset tags', { anyTags: ['site-7'], assetTags: ['IT-1*', 'it-2*'] }],
  ['everything at once', { tags: ['common'], anyTags: ['floor-1', 'floor-2'], excludeTags: ['site-0'], deviceTypes: ['teamsRoom'], manufacturers: ['poly', 'neat'], healthStatuses: ['healthy'], assetTags: ['*'] }],
];
const facts = fleet.map((d) => factsOf(d));
for (const [what, selector] of selectors) {
  Select(what, () => {
    const compiled = compileSelector(selector);
    const expected = facts.flatMap((f, i) => (matchesSelector(compiled, f) ? [i] : []));
    assert.equal(index.select(compiled), expected);
    assert.equal([...index.selectView(compiled)], expected);
  });
}

Select('the selectors agree whatever order they run in (the buffer is reused)', () => {
  const fresh = new DeviceIndex(fleet);
  const order = [...selectors].reverse();
  for (const [what, selector] of order) {
    const compiled = compileSelector(selector);
    assert.equal(fresh.select(compiled), facts.flatMap((f, i) => (matchesSelector(compiled, f) ? [i] : [])), what);
  }
});

Select('a table with no devices selects nothing', () => {
  const none = new DeviceIndex([]);
  for (const [, selector] of selectors) assert.equal(none.select(compileSelector(selector)), []);
});

Select.run();
