// Wave order, bake and soak times (wave-gates.ts), how works pass them (timing.ts applyGate),
// and how the plan counts waves before judging them (time-works.ts countWaves). Tables: what
// is counted per wave → whether a wave may go, from when, and why.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdatePolicySpec } from '../../controller/model/manifests.generated.ts';
import type { OperationRecord } from '../../controller/model/plan.ts';
import { OperationBook } from '../../controller/plan/operation-book.ts';
import { countWaves } from '../../controller/plan/time-works.ts';
import { applyGate } from '../../controller/plan/timing.ts';
import { WaveGates } from '../../controller/plan/wave-gates.ts';
import { at, hour, iso, op } from './fixtures.ts';
import { contextUnder, scheduledCtx, work } from './phase-fixtures.ts';

const now = at('2026-11-21T12:00:00Z');
// Three waves: canary (one device), early (25 %), the rest.
const spec: UpdatePolicySpec = { rollout: { waves: [{ name: 'canary', count: 1 }, { name: 'early', percent: 25 }], bakeTime: '24h' } };
const soaking: UpdatePolicySpec = { rollout: { waves: [{ name: 'canary', count: 1, soak: { duration: '48h' } }, { name: 'early', percent: 25 }], bakeTime: '24h' } };
const ctxOf = (s: UpdatePolicySpec = spec) => contextUnder(s, now, { waveCount: 3 });
const ended = (wave: number, endedAt: number, version = '1.1'): [number, OperationRecord] => [wave, op(`w${wave}`, 'firmware', version, { startedAt: endedAt - hour, endedAt })];

interface GateRow {
  readonly name: string;
  readonly spec?: UpdatePolicySpec;
  /** Devices still to update, per [wave, version]. */
  readonly unfinished?: [number, string][];
  readonly operations?: [number, OperationRecord][];
  readonly wave: number;
  readonly open: boolean;
  readonly code?: string;
  readonly bakeUntil?: number;
  readonly message?: RegExp;
  readonly gatedWave?: number;
}

const gateRows: GateRow[] = [
  { name: 'the first wave always goes', unfinished: [[1, '1.1'], [1, '1.1']], wave: 1, open: true },
  { name: 'an earlier wave with devices to update holds the next one', unfinished: [[1, '1.1'], [1, '1.1']], wave: 2, open: false, code: 'WaitingForWave', gatedWave: 2, message: /^wave 2 \(early\) starts after wave 1 \(canary\) has finished: 2 devices of earlier waves still to update to 1\.1$/ },
  { name: 'the rest waits for the nearest unfinished wave, counting every earlier one', unfinished: [[2, '1.1']], operations: [ended(1, now - 30 * hour)], wave: 3, open: false, code: 'WaitingForWave', gatedWave: 3, message: /^wave 3 \(the rest\) starts after wave 2 \(early\) has finished: 1 device of/ },
  { name: 'another version still to do does not hold this one', unfinished: [[1, '1.0']], wave: 2, open: true },
  { name: 'finished earlier wave: open once it has baked', operations: [ended(1, now - 2 * hour)], wave: 2, open: true, code: 'Baking', bakeUntil: now + 22 * hour, message: /^wave 2 \(early\) starts once the previous wave has baked until 2026-11-22 10:00 UTC$/ },
  { name: 'the latest end of the earlier waves counts', operations: [ended(1, now - 30 * hour), ended(2, now - 5 * hour)], wave: 3, open: true, code: 'Baking', bakeUntil: now + 19 * hour },
  { name: 'a bake long over still says until when', operations: [ended(1, now - 48 * hour)], wave: 2, open: true, code: 'Baking', bakeUntil: now - 24 * hour },
  { name: 'operations of another version do not bake this one', operations: [ended(1, now - 2 * hour, '1.0')], wave: 2, open: true },
  { name: 'a wave with a soak waits out the soak instead of the bake', spec: soaking, operations: [ended(1, now - 2 * hour)], wave: 2, open: true, code: 'Soaking', bakeUntil: now + 46 * hour, message: /health soak of wave 1 \(canary\) is over at 2026-11-23 10:00 UTC/ },
];

const Gates = suite('WaveGates.gate');
for (const r of gateRows) {
  Gates(r.name, () => {
    const ctx = ctxOf(r.spec);
    const gates = new WaveGates();
    for (const [wave, version] of r.unfinished ?? []) gates.countUnfinished(ctx, 'firmware', version, wave);
    for (const [wave, record] of r.operations ?? []) gates.countOperation(ctx, 'firmware', wave, record);
    const g = gates.gate(ctx, 'firmware', '1.1', r.wave);
    assert.is(g.open, r.open);
    assert.is(g.reason?.code, r.code);
    assert.is(g.open ? iso(g.bakeUntil) : undefined, iso(r.bakeUntil));
    if (r.message) assert.match(g.reason!.message, r.message);
    assert.is(gates.unit(ctx, 'firmware', '1.1').gatedWave, r.gatedWave);
    assert.is(gates.gate(ctx, 'firmware', '1.1', r.wave), g, 'judged once, then shared');
  });
}
Gates.run();

