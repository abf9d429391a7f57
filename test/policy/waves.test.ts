import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assignWaves, stableHash, waveName, waveSizes } from '../../controller/policy/waves.ts';

const Sizes = suite('waveSizes');
const cases: [number, Parameters<typeof waveSizes>[1], number[], string][] = [
  [100, undefined, [100], 'no waves: one wave of every device'],
  [100, [{ percent: 5 }, { percent: 25 }], [5, 25, 70], 'percent of the group, the rest as a last wave'],
  [10, [{ percent: 5 }], [1, 9], 'a percent rounds up: a canary is never empty'],
  [10, [{ count: 2 }, { percent: 50 }], [2, 5, 3], 'count then percent of the whole group'],
  [3, [{ count: 2 }, { count: 5 }], [2, 1], 'waves beyond the devices are dropped'],
  [4, [{ percent: 100 }], [4], 'nothing left: no extra wave'],
  [0, [{ count: 2 }], [], 'no devices: no waves'],
];
for (const [n, waves, expected, what] of cases) Sizes(what, () => assert.equal(waveSizes(n, waves), expected));

const Assign = suite('assignWaves');
const ids = Array.from({ length: 40 }, (_, i) => `device-${i}`);
Assign('deterministic, whatever the input order', () => {
  const a = assignWaves(ids, 'general', [{ count: 4 }, { percent: 25 }]);
  const b = assignWaves([...ids].reverse(), 'general', [{ count: 4 }, { percent: 25 }]);
  assert.equal([...a.entries()].sort(), [...b.entries()].sort());
  assert.equal([...a.values()].filter((w) => w === 1).length, 4);
  assert.equal([...a.values()].filter((w) => w === 3).length, 26);
});
Assign('a new device does not reshuffle the others', () => {
  const before = assignWaves(ids, 'general', [{ percent: 50 }]);
  const after = assignWaves([...ids, 'device-new'], 'general', [{ percent: 50 }]);
  let moved = 0;
  for (const id of ids) if (before.get(id) !== after.get(id)) moved++;
  assert.ok(moved <= 1, `moved ${moved}`);
});
Assign('another policy orders the devices differently', () => {
  const a = assignWaves(ids, 'general', [{ count: 5 }]);
  const b = assignWaves(ids, 'vip', [{ count: 5 }]);
  assert.not.equal(ids.filter((id) => a.get(id) === 1), ids.filter((id) => b.get(id) === 1));
});
Assign('stable hash and names', () => {
  assert.is(stableHash('abc'), stableHash('abc'));
  assert.is.not(stableHash('abc'), stableHash('abd'));
  assert.is(waveName([{ name: 'canary', count: 1 }], 1), 'wave 1 (canary)');
  assert.is(waveName([{ name: 'canary', count: 1 }], 2), 'wave 2 (the rest)');
});

Sizes.run();
Assign.run();
