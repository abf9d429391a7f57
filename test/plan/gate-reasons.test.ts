// The wave gates kept between plans (gate-reasons.ts): for each input the gate and the words
// exactly as WaveGates writes them, the same object when asked again, and no answer lent to
// another input (another waves list, wave, count, version or instant).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Wave } from '../../controller/model/manifests.generated.ts';
import { bakingGate, waitingGate } from '../../controller/plan/gate-reasons.ts';

const named: Wave[] = [{ name: 'canary', count: 1 }, { name: 'early', percent: 25 }];
const sameWords: Wave[] = [{ name: 'canary', count: 1 }, { name: 'early', percent: 25 }];
const unnamed: Wave[] = [{ percent: 5 }, { percent: 25 }];
const at = Date.parse('2026-11-22T10:00:00Z');

interface WaitingRow { readonly name: string; readonly waves: Wave[] | undefined; readonly wave: number; readonly waitingWave: number; readonly devices: number; readonly version: string; readonly message: string; readonly uncached?: true }
const waitingRows: WaitingRow[] = [
  { name: 'named waves, several devices', waves: named, wave: 2, waitingWave: 1, devices: 2, version: '1.1', message: 'wave 2 (early) starts after wave 1 (canary) has finished: 2 devices of earlier waves still to update to 1.1' },
  { name: 'one device', waves: named, wave: 2, waitingWave: 1, devices: 1, version: '1.1', message: 'wave 2 (early) starts after wave 1 (canary) has finished: 1 device of earlier waves still to update to 1.1' },
  { name: 'another version', waves: named, wave: 2, waitingWave: 1, devices: 2, version: '1.2', message: 'wave 2 (early) starts after wave 1 (canary) has finished: 2 devices of earlier waves still to update to 1.2' },
  { name: 'the leftover wave', waves: named, wave: 3, waitingWave: 2, devices: 7, version: '1.1', message: 'wave 3 (the rest) starts after wave 2 (early) has finished: 7 devices of earlier waves still to update to 1.1' },
  { name: 'the same waves and counts, swapped', waves: named, wave: 3, waitingWave: 1, devices: 7, version: '1.1', message: 'wave 3 (the rest) starts after wave 1 (canary) has finished: 7 devices of earlier waves still to update to 1.1' },
  { name: 'unnamed waves', waves: unnamed, wave: 2, waitingWave: 1, devices: 2, version: '1.1', message: 'wave 2 starts after wave 1 has finished: 2 devices of earlier waves still to update to 1.1' },
  { name: 'no waves list', waves: undefined, wave: 2, waitingWave: 1, devices: 2, version: '1.1', message: 'wave 2 starts after wave 1 has finished: 2 devices of earlier waves still to update to 1.1' },
  { name: 'a large count', waves: undefined, wave: 2, waitingWave: 1, devices: 4_000_000_000, version: '1.1', message: 'wave 2 starts after wave 1 has finished: 4000000000 devices of earlier waves still to update to 1.1' },
  { name: 'a wave past the cached bound', waves: undefined, wave: 1500, waitingWave: 1, devices: 2, version: '1.1', message: 'wave 1500 starts after wave 1 has finished: 2 devices of earlier waves still to update to 1.1', uncached: true },
];

const Waiting = suite('waitingGate');
for (const r of waitingRows) {
  Waiting(r.name, () => {
    const first = waitingGate(r.waves, r.wave, r.waitingWave, r.devices, r.version);
    assert.equal(first, { open: false, reason: { code: 'WaitingForWave', message: r.message } });
    const again = waitingGate(r.waves, r.wave, r.waitingWave, r.devices, r.version);
    assert.equal(again, first);
    assert.is(again === first, !r.uncached);
  });
}
Waiting('every row in turn again, after all were asked: each its own words', () => {
  for (const r of waitingRows) assert.is(waitingGate(r.waves, r.wave, r.waitingWave, r.devices, r.version).reason!.message, r.message, r.name);
});
Waiting('a list with the same words is keyed apart but says the same', () => {
  assert.is(waitingGate(sameWords, 2, 1, 2, '1.1').reason!.message, waitingRows[0]!.message);
});
Waiting.run();

interface BakingRow { readonly name: string; readonly waves: Wave[] | undefined; readonly wave: number; readonly bakeUntil: number; readonly message: string; readonly uncached?: true }
const bakingRows: BakingRow[] = [
  { name: 'named wave', waves: named, wave: 2, bakeUntil: at, message: 'wave 2 (early) starts once the previous wave has baked until 2026-11-22 10:00 UTC' },
  { name: 'another instant', waves: named, wave: 2, bakeUntil: at + 3_600_000, message: 'wave 2 (early) starts once the previous wave has baked until 2026-11-22 11:00 UTC' },
  { name: 'another wave', waves: named, wave: 3, bakeUntil: at, message: 'wave 3 (the rest) starts once the previous wave has baked until 2026-11-22 10:00 UTC' },
  { name: 'unnamed waves', waves: unnamed, wave: 2, bakeUntil: at, message: 'wave 2 starts once the previous wave has baked until 2026-11-22 10:00 UTC' },
  { name: 'no waves list', waves: undefined, wave: 2, bakeUntil: at, message: 'wave 2 starts once the previous wave has baked until 2026-11-22 10:00 UTC' },
  { name: 'a wave past the cached bound', waves: undefined, wave: 2000, bakeUntil: at, message: 'wave 2000 starts once the previous wave has baked until 2026-11-22 10:00 UTC', uncached: true },
];

const Baking = suite('bakingGate');
for (const r of bakingRows) {
  Baking(r.name, () => {
    const first = bakingGate(r.waves, r.wave, r.bakeUntil);
    assert.equal(first, { open: true, bakeUntil: r.bakeUntil, reason: { code: 'Baking', message: r.message } });
    const again = bakingGate(r.waves, r.wave, r.bakeUntil);
    assert.equal(again, first);
    assert.is(again === first, !r.uncached);
  });
}
Baking('every row in turn again: each its own words and instant', () => {
  for (const r of bakingRows) {
    const g = bakingGate(r.waves, r.wave, r.bakeUntil);
    assert.is(g.reason!.message, r.message, r.name);
    assert.is(g.open && g.bakeUntil, r.bakeUntil, r.name);
  }
});
Baking.run();