interface ApplyRow {
  readonly name: string;
  readonly scheduled?: boolean;
  readonly wave?: number;
  readonly t0?: number;
  readonly wave1: 'unfinished' | 'baked' | 'baking';
  readonly needs: boolean;
  readonly code: string;
  readonly t0After: number;
  readonly unitBake?: number;
}

const applyRows: ApplyRow[] = [
  { name: 'held by an earlier wave: no start time, waits', wave: 2, wave1: 'unfinished', needs: false, code: 'WaitingForWave', t0After: now },
  { name: 'baking: t0 moves to the end of the bake, which the unit remembers', wave: 2, wave1: 'baking', needs: true, code: 'Deferred', t0After: now + 22 * hour, unitBake: now + 22 * hour },
  { name: 'bake over before t0: t0 stays', wave: 2, wave1: 'baking', t0: now + 30 * hour, needs: true, code: 'Deferred', t0After: now + 30 * hour },
  { name: 'baked long ago: t0 stays', wave: 2, wave1: 'baked', needs: true, code: 'Deferred', t0After: now },
  { name: 'no wave (a device outside the waves): gates do not apply', wave1: 'unfinished', needs: true, code: 'Deferred', t0After: now },
  { name: 'a ScheduledUpdate ignores waves', scheduled: true, wave: 2, wave1: 'unfinished', needs: true, code: 'Deferred', t0After: now },
];

const Apply = suite('applyGate');
for (const r of applyRows) {
  Apply(r.name, () => {
    const ctx = ctxOf();
    const gates = new WaveGates();
    if (r.wave1 === 'unfinished') gates.countUnfinished(ctx, 'firmware', '1.1', 1);
    else gates.countOperation(ctx, 'firmware', 1, ended(1, r.wave1 === 'baking' ? now - 2 * hour : now - 48 * hour)[1]);
    const t0 = r.t0 ?? now;
    const w = work(ctx, 'd1', { wave: r.wave, needs: true, status: 'scheduled', t0, t0Reason: t0 > now ? { code: 'Deferred', message: 'phase' } : undefined, reason: { code: 'Deferred', message: 'phase' }, ...(r.scheduled ? { source: 'scheduled' as const, su: scheduledCtx('s') } : {}) });
    applyGate(w, gates);
    assert.is(w.needs, r.needs);
    assert.is(w.reason.code, r.code);
    assert.is(iso(w.t0), iso(r.t0After));
    if (r.t0After > t0) assert.is(w.t0Reason?.code, 'Baking');
    assert.is(iso(gates.unit(ctx, 'firmware', '1.1').bakeUntil), iso(r.unitBake));
  });
}
Apply.run();

const Count = suite('countWaves');
Count('counts automatic works still to do (needed or in flight) and the policy’s own last operations, per wave', () => {
  const ctx = ctxOf();
  const mine = op('d3', 'firmware', '1.1', { owner: ctx.policy!.owner, startedAt: now - 5 * hour, endedAt: now - 4 * hour });
  const theirs = op('d4', 'firmware', '1.1', { owner: 'default/ScheduledUpdate/s', startedAt: now - 3 * hour, endedAt: now - hour });
  const book = new OperationBook([mine, theirs]);
  const mains = [
    work(ctx, 'd1', { wave: 1, needs: true }),
    work(ctx, 'd2', { wave: 2, status: 'inProgress' }),
    work(ctx, 'd3', { wave: 2, status: 'succeeded' }),
    work(ctx, 'd4', { wave: 1, status: 'succeeded' }),
    work(ctx, 'd5', { wave: 1, needs: true, source: 'scheduled', su: scheduledCtx('s') }),
    work(ctx, 'd6', { wave: undefined, needs: true }),
    work(ctx, 'd7', { wave: 3, status: 'blocked' }),
  ];
  const gates = new WaveGates();
  countWaves(mains, gates, book);
  const u = gates.unit(ctx, 'firmware', '1.1');
  assert.equal(u.unfinished, [0, 1, 1, 0], 'd1 in wave 1, d2 in wave 2; not the ScheduledUpdate, the wave-less or the blocked');
  assert.equal(u.lastEnd.map(iso), [undefined, undefined, iso(now - 4 * hour), undefined], 'only the policy’s own operation');
  assert.equal(u.firstStart.map(iso), [undefined, undefined, iso(now - 5 * hour), undefined]);
});
Count.run();
