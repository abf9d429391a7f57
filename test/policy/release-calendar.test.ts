import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CalendarIndex, mergeCalendars, observationsOf, observeReleases } from '../../controller/policy/release-calendar.ts';
import { device, release, software } from '../plan/fixtures.ts';

const Observe = suite('observeReleases');
const t0 = Date.parse('2026-11-01T00:00:00Z');
const t1 = Date.parse('2026-11-22T00:00:00Z');

Observe('a new version gets now as its first-seen time; a known one keeps its own', () => {
  const before = [release('Bar', 'firmware', '1.1', t0)];
  const after = observeReleases(before, [{ model: 'Bar', softwareType: 'firmware', version: '1.1' }, { model: 'Bar', softwareType: 'firmware', version: '1.2' }], t1);
  assert.equal(after, [release('Bar', 'firmware', '1.1', t0), release('Bar', 'firmware', '1.2', t1)]);
});
Observe('models and software types are separate streams', () => {
  const after = observeReleases([], [{ model: 'Bar', softwareType: 'firmware', version: '1.1' }, { model: 'Pad', softwareType: 'firmware', version: '1.1' }, { model: 'Bar', softwareType: 'teamsClient', version: '1.1' }], t1);
  assert.is(after.length, 3);
});
Observe('bounded: only the newest versions of each stream are kept', () => {
  const obs = Array.from({ length: 30 }, (_, i) => ({ model: 'Bar', softwareType: 'firmware' as const, version: `1.${i}` }));
  const after = observeReleases([], obs, t1, { perStream: 5 });
  assert.equal(after.map((r) => r.version), ['1.25', '1.26', '1.27', '1.28', '1.29']);
});
Observe('bounded in total: the most recently seen are kept', () => {
  const old = Array.from({ length: 10 }, (_, i) => release(`M${i}`, 'firmware', '1.0', t0 + i));
  const after = observeReleases(old, [{ model: 'New', softwareType: 'firmware', version: '2.0' }], t1, { total: 3 });
  assert.equal(after.map((r) => r.model), ['M8', 'M9', 'New']);
});
Observe('sorted and serializable: the same input in any order gives the same JSON', () => {
  const obs = [{ model: 'B', softwareType: 'firmware' as const, version: '1.10' }, { model: 'A', softwareType: 'teamsClient' as const, version: '2' }, { model: 'B', softwareType: 'firmware' as const, version: '1.9' }];
  const a = JSON.stringify(observeReleases([], obs, t1));
  const b = JSON.stringify(observeReleases([], [...obs].reverse(), t1));
  assert.is(a, b);
  assert.equal(JSON.parse(a).map((r: { version: string }) => r.version), ['2', '1.9', '1.10']);
});
Observe('merging calendars keeps the earliest first-seen time', () => {
  const merged = mergeCalendars([release('Bar', 'firmware', '1.1', t1)], [release('Bar', 'firmware', '1.1', t0)]);
  assert.equal(merged, [release('Bar', 'firmware', '1.1', t0)]);
});
Observe('only availableVersion counts as offered', () => {
  const obs = observationsOf([device('d1')], new Map([['d1', software('d1', { firmware: ['1.0', '1.1'], teamsClient: ['5.0', null] })]]));
  assert.equal(obs, [{ model: 'Bar', softwareType: 'firmware', version: '1.1' }]);
});

const Index = suite('CalendarIndex');
Index('lists comparable versions oldest first, and first-seen times of every version', () => {
  const idx = new CalendarIndex([release('Bar', 'firmware', '1.10', t1), release('Bar', 'firmware', '1.9', t0), release('Bar', 'firmware', 'beta', t0)]);
  assert.equal(idx.versions('Bar', 'firmware').map((r) => r.version), ['1.9', '1.10']);
  assert.is(idx.firstSeen('Bar', 'firmware', 'beta'), t0);
  assert.is(idx.firstSeen('Bar', 'teamsClient', '1.9'), undefined);
});

Observe.run();
Index.run();
