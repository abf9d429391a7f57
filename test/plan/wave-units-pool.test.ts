// Wave units taken over from the previous plan (wave-gates.ts, the pool PlanMemo keeps): the k-th
// unit a plan makes is the previous plan's k-th when it is the same unit, emptied of everything
// the previous plan counted, else a new one; either way it reads as a new unit would.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { SoftwareType } from '../../controller/model/fleet.ts';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { UnitStats } from '../../controller/plan/wave-unit.ts';
import { WaveGates } from '../../controller/plan/wave-gates.ts';
import { at, hour, op } from './fixtures.ts';
import { contextUnder } from './phase-fixtures.ts';

const now = at('2026-11-21T12:00:00Z');
const spec: UpdatePolicySpec = { rollout: { waves: [{ name: 'canary', count: 1 }, { name: 'early', percent: 25 }], bakeTime: '24h' } };
const three = contextUnder(spec, now, { waveCount: 3 });
const threeElsewhere = contextUnder(spec, now, { waveCount: 3, index: 1 });
const two = contextUnder(spec, now, { waveCount: 2 });

interface Ask { readonly ctx: typeof three; readonly type: SoftwareType; readonly version: string }
interface PoolRow { readonly name: string; readonly first: Ask; readonly second: Ask; readonly reused: boolean }
const rows: PoolRow[] = [
  { name: 'the same unit is taken over', first: { ctx: three, type: 'firmware', version: '1.1' }, second: { ctx: three, type: 'firmware', version: '1.1' }, reused: true },
  { name: 'another version: a new unit', first: { ctx: three, type: 'firmware', version: '1.1' }, second: { ctx: three, type: 'firmware', version: '1.2' }, reused: false },
  { name: 'another type: a new unit', first: { ctx: three, type: 'firmware', version: '1.1' }, second: { ctx: three, type: 'teamsClient', version: '1.1' }, reused: false },
  { name: 'another group position: a new unit', first: { ctx: three, type: 'firmware', version: '1.1' }, second: { ctx: threeElsewhere, type: 'firmware', version: '1.1' }, reused: false },
  { name: 'another wave count: a new unit', first: { ctx: three, type: 'firmware', version: '1.1' }, second: { ctx: two, type: 'firmware', version: '1.1' }, reused: false },
];

/** What a unit reads as (not its identity). */
const reading = (u: UnitStats) => JSON.stringify(u, (_k, v) => (v === undefined ? null : v));

const Pool = suite('wave units pool');
for (const r of rows) {
  Pool(r.name, () => {
    const pool: UnitStats[] = [];
    // The first plan counts, bakes and gates its unit.
    const a = new WaveGates(undefined, pool);
    const first = a.unit(r.first.ctx, r.first.type, r.first.version);
    a.countUnfinished(r.first.ctx, r.first.type, r.first.version, 1);
    a.countOperation(r.first.ctx, r.first.type, 1, op('d1', r.first.type, r.first.version, { startedAt: now - 3 * hour, endedAt: now - 2 * hour }));
    a.noteBaking(r.first.ctx, r.first.type, r.first.version, now + hour);
    a.gate(r.first.ctx, r.first.type, r.first.version, 2);
    first.lightWaits[3]!++;
    assert.is(pool.length, 1);
    // The second plan's first unit.
    const b = new WaveGates(undefined, pool);
    const second = b.unit(r.second.ctx, r.second.type, r.second.version);
    assert.is(second === first, r.reused);
    const fresh = new WaveGates().unit(r.second.ctx, r.second.type, r.second.version);
    assert.is(reading(second), reading(fresh));
    assert.is(b.units.get(`${r.second.ctx.index}|${r.second.type}|${r.second.version}`), second);
    assert.is(pool[0], second);
  });
}
Pool('a unit is not taken over twice in one plan', () => {
  const pool: UnitStats[] = [];
  const a = new WaveGates(undefined, pool);
  const old11 = a.unit(three, 'firmware', '1.1');
  const old12 = a.unit(three, 'firmware', '1.2');
  const b = new WaveGates(undefined, pool);
  const x = b.unit(three, 'firmware', '1.2'); // not the 1st unit of the last plan: new
  const y = b.unit(three, 'firmware', '1.1'); // not the 2nd either: new
  assert.is.not(x, old12);
  assert.is.not(y, old11);
  assert.is.not(x, y);
  assert.equal(pool, [x, y]);
});
Pool.run();
