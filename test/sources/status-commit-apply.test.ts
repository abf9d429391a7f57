// Pure: which statuses land where, and when nothing changes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyStatuses } from '../../controller/sources/status-commit-apply.ts';
import { replaceStatus } from '../../controller/manifest/status-writer.ts';

const doc = (name: string, status = '') => `kind: DeviceGroup\nmetadata:\n  name: ${name}\nspec: {}\n${status}`;
const files = [
  { path: 'a.yaml', text: `${doc('a')}---\n${doc('b', 'status:\n  n: 1\n')}` },
  { path: 'c.yaml', text: doc('c') },
];

const apply = suite('applyStatuses');

apply('applies by file and document index, several documents of one file together', () => {
  const { changed, skipped } = applyStatuses(files, [
    { path: 'a.yaml', docIndex: 0, status: { n: 5 } },
    { path: 'a.yaml', docIndex: 1, status: { n: 6 } },
  ], replaceStatus);
  assert.equal(skipped, []);
  assert.equal([...changed.keys()], ['a.yaml']);
  assert.is(changed.get('a.yaml'), `${doc('a', 'status:\n  n: 5\n')}---\n${doc('b', 'status:\n  n: 6\n')}`);
});

apply('an equal status (volatile keys aside) is not applied, so nothing changes', () => {
  const { changed } = applyStatuses(files, [{ path: 'a.yaml', docIndex: 1, status: { n: 1 } }], replaceStatus);
  assert.is(changed.size, 0);
  const withTime = [{ path: 'c.yaml', text: doc('c', 'status:\n  lastTransitionTime: "2026-01-01"\n  ok: true\n') }];
  const timestampOnly = applyStatuses(withTime, [{ path: 'c.yaml', docIndex: 0, status: { ok: true, lastTransitionTime: '2027-01-01' } }], replaceStatus);
  assert.is(timestampOnly.changed.size, 0);
});

apply('a keyed update follows its manifest to another index or file, and is skipped when it is gone', () => {
  const { changed, skipped } = applyStatuses(files, [
    { path: 'a.yaml', docIndex: 0, status: { moved: true }, key: { kind: 'DeviceGroup', name: 'c' } },
    { path: 'a.yaml', docIndex: 0, status: { gone: true }, key: { kind: 'DeviceGroup', name: 'zzz' } },
    { path: 'a.yaml', docIndex: 3, status: { x: 1 } },
    { path: 'missing.yaml', docIndex: 0, status: { x: 1 } },
  ], replaceStatus);
  assert.equal([...changed.keys()], ['c.yaml']);
  assert.match(changed.get('c.yaml')!, 'moved: true');
  assert.is(skipped.length, 3);
  assert.is(skipped[0]!.reason, 'DeviceGroup/zzz is no longer in the source');
  assert.match(skipped[1]!.reason, 'document 3 does not exist');
  assert.is(skipped[2]!.reason, 'the file no longer exists');
});

apply('a rewrite the writer refuses is skipped with its reason and leaves the file as it was', () => {
  // Two status keys: yaml reads the last one, so the writer's self-check refuses to rewrite the first.
  const twice = [{ path: 'd.yaml', text: doc('d', 'status:\n  n: 1\nstatus:\n  n: 2\n') }];
  const { changed, skipped } = applyStatuses(twice, [{ path: 'd.yaml', docIndex: 0, status: { n: 3 } }], replaceStatus);
  assert.is(changed.size, 0);
  assert.equal(skipped.map((s) => [s.path, s.docIndex]), [['d.yaml', 0]]);
  assert.match(skipped[0]!.reason, /would not read back as the status written/);
});

apply.run();
